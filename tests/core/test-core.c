/* Core engine: tensors, sgemm against a naive loop, RNG reproducibility, parameter store. */
#include "core/blas.h"
#include "core/params.h"
#include "core/rng.h"
#include "core/common.h"
#include "core/epoch_order.h"

#include <math.h>
#include <string.h>

static void
naive_gemm (gboolean ta, gboolean tb, int M, int N, int K, float alpha, const float *A, const float *B,
            float beta, float *C)
{
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double acc = 0;
        for (int k = 0; k < K; k++)
          {
            float a = ta ? A[k * M + i] : A[i * K + k];
            float b = tb ? B[j * K + k] : B[k * N + j];
            acc += (double) a * b;
          }
        C[i * N + j] = (float) (alpha * acc + beta * C[i * N + j]);
      }
}

static void
test_gemm_matches_naive (void)
{
  static const int sizes[][3] = { { 1, 1, 1 }, { 1, 5, 7 }, { 1, 384, 256 }, { 3, 5, 7 }, { 17, 33, 9 }, { 64, 31, 129 }, { 257, 3, 100 } };
  DvRng rng;
  dv_rng_init (&rng, 7);
  g_test_message ("OpenBLAS core: %s", dv_blas_core_name ());
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++)
        {
          int M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
          float *A = dv_alloc_floats ((size_t) M * K), *B = dv_alloc_floats ((size_t) K * N);
          float *C = dv_alloc_floats ((size_t) M * N), *R = dv_alloc_floats ((size_t) M * N);
          dv_rng_fill_normal (&rng, A, (size_t) M * K);
          dv_rng_fill_normal (&rng, B, (size_t) K * N);
          dv_rng_fill_normal (&rng, C, (size_t) M * N);
          memcpy (R, C, sizeof (float) * (size_t) M * N);
          dv_gemm (ta, tb, M, N, K, 0.5f, A, B, 0.25f, C);
          naive_gemm (ta, tb, M, N, K, 0.5f, A, B, 0.25f, R);
          for (int i = 0; i < M * N; i++)
            g_assert_cmpfloat_with_epsilon (C[i], R[i], 1e-4f * (1.0f + sqrtf ((float) K)));
          dv_free_floats (A);
          dv_free_floats (B);
          dv_free_floats (C);
          dv_free_floats (R);
        }
}

/* beta = 0 overwrites C, NaN included, on the one-row (sgemv) path as on sgemm's. */
static void
test_gemm_one_row_beta_zero_overwrites_nan (void)
{
  float A[3] = { 1, 2, 3 }, B[6] = { 1, 0, 0, 0, 1, 1 }, C[2] = { NAN, NAN };
  for (int tb = 0; tb < 2; tb++)
    {
      C[0] = C[1] = NAN;
      /* trans_b: B is N×K = 2×3 → C = (1, 5); else B is K×N = 3×2 → C = (1·1 + 2·0 + 3·1, 1·0 + 2·0 + 3·1) */
      dv_gemm (FALSE, tb, 1, 2, 3, 1.0f, A, B, 0.0f, C);
      g_assert_cmpfloat (C[0], ==, tb ? 1.0f : 4.0f);
      g_assert_cmpfloat (C[1], ==, tb ? 5.0f : 3.0f);
    }
}

static void
test_kernel_choice (void)
{
  /* A non-generic core is never overridden. */
  g_assert_null (dv_blas_preferred_core ("SkylakeX"));
  g_assert_null (dv_blas_preferred_core ("Haswell"));
  __builtin_cpu_init ();
  const char *want = dv_blas_preferred_core ("Prescott");
  if (__builtin_cpu_supports ("avx512f"))
    g_assert_cmpstr (want, ==, "SkylakeX");
  else if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    g_assert_cmpstr (want, ==, "Haswell");
  else
    g_assert_null (want);
}

/* DvTensor is gone (nothing used it); what it carried that the engine uses:
 * aligned zeroed buffers and shape strings. */
static void
test_buffers_and_shapes (void)
{
  float *data = dv_alloc_floats (24);
  g_assert_cmpuint ((guintptr) data % DV_ALIGNMENT, ==, 0);
  for (size_t i = 0; i < 24; i++)
    g_assert_cmpfloat (data[i], ==, 0.0f);
  dv_free_floats (data);

  int shape[3] = { 2, 3, 4 };
  g_assert_cmpuint (dv_shape_numel (3, shape), ==, 24);
  char buf[32];
  g_assert_cmpstr (dv_shape_to_string (3, shape, buf, sizeof buf), ==, "[2, 3, 4]");
  int wrong[2] = { 5, 5 };
  g_assert_cmpstr (dv_shape_to_string (2, wrong, buf, sizeof buf), ==, "[5, 5]");
}

