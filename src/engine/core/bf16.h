/* BF16 (bfloat16: F32's sign and 8-bit exponent, 7 stored mantissa bits) for
 * inference-only weight copies, and the precision a caller asks a network to
 * run in. F32 stays the master copy everywhere; BF16 halves the bytes a
 * batch-1 forward streams from memory. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef guint16 DvBf16;

typedef enum {
  DV_PRECISION_F32,   /* exact: F32 weights and activations (the default) */
  DV_PRECISION_BF16,  /* BF16 weights and layer inputs, F32 accumulation and everything else */
} DvPrecision;

/* "f32", "bf16". */
const char *dv_precision_to_string (DvPrecision precision);
gboolean dv_precision_from_string (const char *name, DvPrecision *precision, GError **error);

/* Round to nearest, ties to even (not truncation); ±Inf stay infinite, a
 * finite value beyond BF16's range rounds to ±Inf as IEEE rounding does, NaN
 * stays NaN (quietened, sign kept). */
static inline DvBf16
dv_bf16_from_float (float f)
{
  union { float f; guint32 u; } v = { .f = f };
  if ((v.u & 0x7fffffffu) > 0x7f800000u)
    return (DvBf16) ((v.u >> 16) | 0x0040u);
  return (DvBf16) ((v.u + 0x7fffu + ((v.u >> 16) & 1u)) >> 16);
}

/* Exact. */
static inline float
dv_bf16_to_float (DvBf16 h)
{
  union { guint32 u; float f; } v = { .u = (guint32) h << 16 };
  return v.f;
}

void dv_bf16_from_floats (DvBf16 *out, const float *in, size_t n);
void dv_bf16_to_floats (float *out, const DvBf16 *in, size_t n);
/* A zeroed, 64-byte aligned array of n BF16 values; free with dv_bf16_free. */
DvBf16 *dv_bf16_alloc (size_t n);
void dv_bf16_free (DvBf16 *p);

G_END_DECLS
