#include "diffusion/ddpm.h"

#include <math.h>

static inline float
predict_x0 (const DvNoiseSchedule *sched, int t, float x_t, float eps)
{
  return sched->sqrt_inv_alphas_cumprod[t] * x_t - sched->sqrt_inv_alphas_cumprod_minus_one[t] * eps;
}

void
dv_ddpm_add_noise (const DvNoiseSchedule *sched, const int *t, const float *x0, const float *noise, int n, int dim,
                   float *x_t)
{
  for (int b = 0; b < n; b++)
    {
      const float sa = sched->sqrt_alphas_cumprod[t[b]];
      const float sb = sched->sqrt_one_minus_alphas_cumprod[t[b]];
      for (int c = 0; c < dim; c++)
        {
          const size_t k = (size_t) b * dim + c;
          x_t[k] = sa * x0[k] + sb * noise[k];
        }
    }
}

void
dv_ddpm_predict_x0 (const DvNoiseSchedule *sched, const int *t, const float *x_t, const float *eps, int n, int dim,
                    float *x0)
{
  for (int b = 0; b < n; b++)
    for (int c = 0; c < dim; c++)
      {
        const size_t k = (size_t) b * dim + c;
        x0[k] = predict_x0 (sched, t[b], x_t[k], eps[k]);
      }
}

void
dv_ddpm_predict_x0_backward (const DvNoiseSchedule *sched, const int *t, const float *dx0, int n, int dim,
                             float *deps)
{
  for (int b = 0; b < n; b++)
    {
      const float c_e = sched->sqrt_inv_alphas_cumprod_minus_one[t[b]];
      for (int c = 0; c < dim; c++)
        {
          const size_t k = (size_t) b * dim + c;
          deps[k] += -c_e * dx0[k];
        }
    }
}

void
dv_ddpm_step (const DvNoiseSchedule *sched, int t, float *x, const float *eps, const float *noise, int n, int dim)
{
  const float c1 = sched->posterior_mean_coef1[t];
  const float c2 = sched->posterior_mean_coef2[t];
  const float sigma = sqrtf (sched->posterior_variance[t]);
  const size_t count = (size_t) n * dim;
  if (t > 0)
    for (size_t k = 0; k < count; k++)
      x[k] = c1 * predict_x0 (sched, t, x[k], eps[k]) + c2 * x[k] + sigma * noise[k];
  else
    for (size_t k = 0; k < count; k++)
      x[k] = c1 * predict_x0 (sched, t, x[k], eps[k]) + c2 * x[k];
}

void
dv_ddim_step (const DvNoiseSchedule *sched, int t, int t_prev, float *x, const float *eps, int n, int dim)
{
  const float ab_prev = t_prev >= 0 ? sched->alphas_cumprod[t_prev] : 1.0f;
  const float sqrt_ab_prev = sqrtf (ab_prev), sqrt_1mab_prev = sqrtf (1.0f - ab_prev);
  const size_t count = (size_t) n * dim;
  for (size_t k = 0; k < count; k++)
    x[k] = sqrt_ab_prev * predict_x0 (sched, t, x[k], eps[k]) + sqrt_1mab_prev * eps[k];
}
