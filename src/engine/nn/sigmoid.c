#include "nn/sigmoid.h"

#include "nn/vector_math.h"

void
dv_sigmoid_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = dv_sigmoidf (inp[i]);
}

void
dv_sigmoid_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    {
      float s = dv_sigmoidf (inp[i]);
      dinp[i] += dout[i] * s * (1.0f - s);
    }
}
