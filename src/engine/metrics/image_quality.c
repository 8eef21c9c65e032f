#include "metrics/image_quality.h"

#include <math.h>

#define SSIM_RADIUS 5
#define SSIM_SIGMA 1.5
#define SSIM_K1 0.01
#define SSIM_K2 0.03

double
dv_psnr (const float *a, const float *b, int height, int width)
{
  const size_t n = (size_t) height * width * 3;
  double se = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) a[i] - b[i];
      se += d * d;
    }
  double mse = se / (double) n;
  return mse <= 1e-10 ? 100.0 : 10.0 * log10 (1.0 / mse);
}

/* scipy.ndimage "reflect": … c b a | a b c … */
static int
reflect (int i, int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

/* Separable Gaussian filter of a [h][w] double plane, reflected borders. */
static void
gaussian_filter (double *out, const double *in, double *tmp, int h, int w, const double *k)
{
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double acc = 0.0;
        for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
          acc += k[t + SSIM_RADIUS] * in[(size_t) y * w + reflect (x + t, w)];
        tmp[(size_t) y * w + x] = acc;
      }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double acc = 0.0;
        for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
          acc += k[t + SSIM_RADIUS] * tmp[(size_t) reflect (y + t, h) * w + x];
        out[(size_t) y * w + x] = acc;
      }
}

double
dv_ssim (const float *a, const float *b, int height, int width)
{
  DV_CHECK (height >= 2 * SSIM_RADIUS + 1 && width >= 2 * SSIM_RADIUS + 1, "dv_ssim: image %d×%d under 11×11",
            width, height);
  double k[2 * SSIM_RADIUS + 1], ksum = 0.0;
  for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
    ksum += k[t + SSIM_RADIUS] = exp (-0.5 * t * t / (SSIM_SIGMA * SSIM_SIGMA));
  for (int t = 0; t < 2 * SSIM_RADIUS + 1; t++)
    k[t] /= ksum;
  const size_t P = (size_t) height * width;
  double *planes = g_new (double, 12 * P);
  double *x = planes, *y = x + P, *xx = y + P, *yy = xx + P, *xy = yy + P, *tmp = xy + P;
  double *mx = tmp + P, *my = mx + P, *mxx = my + P, *myy = mxx + P, *mxy = myy + P;
  const double C1 = SSIM_K1 * SSIM_K1, C2 = SSIM_K2 * SSIM_K2;
  double total = 0.0;
  for (int c = 0; c < 3; c++)
    {
      for (size_t p = 0; p < P; p++)
        {
          x[p] = a[3 * p + c], y[p] = b[3 * p + c];
          xx[p] = x[p] * x[p], yy[p] = y[p] * y[p], xy[p] = x[p] * y[p];
        }
      gaussian_filter (mx, x, tmp, height, width, k);
      gaussian_filter (my, y, tmp, height, width, k);
      gaussian_filter (mxx, xx, tmp, height, width, k);
      gaussian_filter (myy, yy, tmp, height, width, k);
      gaussian_filter (mxy, xy, tmp, height, width, k);
      double sum = 0.0;
      for (int i = SSIM_RADIUS; i < height - SSIM_RADIUS; i++)
        for (int j = SSIM_RADIUS; j < width - SSIM_RADIUS; j++)
          {
            size_t p = (size_t) i * width + j;
            double ux = mx[p], uy = my[p];
            double vx = mxx[p] - ux * ux, vy = myy[p] - uy * uy, vxy = mxy[p] - ux * uy;
            sum += ((2 * ux * uy + C1) * (2 * vxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
          }
      total += sum / ((double) (height - 2 * SSIM_RADIUS) * (width - 2 * SSIM_RADIUS));
    }
  g_free (planes);
  return total / 3.0;
}
