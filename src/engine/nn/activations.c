#include "nn/activations.h"

#include <math.h>

/* glibc's libmvec has SIMD versions of these; its header announces them only
 * under -ffast-math, which the engine does not use (it would also relax NaN
 * checks). Declaring them here lets the loops below vectorise (-lm links
 * libmvec as needed). */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__) && !defined(__clang__) && \
  !defined(__FAST_MATH__)
__attribute__ ((__simd__ ("notinbranch"))) float expf (float);
__attribute__ ((__simd__ ("notinbranch"))) float erff (float);
#endif

/* Element-wise loops over flat buffers. out may alias in and din may alias
 * dout: each element is read before the same index is written. */

void
dv_relu_forward (float *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void
dv_relu_backward (float *din, const float *dout, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    din[i] = in[i] > 0.0f ? dout[i] : 0.0f;
}

void
dv_leaky_relu_forward (float *out, const float *in, size_t n, float slope)
{
  for (size_t i = 0; i < n; i++)
    out[i] = in[i] > 0.0f ? in[i] : slope * in[i];
}

void
dv_leaky_relu_backward (float *din, const float *dout, const float *in, size_t n, float slope)
{
  for (size_t i = 0; i < n; i++)
    din[i] = in[i] > 0.0f ? dout[i] : slope * dout[i];
}

/* 1/(1+e^-x): for very negative x, e^-x overflows to inf and the result is 0, never NaN. */
static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

void
dv_silu_forward (float *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = in[i] * sigmoidf (in[i]);
}

void
dv_silu_backward (float *din, const float *dout, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = in[i], s = sigmoidf (x);
      din[i] = dout[i] * s * (1.0f + x * (1.0f - s));
    }
}

#define DV_SQRT1_2 0.70710678118654752440f
#define DV_INV_SQRT_2PI 0.39894228040143267794f

void
dv_gelu_forward (float *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = 0.5f * in[i] * (1.0f + erff (in[i] * DV_SQRT1_2));
}

void
dv_gelu_backward (float *din, const float *dout, const float *in, size_t n)
{
  /* d/dx x·Φ(x) = Φ(x) + x·φ(x). */
  for (size_t i = 0; i < n; i++)
    {
      float x = in[i];
      float cdf = 0.5f * (1.0f + erff (x * DV_SQRT1_2));
      float pdf = DV_INV_SQRT_2PI * expf (-0.5f * x * x);
      din[i] = dout[i] * (cdf + x * pdf);
    }
}

void
dv_sigmoid_forward (float *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = sigmoidf (in[i]);
}

void
dv_sigmoid_backward (float *din, const float *dout, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float s = sigmoidf (in[i]);
      din[i] = dout[i] * s * (1.0f - s);
    }
}

void
dv_hardswish_forward (float *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = in[i];
      float r6 = fminf (fmaxf (x + 3.0f, 0.0f), 6.0f);
      out[i] = x * r6 * (1.0f / 6.0f);
    }
}

void
dv_hardswish_backward (float *din, const float *dout, const float *in, size_t n)
{
  /* PyTorch's choice at the kinks: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above. */
  for (size_t i = 0; i < n; i++)
    {
      float x = in[i];
      float d = x < -3.0f ? 0.0f : (x <= 3.0f ? x * (1.0f / 3.0f) + 0.5f : 1.0f);
      din[i] = dout[i] * d;
    }
}
