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

void
dv_test_check_gradient (const char *what, float *var, size_t n, const float *analytic, DvTestObjective objective,
                        gpointer ctx, float h, double atol, double rtol)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      const float saved = var[i];
      const float plus = saved + h, minus = saved - h;
      var[i] = plus;
      double f_plus = objective (ctx);
      var[i] = minus;
      double f_minus = objective (ctx);
      var[i] = saved;
      double numeric = (f_plus - f_minus) / ((double) plus - (double) minus);
      double err = fabs (numeric - analytic[i]);
      double allowed = atol + rtol * fmax (fabs (numeric), fabs (analytic[i]));
      worst = fmax (worst, err / allowed);
      if (err > allowed)
        {
          g_test_fail_printf ("%s: d/d[%zu] analytic %.6g, numeric %.6g (error %.3g > %.3g)", what, i, analytic[i],
                              numeric, err, allowed);
          return;
        }
    }
  g_test_message ("%s: %zu entries, worst error %.2f of the tolerance", what, n, worst);
}

double
dv_test_weighted_sum (const float *out, const float *weights, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) out[i] * weights[i];
  return s;
}
