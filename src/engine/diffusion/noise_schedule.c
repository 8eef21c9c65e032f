#include "diffusion/noise_schedule.h"

#include "core/enum_names.h"
#include "core/common.h"

#include <math.h>
#include <string.h>

DV_ENUM_NAMES_DEFINE (dv_schedule_kind, DvScheduleKind, "noise schedule", "linear", "quadratic", "cosine", "sigmoid")

/* linspace(a, b, T)[i], as numpy/torch compute it. */
static double
linspace_at (double a, double b, int T, int i)
{
  return T == 1 ? a : a + (b - a) * (double) i / (double) (T - 1);
}

static double
cosine_alpha_bar (double t, int T)
{
  const double s = 0.008;
  double c = cos ((t / T + s) / (1.0 + s) * G_PI / 2.0);
  return c * c;
}

gboolean
dv_noise_schedule_init (DvNoiseSchedule *sched, DvScheduleKind kind, int T, float beta_start,
                        float beta_end, GError **error)
{
  memset (sched, 0, sizeof *sched);
  if (T < DV_SCHEDULE_MIN_T || T > DV_SCHEDULE_MAX_T)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The number of timesteps must be between %d and %d, not %d",
                   DV_SCHEDULE_MIN_T, DV_SCHEDULE_MAX_T, T);
      return FALSE;
    }
  if (!dv_enum_names_is_valid (&dv_schedule_kind_names, kind))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown noise schedule %d", kind);
      return FALSE;
    }
  if (kind != DV_SCHEDULE_COSINE &&
      !(beta_start > 0.0f && beta_start < 1.0f && beta_end > 0.0f && beta_end < 1.0f))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "β_start and β_end must lie in (0, 1), not %g and %g",
                   beta_start, beta_end);
      return FALSE;
    }

  sched->kind = kind;
  sched->T = T;
  sched->beta_start = beta_start;
  sched->beta_end = beta_end;
  float **arrays[] = { &sched->betas, &sched->alphas, &sched->alphas_cumprod, &sched->alphas_cumprod_prev,
                       &sched->sqrt_alphas_cumprod, &sched->sqrt_one_minus_alphas_cumprod,
                       &sched->sqrt_inv_alphas_cumprod, &sched->sqrt_inv_alphas_cumprod_minus_one,
                       &sched->posterior_mean_coef1, &sched->posterior_mean_coef2, &sched->posterior_variance };
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    *arrays[i] = dv_alloc_floats ((size_t) T);

  /* β in double, then every coefficient from the float32 β in double, so the
   * tables match what float32 PyTorch computes up to the last rounding. */
  for (int t = 0; t < T; t++)
    {
      double beta = 0.0;
      switch (kind)
        {
        case DV_SCHEDULE_LINEAR:
          beta = linspace_at (beta_start, beta_end, T, t);
          break;
        case DV_SCHEDULE_QUADRATIC:
          beta = linspace_at (sqrt (beta_start), sqrt (beta_end), T, t);
          beta *= beta;
          break;
        case DV_SCHEDULE_COSINE:
          beta = 1.0 - cosine_alpha_bar (t + 1, T) / cosine_alpha_bar (t, T);
          beta = MIN (beta, 0.999);
          break;
        case DV_SCHEDULE_SIGMOID:
          beta = beta_start + (beta_end - beta_start) / (1.0 + exp (-linspace_at (-6.0, 6.0, T, t)));
          break;
        }
      sched->betas[t] = (float) beta;
    }

  double alpha_bar = 1.0;
  for (int t = 0; t < T; t++)
    {
      const double beta = sched->betas[t];
      const double alpha = 1.0 - beta;
      const double alpha_bar_prev = alpha_bar;
      alpha_bar *= alpha;
      sched->alphas[t] = (float) alpha;
      sched->alphas_cumprod[t] = (float) alpha_bar;
      sched->alphas_cumprod_prev[t] = (float) alpha_bar_prev;
      sched->sqrt_alphas_cumprod[t] = (float) sqrt (alpha_bar);
      sched->sqrt_one_minus_alphas_cumprod[t] = (float) sqrt (1.0 - alpha_bar);
      sched->sqrt_inv_alphas_cumprod[t] = (float) sqrt (1.0 / alpha_bar);
      sched->sqrt_inv_alphas_cumprod_minus_one[t] = (float) sqrt (1.0 / alpha_bar - 1.0);
      sched->posterior_mean_coef1[t] = (float) (beta * sqrt (alpha_bar_prev) / (1.0 - alpha_bar));
      sched->posterior_mean_coef2[t] = (float) ((1.0 - alpha_bar_prev) * sqrt (alpha) / (1.0 - alpha_bar));
      double var = beta * (1.0 - alpha_bar_prev) / (1.0 - alpha_bar);
      /* The seed clips at 1e-20 for t > 0 and adds no noise at t = 0. */
      sched->posterior_variance[t] = t == 0 ? 0.0f : (float) MAX (var, 1e-20);
    }
  return TRUE;
}

void
dv_noise_schedule_clear (DvNoiseSchedule *sched)
{
  float *arrays[] = { sched->betas, sched->alphas, sched->alphas_cumprod, sched->alphas_cumprod_prev,
                      sched->sqrt_alphas_cumprod, sched->sqrt_one_minus_alphas_cumprod,
                      sched->sqrt_inv_alphas_cumprod, sched->sqrt_inv_alphas_cumprod_minus_one,
                      sched->posterior_mean_coef1, sched->posterior_mean_coef2, sched->posterior_variance };
  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    dv_free_floats (arrays[i]);
  memset (sched, 0, sizeof *sched);
}
