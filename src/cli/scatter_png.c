#include "scatter_png.h"

#include <math.h>
#include <string.h>

void
dv_scatter_png_style_init (DvScatterPngStyle *style)
{
  *style = (DvScatterPngStyle) {
    .auto_range = TRUE,
    .x_min = -1, .x_max = 1, .y_min = -1, .y_max = 1,
    .equal_aspect = TRUE,
    .real_rgba = { 0.45, 0.45, 0.45, 0.25 },
    .sample_rgba = { 0.10, 0.35, 0.85, 0.55 },
    .real_size = 2,
    .sample_size = 3,
  };
}

typedef struct {
  double lo, hi;
} Range;

static gboolean
bounds_of (const float *points, size_t n, int axis, Range *out)
{
  Range r = { INFINITY, -INFINITY };
  for (size_t i = 0; i < n; i++)
    {
      float px = points[2 * i], py = points[2 * i + 1];
      if (!isfinite (px) || !isfinite (py))
        continue;
      double v = axis == 0 ? px : py;
      r.lo = MIN (r.lo, v);
      r.hi = MAX (r.hi, v);
    }
  if (r.lo > r.hi)
    return FALSE;
  *out = r;
  return TRUE;
}

/* The range of one axis: the data and the samples, the samples held within
 * half the data's extent of it, padded 5% each side, never empty. */
static Range
auto_range (const float *real, size_t n_real, const float *sample, size_t n_sample, int axis)
{
  Range data, samples, r;
  gboolean have_data = bounds_of (real, n_real, axis, &data);
  gboolean have_samples = bounds_of (sample, n_sample, axis, &samples);
  if (have_data)
    {
      r = data;
      if (have_samples)
        {
          double reach = 0.5 * MAX (data.hi - data.lo, 1e-6);
          r.lo = MIN (r.lo, MAX (samples.lo, data.lo - reach));
          r.hi = MAX (r.hi, MIN (samples.hi, data.hi + reach));
        }
    }
  else if (have_samples)
    r = samples;
  else
    r = (Range) { -1, 1 };
  double pad = 0.05 * (r.hi - r.lo);
  if (pad <= 0)
    pad = MAX (1e-6, 0.5 * fabs (r.lo));
  return (Range) { r.lo - pad, r.hi + pad };
}

/* Widens the narrower range (in pixels per unit) so both axes share a scale. */
static void
equalise (Range *xr, Range *yr, double width, double height)
{
  double units_per_px = MAX ((xr->hi - xr->lo) / width, (yr->hi - yr->lo) / height);
  double xc = 0.5 * (xr->lo + xr->hi), yc = 0.5 * (yr->lo + yr->hi);
  *xr = (Range) { xc - 0.5 * units_per_px * width, xc + 0.5 * units_per_px * width };
  *yr = (Range) { yc - 0.5 * units_per_px * height, yc + 0.5 * units_per_px * height };
}

