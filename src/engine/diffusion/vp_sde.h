/* The variance-preserving SDE of Song et al. (2021) on t ∈ [0, 1]:
 *   dx = −½ β(t) x dt + √β(t) dW,  β(t) = β_min + t (β_max − β_min),
 * with the closed-form marginal x_t = m(t) x₀ + σ(t) z, z ~ N(0, I):
 *   log m(t) = −¼ t² (β_max − β_min) − ½ t β_min,  σ(t) = √(1 − m(t)²).
 * The network of the masked score model predicts ε̂ ≈ −z (the MLD convention,
 * "weighted = False"): score = ε̂ / σ(t), x̂₀ = (x_t + σ(t) ε̂) / m(t). */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  double beta_min;  /* 0.1 */
  double beta_max;  /* 20 */
} DvVpSde;

/* β_min 0.1, β_max 20: DiMViDA's and MLD's values. */
void dv_vp_sde_init (DvVpSde *sde);
gboolean dv_vp_sde_check (const DvVpSde *sde, GError **error);

double dv_vp_sde_beta (const DvVpSde *sde, double t);
double dv_vp_sde_log_mean (const DvVpSde *sde, double t);
/* m(t) and σ(t) of the marginal. */
void dv_vp_sde_marginal (const DvVpSde *sde, double t, double *mean, double *std);

/* x[n] = m(t) x0[n] + σ(t) z[n]. */
void dv_vp_sde_perturb (const DvVpSde *sde, double t, float *x, const float *x0, const float *z, size_t n);

/* x̂₀[n] = (x[n] + σ(t) ε̂[n]) / m(t), where ε̂ is the network's output. */
void dv_vp_sde_predict_x0 (const DvVpSde *sde, double t, float *x0_hat, const float *x, const float *eps_hat,
                           size_t n);

/* One step of the reverse-time SDE from t to t − dt (Euler–Maruyama):
 *   x ← x + (½β x + β score) dt + √(β dt) z,   score = ε̂ / σ(t);
 * z may be NULL (no noise: the last step). */
void dv_vp_sde_reverse_step (const DvVpSde *sde, double t, double dt, float *x, const float *eps_hat,
                             const float *z, size_t n);

/* One step of the probability-flow ODE from t to t − dt (Euler):
 *   x ← x + ½β (x + score) dt. Deterministic. */
void dv_vp_sde_ode_step (const DvVpSde *sde, double t, double dt, float *x, const float *eps_hat, size_t n);

/* One step of the forward SDE from t to t + dt (Euler–Maruyama):
 *   x ← x − ½β x dt + √(β dt) z. RePaint's re-noising "jump". */
void dv_vp_sde_forward_step (const DvVpSde *sde, double t, double dt, float *x, const float *z, size_t n);

G_END_DECLS