static void
test_rng_reproducible (void)
{
  DvRng a, b;
  dv_rng_init (&a, 42);
  dv_rng_init (&b, 42);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (dv_rng_next_u64 (&a), ==, dv_rng_next_u64 (&b));
  dv_rng_init (&b, 43);
  g_assert_cmpuint (dv_rng_next_u64 (&a), !=, dv_rng_next_u64 (&b));

  /* Moments of uniform and normal draws. */
  dv_rng_init (&a, 1);
  double su = 0, sn = 0, sn2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; i++)
    {
      float u = dv_rng_uniform (&a);
      g_assert_true (u >= 0.0f && u < 1.0f);
      su += u;
      float z = dv_rng_normal (&a);
      sn += z;
      sn2 += (double) z * z;
    }
  g_assert_cmpfloat (fabs (su / n - 0.5), <, 0.005);
  g_assert_cmpfloat (fabs (sn / n), <, 0.01);
  g_assert_cmpfloat (fabs (sn2 / n - 1.0), <, 0.02);

  /* Integers cover the range uniformly; a permutation holds each index once. */
  int counts[7] = { 0 };
  for (int i = 0; i < 70000; i++)
    counts[dv_rng_below (&a, 7)]++;
  for (int i = 0; i < 7; i++)
    g_assert_cmpint (abs (counts[i] - 10000), <, 500);
  guint32 perm[100];
  dv_rng_permutation (&a, perm, 100);
  gboolean seen[100] = { 0 };
  for (int i = 0; i < 100; i++)
    {
      g_assert_false (seen[perm[i]]);
      seen[perm[i]] = TRUE;
    }

  /* Streams differ from each other and repeat with the same (seed, stream). */
  DvRng s1, s2, s3;
  dv_rng_init_stream (&s1, 5, 0);
  dv_rng_init_stream (&s2, 5, 1);
  dv_rng_init_stream (&s3, 5, 0);
  guint64 x1 = dv_rng_next_u64 (&s1);
  g_assert_cmpuint (x1, !=, dv_rng_next_u64 (&s2));
  g_assert_cmpuint (x1, ==, dv_rng_next_u64 (&s3));
}

static void
test_params_layout (void)
{
  DvParams p;
  dv_params_init (&p);
  int s1[2] = { 3, 5 }, s2[1] = { 7 };
  size_t o1 = dv_params_add (&p, "a.weight", 2, s1);
  size_t o2 = dv_params_add (&p, "a.bias", 1, s2);
  dv_params_alloc (&p);
  g_assert_cmpuint (o1, ==, 0);
  g_assert_cmpuint (o2 % 16, ==, 0);
  g_assert_cmpuint (o2, >=, 15);
  g_assert_cmpuint (p.count, ==, o2 + 7);
  g_assert_nonnull (dv_params_find (&p, "a.bias"));
  g_assert_null (dv_params_find (&p, "nope"));
  g_assert_true (dv_params_all_finite (&p));
  p.data[o2] = NAN;
  g_assert_false (dv_params_all_finite (&p));
  dv_params_clear (&p);
}

/* Each epoch visits every item once; an item depends on (seed, g) only, so
 * reading the samples in any order (a resumed run) gives the same items. */
static void
test_epoch_order (void)
{
  enum { N = 37, EPOCHS = 4 };
  DvEpochOrder forward, backward, other;
  dv_epoch_order_init (&forward, N, 7, 2);
  dv_epoch_order_init (&backward, N, 7, 2);
  dv_epoch_order_init (&other, N, 7, 3);
  guint32 items[EPOCHS * N];
  int differ = 0;
  for (guint64 g = 0; g < EPOCHS * N; g++)
    {
      items[g] = dv_epoch_order_item (&forward, g);
      differ += items[g] != dv_epoch_order_item (&other, g);
    }
  for (int e = 0; e < EPOCHS; e++)
    {
      gboolean seen[N] = { FALSE };
      for (int i = 0; i < N; i++)
        {
          g_assert_cmpuint (items[e * N + i], <, N);
          g_assert_false (seen[items[e * N + i]]);
          seen[items[e * N + i]] = TRUE;
        }
    }
  g_assert_true (memcmp (items, items + N, sizeof (guint32) * N) != 0); /* epochs are shuffled anew */
  for (gint64 g = EPOCHS * N - 1; g >= 0; g--)
    g_assert_cmpuint (dv_epoch_order_item (&backward, (guint64) g), ==, items[g]);
  g_assert_cmpint (differ, >, N); /* another stride, other streams */
  dv_epoch_order_clear (&forward);
  dv_epoch_order_clear (&backward);
  dv_epoch_order_clear (&other);
  g_assert_null (forward.perm);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/gemm-one-row-beta-zero", test_gemm_one_row_beta_zero_overwrites_nan);
  g_test_add_func ("/core/gemm-matches-naive", test_gemm_matches_naive);
  g_test_add_func ("/core/kernel-choice", test_kernel_choice);
  g_test_add_func ("/core/buffers-and-shapes", test_buffers_and_shapes);
  g_test_add_func ("/core/rng-reproducible", test_rng_reproducible);
  g_test_add_func ("/core/epoch-order", test_epoch_order);
  g_test_add_func ("/core/params-layout", test_params_layout);
  return g_test_run ();
}
