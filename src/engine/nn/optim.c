#include "nn/optim.h"

#include "core/tensor.h"

#include <math.h>
#include <string.h>

void
dv_adam_init (DvAdam *opt, size_t n, float lr)
{
  DV_CHECK (n > 0, "dv_adam_init: no parameters");
  memset (opt, 0, sizeof *opt);
  opt->lr = lr;
  opt->beta1 = 0.9f;
  opt->beta2 = 0.999f;
  opt->eps = 1e-8f;
  opt->weight_decay = 0.0f;
  opt->decoupled = FALSE;
  opt->n = n;
  opt->m = dv_alloc_floats (n);
  opt->v = dv_alloc_floats (n);
}

void
dv_adamw_init (DvAdam *opt, size_t n, float lr)
{
  dv_adam_init (opt, n, lr);
  opt->weight_decay = 0.01f;
  opt->decoupled = TRUE;
}

void
dv_adam_clear (DvAdam *opt)
{
  dv_free_floats (opt->m);
  dv_free_floats (opt->v);
  memset (opt, 0, sizeof *opt);
}

void
dv_adam_step (DvAdam *opt, float *params, const float *grads, float lr)
{
  DV_CHECK (opt->m != NULL && opt->v != NULL, "dv_adam_step: optimiser not initialised");
  opt->t++;
  /* The order of torch.optim.Adam(W)'s single-tensor path: decay, moments,
   * then p -= (lr / bc1) · m / (√v / √bc2 + eps), the scalars in double. */
  const double bias_correction1 = 1.0 - pow ((double) opt->beta1, (double) opt->t);
  const double bias_correction2 = 1.0 - pow ((double) opt->beta2, (double) opt->t);
  const float step_size = (float) (lr / bias_correction1);
  const float bc2_sqrt = (float) sqrt (bias_correction2);
  const float beta1 = opt->beta1, beta2 = opt->beta2, eps = opt->eps;
  const float one_minus_beta1 = 1.0f - beta1, one_minus_beta2 = 1.0f - beta2;
  const float decay = opt->decoupled ? (float) (1.0 - (double) lr * opt->weight_decay) : 1.0f;
  const float l2 = opt->decoupled ? 0.0f : opt->weight_decay;
  float *restrict p = params;
  const float *restrict g_in = grads;
  float *restrict m = opt->m;
  float *restrict v = opt->v;
  const size_t n = opt->n;
  for (size_t i = 0; i < n; i++)
    {
      float g = g_in[i] + l2 * p[i];
      float pi = p[i] * decay;
      float mi = m[i] + one_minus_beta1 * (g - m[i]);  /* torch's lerp_ form */
      float vi = beta2 * v[i] + one_minus_beta2 * g * g;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi - step_size * mi / (sqrtf (vi) / bc2_sqrt + eps);
    }
}

float
dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min)
{
  DV_CHECK (total > 0, "dv_cosine_lr: total %" G_GINT64_FORMAT " must be positive", total);
  double phase = G_PI * (double) step / (double) total;
  return (float) (eta_min + (base_lr - eta_min) * (1.0 + cos (phase)) / 2.0);
}

float
dv_clip_grad_norm (float *grads, size_t n, float max_norm)
{
  /* In double, with eight independent partial sums so the loop vectorises. */
  double part[8] = { 0 };
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++)
      part[k] += (double) grads[i + k] * grads[i + k];
  for (; i < n; i++)
    part[0] += (double) grads[i] * grads[i];
  const double sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  const float norm = (float) sqrt (sum);
  /* torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), applied only when < 1. */
  const float coef = max_norm / (norm + 1e-6f);
  if (coef < 1.0f)
    for (size_t j = 0; j < n; j++)
      grads[j] *= coef;
  return norm;
}

void
dv_ema_init (DvEma *ema, size_t n, const float *initial)
{
  DV_CHECK (n > 0, "dv_ema_init: no parameters");
  memset (ema, 0, sizeof *ema);
  ema->beta = 0.995f;
  ema->update_every = 10;
  ema->update_after_step = 100;
  ema->inv_gamma = 1.0f;
  ema->power = 2.0f / 3.0f;
  ema->step = 0;
  ema->n = n;
  ema->shadow = dv_alloc_floats (n);
  if (initial != NULL)
    memcpy (ema->shadow, initial, sizeof (float) * n);
}

void
dv_ema_clear (DvEma *ema)
{
  dv_free_floats (ema->shadow);
  memset (ema, 0, sizeof *ema);
}

float
dv_ema_decay_at (const DvEma *ema, gint64 step)
{
  gint64 epoch = step - ema->update_after_step - 1;
  if (epoch <= 0)
    return 0.0f;
  float value = 1.0f - powf (1.0f + (float) epoch / ema->inv_gamma, -ema->power);
  return fminf (fmaxf (value, 0.0f), ema->beta);
}

void
dv_ema_update (DvEma *ema, const float *online)
{
  DV_CHECK (ema->shadow != NULL && ema->update_every > 0, "dv_ema_update: EMA not initialised");
  /* As ema_pytorch: the test uses the count before this call, the decay the count after it. */
  const gint64 step = ema->step;
  ema->step++;
  if (step % ema->update_every != 0)
    return;
  /* ema_pytorch also copies before its first average when update_after_step < 0. */
  if (step <= ema->update_after_step || step == 0)
    {
      memcpy (ema->shadow, online, sizeof (float) * ema->n);
      return;
    }
  const float weight = 1.0f - dv_ema_decay_at (ema, ema->step);
  float *restrict shadow = ema->shadow;
  const float *restrict src = online;
  for (size_t i = 0; i < ema->n; i++)
    shadow[i] += weight * (src[i] - shadow[i]);
}
