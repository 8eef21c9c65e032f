/* PyTorch's clip_grad_norm_ over one flat gradient buffer. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* clip_grad_norm_: scales grads by max_norm/(norm + 1e-6) when that factor is
 * below 1 (so a norm equal to max_norm is still scaled, as in PyTorch).
 * Returns the norm before clipping. */
float dv_clip_grad_norm (float *grads, size_t n, float max_norm);

G_END_DECLS
