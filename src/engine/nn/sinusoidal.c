#include "nn/sinusoidal.h"

#include "core/common.h"
#include "nn/vector_math.h"

/* Frequencies are computed in blocks on the stack (no allocation, one expf per
 * frequency per call rather than per element), in float32 as the seed does:
 * f_i = exp(-(ln(10000)/(half-1))·i). */
#define FREQ_BLOCK 64

static int
fill_frequencies (float *freq, int first, int count, int half)
{
  int end = first + count < half ? first + count : half;
  for (int i = first; i < end; i++)
    freq[i - first] = dv_sinusoidal_frequency (i, half);
  return end - first;
}

void
dv_sinusoidal_forward (float *out, const float *inp, int N, int dim, float scale)
{
  DV_CHECK (dim >= 4 && dim % 2 == 0, "dv_sinusoidal_forward: dim %d must be even and >= 4", dim);
  DV_CHECK (N >= 0, "dv_sinusoidal_forward: bad N %d", N);
  const int half = dim / 2;
  float freq[FREQ_BLOCK];
  for (int first = 0; first < half; first += FREQ_BLOCK)
    {
      int count = fill_frequencies (freq, first, FREQ_BLOCK, half);
      for (int r = 0; r < N; r++)
        {
          const float xs = inp[r] * scale;
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
dv_sinusoidal_backward (float *dinp, const float *dout, const float *inp, int N, int dim, float scale)
{
  DV_CHECK (dim >= 4 && dim % 2 == 0, "dv_sinusoidal_backward: dim %d must be even and >= 4", dim);
  DV_CHECK (N >= 0, "dv_sinusoidal_backward: bad N %d", N);
  const int half = dim / 2;
  float freq[FREQ_BLOCK];
  /* ∂sin(s·x·f)/∂x = s·f·cos(s·x·f) and ∂cos(s·x·f)/∂x = -s·f·sin(s·x·f). */
  for (int first = 0; first < half; first += FREQ_BLOCK)
    {
      int count = fill_frequencies (freq, first, FREQ_BLOCK, half);
      for (int r = 0; r < N; r++)
        {
          const float xs = inp[r] * scale;
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
          dinp[r] += scale * acc;
        }
    }
}

/* sin and cos of a float in one go, branch-free so the loop below vectorises
 * (libm's sincosf does not): reduce by π/2 in three parts (exact products for
 * |k| < 2048, i.e. |a| < 3200), then minimax polynomials on [−π/4, π/4].
 * Absolute error under 1e-7 against the true sine of the float argument. */
static inline void
fast_sincos (float a, float *s, float *c)
{
  const float k = rintf (a * 0.636619772367581343f);
  float r = a - k * 1.5703125f;
  r -= k * 4.837512969970703125e-4f;
  r -= k * 7.54978995489188216e-8f;
  const int q = (int) k;
  const float z = r * r;
  const float sp = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  const float cp =
    1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  const float ss = (q & 1) ? cp : sp;
  const float cc = (q & 1) ? sp : cp;
  *s = (q & 2) ? -ss : ss;
  *c = ((q + 1) & 2) ? -cc : cc;
}

void
dv_sinusoidal_forward_fast (float *out, const float *inp, const float *freq, int N, int dim, float scale)
{
  DV_CHECK (dim >= 4 && dim % 2 == 0, "dv_sinusoidal_forward_fast: dim %d must be even and >= 4", dim);
  DV_CHECK (N >= 0, "dv_sinusoidal_forward_fast: bad N %d", N);
  const int half = dim / 2;
  const float *restrict f = freq;
  for (int r = 0; r < N; r++)
    {
      /* The seed scales the input first, then multiplies by each frequency. */
      const float xs = inp[r] * scale;
      float *restrict sin_row = out + (size_t) r * dim;
      float *restrict cos_row = sin_row + half;
      for (int i = 0; i < half; i++)
        {
          float s, c;
          fast_sincos (xs * f[i], &s, &c);
          sin_row[i] = s;
          cos_row[i] = c;
        }
    }
}
