#include "nn/dropout.h"

void
dv_dropout_forward (float *out, float *mask, const float *inp, size_t N, float p, DvRng *rng)
{
  DV_CHECK (p >= 0.0f && p < 1.0f, "dv_dropout: p = %g outside [0, 1)", p);
  const float keep = 1.0f / (1.0f - p);
  for (size_t i = 0; i < N; i++)
    {
      mask[i] = p == 0.0f || dv_rng_uniform (rng) >= p ? keep : 0.0f;
      out[i] = inp[i] * mask[i];
    }
}

void
dv_dropout_backward (float *dinp, const float *dout, const float *mask, size_t N)
{
  for (size_t i = 0; i < N; i++)
    dinp[i] += dout[i] * mask[i];
}
