/* PyTorch's CosineAnnealingLR as a function of the step. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* CosineAnnealingLR: eta_min + (base - eta_min)·(1 + cos(π·step/total))/2. */
float dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min);

G_END_DECLS
