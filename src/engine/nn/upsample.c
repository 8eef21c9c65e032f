#include "nn/upsample.h"

void
dv_upsample2x_forward (float *out, const float *inp, int planes, int h, int w)
{
  const int W2 = 2 * w;
  for (int p = 0; p < planes; p++)
    {
      const float *src = inp + (size_t) p * h * w;
      float *dst = out + (size_t) p * 4 * h * w;
      for (int y = 0; y < h; y++)
        {
          float *r0 = dst + (size_t) (2 * y) * W2, *r1 = r0 + W2;
          for (int x = 0; x < w; x++)
            {
              float v = src[(size_t) y * w + x];
              r0[2 * x] = r0[2 * x + 1] = r1[2 * x] = r1[2 * x + 1] = v;
            }
        }
    }
}

void
dv_upsample2x_backward (float *dinp, const float *dout, int planes, int h, int w)
{
  const int W2 = 2 * w;
  for (int p = 0; p < planes; p++)
    {
      float *dst = dinp + (size_t) p * h * w;
      const float *src = dout + (size_t) p * 4 * h * w;
      for (int y = 0; y < h; y++)
        {
          const float *r0 = src + (size_t) (2 * y) * W2, *r1 = r0 + W2;
          for (int x = 0; x < w; x++)
            dst[(size_t) y * w + x] += r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1];
        }
    }
}
