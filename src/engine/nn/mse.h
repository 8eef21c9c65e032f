/* Mean squared error over N elements: loss = mean (pred − target)².
 * Backward: dpred[N] += scale · ∂loss/∂pred (accumulated). */
#pragma once

#include <stddef.h>

float dv_mse_forward (const float *pred, const float *target, size_t N);
void dv_mse_backward (float *dpred, const float *pred, const float *target, size_t N, float scale);
