#include "nn/sinusoidal.h"

#include "core/common.h"

#include <math.h>

/* glibc's libmvec SIMD sinf/cosf/expf, which its header announces only under
 * -ffast-math: declared here so the loops below vectorise. */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__) && !defined(__clang__) && \
  !defined(__FAST_MATH__)
__attribute__ ((__simd__ ("notinbranch"))) float sinf (float);
__attribute__ ((__simd__ ("notinbranch"))) float cosf (float);
__attribute__ ((__simd__ ("notinbranch"))) float expf (float);
#endif

/* Frequencies are computed in blocks on the stack (no allocation, one expf per
 * frequency per call rather than per element), in float32 as the seed does:
 * f_i = exp(-(ln(10000)/(half-1))·i). */
#define FREQ_BLOCK 64

static int
fill_frequencies (float *freq, int first, int count, int half)
{
  const float step = (float) (log (10000.0) / (half - 1));
  int end = first + count < half ? first + count : half;
  for (int i = first; i < end; i++)
    freq[i - first] = expf (-step * (float) i);
  return end - first;
}

void
dv_sinusoidal_forward (float *out, const float *x, int n, int dim, float scale)
{
  DV_CHECK (dim >= 4 && dim % 2 == 0, "dv_sinusoidal_forward: dim %d must be even and >= 4", dim);
  DV_CHECK (n >= 0, "dv_sinusoidal_forward: bad n %d", n);
  const int half = dim / 2;
  float freq[FREQ_BLOCK];
  for (int first = 0; first < half; first += FREQ_BLOCK)
    {
      int count = fill_frequencies (freq, first, FREQ_BLOCK, half);
      for (int r = 0; r < n; r++)
        {
          const float xs = x[r] * scale;
          float *sin_row = out + (size_t) r * dim + first;
          float *cos_row = sin_row + half;
          /* Two loops: one with both sinf and cosf would become a scalar sincosf. */
          for (int i = 0; i < count; i++)
            sin_row[i] = sinf (xs * freq[i]);
          for (int i = 0; i < count; i++)
            cos_row[i] = cosf (xs * freq[i]);
        }
    }
}

void
dv_sinusoidal_backward (float *dx, const float *dout, const float *x, int n, int dim, float scale)
{
  DV_CHECK (dim >= 4 && dim % 2 == 0, "dv_sinusoidal_backward: dim %d must be even and >= 4", dim);
  DV_CHECK (n >= 0, "dv_sinusoidal_backward: bad n %d", n);
  const int half = dim / 2;
  float freq[FREQ_BLOCK];
  for (int r = 0; r < n; r++)
    dx[r] = 0.0f;
  /* ∂sin(s·x·f)/∂x = s·f·cos(s·x·f) and ∂cos(s·x·f)/∂x = -s·f·sin(s·x·f). */
  for (int first = 0; first < half; first += FREQ_BLOCK)
    {
      int count = fill_frequencies (freq, first, FREQ_BLOCK, half);
      for (int r = 0; r < n; r++)
        {
          const float xs = x[r] * scale;
          const float *dsin = dout + (size_t) r * dim + first;
          const float *dcos = dsin + half;
          /* Terms first, in loops that vectorise (separate, as in the forward), then their sum. */
          float term[FREQ_BLOCK];
          for (int i = 0; i < count; i++)
            term[i] = freq[i] * dsin[i] * cosf (xs * freq[i]);
          for (int i = 0; i < count; i++)
            term[i] -= freq[i] * dcos[i] * sinf (xs * freq[i]);
          /* Eight independent partial sums, so the adds do not wait on each other. */
          float part[8] = { 0 };
          int i = 0;
          for (; i + 8 <= count; i += 8)
            for (int k = 0; k < 8; k++)
              part[k] += term[i + k];
          for (; i < count; i++)
            part[0] += term[i];
          float acc = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
          dx[r] += scale * acc;
        }
    }
}
