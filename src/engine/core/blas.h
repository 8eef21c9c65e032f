/* Every matrix product goes through OpenBLAS's cblas_sgemm; this file also picks its kernel. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* Row-major C[M][N] = alpha * op(A) · op(B) + beta * C, where op(A) is M×K and
 * op(B) is K×N. trans_a: A is stored K×M; trans_b: B is stored N×K (the
 * PyTorch weight layout, so a Linear forward is dv_gemm(FALSE, TRUE, ...)). */
void dv_gemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
              float alpha, const float *A, const float *B, float beta, float *C);

/* The same with explicit leading dimensions, for sub-blocks of larger matrices
 * (e.g. one column block of a weight). */
void dv_gemm_strided (gboolean trans_a, gboolean trans_b, int M, int N, int K, float alpha,
                      const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

void dv_blas_set_threads (int n);
int dv_blas_get_threads (void);
/* The OpenBLAS core in use, e.g. "SkylakeX", "Haswell" or "Prescott". */
const char *dv_blas_core_name (void);

/* Call first thing in main(), before any BLAS call. Debian's OpenBLAS 0.3.21
 * does not recognise some recent CPUs and falls back to a generic kernel 4×
 * slower than the one the CPU can run. If OPENBLAS_CORETYPE is unset and the
 * core is generic on a CPU with AVX-512F (→ SkylakeX) or AVX2+FMA (→ Haswell),
 * set the variable and re-exec (OpenBLAS reads it only when it loads). A value
 * already in the environment is always respected. Likewise OMP_WAIT_POLICY
 * (oneDNN's OpenMP threads) becomes PASSIVE unless set. Returns only when no
 * re-exec was needed (or it failed, in which case the generic kernel stays). */
void dv_blas_choose_kernel (int argc, char **argv);
/* What dv_blas_choose_kernel would pick on this CPU for this core, or NULL. */
const char *dv_blas_preferred_core (const char *current_core);

G_END_DECLS
