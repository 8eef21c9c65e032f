#include "core/blas.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Declared by OpenBLAS's own cblas.h; repeated in case the alternative header is netlib's. */
extern char *openblas_get_corename (void);
extern void openblas_set_num_threads (int num_threads);
extern int openblas_get_num_threads (void);

void
dv_gemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
         float alpha, const float *A, const float *B, float beta, float *C)
{
  dv_gemm_strided (trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

void
dv_gemm_strided (gboolean trans_a, gboolean trans_b, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
  DV_CHECK (M > 0 && N > 0 && K > 0, "dv_gemm: bad sizes M=%d N=%d K=%d", M, N, K);
  DV_CHECK (lda >= (trans_a ? M : K) && ldb >= (trans_b ? K : N) && ldc >= N,
            "dv_gemm: leading dimensions %d/%d/%d too small for M=%d N=%d K=%d", lda, ldb, ldc, M, N, K);
  cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
               M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void
dv_blas_set_threads (int n)
{
  openblas_set_num_threads (n < 1 ? 1 : n);
}

int
dv_blas_get_threads (void)
{
  return openblas_get_num_threads ();
}

const char *
dv_blas_core_name (void)
{
  const char *name = openblas_get_corename ();
  return name ? name : "unknown";
}

static gboolean
core_is_generic (const char *core)
{
  return g_ascii_strcasecmp (core, "Prescott") == 0 || g_ascii_strcasecmp (core, "Core2") == 0 ||
         g_ascii_strcasecmp (core, "Nehalem") == 0 || g_ascii_strcasecmp (core, "Katmai") == 0 ||
         g_ascii_strcasecmp (core, "unknown") == 0;
}

const char *
dv_blas_preferred_core (const char *current_core)
{
  if (!core_is_generic (current_core))
    return NULL;
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    return "SkylakeX";
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return "Haswell";
  return NULL;
}

void
dv_blas_choose_kernel (int argc, char **argv)
{
  (void) argc;
  if (g_getenv ("DV_BLAS_REEXECED") != NULL)
    return;
  gboolean reexec = FALSE;
  const char *want = NULL;
  if (g_getenv ("OPENBLAS_CORETYPE") == NULL && (want = dv_blas_preferred_core (dv_blas_core_name ())) != NULL)
    {
      g_setenv ("OPENBLAS_CORETYPE", want, TRUE);
      reexec = TRUE;
    }
  /* oneDNN's OpenMP threads spin between primitives by default; on two shared cores
   * that spinning took 1.8 s per autoencoder step instead of 0.6 (bench/RESULTS-views.md).
   * libgomp reads the policy when it loads, hence the re-exec. */
  if (g_getenv ("OMP_WAIT_POLICY") == NULL)
    {
      g_setenv ("OMP_WAIT_POLICY", "PASSIVE", TRUE);
      reexec = TRUE;
    }
  if (!reexec)
    return;
  /* Guards against a loop should OpenBLAS still report a generic core. */
  g_setenv ("DV_BLAS_REEXECED", "1", TRUE);
  execv ("/proc/self/exe", argv);
  /* exec failed: carry on as we are. */
  if (want)
    g_unsetenv ("OPENBLAS_CORETYPE");
}
