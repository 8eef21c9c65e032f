/* 2D max pooling, PyTorch's nn.MaxPool2d(kernel, stride, padding) (dilation 1,
 * ceil_mode False): padding counts as −∞, the first maximum of a window (row
 * by row) wins, as PyTorch's CPU kernel picks it.
 *   inp [planes][h][w], out and argmax [planes][oh][ow]; planes = batch·channels;
 *   argmax: the winner's index within its plane, for the backward. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

int dv_max_pool2d_out_size (int in, int kernel, int stride, int padding);
void dv_max_pool2d_forward (float *out, int *argmax, const float *inp, int planes, int h, int w, int kernel,
                            int stride, int padding);
/* dinp[plane][argmax] += dout, accumulated. */
void dv_max_pool2d_backward (float *dinp, const float *dout, const int *argmax, int planes, int h, int w, int kernel,
                             int stride, int padding);

G_END_DECLS
