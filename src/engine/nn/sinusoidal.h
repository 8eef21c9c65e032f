/* The sinusoidal embedding of the 2D-diffusion seed, the llm.c way:
 *   inp[N] scalars, out[N][dim] (dim even, ≥ 4), half = dim/2,
 *   f_i = exp(−i·ln(10000)/(half−1)), out = [sin(inp·scale·f_0..), cos(inp·scale·f_0..)]
 * (the sin block first, then the cos block). */
#pragma once

#include <math.h>
#include <stddef.h>

/* f_i, in float32 as the seed computes it. Inline so that each caller's loop
 * decides how expf is evaluated (the accurate path lets libmvec vectorise it;
 * a loop without libmvec's declaration calls glibc's scalar expf, which can
 * differ in the last bit). */
static inline float
dv_sinusoidal_frequency (int i, int half)
{
  const float step = (float) (log (10000.0) / (half - 1));
  return expf (-step * (float) i);
}

/* out[N][dim] from inp[N], with sinf and cosf. */
void dv_sinusoidal_forward (float *out, const float *inp, int N, int dim, float scale);
/* The same from precomputed frequencies freq[dim/2] (dv_sinusoidal_frequency)
 * with a branch-free sincos that vectorises: absolute error under 1e-7
 * against the true sine of the float argument for |inp·scale·f| < 3200. For
 * embeddings computed at every step (the toy's x and y coordinates). */
void dv_sinusoidal_forward_fast (float *out, const float *inp, const float *freq, int N, int dim, float scale);
/* dinp[N] += Σ_j dout[N][j] ∂out[N][j]/∂inp (accumulated). */
void dv_sinusoidal_backward (float *dinp, const float *dout, const float *inp, int N, int dim, float scale);
