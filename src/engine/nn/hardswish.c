#include "nn/hardswish.h"

#include "nn/vector_math.h"

void
dv_hardswish_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i];
      float r6 = fminf (fmaxf (x + 3.0f, 0.0f), 6.0f);
      out[i] = x * r6 * (1.0f / 6.0f);
    }
}

void
dv_hardswish_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  /* PyTorch's choice at the kinks: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above. */
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i];
      float d = x < -3.0f ? 0.0f : (x <= 3.0f ? x * (1.0f / 3.0f) + 0.5f : 1.0f);
      dinp[i] += dout[i] * d;
    }
}
