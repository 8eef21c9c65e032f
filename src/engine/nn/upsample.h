/* Nearest-neighbour upsampling by 2 (nn.Upsample(scale_factor=2), mode "nearest"). */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* out: [batch·channels][2h][2w]; inp: [batch·channels][h][w]. planes = batch·channels. */
void dv_upsample2x_forward (float *out, const float *inp, int planes, int h, int w);
/* dinp += the sum of each 2×2 block of dout. */
void dv_upsample2x_backward (float *dinp, const float *dout, int planes, int h, int w);

G_END_DECLS
