#include "nn/bce_logits.h"

#include "core/common.h"

#include <math.h>

static inline float
bce_logit_term (float x, float y)
{
  return fmaxf (x, 0.0f) - x * y + log1pf (expf (-fabsf (x)));
}

/* σ(x) written so that neither branch overflows. */
static inline float
stable_sigmoid (float x)
{
  float e = expf (-fabsf (x));
  return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

float
dv_bce_logits_forward (const float *logits, const float *targets, size_t N)
{
  DV_CHECK (N > 0, "dv_bce_logits_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < N; i++)
    sum += bce_logit_term (logits[i], targets[i]);
  return (float) (sum / (double) N);
}

void
dv_bce_logits_backward (float *dlogits, const float *logits, const float *targets, size_t N, float scale)
{
  DV_CHECK (N > 0, "dv_bce_logits_backward: empty input");
  const float k = scale / (float) N;
  for (size_t i = 0; i < N; i++)
    dlogits[i] += k * (stable_sigmoid (logits[i]) - targets[i]);
}

float
dv_bce_logits_const_forward (const float *logits, float target, size_t N)
{
  DV_CHECK (N > 0, "dv_bce_logits_const_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < N; i++)
    sum += bce_logit_term (logits[i], target);
  return (float) (sum / (double) N);
}

void
dv_bce_logits_const_backward (float *dlogits, const float *logits, float target, size_t N, float scale)
{
  DV_CHECK (N > 0, "dv_bce_logits_const_backward: empty input");
  const float k = scale / (float) N;
  for (size_t i = 0; i < N; i++)
    dlogits[i] += k * (stable_sigmoid (logits[i]) - target);
}
