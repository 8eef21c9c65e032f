/* GroupNorm (nn.GroupNorm(groups, channels, eps, affine=True)) over NCHW: each
 * image's channels split into `groups` groups, each normalised over its
 * channels × spatial positions with the biased variance, then scaled and shifted
 * per channel. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* out, inp: [batch][channels][hw]; weight, bias: [channels];
 * mean, rstd: [batch][groups], saved for the backward. out may not equal inp. */
void dv_group_norm_forward (float *out, float *mean, float *rstd, const float *inp, const float *weight,
                            const float *bias, int batch, int channels, int hw, int groups, float eps);
/* Accumulates dinp (skipped when NULL), dweight, dbias. */
void dv_group_norm_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                             const float *mean, const float *rstd, const float *weight, int batch, int channels,
                             int hw, int groups);

G_END_DECLS
