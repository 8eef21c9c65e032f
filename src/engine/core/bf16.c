#include "core/bf16.h"

#include "core/enum_names.h"

DV_ENUM_NAMES_DEFINE (dv_precision, DvPrecision, "precision", "f32", "bf16")

void
dv_bf16_from_floats (DvBf16 *out, const float *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = dv_bf16_from_float (in[i]);
}

void
dv_bf16_to_floats (float *out, const DvBf16 *in, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = dv_bf16_to_float (in[i]);
}

DvBf16 *
dv_bf16_alloc (size_t n)
{
  return (DvBf16 *) dv_alloc_floats ((n + 1) / 2);
}

void
dv_bf16_free (DvBf16 *p)
{
  dv_free_floats ((float *) p);
}
