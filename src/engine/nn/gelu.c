#include "nn/gelu.h"

#include "nn/vector_math.h"

#define DV_SQRT1_2 0.70710678118654752440f
#define DV_INV_SQRT_2PI 0.39894228040143267794f

void
dv_gelu_forward (float *out, const float *inp, size_t N)
{
  for (size_t i = 0; i < N; i++)
    out[i] = 0.5f * inp[i] * (1.0f + erff (inp[i] * DV_SQRT1_2));
}

void
dv_gelu_backward (float *dinp, const float *dout, const float *inp, size_t N)
{
  /* d/dx x·Φ(x) = Φ(x) + x·φ(x). */
  for (size_t i = 0; i < N; i++)
    {
      float x = inp[i];
      float cdf = 0.5f * (1.0f + erff (x * DV_SQRT1_2));
      float pdf = DV_INV_SQRT_2PI * expf (-0.5f * x * x);
      dinp[i] += dout[i] * (cdf + x * pdf);
    }
}
