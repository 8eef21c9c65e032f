/* The Linear layer, the llm.c way: plain functions over flat buffers.
 *   inp[B][C], weight[OC][C] (PyTorch's layout), bias[OC], out[B][OC]:
 *   out = inp · weightᵀ + bias.
 * Models keep the offsets of weight and bias in their DvParams and pass the
 * slices of whichever buffer (online or EMA weights, their gradients). */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

/* Registers "<prefix>.weight" [OC][C] and "<prefix>.bias" [OC]; their offsets go to *weight and *bias. */
void dv_linear_add_params (DvParams *params, const char *prefix, int C, int OC, size_t *weight, size_t *bias);
/* PyTorch's default init: weight, then bias, ~ U(−1/√C, 1/√C) from rng. */
void dv_linear_init_params (float *weight, float *bias, int C, int OC, DvRng *rng);

/* out[B][OC] = inp[B][C] · weightᵀ + bias (bias NULL: none). The bias is laid
 * down first and the product added onto it. */
void dv_linear_forward (float *out, const float *inp, const float *weight, const float *bias, int B, int C, int OC);
/* out[B][OC] = residual[B][OC] + bias (residual may be out itself; bias may be NULL): where a residual product
 * starts, in F32 or BF16. */
void dv_linear_residual_init (float *out, const float *residual, const float *bias, int B, int OC);
/* out[B][OC] = residual[B][OC] + bias + inp · weightᵀ, in that order (residual
 * may be out itself): a residual block's output in one pass. */
void dv_linear_forward_residual (float *out, const float *residual, const float *inp, const float *weight,
                                 const float *bias, int B, int C, int OC);
/* From dout[B][OC], all accumulated (+=): dinp[B][C] += dout · weight,
 * dweight[OC][C] += doutᵀ · inp, dbias[OC] += Σ_b dout. A NULL dinp, dweight
 * or dbias skips that gradient (inp may be NULL when dweight is). */
void dv_linear_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                         const float *weight, int B, int C, int OC);

G_END_DECLS
