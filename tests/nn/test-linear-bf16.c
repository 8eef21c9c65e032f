/* BF16: the rounding of core/bf16.h on known values (ties to even, NaN, ±Inf,
 * overflow, denormals) and its error bound on random values; the BF16 Linear
 * forward (nn/linear_bf16.h) against a double-precision sum over the same
 * rounded inputs, and against the F32 layer. Run twice by meson: with the
 * AVX512-BF16 kernel where the CPU has it, and with DV_NO_AVX512_BF16 set
 * (the portable loop). */
#include "core/rng.h"
#include "nn/linear.h"
#include "nn/linear_bf16.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

static float
from_bits (guint32 u)
{
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

static guint32
to_bits (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  return u;
}

static void
test_rounding_known_values (void)
{
  static const struct {
    guint32 in;
    guint16 want;
    const char *what;
  } cases[] = {
    { 0x3f800000, 0x3f80, "1 (exact)" },
    { 0x3f808000, 0x3f80, "1 + 2^-8, a tie: down to the even 0x3f80" },
    { 0x3f818000, 0x3f82, "a tie above an odd mantissa: up to the even 0x3f82" },
    { 0x3f808001, 0x3f81, "just above the tie: up (truncation would keep 0x3f80)" },
    { 0x3f807fff, 0x3f80, "just below the tie: down" },
    { 0xbf80c000, 0xbf81, "−(1 + 3·2^-9): away from zero in magnitude" },
    { 0x80000000, 0x8000, "−0" },
    { 0x00000001, 0x0000, "the smallest denormal rounds to 0" },
    { 0x00008000, 0x0000, "a denormal tie rounds to the even 0" },
    { 0x00018000, 0x0002, "a denormal tie above an odd mantissa rounds up" },
    { 0x7f800000, 0x7f80, "+Inf" },
    { 0xff800000, 0xff80, "−Inf" },
    { 0x7f7fffff, 0x7f80, "FLT_MAX rounds to +Inf" },
    { 0x7f7f7fff, 0x7f7f, "just below the BF16 overflow threshold stays finite" },
    { 0x7fc00000, 0x7fc0, "quiet NaN" },
    { 0xffc00000, 0xffc0, "negative quiet NaN keeps its sign" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const DvBf16 got = dv_bf16_from_float (from_bits (cases[i].in));
      if (got != cases[i].want)
        g_error ("bf16(0x%08x) = 0x%04x, want 0x%04x: %s", cases[i].in, got, cases[i].want, cases[i].what);
    }
  /* A signalling NaN whose payload sits in the low bits must not round into Inf or truncate to it. */
  static const guint32 nans[] = { 0x7f800001, 0x7fbfffff, 0xff800001, 0x7fffffff };
  for (guint i = 0; i < G_N_ELEMENTS (nans); i++)
    {
      const float back = dv_bf16_to_float (dv_bf16_from_float (from_bits (nans[i])));
      g_assert_true (isnan (back));
      g_assert_cmpint (signbit (back) != 0, ==, (nans[i] >> 31) != 0);
    }
  /* Every BF16 value converts to F32 and back unchanged (NaNs: still NaN). */
  for (guint32 h = 0; h <= 0xffff; h++)
    {
      const float f = dv_bf16_to_float ((DvBf16) h);
      g_assert_cmpuint (to_bits (f), ==, h << 16);
      if (!isnan (f))
        g_assert_cmpuint (dv_bf16_from_float (f), ==, h);
    }
}

/* Round to nearest: |bf16(x) − x| ≤ 2^-8 |x| for normal x (8 significant bits; truncation: up to 2^-7), never
 * the farther neighbour, and unbiased. */
static void
test_rounding_error_bound (void)
{
  DvRng rng;
  dv_rng_init (&rng, 3);
  const size_t n = 200000;
  g_autofree float *x = dv_test_random_floats (&rng, n);
  g_autofree DvBf16 *h = g_new (DvBf16, n);
  g_autofree float *back = g_new (float, n);
  dv_bf16_from_floats (h, x, n);
  dv_bf16_to_floats (back, h, n);
  double worst = 0, mean_signed = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (x[i] == 0.0f)
        continue;
      const double rel = ((double) back[i] - x[i]) / fabs ((double) x[i]);
      worst = MAX (worst, fabs (rel));
      mean_signed += (back[i] - x[i]) * (x[i] > 0 ? 1.0 : -1.0) / fabs ((double) x[i]);
      /* The other neighbour (one BF16 step the other way) is never strictly closer. */
      const guint32 up = ((guint32) h[i] + 1u) << 16, down = ((guint32) h[i] - 1u) << 16;
      g_assert_cmpfloat (fabs ((double) back[i] - x[i]), <=, fabs ((double) from_bits (up) - x[i]));
      g_assert_cmpfloat (fabs ((double) back[i] - x[i]), <=, fabs ((double) from_bits (down) - x[i]));
    }
  mean_signed /= (double) n;
  g_test_message ("BF16 rounding of N(0, 1): worst relative error %.3g (2^-8 = %.3g), mean signed %.2g", worst,
                  ldexp (1, -8), mean_signed);
  g_assert_cmpfloat (worst, <=, ldexp (1, -8) * (1 + 1e-6));
  /* Unbiased: truncation shrinks every magnitude (mean ≈ −2^-9 · ln 2 ≈ −1.4e-3). */
  g_assert_cmpfloat (fabs (mean_signed), <, 1e-4);
}

/* out = bias (+ residual) + Σ bf16(x)·w in double, the reference the kernel must meet to F32 summation error. */
static void
reference (double *out, const float *residual, const float *x, const DvBf16 *w, const float *bias, int B, int C,
           int OC)
{
  for (int b = 0; b < B; b++)
    for (int j = 0; j < OC; j++)
      {
        double acc = (bias ? bias[j] : 0.0) + (residual ? residual[(size_t) b * OC + j] : 0.0);
        for (int c = 0; c < C; c++)
          acc += (double) dv_bf16_to_float (dv_bf16_from_float (x[(size_t) b * C + c]))
                 * dv_bf16_to_float (w[(size_t) j * C + c]);
        out[(size_t) b * OC + j] = acc;
      }
}

static void
check_shape (int B, int C, int OC, gboolean with_bias, gboolean residual)
{
  DvRng rng;
  dv_rng_init (&rng, (guint64) (B * 1000003 + C * 1009 + OC));
  g_autofree float *x = dv_test_random_floats (&rng, (size_t) B * C);
  g_autofree float *wf = dv_test_random_floats (&rng, (size_t) OC * C);
  g_autofree float *bias = dv_test_random_floats (&rng, OC);
  g_autofree float *res = dv_test_random_floats (&rng, (size_t) B * OC);
  g_autofree float *out = g_new (float, (size_t) B * OC), *f32 = g_new (float, (size_t) B * OC);
  g_autofree double *want = g_new (double, (size_t) B * OC);
  DvBf16 *w = dv_bf16_alloc ((size_t) OC * C), *scratch = dv_bf16_alloc ((size_t) B * C);
  dv_bf16_from_floats (w, wf, (size_t) OC * C);
  const float *b = with_bias ? bias : NULL;
  if (residual)
    {
      memcpy (out, res, sizeof (float) * B * OC);
      /* In place: the residual is out itself. */
      dv_linear_bf16_forward_residual (out, out, x, scratch, w, b, B, C, OC);
      dv_linear_forward_residual (f32, res, x, wf, b, B, C, OC);
    }
  else
    {
      for (size_t i = 0; i < (size_t) B * OC; i++)
        out[i] = NAN;  /* every output is written, not accumulated onto */
      dv_linear_bf16_forward (out, x, scratch, w, b, B, C, OC);
      dv_linear_forward (f32, x, wf, b, B, C, OC);
    }
  reference (want, residual ? res : NULL, x, w, b, B, C, OC);
  /* F32 sums of C terms of size ~1: error ≲ C · 2^-24 · Σ|terms|; 1e-5 · (C + 1) is generous, far below BF16's
   * own rounding (~1e-2 on such sums), so a kernel rounding its sums or products to BF16 fails it. */
  double worst = 0, num = 0, den = 0;
  for (size_t i = 0; i < (size_t) B * OC; i++)
    {
      g_assert_true (isfinite (out[i]));
      worst = MAX (worst, fabs (out[i] - want[i]));
      num += (out[i] - (double) f32[i]) * (out[i] - (double) f32[i]);
      den += (double) f32[i] * f32[i];
    }
  const double rel_f32 = sqrt (num / den);
  g_test_message ("B %d C %d OC %d%s%s: max |ours − ref| %.3g, relative L2 vs F32 %.3g (%s)", B, C, OC,
                  with_bias ? " bias" : "", residual ? " residual" : "", worst, rel_f32,
                  dv_linear_bf16_fast () ? "avx512bf16" : "portable");
  g_assert_cmpfloat (worst, <=, 1e-5 * (C + 1));
  /* Against the exact F32 layer: BF16's relative rounding (≤ 2^-8, ~2^-10 typical) on both factors, random signs: ≈ 2^-10 · √2 · the
   * typical term over the sum's size; below 1e-2 yet not zero (the weights really are BF16). */
  g_assert_cmpfloat (rel_f32, <, 1e-2);
  if (C > 2)
    g_assert_cmpfloat (rel_f32, >, 1e-5);
  dv_bf16_free (w);
  dv_bf16_free (scratch);
}

static void
test_forward_matches_reference (void)
{
  /* Rows of whole 32-value blocks, tails, four-row blocks and the leftover rows, one row and several. */
  static const int shapes[][3] = { { 1, 384, 384 }, { 1, 768, 384 }, { 1, 4, 128 }, { 1, 37, 5 },
                                   { 3, 128, 384 }, { 8, 384, 256 }, { 2, 33, 7 },  { 1, 1, 1 } };
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (int v = 0; v < 3; v++)
      check_shape (shapes[i][0], shapes[i][1], shapes[i][2], v != 1, v == 2);
}

static void
test_fast_kernel_state (void)
{
  /* The environment switch really selects the portable loop (the meson test of that name sets it). */
  if (g_getenv ("DV_NO_AVX512_BF16") != NULL)
    g_assert_false (dv_linear_bf16_fast ());
  else
    g_test_message ("AVX512-BF16 kernel: %s", dv_linear_bf16_fast () ? "yes" : "no (portable loop)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nn/bf16/rounding-known-values", test_rounding_known_values);
  g_test_add_func ("/nn/bf16/rounding-error-bound", test_rounding_error_bound);
  g_test_add_func ("/nn/linear-bf16/forward-matches-reference", test_forward_matches_reference);
  g_test_add_func ("/nn/linear-bf16/kernel-state", test_fast_kernel_state);
  return g_test_run ();
}
