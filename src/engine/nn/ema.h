/* An exponential moving average of the weights, as lucidrains' ema_pytorch. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

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
