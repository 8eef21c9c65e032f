#include "nn/adam.h"

#include "core/common.h"

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
