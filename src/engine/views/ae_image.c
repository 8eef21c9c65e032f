#include "views/ae_image.h"

#include <math.h>
#include <string.h>

/* One axis of an area resize: for output cell i, the source interval [i·scale, (i+1)·scale). */
static void
area_weights (int n_src, int n_dst, int i, int *lo, int *hi, double *w_lo, double *w_hi)
{
  double scale = (double) n_src / n_dst, a = i * scale, b = (i + 1) * scale;
  *lo = (int) floor (a);
  *hi = MIN ((int) ceil (b) - 1, n_src - 1);
  *w_lo = MIN (*lo + 1.0, b) - a;
  *w_hi = *hi > *lo ? b - *hi : 0.0;
}

static double
area_weight (int k, int lo, int hi, double w_lo, double w_hi)
{
  return k == lo ? w_lo : (k == hi ? w_hi : 1.0);
}

void
dv_ae_resize (float *dst, int dw, int dh, const float *src, int sw, int sh)
{
  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      {
        double acc[3] = { 0, 0, 0 }, total = 0.0;
        if (sw >= dw && sh >= dh)
          {
            int ylo, yhi, xlo, xhi;
            double wylo, wyhi, wxlo, wxhi;
            area_weights (sh, dh, y, &ylo, &yhi, &wylo, &wyhi);
            area_weights (sw, dw, x, &xlo, &xhi, &wxlo, &wxhi);
            for (int sy = ylo; sy <= yhi; sy++)
              for (int sx = xlo; sx <= xhi; sx++)
                {
                  double w = area_weight (sy, ylo, yhi, wylo, wyhi) * area_weight (sx, xlo, xhi, wxlo, wxhi);
                  const float *p = src + 3 * ((size_t) sy * sw + sx);
                  for (int c = 0; c < 3; c++)
                    acc[c] += w * p[c];
                  total += w;
                }
          }
        else
          {
            /* Growing (in either axis): bilinear on pixel centres, clamped at the edges. */
            double fy = CLAMP ((y + 0.5) * sh / dh - 0.5, 0.0, sh - 1.0);
            double fx = CLAMP ((x + 0.5) * sw / dw - 0.5, 0.0, sw - 1.0);
            int y0 = (int) fy, x0 = (int) fx, y1 = MIN (y0 + 1, sh - 1), x1 = MIN (x0 + 1, sw - 1);
            double ty = fy - y0, tx = fx - x0;
            int ys[2] = { y0, y1 }, xs[2] = { x0, x1 };
            double wy[2] = { 1 - ty, ty }, wx[2] = { 1 - tx, tx };
            for (int a = 0; a < 2; a++)
              for (int b = 0; b < 2; b++)
                {
                  const float *p = src + 3 * ((size_t) ys[a] * sw + xs[b]);
                  for (int c = 0; c < 3; c++)
                    acc[c] += wy[a] * wx[b] * p[c];
                  total += wy[a] * wx[b];
                }
          }
        for (int c = 0; c < 3; c++)
          dst[3 * ((size_t) y * dw + x) + c] = (float) (acc[c] / total);
      }
}

int
dv_ae_image_to_views (const DvImage *img, DvAeLayout layout, int size, float **views)
{
  DV_CHECK (img->width > 0 && img->height > 0 && size > 0, "dv_ae_image_to_views: empty image");
  double aspect = (double) img->width / img->height;
  int n = layout == DV_AE_LAYOUT_STRIP || (layout == DV_AE_LAYOUT_AUTO && aspect >= 3.5 && aspect <= 4.5) ? 4 : 1;
  const size_t P = (size_t) size * size;
  float *out = g_new (float, n * 3 * P);
  float *hwc = g_new (float, 3 * P);
  for (int v = 0; v < n; v++)
    {
      /* The panel's columns: equal quarters (the last takes the remainder). */
      int x0 = (int) ((gint64) img->width * v / n), x1 = (int) ((gint64) img->width * (v + 1) / n);
      int pw = MAX (x1 - x0, 1), ph = img->height, side = MAX (pw, ph);
      float *square = g_new (float, 3 * (size_t) side * side);
      for (size_t i = 0; i < 3 * (size_t) side * side; i++)
        square[i] = 1.0f;
      int ox = (side - pw) / 2, oy = (side - ph) / 2;
      for (int y = 0; y < ph; y++)
        memcpy (square + 3 * ((size_t) (y + oy) * side + ox), img->rgb + 3 * ((size_t) y * img->width + x0),
                sizeof (float) * 3 * MIN (pw, img->width - x0));
      dv_ae_resize (hwc, size, size, square, side, side);
      g_free (square);
      for (size_t p = 0; p < P; p++)
        for (int c = 0; c < 3; c++)
          out[(size_t) v * 3 * P + c * P + p] = hwc[3 * p + c];
    }
  g_free (hwc);
  *views = out;
  return n;
}

void
dv_ae_views_to_image (DvImage *img, const float *views, int n, int size)
{
  dv_image_init (img, n * size, size);
  const size_t P = (size_t) size * size;
  for (int v = 0; v < n; v++)
    for (int y = 0; y < size; y++)
      for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
          img->rgb[3 * ((size_t) y * n * size + v * size + x) + c] =
            CLAMP (views[(size_t) v * 3 * P + c * P + (size_t) y * size + x], 0.0f, 1.0f);
}
