#include "nn/max_pool2d.h"

#include <math.h>

int
dv_max_pool2d_out_size (int in, int kernel, int stride, int padding)
{
  return (in + 2 * padding - kernel) / stride + 1;
}

void
dv_max_pool2d_forward (float *out, int *argmax, const float *inp, int planes, int h, int w, int kernel, int stride,
                       int padding)
{
  DV_CHECK (kernel > 0 && stride > 0 && padding >= 0 && 2 * padding <= kernel,
            "dv_max_pool2d: kernel %d, stride %d, padding %d (padding at most half the kernel)", kernel, stride,
            padding);
  const int oh = dv_max_pool2d_out_size (h, kernel, stride, padding);
  const int ow = dv_max_pool2d_out_size (w, kernel, stride, padding);
  for (int p = 0; p < planes; p++)
    {
      const float *x = inp + (size_t) p * h * w;
      float *y = out + (size_t) p * oh * ow;
      int *a = argmax + (size_t) p * oh * ow;
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          {
            float best = -INFINITY;
            int best_i = -1;
            for (int ky = 0; ky < kernel; ky++)
              {
                int iy = oy * stride - padding + ky;
                if (iy < 0 || iy >= h)
                  continue;
                for (int kx = 0; kx < kernel; kx++)
                  {
                    int ix = ox * stride - padding + kx;
                    if (ix < 0 || ix >= w)
                      continue;
                    float v = x[iy * w + ix];
                    /* NaN propagates, as in PyTorch. */
                    if (best_i < 0 || v > best || isnan (v))
                      {
                        best = v;
                        best_i = iy * w + ix;
                        if (isnan (v))
                          goto done;
                      }
                  }
              }
          done:
            y[oy * ow + ox] = best;
            a[oy * ow + ox] = best_i;
          }
    }
}

void
dv_max_pool2d_backward (float *dinp, const float *dout, const int *argmax, int planes, int h, int w, int kernel,
                        int stride, int padding)
{
  const int oh = dv_max_pool2d_out_size (h, kernel, stride, padding);
  const int ow = dv_max_pool2d_out_size (w, kernel, stride, padding);
  const size_t n_out = (size_t) oh * ow;
  for (int p = 0; p < planes; p++)
    {
      float *dx = dinp + (size_t) p * h * w;
      const float *dy = dout + (size_t) p * n_out;
      const int *a = argmax + (size_t) p * n_out;
      for (size_t i = 0; i < n_out; i++)
        dx[a[i]] += dy[i];
    }
}
