#include "diffusion/vp_sde.h"

#include <math.h>

void
dv_vp_sde_init (DvVpSde *sde)
{
  sde->beta_min = 0.1;
  sde->beta_max = 20.0;
}

gboolean
dv_vp_sde_check (const DvVpSde *sde, GError **error)
{
  if (!(sde->beta_min > 0.0) || !(sde->beta_max >= sde->beta_min) || !(sde->beta_max <= 1000.0))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                   "The VP-SDE needs 0 < β_min ≤ β_max ≤ 1000, not β_min %g, β_max %g", sde->beta_min,
                   sde->beta_max);
      return FALSE;
    }
  return TRUE;
}

double
dv_vp_sde_beta (const DvVpSde *sde, double t)
{
  return sde->beta_min + t * (sde->beta_max - sde->beta_min);
}

double
dv_vp_sde_log_mean (const DvVpSde *sde, double t)
{
  return -0.25 * t * t * (sde->beta_max - sde->beta_min) - 0.5 * t * sde->beta_min;
}

void
dv_vp_sde_marginal (const DvVpSde *sde, double t, double *mean, double *std)
{
  const double log_m = dv_vp_sde_log_mean (sde, t);
  *mean = exp (log_m);
  /* 1 − m² = −expm1(2 log m): exact for the tiny t where m is nearly 1. */
  *std = sqrt (-expm1 (2.0 * log_m));
}

void
dv_vp_sde_perturb (const DvVpSde *sde, double t, float *x, const float *x0, const float *z, size_t n)
{
  double m, s;
  dv_vp_sde_marginal (sde, t, &m, &s);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (m * x0[i] + s * z[i]);
}

void
dv_vp_sde_predict_x0 (const DvVpSde *sde, double t, float *x0_hat, const float *x, const float *eps_hat, size_t n)
{
  double m, s;
  dv_vp_sde_marginal (sde, t, &m, &s);
  for (size_t i = 0; i < n; i++)
    x0_hat[i] = (float) ((x[i] + s * eps_hat[i]) / m);
}

void
dv_vp_sde_reverse_step (const DvVpSde *sde, double t, double dt, float *x, const float *eps_hat, const float *z,
                        size_t n)
{
  double m, s;
  dv_vp_sde_marginal (sde, t, &m, &s);
  const double beta = dv_vp_sde_beta (sde, t);
  const double drift_x = 0.5 * beta * dt, drift_score = beta * dt / s, noise = sqrt (beta * dt);
  for (size_t i = 0; i < n; i++)
    {
      double v = x[i] + drift_x * x[i] + drift_score * eps_hat[i];
      if (z != NULL)
        v += noise * z[i];
      x[i] = (float) v;
    }
}

void
dv_vp_sde_ode_step (const DvVpSde *sde, double t, double dt, float *x, const float *eps_hat, size_t n)
{
  double m, s;
  dv_vp_sde_marginal (sde, t, &m, &s);
  const double half_beta_dt = 0.5 * dv_vp_sde_beta (sde, t) * dt;
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (x[i] + half_beta_dt * (x[i] + eps_hat[i] / s));
}

void
dv_vp_sde_forward_step (const DvVpSde *sde, double t, double dt, float *x, const float *z, size_t n)
{
  const double beta = dv_vp_sde_beta (sde, t);
  const double shrink = 1.0 - 0.5 * beta * dt, noise = sqrt (beta * dt);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (shrink * x[i] + noise * z[i]);
}
