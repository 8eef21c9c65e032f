/* The sinusoidal embedding of the 2D-diffusion seed: x·scale, half = dim/2,
 * f_i = exp(-i·ln(10000)/(half-1)), out = [sin(x f_0..), cos(x f_0..)]
 * (the sin block first, then the cos block). */
#pragma once

#include <stddef.h>

/* out[n][dim] from x[n]; dim even and ≥ 4. */
void dv_sinusoidal_forward (float *out, const float *x, int n, int dim, float scale);
/* dx[n] = Σ_j dout[n][j] ∂out[n][j]/∂x (overwritten). */
void dv_sinusoidal_backward (float *dx, const float *dout, const float *x, int n, int dim, float scale);
