/* Adam and AdamW with PyTorch's semantics, over one flat parameter buffer. */
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

G_END_DECLS
