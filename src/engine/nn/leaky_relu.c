#include "nn/leaky_relu.h"

void
dv_leaky_relu_backward_add (float *dinp, const float *dout, const float *inp, size_t n, float slope)
{
  for (size_t i = 0; i < n; i++)
    dinp[i] += inp[i] > 0.0f ? dout[i] : slope * dout[i];
}
