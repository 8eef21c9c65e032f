#include "nn/relu.h"

void
dv_relu_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void
dv_relu_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}
