/* MobileNetV3-Small (views-votes digest, section C; torchvision's
 * mobilenet_v3_small): stem conv 3×3 s2 → BN → hard swish, 11 inverted-residual
 * blocks of torchvision's table, conv 1×1 to 6× the last width → BN → hard swish,
 * global average pool, Linear → hard swish → Dropout → Linear. Every width is
 * make_divisible(c × width, 8) as torchvision's width_mult, the head's hidden
 * Linear too (1024 × width). BatchNorm eps 1e-3, momentum 0.01.
 *   Block: [1×1 expand → BN → act, when the expanded width differs] → depthwise
 *   k×k (stride) → BN → act → [squeeze-excite, squeeze make_divisible(exp/4, 8)]
 *   → 1×1 project → BN; + x when stride 1 and in = out.
 * Names as torchvision's state_dict: features.0.0.weight, features.0.1.*,
 * features.N.block.M.{0,1}.*, features.N.block.M.fc1.*, features.12.*,
 * classifier.0.*, classifier.3.*. images [B][3][S][S] in [0, 1], fed as they are. */
#pragma once

#include "nn/conv_bn.h"
#include "nn/squeeze_excite.h"

G_BEGIN_DECLS

#define DV_MOBILENET_BLOCKS 11

typedef struct {
  int in_channels, out_channels;
  gboolean has_expand, has_se, residual;
  DvConvBn expand, depthwise, project;
  DvSqueezeExcite se;
} DvMobileNetBlock;

typedef struct {
  int n_classes, image_size, last_conv, hidden;
  float dropout;
  DvConvBn stem, last;
  DvMobileNetBlock blocks[DV_MOBILENET_BLOCKS];
  size_t fc1_weight, fc1_bias, fc2_weight, fc2_bias;
} DvMobileNet;

/* torchvision's _make_divisible(v, 8): max(8, ⌊v + 4⌋ rounded down to 8), + 8 if below 0.9·v. */
int dv_mobilenet_make_divisible (double v);
DvMobileNet *dv_mobilenet_new (DvParams *params, DvParams *running, double width, int n_classes, int image_size,
                               float dropout);
void dv_mobilenet_free (DvMobileNet *net);
/* torchvision's: convs kaiming_normal (fan_out), their biases (squeeze-excite) 0, BN 1/0, Linear N(0, 0.01), bias 0. */
void dv_mobilenet_init (const DvMobileNet *net, float *params, float *running, DvRng *rng);

typedef struct DvMobileNetBuffers DvMobileNetBuffers;
DvMobileNetBuffers *dv_mobilenet_buffers_new (const DvMobileNet *net, int batch);
void dv_mobilenet_buffers_free (DvMobileNetBuffers *buf);

/* training: batch statistics and dropout drawn from rng (needed when dropout > 0). */
void dv_mobilenet_forward (const DvMobileNet *net, const float *params, float *running, DvMobileNetBuffers *buf,
                           float *logits, const float *images, int B, gboolean training, DvRng *rng);
void dv_mobilenet_backward (const DvMobileNet *net, const float *params, float *grads, DvMobileNetBuffers *buf,
                            const float *dlogits, int B);

G_END_DECLS
