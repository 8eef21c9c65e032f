#include "nn/global_avg_pool.h"

void
dv_global_avg_pool_forward (float *out, const float *inp, size_t planes, size_t hw)
{
  for (size_t p = 0; p < planes; p++)
    {
      const float *x = inp + p * hw;
      double s = 0.0;
      for (size_t i = 0; i < hw; i++)
        s += x[i];
      out[p] = (float) (s / hw);
    }
}

void
dv_global_avg_pool_backward (float *dinp, const float *dout, size_t planes, size_t hw)
{
  for (size_t p = 0; p < planes; p++)
    {
      const float g = dout[p] / (float) hw;
      float *dx = dinp + p * hw;
      for (size_t i = 0; i < hw; i++)
        dx[i] += g;
    }
}
