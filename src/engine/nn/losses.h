/* Losses, each the mean over elements (or over the batch for cross-entropy).
 * Backward writes dpred = scale · ∂loss/∂pred (overwritten). */
#pragma once

#include <stddef.h>

float dv_mse_forward (const float *pred, const float *target, size_t n);
void dv_mse_backward (float *dpred, const float *pred, const float *target, size_t n, float scale);
float dv_l1_forward (const float *pred, const float *target, size_t n);
void dv_l1_backward (float *dpred, const float *pred, const float *target, size_t n, float scale);
/* Numerically stable: max(x,0) - x·y + log(1 + exp(-|x|)). targets in [0,1]. */
float dv_bce_logits_forward (const float *logits, const float *targets, size_t n);
void dv_bce_logits_backward (float *dlogits, const float *logits, const float *targets, size_t n, float scale);
/* Same with one target value for all (e.g. 1 for real, 0 for fake). */
float dv_bce_logits_const_forward (const float *logits, float target, size_t n);
void dv_bce_logits_const_backward (float *dlogits, const float *logits, float target, size_t n, float scale);
/* logits[batch][classes]; probs (may be NULL) receives the softmax. Mean over batch. */
float dv_softmax_xent_forward (float *probs, const float *logits, const int *labels, int batch, int classes);
/* Needs probs from the forward. */
void dv_softmax_xent_backward (float *dlogits, const float *probs, const int *labels, int batch, int classes, float scale);
