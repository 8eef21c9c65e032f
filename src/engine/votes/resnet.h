/* ResNet-18 for small images (views-votes digest, section B): the CIFAR-style
 * stem (conv 3×3 stride 1 → BN → ReLU, no max-pool), BasicBlocks 2-2-2-2 at
 * widths w0..w3 = round(64, 128, 256, 512 × width), strides 1, 2, 2, 2,
 * global average pool, Linear(w3, classes). BatchNorm eps 1e-5, momentum 0.1.
 *   BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the
 *   shortcut a 1×1 conv + BN (downsample.0, downsample.1) when the stride or
 *   width changes.
 * Names as torchvision's resnet18 state_dict: conv1.weight, bn1.*, layer1.0.conv1.weight,
 * layer1.0.bn1.*, …, layer2.0.downsample.0.weight, layer2.0.downsample.1.*, fc.weight, fc.bias.
 * images [B][3][S][S] in [0, 1], fed as they are (the stem's BatchNorm standardises). */
#pragma once

#include "nn/conv_bn.h"

G_BEGIN_DECLS

#define DV_RESNET_BLOCKS 8

typedef struct {
  DvConvBn conv1, conv2, downsample;
  gboolean has_downsample;
} DvResNetBlock;

typedef struct {
  int widths[4], n_classes, image_size;
  DvConvBn stem;
  DvResNetBlock blocks[DV_RESNET_BLOCKS];
  size_t fc_weight, fc_bias;
} DvResNet;

/* Stage widths for a multiplier: round(base × width), at least 1. */
void dv_resnet_widths (double width, int widths[4]);
/* Registers the tensors in params and running (the BatchNorm statistics). */
DvResNet *dv_resnet_new (DvParams *params, DvParams *running, double width, int n_classes, int image_size);
void dv_resnet_free (DvResNet *net);
/* torchvision's: convs kaiming_normal (fan_out), BN 1/0, fc PyTorch's default uniform ±1/√fan_in. */
void dv_resnet_init (const DvResNet *net, float *params, float *running, DvRng *rng);

typedef struct DvResNetBuffers DvResNetBuffers;
DvResNetBuffers *dv_resnet_buffers_new (const DvResNet *net, int batch);
void dv_resnet_buffers_free (DvResNetBuffers *buf);

void dv_resnet_forward (const DvResNet *net, const float *params, float *running, DvResNetBuffers *buf,
                        float *logits, const float *images, int B, gboolean training);
void dv_resnet_backward (const DvResNet *net, const float *params, float *grads, DvResNetBuffers *buf,
                         const float *dlogits, int B);

G_END_DECLS
