/* The CLI's scatter plot (src/cli/scatter_png.c): its PNG, its errors, and
 * that it draws only inside the rectangle it is given. */
#include "core/rng.h"
#include "scatter_png.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static gboolean
is_white (guint32 pixel)
{
  return (pixel & 0xffffff) == 0xffffff;
}

static void
test_scatter_png (void)
{
  DvRng rng;
  dv_rng_init (&rng, 4);
  size_t n = 20000, m = 2000;
  float *real = dv_test_gaussian_points (&rng, n, 1.0f, 0.0f), *sample = dv_test_gaussian_points (&rng, m, 0.5f, 1.0f);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dv-metrics-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "samples.png", NULL);
  DvScatterPngStyle style;
  dv_scatter_png_style_init (&style);
  style.title = "moons, 10000 steps";
  g_assert_true (dv_scatter_png_write (path, 480, 360, real, n, sample, m, &style, &error));
  g_assert_no_error (error);

  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 480);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 360);
  cairo_surface_flush (png);
  const unsigned char *data = cairo_image_surface_get_data (png);
  int stride = cairo_image_surface_get_stride (png);
  size_t non_white = 0, blue = 0;
  for (int yy = 0; yy < 360; yy++)
    for (int xx = 0; xx < 480; xx++)
      {
        guint32 p = *(const guint32 *) (data + (size_t) yy * stride + 4 * xx);
        int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        non_white += !is_white (p);
        blue += b > r + 60 && b > g + 40;  /* the sample colour */
      }
  g_test_message ("scatter: %zu non-white, %zu blue pixels of %d", non_white, blue, 480 * 360);
  g_assert_cmpuint (non_white, >, 480 * 360 / 20);
  g_assert_cmpuint (blue, >, 500);
  cairo_surface_destroy (png);

  /* Atomic write: nothing but the PNG is left in the folder. */
  g_autoptr (GDir) listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "samples.png");
  g_assert_null (g_dir_read_name (listing));

  /* Unwritable target and bad size are errors, not crashes. */
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "x.png", NULL);
  g_assert_false (dv_scatter_png_write (missing, 200, 200, real, n, sample, m, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dv_scatter_png_write (path, 10, 200, real, n, sample, m, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (real);
  g_free (sample);
}

static void
test_scatter_draws_only_inside_its_rectangle (void)
{
  /* The GTK app draws the plot into part of a widget: nothing may spill outside. */
  DvRng rng;
  dv_rng_init (&rng, 6);
  float *real = dv_test_gaussian_points (&rng, 1000, 3.0f, 0.0f), *sample = dv_test_gaussian_points (&rng, 300, 40.0f, 0.0f);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 300, 200);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  dv_scatter_png_draw (cr, 50, 40, 200, 150, real, 1000, sample, 300, NULL);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  const unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  size_t inside_white = 0;
  for (int yy = 0; yy < 200; yy++)
    for (int xx = 0; xx < 300; xx++)
      {
        guint32 p = *(const guint32 *) (data + (size_t) yy * stride + 4 * xx) & 0xffffff;
        gboolean inside = xx >= 50 && xx < 250 && yy >= 40 && yy < 190;
        if (!inside)
          g_assert_cmphex (p, ==, 0);
        else
          inside_white += is_white (p);
      }
  g_assert_cmpuint (inside_white, >, 200 * 150 / 4);  /* the plot's background was drawn */
  cairo_surface_destroy (surface);
  g_free (real);
  g_free (sample);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/scatter-png", test_scatter_png);
  g_test_add_func ("/cli/scatter-draw-in-rectangle", test_scatter_draws_only_inside_its_rectangle);
  return g_test_run ();
}
