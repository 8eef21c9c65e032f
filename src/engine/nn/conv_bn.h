/* Conv → BatchNorm → activation, the unit both classifiers are built of
 * (torchvision's conv + norm pairs, Conv2dNormActivation): a bias-free k×k
 * convolution (padding (k − 1)/2, stride, groups), BatchNorm2d, then none,
 * ReLU or hard swish.
 *   inp [B][in][h][w] → out [B][out][oh][ow]; the conv weight
 *   [out][in/groups][k][k] is CONV_NAME.weight, the norm's tensors BN_NAME.weight,
 *   .bias (params) and .running_mean, .running_var (running statistics).
 * The output lives in the unit's saved activations (acts). */
#pragma once

#include "nn/conv2d.h"
#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

typedef enum {
  DV_CONV_BN_NONE,
  DV_CONV_BN_RELU,
  DV_CONV_BN_HARDSWISH,
} DvConvBnAct;

typedef struct {
  int in_channels, out_channels, in_h, in_w, out_h, out_w, kernel, stride, groups;
  DvConvBnAct act;
  float eps, momentum;
  /* Offsets: weight, bn_weight, bn_bias in params; running_mean, running_var in the running statistics. */
  size_t weight, bn_weight, bn_bias, running_mean, running_var;
} DvConvBn;

void dv_conv_bn_register (DvConvBn *u, DvParams *params, DvParams *running, const char *conv_name,
                          const char *bn_name, int in_channels, int out_channels, int in_h, int in_w, int kernel,
                          int stride, int groups, DvConvBnAct act, float eps, float momentum);
void dv_conv_bn_shape (const DvConvBn *u, int batch, DvConv2dShape *s);
/* Floats of the output for a batch. */
size_t dv_conv_bn_out_size (const DvConvBn *u, int batch);
/* Floats saved per call: the conv's output, the norm's, the activation's (hard swish only; ReLU runs
 * in place), the batch mean and 1/std. */
size_t dv_conv_bn_acts_size (const DvConvBn *u, int batch);
/* Scratch floats forward and backward need. */
size_t dv_conv_bn_work_size (const DvConvBn *u, int batch);
/* torchvision's initialisation: conv weight ~ N(0, 2/fan_out) (kaiming_normal_, mode fan_out, relu;
 * fan_out = out·k·k), norm weight 1, bias 0, running mean 0, variance 1. */
void dv_conv_bn_init (const DvConvBn *u, float *params, float *running, DvRng *rng);

/* The unit's output inside its acts (where the forward left it). */
float *dv_conv_bn_output (const DvConvBn *u, float *acts, int batch);
/* Returns the output (inside acts). training: batch statistics, running ones updated; else the
 * running statistics. */
float *dv_conv_bn_forward (const DvConvBn *u, const float *params, float *running, float *acts, const float *inp,
                           int batch, gboolean training, float *work);
/* After a training forward: grads += ∂L/∂params, dinp += ∂L/∂inp (skipped when NULL). */
void dv_conv_bn_backward (const DvConvBn *u, const float *params, float *grads, float *dinp, const float *dout,
                          const float *inp, const float *acts, int batch, float *work);

G_END_DECLS
