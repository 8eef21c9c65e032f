#include "nn/silu.h"

#include "nn/vector_math.h"

void
dv_silu_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = inp[i] * dv_sigmoidf (inp[i]);
}

void
dv_silu_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i], s = dv_sigmoidf (x);
      dinp[i] += dout[i] * s * (1.0f + x * (1.0f - s));
    }
}
