/* BatchNorm2d with PyTorch's semantics (nn.BatchNorm2d(C, eps, momentum)) over NCHW:
 *   inp, out [B][C][HW]; weight, bias [C]; running_mean, running_var [C];
 *   mean, rstd [C] (the batch statistics the training backward needs).
 * Training: each channel normalised over B·HW values with the biased batch
 * variance; running_mean = (1 − m)·running_mean + m·mean, running_var likewise
 * with the unbiased variance (·n/(n − 1)). Eval: the running statistics.
 * ResNet uses eps 1e-5, momentum 0.1; MobileNetV3 eps 1e-3, momentum 0.01. */
#pragma once

#include "core/params.h"

G_BEGIN_DECLS

/* Registers "<prefix>.weight", "<prefix>.bias" [C] in params and "<prefix>.running_mean",
 * "<prefix>.running_var" [C] in running (PyTorch's state_dict names; num_batches_tracked is not kept). */
void dv_batch_norm2d_add_params (DvParams *params, DvParams *running, const char *prefix, int C, size_t *weight,
                                 size_t *bias, size_t *running_mean, size_t *running_var);
/* weight 1, bias 0, running mean 0, running variance 1. */
void dv_batch_norm2d_init_params (float *weight, float *bias, float *running_mean, float *running_var, int C);

/* Training mode. running_mean and running_var are updated (both NULL: not). out may equal inp. */
void dv_batch_norm2d_forward_train (float *out, float *mean, float *rstd, float *running_mean, float *running_var,
                                    const float *inp, const float *weight, const float *bias, int B, int C, int HW,
                                    float eps, float momentum);
/* Eval mode: out = (inp − running_mean)/√(running_var + eps)·weight + bias. out may equal inp. */
void dv_batch_norm2d_forward_eval (float *out, const float *inp, const float *weight, const float *bias,
                                   const float *running_mean, const float *running_var, int B, int C, int HW,
                                   float eps);
/* After a training forward (its inp, mean, rstd): accumulates dinp, dweight, dbias; NULL skips one. */
void dv_batch_norm2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                               const float *mean, const float *rstd, const float *weight, int B, int C, int HW);
/* After an eval forward (frozen statistics): the same gradients of the affine map. */
void dv_batch_norm2d_backward_eval (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                    const float *weight, const float *running_mean, const float *running_var, int B,
                                    int C, int HW, float eps);

G_END_DECLS
