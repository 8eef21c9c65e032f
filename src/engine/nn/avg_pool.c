#include "nn/avg_pool.h"

int
dv_avg_pool_out_size (int in, int kernel, int stride, int padding)
{
  return (in + 2 * padding - kernel) / stride + 1;
}

void
dv_avg_pool_forward (float *out, const float *inp, int planes, int h, int w, int kernel, int stride, int padding)
{
  DV_CHECK (kernel > 0 && stride > 0 && padding >= 0 && 2 * padding <= kernel, "dv_avg_pool: bad geometry");
  const int oh = dv_avg_pool_out_size (h, kernel, stride, padding), ow = dv_avg_pool_out_size (w, kernel, stride, padding);
  const float scale = 1.0f / (float) (kernel * kernel);
  for (int p = 0; p < planes; p++)
    {
      const float *src = inp + (size_t) p * h * w;
      float *dst = out + (size_t) p * oh * ow;
      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
          {
            int y0 = y * stride - padding, x0 = x * stride - padding;
            float acc = 0.0f;
            for (int i = MAX (y0, 0); i < MIN (y0 + kernel, h); i++)
              for (int j = MAX (x0, 0); j < MIN (x0 + kernel, w); j++)
                acc += src[(size_t) i * w + j];
            dst[(size_t) y * ow + x] = acc * scale;
          }
    }
}

void
dv_avg_pool_backward (float *dinp, const float *dout, int planes, int h, int w, int kernel, int stride, int padding)
{
  const int oh = dv_avg_pool_out_size (h, kernel, stride, padding), ow = dv_avg_pool_out_size (w, kernel, stride, padding);
  const float scale = 1.0f / (float) (kernel * kernel);
  for (int p = 0; p < planes; p++)
    {
      float *dst = dinp + (size_t) p * h * w;
      const float *src = dout + (size_t) p * oh * ow;
      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
          {
            int y0 = y * stride - padding, x0 = x * stride - padding;
            float g = src[(size_t) y * ow + x] * scale;
            for (int i = MAX (y0, 0); i < MIN (y0 + kernel, h); i++)
              for (int j = MAX (x0, 0); j < MIN (x0 + kernel, w); j++)
                dst[(size_t) i * w + j] += g;
          }
    }
}
