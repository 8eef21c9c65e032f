/* Softmax cross-entropy: logits[B][C], labels[B] in 0..C−1, the mean over the
 * batch; probs[B][C] (may be NULL) receives the softmax.
 * Backward: dlogits[B][C] += scale · ∂loss/∂logits (accumulated), from the
 * forward's probs. */
#pragma once

#include <stddef.h>

float dv_softmax_xent_forward (float *probs, const float *logits, const int *labels, int B, int C);
void dv_softmax_xent_backward (float *dlogits, const float *probs, const int *labels, int B, int C, float scale);
