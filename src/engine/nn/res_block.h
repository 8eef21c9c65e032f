/* The pre-activation residual block of the MLD/CUB image autoencoder (after
 * Mescheder et al.'s GAN ResnetBlock):
 *   out = shortcut(x) + 0.1 · conv_1(lrelu(conv_0(lrelu(x))))
 * conv_0: 3×3 in → hidden (= min(in, out)), conv_1: 3×3 hidden → out, both with
 * bias, padding 1; shortcut: x itself, or a bias-free 1×1 conv_s when in ≠ out.
 * LeakyReLU slope 0.2. Parameter names: PREFIX.conv_0.weight, .conv_0.bias,
 * .conv_1.weight, .conv_1.bias, .conv_s.weight (as the PyTorch twin's state_dict). */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_RES_BLOCK_SLOPE 0.2f
#define DV_RES_BLOCK_RESIDUAL_SCALE 0.1f

typedef struct {
  int in_channels, out_channels, hidden, height, width;
  gboolean learned_shortcut;
  /* Offsets into the DvParams buffers. */
  size_t conv0_weight, conv0_bias, conv1_weight, conv1_bias, shortcut_weight;
} DvResBlock;

void dv_res_block_register (DvResBlock *b, DvParams *params, const char *prefix, int in_channels, int out_channels,
                            int height, int width);
void dv_res_block_init (const DvResBlock *b, float *params, DvRng *rng);
/* Floats of saved activations per call: lrelu(x), conv_0's output, its lrelu. */
size_t dv_res_block_acts_size (const DvResBlock *b, int batch);
/* Floats of scratch for forward and backward. */
size_t dv_res_block_work_size (const DvResBlock *b, int batch);

/* out: [batch][out][h][w]; x: [batch][in][h][w]; params: the model's parameter data. */
void dv_res_block_forward (const DvResBlock *b, const float *params, float *out, float *acts, const float *x,
                           int batch, float *work);
/* grads += ∂L/∂params; dx += ∂L/∂x (skipped when NULL). x and acts as in the forward. */
void dv_res_block_backward (const DvResBlock *b, const float *params, float *grads, float *dx, const float *dout,
                            const float *x, const float *acts, int batch, float *work);

G_END_DECLS
