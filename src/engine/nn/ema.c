#include "nn/ema.h"

#include "core/common.h"

#include <math.h>
#include <string.h>

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
