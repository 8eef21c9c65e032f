/* Global average pooling (nn.AdaptiveAvgPool2d(1) then flatten):
 *   inp [planes][hw] → out [planes], planes = batch·channels. */
#pragma once

#include <stddef.h>

void dv_global_avg_pool_forward (float *out, const float *inp, size_t planes, size_t hw);
/* dinp[p][i] += dout[p] / hw, accumulated. */
void dv_global_avg_pool_backward (float *dinp, const float *dout, size_t planes, size_t hw);