/* 1, 2 or 5 × 10^e: the round step nearest above span / target. */
static double
tick_step (double span, double target)
{
  double raw = span / MAX (target, 1.0);
  double magnitude = pow (10, floor (log10 (raw)));
  double f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

static void
format_tick (char *buf, size_t len, double value, double step)
{
  int decimals = MAX (0, (int) -floor (log10 (step) + 1e-9));
  if (fabs (value) < 0.5 * step * 1e-6)
    value = 0;  /* no "-0" */
  g_snprintf (buf, len, "%.*f", decimals, value);
}

/* Draws the points as squares of `size` pixels through an A8 mask built by
 * hand: a pixel covered by c markers of opacity a gets 1 − (1 − a)^c, what
 * stacking them with OVER would give. Much faster than a Cairo path of 100,000
 * overlapping rectangles (seconds → milliseconds). (left, top) is the plot
 * area's corner, width × height its size in pixels. */
static void
draw_points (cairo_t *cr, const float *points, size_t n, const double rgba[4], double size, double left,
             double top, int width, int height, const Range *xr, const Range *yr)
{
  if (n == 0 || width <= 0 || height <= 0)
    return;
  int side = MAX (1, (int) lround (size)), before = (side - 1) / 2;
  double sx = width / (xr->hi - xr->lo), sy = height / (yr->hi - yr->lo);
  guint16 *counts = g_new0 (guint16, (size_t) width * height);
  for (size_t i = 0; i < n; i++)
    {
      float px = points[2 * i], py = points[2 * i + 1];
      if (!isfinite (px) || !isfinite (py))
        continue;
      double u = (px - xr->lo) * sx, v = height - (py - yr->lo) * sy;
      if (!(u > -side && u < width + side && v > -side && v < height + side))
        continue;
      int col0 = (int) floor (u) - before, row0 = (int) floor (v) - before;
      for (int row = MAX (row0, 0); row < MIN (row0 + side, height); row++)
        for (int col = MAX (col0, 0); col < MIN (col0 + side, width); col++)
          {
            guint16 *c = &counts[(size_t) row * width + col];
            if (*c < G_MAXUINT16)
              (*c)++;
          }
    }
  /* Opacity per count, up to the count where it is fully opaque anyway. */
  guint8 opacity[256];
  double alpha = CLAMP (rgba[3], 0.0, 1.0);
  for (int c = 0; c < 256; c++)
    opacity[c] = (guint8) lround (255 * (1 - pow (1 - alpha, c)));
  cairo_surface_t *mask = cairo_image_surface_create (CAIRO_FORMAT_A8, width, height);
  cairo_surface_flush (mask);
  unsigned char *data = cairo_image_surface_get_data (mask);
  int stride = cairo_image_surface_get_stride (mask);
  for (int row = 0; row < height; row++)
    for (int col = 0; col < width; col++)
      data[(size_t) row * stride + col] = opacity[MIN (counts[(size_t) row * width + col], 255)];
  cairo_surface_mark_dirty (mask);
  g_free (counts);
  cairo_set_source_rgb (cr, rgba[0], rgba[1], rgba[2]);
  cairo_mask_surface (cr, mask, left, top);
  cairo_surface_destroy (mask);
}

void
dv_scatter_png_draw (cairo_t *cr, double x, double y, double width, double height,
                      const float *real, size_t n_real, const float *sample, size_t n_sample,
                      const DvScatterPngStyle *style)
{
  DvScatterPngStyle defaults;
  if (style == NULL)
    {
      dv_scatter_png_style_init (&defaults);
      style = &defaults;
    }
  double font = CLAMP (height / 36, 9, 18);
  /* Whole pixels for the plot area: the point mask maps onto it one to one. */
  double left = round (4.2 * font), right = round (1.2 * font), bottom = round (2.6 * font);
  double top = round (style->title != NULL ? 2.4 * font : 1.2 * font);
  double pw = floor (width - left - right), ph = floor (height - top - bottom);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (pw < 10 || ph < 10)
    {
      cairo_restore (cr);
      return;  /* too small to hold a plot: leave it blank */
    }

  Range xr, yr;
  gboolean fixed_ok = isfinite (style->x_min) && isfinite (style->x_max) && isfinite (style->y_min)
                      && isfinite (style->y_max) && style->x_max > style->x_min && style->y_max > style->y_min;
  if (style->auto_range || !fixed_ok)
    {
      xr = auto_range (real, n_real, sample, n_sample, 0);
      yr = auto_range (real, n_real, sample, n_sample, 1);
    }
  else
    {
      xr = (Range) { style->x_min, style->x_max };
      yr = (Range) { style->y_min, style->y_max };
    }
  if (style->equal_aspect)
    equalise (&xr, &yr, pw, ph);
  double x0 = x + left, y0 = y + top + ph;  /* pixel position of (xr.lo, yr.lo) */
  double sx = pw / (xr.hi - xr.lo), sy = ph / (yr.hi - yr.lo);

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, font);
  cairo_set_line_width (cr, 1);

  /* Grid lines and tick labels. */
  char label[64];
  cairo_text_extents_t ext;
  for (int axis = 0; axis < 2; axis++)
    {
      const Range *r = axis == 0 ? &xr : &yr;
      double step = tick_step (r->hi - r->lo, (axis == 0 ? pw : ph) / (6 * font));
      if (!isfinite (step) || step <= 0 || (r->hi - r->lo) / step > 100)
        continue;
      for (double t = ceil (r->lo / step) * step; t <= r->hi + 1e-9 * step; t += step)
        {
          /* Pixel-aligned so the 1-px lines stay sharp. */
          double pos = axis == 0 ? floor (x0 + (t - r->lo) * sx) + 0.5 : floor (y0 - (t - r->lo) * sy) + 0.5;
          cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
          if (axis == 0)
            {
              cairo_move_to (cr, pos, y0 - ph);
              cairo_line_to (cr, pos, y0 + 0.4 * font);
            }
          else
            {
              cairo_move_to (cr, x0 - 0.4 * font, pos);
              cairo_line_to (cr, x0 + pw, pos);
            }
          cairo_stroke (cr);
          format_tick (label, sizeof label, t, step);
          cairo_text_extents (cr, label, &ext);
          cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
          if (axis == 0)
            cairo_move_to (cr, pos - ext.x_bearing - 0.5 * ext.width, y0 + 0.6 * font + ext.height);
          else
            cairo_move_to (cr, x0 - 0.6 * font - ext.x_advance, pos - ext.y_bearing - 0.5 * ext.height);
          cairo_show_text (cr, label);
        }
    }

  /* Points, inside the plot area: the data first so the samples stay visible on top. */
  draw_points (cr, real, n_real, style->real_rgba, style->real_size, x0, y0 - ph, (int) pw, (int) ph, &xr, &yr);
  draw_points (cr, sample, n_sample, style->sample_rgba, style->sample_size, x0, y0 - ph, (int) pw, (int) ph, &xr,
               &yr);

  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_rectangle (cr, floor (x0) + 0.5, floor (y0 - ph) + 0.5, floor (pw), floor (ph));
  cairo_stroke (cr);

  if (style->title != NULL)
    {
      cairo_set_font_size (cr, 1.2 * font);
      cairo_text_extents (cr, style->title, &ext);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_move_to (cr, x0 + 0.5 * pw - ext.x_bearing - 0.5 * ext.width, y + 0.6 * font - ext.y_bearing);
      cairo_show_text (cr, style->title);
      cairo_set_font_size (cr, font);
    }

  /* Legend, top right inside the plot, on a white box so points do not hide it. */
  const char *labels[2] = { style->real_label != NULL ? style->real_label : "data",
                            style->sample_label != NULL ? style->sample_label : "samples" };
  const double *colours[2] = { style->real_rgba, style->sample_rgba };
  double text_w = 0;
  for (int i = 0; i < 2; i++)
    {
      cairo_text_extents (cr, labels[i], &ext);
      text_w = MAX (text_w, ext.x_advance);
    }
  double line = 1.5 * font, box_w = text_w + 2.6 * font, box_h = 2 * line + 0.6 * font;
  double bx = x0 + pw - box_w - 0.5 * font, by = y0 - ph + 0.5 * font;
  cairo_rectangle (cr, bx, by, box_w, box_h);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.7, 0.7, 0.7);
  cairo_stroke (cr);
  for (int i = 0; i < 2; i++)
    {
      double cy = by + 0.3 * font + (i + 0.5) * line;
      cairo_rectangle (cr, bx + 0.6 * font, cy - 0.35 * font, 0.7 * font, 0.7 * font);
      /* Markers at full opacity: the faint data colour would be hard to read. */
      cairo_set_source_rgb (cr, colours[i][0], colours[i][1], colours[i][2]);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_move_to (cr, bx + 1.8 * font, cy + 0.35 * font);
      cairo_show_text (cr, labels[i]);
    }
  cairo_restore (cr);
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
dv_scatter_png_write (const char *path, int width, int height,
                           const float *real, size_t n_real, const float *sample, size_t n_sample,
                           const DvScatterPngStyle *style, GError **error)
{
  if (width < 64 || width > 8192 || height < 64 || height > 8192)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "scatter plot: size %d×%d is outside 64..8192", width, height);
      return FALSE;
    }
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  dv_scatter_png_draw (cr, 0, 0, width, height, real, n_real, sample, n_sample, style);
  cairo_status_t status = cairo_status (cr);
  cairo_destroy (cr);
  /* Encoded in memory, then written by g_file_set_contents: a temporary file
   * renamed over the target, so a reader never sees half a PNG. */
  g_autoptr (GByteArray) png = g_byte_array_new ();
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "scatter plot: %s", cairo_status_to_string (status));
      return FALSE;
    }
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, (const char *) png->data, (gssize) png->len, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not write %s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}
