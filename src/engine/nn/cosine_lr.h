/* PyTorch's CosineAnnealingLR as a function of the step. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* CosineAnnealingLR: eta_min + (base - eta_min)·(1 + cos(π·step/total))/2. */
float dv_cosine_lr (float base_lr, gint64 step, gint64 total, float eta_min);
/* A linear warm-up to base_lr over `warmup` steps (step + 1 of them), then dv_cosine_lr down to eta_min over the
 * remaining steps of `steps`: the Views and Votes trainers' schedule. */
float dv_cosine_lr_with_warmup (float base_lr, gint64 step, gint64 warmup, gint64 steps, float eta_min);

G_END_DECLS
