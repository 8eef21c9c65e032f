#include "nn/relu6.h"

#include "nn/vector_math.h"

void
dv_relu6_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = fminf (fmaxf (inp[i], 0.0f), 6.0f);
}

void
dv_relu6_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    if (inp[i] > 0.0f && inp[i] < 6.0f)
      dinp[i] += dout[i];
}
