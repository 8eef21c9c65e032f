/* Optimisers and training helpers with PyTorch's semantics, over flat buffers. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  float lr, beta1, beta2, eps, weight_decay;
  gboolean decoupled;   /* TRUE: AdamW (p -= lr·wd·p); FALSE: Adam (g += wd·p) */
  gint64 t;             /* steps taken */
  size_t n;
  float *m, *v;
} DvAdam;

/* Adam: betas .9/.999, eps 1e-8, weight_decay 0 (PyTorch defaults). */
void dv_adam_init (DvAdam *opt, size_t n, float lr);
/* AdamW: same, weight_decay 0.01. */
void dv_adamw_init (DvAdam *opt, size_t n, float lr);
void dv_adam_clear (DvAdam *opt);
/* One step with learning rate lr (pass opt->lr when there is no schedule). */
void dv_adam_step (DvAdam *opt, float *params, const float *grads, float lr);

/* CosineAnnealingLR: eta_min + (base - eta_min)·(1 + cos(π·step/total))/2. */
float dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min);

/* clip_grad_norm_: scales grads by max_norm/(norm + 1e-6) when that factor is
 * below 1 (so a norm equal to max_norm is still scaled, as in PyTorch).
 * Returns the norm before clipping. */
float dv_clip_grad_norm (float *grads, size_t n, float max_norm);

/* lucidrains ema_pytorch: every call counts a step; acts when step % update_every == 0;
 * copies while step <= update_after_step; else decay = clamp(1 - (1 + e/inv_gamma)^-power, 0, beta)
 * with e = max(step - update_after_step - 1, 0), and ema = lerp(ema, online, 1 - decay).
 * As there, the two tests use `step` before the call increments it, the decay uses it
 * after: with the seed's settings calls 1, 11, …, 101 copy, and call 111 averages
 * with e = 111 - 100 - 1 = 10. */
typedef struct {
  float beta;
  int update_every;
  int update_after_step;
  float inv_gamma;
  float power;
  gint64 step;
  size_t n;
  float *shadow;
} DvEma;

/* The seed's settings: beta .995, every 10, after 100, inv_gamma 1, power 2/3. */
void dv_ema_init (DvEma *ema, size_t n, const float *initial);
void dv_ema_clear (DvEma *ema);
void dv_ema_update (DvEma *ema, const float *online);
/* The decay of the update whose call leaves ema->step == step (for tests and display). */
float dv_ema_decay_at (const DvEma *ema, gint64 step);

G_END_DECLS
