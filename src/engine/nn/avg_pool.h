/* 2D average pooling, PyTorch's nn.AvgPool2d(kernel, stride, padding) with its
 * defaults count_include_pad=True and ceil_mode=False: every window divides by
 * kernel², zeros of the padding included. The autoencoder uses (3, 2, 1). */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

int dv_avg_pool_out_size (int in, int kernel, int stride, int padding);
/* out: [planes][oh][ow]; inp: [planes][h][w]; planes = batch·channels. */
void dv_avg_pool_forward (float *out, const float *inp, int planes, int h, int w, int kernel, int stride,
                          int padding);
/* dinp += dout / kernel² spread over each window. */
void dv_avg_pool_backward (float *dinp, const float *dout, int planes, int h, int w, int kernel, int stride,
                           int padding);

G_END_DECLS
