/* The forward-process noise schedules of DDPM and the coefficients the
 * sampler and the loss need, all precomputed per timestep t = 0..T-1. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_SCHEDULE_MIN_T 10
#define DV_SCHEDULE_MAX_T 1000

typedef enum {
  DV_SCHEDULE_LINEAR,     /* β = linspace(β_start, β_end, T) */
  DV_SCHEDULE_QUADRATIC,  /* β = linspace(√β_start, √β_end, T)² */
  DV_SCHEDULE_COSINE,     /* Nichol & Dhariwal 2021: ᾱ(t) = cos²((t/T + s)/(1 + s)·π/2), s = 0.008, β ≤ 0.999 */
  DV_SCHEDULE_SIGMOID,    /* β = β_start + (β_end − β_start)·σ(linspace(−6, 6, T)) */
} DvScheduleKind;

typedef struct {
  DvScheduleKind kind;
  int T;
  float beta_start, beta_end;
  /* Each [T]. */
  float *betas;
  float *alphas;                   /* 1 − β */
  float *alphas_cumprod;           /* ᾱ_t = Π_{s≤t} α_s */
  float *alphas_cumprod_prev;      /* ᾱ_{t−1}, with ᾱ_{−1} = 1 */
  float *sqrt_alphas_cumprod;      /* √ᾱ: x_t = √ᾱ x₀ + √(1−ᾱ) ε */
  float *sqrt_one_minus_alphas_cumprod;
  float *sqrt_inv_alphas_cumprod;  /* x̂₀ = √(1/ᾱ) x_t − √(1/ᾱ − 1) ε̂ */
  float *sqrt_inv_alphas_cumprod_minus_one;
  float *posterior_mean_coef1;     /* μ = coef1·x̂₀ + coef2·x_t */
  float *posterior_mean_coef2;
  float *posterior_variance;       /* β(1−ᾱ_prev)/(1−ᾱ), at least 1e-20 for t > 0, 0 at t = 0 */
} DvNoiseSchedule;

/* Fails (DV_ERROR_INVALID) for T outside [DV_SCHEDULE_MIN_T, DV_SCHEDULE_MAX_T]
 * or betas outside (0, 1). The seed's β_start/β_end are 1e-4 and 0.02 (unused by cosine). */
gboolean dv_noise_schedule_init (DvNoiseSchedule *sched, DvScheduleKind kind, int T,
                                 float beta_start, float beta_end, GError **error);
void dv_noise_schedule_clear (DvNoiseSchedule *sched);

const char *dv_schedule_kind_to_string (DvScheduleKind kind);
/* "linear", "quadratic", "cosine", "sigmoid". */
gboolean dv_schedule_kind_from_string (const char *name, DvScheduleKind *kind, GError **error);

G_END_DECLS
