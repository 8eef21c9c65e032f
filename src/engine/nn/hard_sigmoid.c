#include "nn/hard_sigmoid.h"

#include "nn/vector_math.h"

void
dv_hard_sigmoid_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = fminf (fmaxf (inp[i] + 3.0f, 0.0f), 6.0f) * (1.0f / 6.0f);
}

void
dv_hard_sigmoid_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    if (inp[i] > -3.0f && inp[i] < 3.0f)
      dinp[i] += dout[i] * (1.0f / 6.0f);
}
