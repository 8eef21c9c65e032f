#include "nn/cosine_lr.h"

#include <math.h>

float
dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min)
{
  DV_CHECK (total > 0, "dv_cosine_lr: total %" G_GINT64_FORMAT " must be positive", total);
  double phase = G_PI * (double) step / (double) total;
  return (float) (eta_min + (base_lr - eta_min) * (1.0 + cos (phase)) / 2.0);
}
