/* Helpers shared by the tests: see test-util.h. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>

void
dv_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          dv_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* The one finite-difference loop: var is fvar (float) or dvar (double). The
 * tolerance scales with max(|numeric|, |analytic|), or with |numeric| alone
 * when numeric_scale. Returns ‖numeric‖₂. */
static double
check_gradient (const char *what, float *fvar, double *dvar, size_t n, const float *analytic,
                DvTestObjective objective, gpointer ctx, double h, double atol, double rtol, gboolean numeric_scale)
{
  double worst = 0.0, norm_sq = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double plus, minus, f_plus, f_minus;
      if (fvar != NULL)
        {
          const float saved = fvar[i], fplus = saved + (float) h, fminus = saved - (float) h;
          plus = fplus;
          minus = fminus;
          fvar[i] = fplus;
          f_plus = objective (ctx);
          fvar[i] = fminus;
          f_minus = objective (ctx);
          fvar[i] = saved;
        }
      else
        {
          const double saved = dvar[i];
          plus = saved + h;
          minus = saved - h;
          dvar[i] = plus;
          f_plus = objective (ctx);
          dvar[i] = minus;
          f_minus = objective (ctx);
          dvar[i] = saved;
        }
      double numeric = (f_plus - f_minus) / (plus - minus);
      norm_sq += numeric * numeric;
      double err = fabs (numeric - analytic[i]);
      double scale = numeric_scale ? fabs (numeric) : fmax (fabs (numeric), fabs (analytic[i]));
      double allowed = atol + rtol * scale;
      worst = fmax (worst, err / allowed);
      if (err > allowed)
        {
          g_test_fail_printf ("%s: d/d[%zu] analytic %.6g, numeric %.6g (error %.3g > %.3g)", what, i, analytic[i],
                              numeric, err, allowed);
          return sqrt (norm_sq);
        }
    }
  g_test_message ("%s: %zu entries, worst error %.2f of the tolerance", what, n, worst);
  return sqrt (norm_sq);
}

void
dv_test_check_gradient (const char *what, float *var, size_t n, const float *analytic, DvTestObjective objective,
                        gpointer ctx, float h, double atol, double rtol)
{
  check_gradient (what, var, NULL, n, analytic, objective, ctx, h, atol, rtol, FALSE);
}

double
dv_test_check_gradient_double (const char *what, double *var, size_t n, const float *analytic,
                               DvTestObjective objective, gpointer ctx, double h, double atol, double rtol)
{
  return check_gradient (what, NULL, var, n, analytic, objective, ctx, h, atol, rtol, TRUE);
}

double
dv_test_weighted_sum (const float *out, const float *weights, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) out[i] * weights[i];
  return s;
}

float *
dv_test_gaussian_points (DvRng *rng, size_t n, float sigma, float mean_x)
{
  float *p = g_new (float, 2 * n);
  for (size_t i = 0; i < n; i++)
    {
      p[2 * i] = mean_x + sigma * dv_rng_normal (rng);
      p[2 * i + 1] = sigma * dv_rng_normal (rng);
    }
  return p;
}

void
dv_test_run_dimvida (DvTestRun *r, const char *cwd, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) g_getenv ("DV_DIMVIDA"));
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  GError *error = NULL;
  int wait_status = 0;
  g_assert_true (g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err,
                               &wait_status, &error));
  g_assert_no_error (error);
  r->status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  g_ptr_array_unref (argv);
}

void
dv_test_run_clear (DvTestRun *r)
{
  g_free (r->out);
  g_free (r->err);
}

double
dv_test_layer_objective (gpointer data)
{
  DvTestLayerObjective *o = data;
  o->forward (o->layer);
  return dv_test_weighted_sum (o->out, o->weights, o->n_out);
}

float *
dv_test_random_floats (DvRng *rng, size_t n)
{
  float *p = g_new (float, n);
  dv_rng_fill_normal (rng, p, n);
  return p;
}
