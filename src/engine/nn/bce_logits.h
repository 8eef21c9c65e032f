/* Binary cross-entropy on logits, the mean over N elements, numerically
 * stable: max(x,0) − x·y + log(1 + exp(−|x|)), targets in [0, 1].
 * Backward: dlogits[N] += scale · ∂loss/∂logits (accumulated). */
#pragma once

#include <stddef.h>

float dv_bce_logits_forward (const float *logits, const float *targets, size_t N);
void dv_bce_logits_backward (float *dlogits, const float *logits, const float *targets, size_t N, float scale);
/* The same with one target for all (e.g. 1 for real, 0 for fake). */
float dv_bce_logits_const_forward (const float *logits, float target, size_t N);
void dv_bce_logits_const_backward (float *dlogits, const float *logits, float target, size_t N, float scale);
