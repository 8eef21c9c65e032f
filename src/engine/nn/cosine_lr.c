#include "nn/cosine_lr.h"

#include <math.h>

float
dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min)
{
  DV_CHECK (total > 0, "dv_cosine_lr: total %" G_GINT64_FORMAT " must be positive", total);
  double phase = G_PI * (double) step / (double) total;
  return (float) (eta_min + (base_lr - eta_min) * (1.0 + cos (phase)) / 2.0);
}

float
dv_cosine_lr_with_warmup (float base_lr, gint64 step, gint64 warmup, gint64 steps, float eta_min)
{
  if (step < warmup)
    return base_lr * (float) (step + 1) / (float) warmup;
  return dv_cosine_lr (base_lr, step - warmup, MAX (steps - warmup, 1), eta_min);
}
