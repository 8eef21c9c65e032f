/* Linear layer y = x·Wᵀ + b, W stored [out][in] like PyTorch. */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

typedef struct {
  int in_features;
  int out_features;
  size_t weight_offset;  /* into DvParams */
  size_t bias_offset;
  /* Bound by dv_linear_bind once the DvParams is allocated. */
  float *weight, *bias, *weight_grad, *bias_grad;
} DvLinear;

/* Registers "<prefix>.weight" [out,in] and "<prefix>.bias" [out]. */
void dv_linear_register (DvLinear *l, DvParams *params, const char *prefix, int in_features, int out_features);
void dv_linear_bind (DvLinear *l, DvParams *params);
/* PyTorch's default init: W and b ~ U(-1/√in, 1/√in). */
void dv_linear_init (DvLinear *l, DvRng *rng);
/* out[B][out] = in[B][in]·Wᵀ + b. */
void dv_linear_forward (const DvLinear *l, float *out, const float *in, int batch);
/* din[B][in] = dout·W (overwritten; skipped when din is NULL);
 * weight_grad += doutᵀ·in and bias_grad += Σ_b dout (accumulated). */
void dv_linear_backward (const DvLinear *l, float *din, const float *dout, const float *in, int batch);

G_END_DECLS
