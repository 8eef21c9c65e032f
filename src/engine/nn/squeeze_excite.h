/* Squeeze-and-excitation (torchvision's SqueezeExcitation with MobileNetV3's
 * Hardsigmoid gate):
 *   s = GAP(x) [B][C] → fc1 (1×1 conv, bias) → ReLU → fc2 (1×1 conv, bias)
 *   → hard-sigmoid = g [B][C];  out[b][c][·] = x[b][c][·] · g[b][c].
 * x, out [B][C][HW]; fc1.weight [S][C][1][1], fc1.bias [S], fc2.weight
 * [C][S][1][1], fc2.bias [C] (the 1×1 convs on pooled vectors are Linear
 * layers). Parameter names PREFIX.fc1.weight … as torchvision's state_dict. */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

typedef struct {
  int channels, squeeze, hw;
  size_t fc1_weight, fc1_bias, fc2_weight, fc2_bias;
} DvSqueezeExcite;

void dv_squeeze_excite_register (DvSqueezeExcite *se, DvParams *params, const char *prefix, int channels,
                                 int squeeze, int hw);
/* Floats saved per call: pooled [B][C], hidden [B][S], its ReLU [B][S], gate logits and gate [B][C]. */
size_t dv_squeeze_excite_acts_size (const DvSqueezeExcite *se, int batch);
/* Scratch floats the backward needs. */
size_t dv_squeeze_excite_work_size (const DvSqueezeExcite *se, int batch);

/* out may not equal x. */
void dv_squeeze_excite_forward (const DvSqueezeExcite *se, const float *params, float *out, float *acts,
                                const float *x, int batch);
/* grads += ∂L/∂params; dx += ∂L/∂x (skipped when NULL). x and acts as in the forward. */
void dv_squeeze_excite_backward (const DvSqueezeExcite *se, const float *params, float *grads, float *dx,
                                 const float *dout, const float *x, const float *acts, int batch, float *work);

G_END_DECLS
