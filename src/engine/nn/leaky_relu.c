#include "nn/leaky_relu.h"

void
dv_leaky_relu_forward (float *out, const float *inp, size_t N, float slope)
{
  for (size_t i = 0; i < N; i++)
    out[i] = inp[i] > 0.0f ? inp[i] : slope * inp[i];
}

void
dv_leaky_relu_backward (float *dinp, const float *dout, const float *inp, size_t N, float slope)
{
  for (size_t i = 0; i < N; i++)
    dinp[i] += inp[i] > 0.0f ? dout[i] : slope * dout[i];
}
