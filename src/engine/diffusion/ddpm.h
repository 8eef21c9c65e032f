/* The DDPM maths over points or latents x[n][dim] with per-row timesteps t[n]:
 * the forward process, the x̂₀ the denoiser implies, and one reverse step of
 * DDPM and of DDIM (η = 0). x̂₀ is written once, here:
 *   x̂₀ = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε̂. */
#pragma once

#include "diffusion/noise_schedule.h"

G_BEGIN_DECLS

/* x_t[n][dim] = √ᾱ_t·x0 + √(1−ᾱ_t)·noise. */
void dv_ddpm_add_noise (const DvNoiseSchedule *sched, const int *t, const float *x0, const float *noise, int n,
                        int dim, float *x_t);
/* x0[n][dim] = x̂₀(x_t, ε̂) (x0 may alias x_t). */
void dv_ddpm_predict_x0 (const DvNoiseSchedule *sched, const int *t, const float *x_t, const float *eps, int n,
                         int dim, float *x0);
/* Its backward w.r.t. ε̂: deps[n][dim] += −√(1/ᾱ_t − 1)·dx0 (accumulated). */
void dv_ddpm_predict_x0_backward (const DvNoiseSchedule *sched, const int *t, const float *dx0, int n, int dim,
                                  float *deps);
/* One ancestral step at timestep t for all rows, in place: x ← μ(x̂₀, x) + σ_t·z
 * with z = noise[n][dim] (unused, may be NULL, at t = 0). */
void dv_ddpm_step (const DvNoiseSchedule *sched, int t, float *x, const float *eps, const float *noise, int n, int dim);
/* One deterministic DDIM step from t to t_prev (−1: to x₀), in place:
 * x ← √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε̂. */
void dv_ddim_step (const DvNoiseSchedule *sched, int t, int t_prev, float *x, const float *eps, int n, int dim);

G_END_DECLS
