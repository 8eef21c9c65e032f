/* Mean absolute error over N elements: loss = mean |pred − target|.
 * Backward: dpred[N] += scale · ∂loss/∂pred (accumulated; sign(0) = 0, as torch.sign). */
#pragma once

#include <stddef.h>

float dv_l1_forward (const float *pred, const float *target, size_t N);
void dv_l1_backward (float *dpred, const float *pred, const float *target, size_t N, float scale);
