#include "nn/linear_bf16.h"
#include "nn/linear.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || __GNUC__ >= 11)
#define HAVE_AVX512_BF16_KERNEL 1
#include <immintrin.h>
#endif

/* out[b][j] += Σ_c x[b][c] · w[j][c], portable: each product exact in F32 as in VDPBF16PS. */
static void
dot_rows_portable (float *out, const DvBf16 *x, const DvBf16 *w, int B, int C, int OC)
{
  for (int b = 0; b < B; b++)
    {
      const DvBf16 *xb = x + (size_t) b * C;
      float *ob = out + (size_t) b * OC;
      for (int j = 0; j < OC; j++)
        {
          const DvBf16 *wj = w + (size_t) j * C;
          float acc = 0.0f;
          for (int c = 0; c < C; c++)
            acc += dv_bf16_to_float (xb[c]) * dv_bf16_to_float (wj[c]);
          ob[j] += acc;
        }
    }
}

#ifdef HAVE_AVX512_BF16_KERNEL
/* The same with VDPBF16PS, 32 products per instruction: four weight rows at a
 * time against every batch row, so the rows read from memory are reused from
 * L1 by the other batch rows. */
__attribute__ ((target ("avx512f,avx512bw,avx512bf16"))) static void
dot_rows_avx512 (float *out, const DvBf16 *x, const DvBf16 *w, int B, int C, int OC)
{
  const int full = C / 32, rest = C % 32;
  const __mmask32 tail = rest ? (__mmask32) ((1u << rest) - 1u) : 0;
  int j = 0;
  for (; j + 4 <= OC; j += 4)
    {
      const DvBf16 *w0 = w + (size_t) j * C, *w1 = w0 + C, *w2 = w1 + C, *w3 = w2 + C;
      for (int b = 0; b < B; b++)
        {
          const DvBf16 *xb = x + (size_t) b * C;
          __m512 a0 = _mm512_setzero_ps (), a1 = a0, a2 = a0, a3 = a0;
          for (int k = 0; k < full; k++)
            {
              const __m512bh xv = (__m512bh) _mm512_loadu_si512 (xb + 32 * k);
              a0 = _mm512_dpbf16_ps (a0, (__m512bh) _mm512_loadu_si512 (w0 + 32 * k), xv);
              a1 = _mm512_dpbf16_ps (a1, (__m512bh) _mm512_loadu_si512 (w1 + 32 * k), xv);
              a2 = _mm512_dpbf16_ps (a2, (__m512bh) _mm512_loadu_si512 (w2 + 32 * k), xv);
              a3 = _mm512_dpbf16_ps (a3, (__m512bh) _mm512_loadu_si512 (w3 + 32 * k), xv);
            }
          if (rest)
            {
              const int k = 32 * full;
              const __m512bh xv = (__m512bh) _mm512_maskz_loadu_epi16 (tail, xb + k);
              a0 = _mm512_dpbf16_ps (a0, (__m512bh) _mm512_maskz_loadu_epi16 (tail, w0 + k), xv);
              a1 = _mm512_dpbf16_ps (a1, (__m512bh) _mm512_maskz_loadu_epi16 (tail, w1 + k), xv);
              a2 = _mm512_dpbf16_ps (a2, (__m512bh) _mm512_maskz_loadu_epi16 (tail, w2 + k), xv);
              a3 = _mm512_dpbf16_ps (a3, (__m512bh) _mm512_maskz_loadu_epi16 (tail, w3 + k), xv);
            }
          float *o = out + (size_t) b * OC + j;
          o[0] += _mm512_reduce_add_ps (a0);
          o[1] += _mm512_reduce_add_ps (a1);
          o[2] += _mm512_reduce_add_ps (a2);
          o[3] += _mm512_reduce_add_ps (a3);
        }
    }
  for (; j < OC; j++)
    {
      const DvBf16 *wj = w + (size_t) j * C;
      for (int b = 0; b < B; b++)
        {
          const DvBf16 *xb = x + (size_t) b * C;
          __m512 a = _mm512_setzero_ps ();
          for (int k = 0; k < full; k++)
            a = _mm512_dpbf16_ps (a, (__m512bh) _mm512_loadu_si512 (wj + 32 * k),
                                  (__m512bh) _mm512_loadu_si512 (xb + 32 * k));
          if (rest)
            a = _mm512_dpbf16_ps (a, (__m512bh) _mm512_maskz_loadu_epi16 (tail, wj + 32 * full),
                                  (__m512bh) _mm512_maskz_loadu_epi16 (tail, xb + 32 * full));
          out[(size_t) b * OC + j] += _mm512_reduce_add_ps (a);
        }
    }
}
#endif

gboolean
dv_linear_bf16_fast (void)
{
  static gsize state = 0;  /* 1 + TRUE/FALSE once known */
  if (g_once_init_enter (&state))
    {
      gboolean fast = FALSE;
#ifdef HAVE_AVX512_BF16_KERNEL
      __builtin_cpu_init ();
      fast = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
             && __builtin_cpu_supports ("avx512bf16");
#endif
      if (g_getenv ("DV_NO_AVX512_BF16") != NULL)
        fast = FALSE;
      g_once_init_leave (&state, 1 + (gsize) fast);
    }
  return state == 2;
}

static void
dot_rows (float *out, const float *inp, DvBf16 *inp_bf16, const DvBf16 *weight, int B, int C, int OC)
{
  dv_bf16_from_floats (inp_bf16, inp, (size_t) B * C);
#ifdef HAVE_AVX512_BF16_KERNEL
  if (dv_linear_bf16_fast ())
    {
      dot_rows_avx512 (out, inp_bf16, weight, B, C, OC);
      return;
    }
#endif
  dot_rows_portable (out, inp_bf16, weight, B, C, OC);
}

void
dv_linear_bf16_forward (float *out, const float *inp, DvBf16 *inp_bf16, const DvBf16 *weight, const float *bias,
                        int B, int C, int OC)
{
  DV_CHECK (B > 0 && C > 0 && OC > 0, "dv_linear_bf16_forward: bad shape B %d, C %d, OC %d", B, C, OC);
  for (int b = 0; b < B; b++)
    if (bias != NULL)
      memcpy (out + (size_t) b * OC, bias, sizeof (float) * (size_t) OC);
    else
      memset (out + (size_t) b * OC, 0, sizeof (float) * (size_t) OC);
  dot_rows (out, inp, inp_bf16, weight, B, C, OC);
}

void
dv_linear_bf16_forward_residual (float *out, const float *residual, const float *inp, DvBf16 *inp_bf16,
                                 const DvBf16 *weight, const float *bias, int B, int C, int OC)
{
  DV_CHECK (B > 0 && C > 0 && OC > 0, "dv_linear_bf16_forward_residual: bad shape B %d, C %d, OC %d", B, C, OC);
  dv_linear_residual_init (out, residual, bias, B, OC);
  dot_rows (out, inp, inp_bf16, weight, B, C, OC);
}
