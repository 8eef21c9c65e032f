/* Dropout (nn.Dropout(p), training mode): each value kept with probability
 * 1 − p and scaled by 1/(1 − p), else zeroed.
 *   inp, out, mask [N]: mask holds each value's factor (0 or 1/(1 − p)), drawn
 *   from rng in index order; out may equal inp. p in [0, 1); p = 0 copies. */
#pragma once

#include "core/rng.h"

G_BEGIN_DECLS

void dv_dropout_forward (float *out, float *mask, const float *inp, size_t N, float p, DvRng *rng);
/* dinp += dout ⊙ mask, accumulated. */
void dv_dropout_backward (float *dinp, const float *dout, const float *mask, size_t N);

G_END_DECLS
