#include "nn/mse.h"

#include "core/common.h"

/* Sums are accumulated in double: a mean over a few hundred thousand floats
 * would otherwise lose digits (the same in every loss). */

float
dv_mse_forward (const float *pred, const float *target, size_t N)
{
  DV_CHECK (N > 0, "dv_mse_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < N; i++)
    {
      double d = (double) pred[i] - target[i];
      sum += d * d;
    }
  return (float) (sum / (double) N);
}

void
dv_mse_backward (float *dpred, const float *pred, const float *target, size_t N, float scale)
{
  DV_CHECK (N > 0, "dv_mse_backward: empty input");
  const float k = 2.0f * scale / (float) N;
  for (size_t i = 0; i < N; i++)
    dpred[i] += k * (pred[i] - target[i]);
}
