/* The Linear layer's inference forward with BF16 weights, for batch-1 and
 * small-batch sampling, where a forward is bound by streaming the weights.
 *   inp[B][C] F32, rounded (to nearest even) into inp_bf16[B][C], scratch the
 *   caller owns; weight[OC][C] BF16 (PyTorch's layout, dv_bf16_from_floats of
 *   the F32 master copy); bias[OC] F32 or NULL; out[B][OC] F32.
 * Each product of two BF16 values is exact in F32; the sums run in F32 (the
 * order differs from dv_linear_forward's). No backward: training stays F32.
 *
 * OpenBLAS 0.3.21 as Debian builds it declares cblas_sbgemv / cblas_sbgemm but
 * does not export them (built without BUILD_BFLOAT16), so the product is our
 * own: AVX512-BF16's VDPBF16PS where the CPU has it (checked at run time),
 * else a portable loop with the same rounding of inputs — correct, but slower
 * than the F32 path, so callers ask dv_linear_bf16_fast() before choosing BF16. */
#pragma once

#include "core/bf16.h"

G_BEGIN_DECLS

/* TRUE when the AVX512-BF16 kernel runs here (built in and the CPU has it);
 * the environment variable DV_NO_AVX512_BF16 (any value) makes it FALSE, to
 * test the fallback. */
gboolean dv_linear_bf16_fast (void);

/* out[B][OC] = bf16(inp) · weightᵀ + bias. */
void dv_linear_bf16_forward (float *out, const float *inp, DvBf16 *inp_bf16, const DvBf16 *weight,
                             const float *bias, int B, int C, int OC);
/* out[B][OC] = residual + bias + bf16(inp) · weightᵀ (residual may be out itself). */
void dv_linear_bf16_forward_residual (float *out, const float *residual, const float *inp, DvBf16 *inp_bf16,
                                      const DvBf16 *weight, const float *bias, int B, int C, int OC);

G_END_DECLS
