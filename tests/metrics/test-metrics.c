/* Metrics of the Playground: the kd-tree against brute force, the kNN KL
 * estimator on hand-computed cases and under invariances, and the grid KL/JS. */
#include "metrics/grid_divergence.h"
#include "metrics/kdtree.h"
#include "metrics/knn_kl.h"
#include "core/rng.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* ---- kd-tree ---- */

static double
max_norm (const float *a, const float *b, int dim)
{
  double d = 0;
  for (int i = 0; i < dim; i++)
    d = MAX (d, fabs ((double) a[i] - b[i]));
  return d;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Sorted distances from q to every point but `skip`; returns how many. */
static size_t
brute_distances (const float *points, size_t n, int dim, const float *q, size_t skip, double *out)
{
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (i != skip)
      out[count++] = max_norm (points + i * dim, q, dim);
  qsort (out, count, sizeof (double), compare_doubles);
  return count;
}

static void
test_kdtree_matches_brute_force (void)
{
  static const int dims[] = { 1, 2, 3, 5 };
  static const size_t sizes[] = { 1, 2, 7, 13, 100, 1000, 3000 };
  DvRng rng;
  dv_rng_init (&rng, 11);
  for (guint di = 0; di < G_N_ELEMENTS (dims); di++)
    for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
      for (int quantised = 0; quantised < 2; quantised++)
        {
          int dim = dims[di];
          size_t n = sizes[si];
          float *points = g_new (float, n * dim);
          dv_rng_fill_normal (&rng, points, n * dim);
          /* Coarse coordinates: many exact ties and duplicate points, the hard case for pruning. */
          if (quantised)
            for (size_t i = 0; i < n * dim; i++)
              points[i] = roundf (points[i] * 2) / 2;
          g_autoptr (DvKdTree) tree = dv_kdtree_new (points, n, dim);
          g_assert_cmpuint (dv_kdtree_size (tree), ==, n);
          double *expect = g_new (double, n);
          for (int trial = 0; trial < 40; trial++)
            {
              int k = 1 + (int) dv_rng_below (&rng, 12);
              float q[8];
              size_t skip = DV_KDTREE_NO_SKIP;
              if (trial % 2 == 0)
                {
                  /* A stored point, left out of its own query. */
                  skip = dv_rng_below (&rng, n);
                  memcpy (q, points + skip * dim, sizeof (float) * dim);
                }
              else
                for (int a = 0; a < dim; a++)
                  q[a] = 1.5f * dv_rng_normal (&rng);
              size_t available = brute_distances (points, n, dim, q, skip, expect);
              double got[DV_KDTREE_MAX_K];
              size_t idx[DV_KDTREE_MAX_K];
              int found = dv_kdtree_nearest (tree, q, k, skip, got, idx);
              g_assert_cmpint (found, ==, (int) MIN ((size_t) k, available));
              for (int j = 0; j < found; j++)
                {
                  g_assert_cmpfloat (got[j], ==, expect[j]);
                  g_assert_cmpuint (idx[j], <, n);
                  g_assert_cmpuint (idx[j], !=, skip);
                  g_assert_cmpfloat (max_norm (points + idx[j] * dim, q, dim), ==, got[j]);
                  for (int l = 0; l < j; l++)
                    g_assert_cmpuint (idx[l], !=, idx[j]);
                }
            }
          g_free (expect);
          g_free (points);
        }
}

/* ---- kNN KL ---- */

static double
kl_bits (const float *real, size_t n, const float *sample, size_t m, int dim, int k, int threads)
{
  g_autoptr (GError) error = NULL;
  DvKnnKlResult result;
  g_assert_true (dv_knn_kl (real, n, sample, m, dim, k, threads, &result, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return result.kl_bits;
}

static void
test_kl_hand_computed_1d (void)
{
  /* x = {0, 1, 3}, x' = {0.5, 2, 10}, k = 1, d = 1.
   * nn (nearest other real point):  0→1: 1,   1→0: 1,   3→1: 2
   * nnp (nearest sample):           0→.5: .5, 1→.5: .5, 3→2: 1
   * KL = [ln 3 − ln 2 + (mean ln nnp − mean ln nn)] / ln 2 */
  const float real[] = { 0, 1, 3 }, sample[] = { 0.5f, 2, 10 };
  double mean_ln_nn = (log (1) + log (1) + log (2)) / 3;
  double mean_ln_nnp = (log (0.5) + log (0.5) + log (1)) / 3;
  double expect = (log (3) - log (2) + (mean_ln_nnp - mean_ln_nn)) / log (2);
  g_assert_cmpfloat_with_epsilon (expect, log2 (0.75), 1e-12);  /* the closed form of the above */
  g_assert_cmpfloat_with_epsilon (kl_bits (real, 3, sample, 3, 1, 1, 1), expect, 1e-12);
}

static void
test_kl_hand_computed_2d_max_norm (void)
{
  /* Four real and four sample points, k = 2, d = 2, max-norm distances.
   * Between real points: a(0,0) b(1,0) c(0,2) e(3,1):
   *   ab 1, ac 2, ae 3, bc 2 (Euclidean would be √5), be 2, ce 3.
   * nn = 2nd nearest other real point: a {1,2,3} → 2, b {1,2,2} → 2, c {2,2,3} → 2, e {3,2,3} → 3.
   * Samples (0,1) (2,2) (1,-1) (4,0):
   *   a {1,2,1,4} → 2nd 1;  b {1,2,1,3} → 1;  c {1,2,3,4} → 2;  e {3,1,2,1} → 1. */
  const float real[] = { 0, 0, 1, 0, 0, 2, 3, 1 };
  const float sample[] = { 0, 1, 2, 2, 1, -1, 4, 0 };
  double mean_ln_nn = (log (2) + log (2) + log (2) + log (3)) / 4;
  double mean_ln_nnp = (log (1) + log (1) + log (2) + log (1)) / 4;
  double expect = (log (4) - log (3) + 2 * (mean_ln_nnp - mean_ln_nn)) / log (2);
  g_assert_cmpfloat_with_epsilon (expect, 1 - 1.5 * log2 (3), 1e-12);
  g_assert_cmpfloat_with_epsilon (kl_bits (real, 4, sample, 4, 2, 2, 1), expect, 1e-12);
}

static void
test_kl_invariances (void)
{
  DvRng rng;
  dv_rng_init (&rng, 5);
  size_t n = 3000, m = 1000;
  float *real = dv_test_gaussian_points (&rng, n, 1.0f, 0.0f);
  float *sample = dv_test_gaussian_points (&rng, m, 1.3f, 0.4f);
  double base = kl_bits (real, n, sample, m, 2, 5, 1);
  g_test_message ("KL base case: %.6f bits", base);
  g_assert_cmpfloat (fabs (base), >, 0.05);  /* a case where the estimate is clearly not 0 */

  float *moved_real = g_new (float, 2 * n), *moved_sample = g_new (float, 2 * m);
  /* Translation of both sets. */
  for (size_t i = 0; i < 2 * n; i++)
    moved_real[i] = real[i] + (i % 2 ? -3.25f : 7.5f);
  for (size_t i = 0; i < 2 * m; i++)
    moved_sample[i] = sample[i] + (i % 2 ? -3.25f : 7.5f);
  g_assert_cmpfloat_with_epsilon (kl_bits (moved_real, n, moved_sample, m, 2, 5, 1), base, 1e-5);
  /* Uniform scaling of both sets (not a power of two, so float rounding is exercised). */
  for (size_t i = 0; i < 2 * n; i++)
    moved_real[i] = real[i] * 3.7f;
  for (size_t i = 0; i < 2 * m; i++)
    moved_sample[i] = sample[i] * 3.7f;
  g_assert_cmpfloat_with_epsilon (kl_bits (moved_real, n, moved_sample, m, 2, 5, 1), base, 1e-5);
  /* Permuting the points of either set. */
  guint32 *perm_n = g_new (guint32, n), *perm_m = g_new (guint32, m);
  dv_rng_permutation (&rng, perm_n, n);
  dv_rng_permutation (&rng, perm_m, m);
  for (size_t i = 0; i < n; i++)
    memcpy (moved_real + 2 * i, real + 2 * perm_n[i], 2 * sizeof (float));
  for (size_t i = 0; i < m; i++)
    memcpy (moved_sample + 2 * i, sample + 2 * perm_m[i], 2 * sizeof (float));
  g_assert_cmpfloat_with_epsilon (kl_bits (moved_real, n, moved_sample, m, 2, 5, 1), base, 1e-9);
  /* Swapping x and y in both sets (the max-norm treats axes alike). */
  for (size_t i = 0; i < n; i++)
    {
      moved_real[2 * i] = real[2 * i + 1];
      moved_real[2 * i + 1] = real[2 * i];
    }
  for (size_t i = 0; i < m; i++)
    {
      moved_sample[2 * i] = sample[2 * i + 1];
      moved_sample[2 * i + 1] = sample[2 * i];
    }
  g_assert_cmpfloat_with_epsilon (kl_bits (moved_real, n, moved_sample, m, 2, 5, 1), base, 1e-9);
  g_free (perm_n);
  g_free (perm_m);
  g_free (moved_real);
  g_free (moved_sample);
  g_free (real);
  g_free (sample);
}

static void
test_kl_same_result_for_any_thread_count (void)
{
  DvRng rng;
  dv_rng_init (&rng, 9);
  size_t n = 20000, m = 3000;  /* several work chunks */
  float *real = dv_test_gaussian_points (&rng, n, 1.0f, 0.0f);
  float *sample = dv_test_gaussian_points (&rng, m, 1.1f, 0.2f);
  double one = kl_bits (real, n, sample, m, 2, 5, 1);
  for (int threads = 2; threads <= 4; threads++)
    g_assert_cmpfloat (kl_bits (real, n, sample, m, 2, 5, threads), ==, one);
  g_free (real);
  g_free (sample);
}

static void
test_kl_gaussians (void)
{
  DvRng rng;
  dv_rng_init (&rng, 21);
  size_t n = 20000, m = 5000;
  float *real = dv_test_gaussian_points (&rng, n, 1.0f, 0.0f);
  float *same = dv_test_gaussian_points (&rng, m, 1.0f, 0.0f);
  float *wide = dv_test_gaussian_points (&rng, m, 2.0f, 0.0f);
  /* Same distribution: the estimate is near 0. */
  double kl_same = kl_bits (real, n, same, m, 2, 5, 0);
  /* Isotropic Gaussians σ_p = 1, σ_q = 2 in d = 2: KL = d[ln(σq/σp) + σp²/(2σq²) − ½] nats. */
  double exact = 2 * (log (2) + 1.0 / 8 - 0.5) / log (2);
  double kl_wide = kl_bits (real, n, wide, m, 2, 5, 0);
  g_test_message ("KL same %.4f bits; σ 1 vs 2: %.4f bits (exact %.4f)", kl_same, kl_wide, exact);
  g_assert_cmpfloat (fabs (kl_same), <, 0.05);
  g_assert_cmpfloat_with_epsilon (kl_wide, exact, 0.1);
  g_free (real);
  g_free (same);
  g_free (wide);
}

static void
test_kl_ties_are_floored (void)
{
  /* 50 distinct points, each repeated 6 times: with k = 5 every nn distance is 0
   * (ln 0 = −∞ in npeet's kldiv); the samples are copies of 5 real points each,
   * so every nnp distance of those is 0 too. */
  DvRng rng;
  dv_rng_init (&rng, 3);
  size_t distinct = 50, copies = 6, n = distinct * copies, m = 300;
  float base[2 * 50];
  dv_rng_fill_uniform (&rng, base, 2 * distinct, -2.0f, 2.0f);
  float *real = g_new (float, 2 * n), *sample = g_new (float, 2 * m);
  for (size_t i = 0; i < n; i++)
    memcpy (real + 2 * i, base + 2 * (i % distinct), 2 * sizeof (float));
  for (size_t i = 0; i < m; i++)
    memcpy (sample + 2 * i, base + 2 * (i % distinct), 2 * sizeof (float));
  /* The floor is relative to the widest coordinate range. */
  double extent = 0;
  for (int axis = 0; axis < 2; axis++)
    {
      float lo = INFINITY, hi = -INFINITY;
      for (size_t i = 0; i < distinct; i++)
        {
          lo = MIN (lo, base[2 * i + axis]);
          hi = MAX (hi, base[2 * i + axis]);
        }
      extent = MAX (extent, (double) hi - lo);
    }
  g_autoptr (GError) error = NULL;
  DvKnnKlResult result;
  g_assert_true (dv_knn_kl (real, n, sample, m, 2, 5, 1, &result, NULL, NULL, NULL, &error));
  g_assert_cmpfloat_with_epsilon (result.distance_floor, 1e-10 * extent, 1e-20);
  g_assert_cmpuint (result.floored_nn, ==, n);
  g_assert_cmpuint (result.floored_nnp, ==, n);  /* 6 sample copies of every real point */
  g_assert_true (isfinite (result.kl_bits));
  /* All distances equal the floor, so the d·(…) term vanishes. */
  g_assert_cmpfloat_with_epsilon (result.kl_bits, (log ((double) m) - log ((double) n - 1)) / log (2), 1e-9);
  g_free (real);
  g_free (sample);
}

static void
count_progress (const DvProgress *progress, gpointer user_data)
{
  gint64 *last = user_data;
  g_assert_cmpint (progress->done, >=, *last);
  g_assert_cmpint (progress->done, <=, progress->total);
  *last = progress->done;
}

static void
test_kl_errors_progress_cancel (void)
{
  const float pts[] = { 0, 0, 1, 0, 0, 1, 1, 1 };
  float bad[] = { 0, 0, 1, NAN, 0, 1, 1, 1 };
  DvKnnKlResult result;
  GError *error = NULL;
  /* k must be below both set sizes (npeet asserts k < min(n, m)). */
  g_assert_false (dv_knn_kl (pts, 4, pts, 4, 2, 4, 1, &result, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (dv_knn_kl (pts, 4, bad, 4, 2, 1, 1, &result, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_NAN);
  g_clear_error (&error);
  /* The seed's k = 5 needs at least 6 points per set. */
  g_assert_true (isnan (dv_knn_kl_2d (pts, 4, pts, 4, &error)));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);

  DvRng rng;
  dv_rng_init (&rng, 1);
  size_t n = 10000;
  float *real = dv_test_gaussian_points (&rng, n, 1, 0), *sample = dv_test_gaussian_points (&rng, 1000, 1, 0);
  gint64 last = -1;
  g_assert_true (dv_knn_kl (real, n, sample, 1000, 2, 5, 2, &result, count_progress, &last, NULL, &error));
  g_assert_cmpint (last, ==, (gint64) n);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_cancellable_cancel (cancellable);
  g_assert_false (dv_knn_kl (real, n, sample, 1000, 2, 5, 2, &result, NULL, NULL, cancellable, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  g_clear_error (&error);
  g_free (real);
  g_free (sample);
}

/* ---- grid KL / JS ---- */

static void
test_grid_divergence (void)
{
  DvRng rng;
  dv_rng_init (&rng, 8);
  size_t n = 5000;
  float *a = dv_test_gaussian_points (&rng, n, 1.0f, 0.0f);
  float *b = dv_test_gaussian_points (&rng, n, 0.7f, 1.0f);
  DvBox2D box = { -4, 4, -4, 4 };
  double kl, js, kl_ba, js_ba;
  g_autoptr (GError) error = NULL;

  g_assert_true (dv_grid_divergence (a, n, a, n, &box, 40, &kl, &js, &error));
  g_assert_cmpfloat (kl, ==, 0);
  g_assert_cmpfloat (js, ==, 0);

  g_assert_true (dv_grid_divergence (a, n, b, n, &box, 40, &kl, &js, &error));
  g_assert_true (dv_grid_divergence (b, n, a, n, &box, 40, &kl_ba, &js_ba, &error));
  g_test_message ("grid: KL(a‖b) %.4f, KL(b‖a) %.4f, JS %.4f bits", kl, kl_ba, js);
  g_assert_cmpfloat (kl, >, 0.1);
  g_assert_cmpfloat (fabs (kl - kl_ba), >, 1e-3);  /* KL is not symmetric... */
  g_assert_cmpfloat_with_epsilon (js, js_ba, 1e-12);  /* ...JS is */
  g_assert_cmpfloat (js, >, 0);
  g_assert_cmpfloat (js, <, 1);

  /* Disjoint supports: JS near its maximum of 1 bit, never above, on fine and coarse grids. */
  float *left = g_new (float, 2 * n), *right = g_new (float, 2 * n);
  for (size_t i = 0; i < n; i++)
    {
      left[2 * i] = dv_rng_uniform_range (&rng, -3.9f, -0.1f);
      right[2 * i] = dv_rng_uniform_range (&rng, 0.1f, 3.9f);
      left[2 * i + 1] = right[2 * i + 1] = dv_rng_uniform_range (&rng, -3.9f, 3.9f);
    }
  static const int grids[] = { 2, 10, 40 };
  for (guint i = 0; i < G_N_ELEMENTS (grids); i++)
    {
      g_assert_true (dv_grid_divergence (left, n, right, n, &box, grids[i], &kl, &js, &error));
      g_test_message ("disjoint, grid %d: KL %.3f, JS %.6f", grids[i], kl, js);
      /* Below 1 because of the smoothing, the more so the finer the grid
       * (ε per cell against ~n/cells points per cell). */
      if (grids[i] <= 10)
        g_assert_cmpfloat (js, >, 0.9);
      g_assert_cmpfloat (js, <=, 1);
      g_assert_cmpfloat (js, >, js_ba);
    }

  /* Samples outside the box are counted, not lost: all of them outside is far from the data. */
  float far[2 * 100];
  for (int i = 0; i < 200; i++)
    far[i] = 100.0f + (float) i;
  g_autoptr (DvGridDivergence) cached = dv_grid_divergence_new (a, n, &box, 20, &error);
  g_assert_no_error (error);
  dv_grid_divergence_measure (cached, far, 100, &kl, &js);
  g_assert_cmpfloat (js, >, 0.9);
  g_assert_cmpfloat (kl, >, 5);
  /* The cached form gives what the one-shot form gives. */
  dv_grid_divergence_measure (cached, b, n, &kl, &js);
  g_assert_true (dv_grid_divergence (a, n, b, n, &box, 20, &kl_ba, &js_ba, &error));
  g_assert_cmpfloat (kl, ==, kl_ba);
  g_assert_cmpfloat (js, ==, js_ba);

  DvBox2D empty = { 1, 1, 0, 1 };
  g_assert_null (dv_grid_divergence_new (a, n, &empty, 20, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (dv_grid_divergence_new (a, n, &box, 0, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_free (left);
  g_free (right);
  g_free (a);
  g_free (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/kdtree-matches-brute-force", test_kdtree_matches_brute_force);
  g_test_add_func ("/metrics/kl-hand-computed-1d", test_kl_hand_computed_1d);
  g_test_add_func ("/metrics/kl-hand-computed-2d-max-norm", test_kl_hand_computed_2d_max_norm);
  g_test_add_func ("/metrics/kl-invariances", test_kl_invariances);
  g_test_add_func ("/metrics/kl-any-thread-count", test_kl_same_result_for_any_thread_count);
  g_test_add_func ("/metrics/kl-gaussians", test_kl_gaussians);
  g_test_add_func ("/metrics/kl-ties-floored", test_kl_ties_are_floored);
  g_test_add_func ("/metrics/kl-errors-progress-cancel", test_kl_errors_progress_cancel);
  g_test_add_func ("/metrics/grid-divergence", test_grid_divergence);
  return g_test_run ();
}
