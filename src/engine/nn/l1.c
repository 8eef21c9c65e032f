#include "nn/l1.h"

#include "core/common.h"

#include <math.h>

float
dv_l1_forward (const float *pred, const float *target, size_t N)
{
  DV_CHECK (N > 0, "dv_l1_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < N; i++)
    sum += fabs ((double) pred[i] - target[i]);
  return (float) (sum / (double) N);
}

void
dv_l1_backward (float *dpred, const float *pred, const float *target, size_t N, float scale)
{
  DV_CHECK (N > 0, "dv_l1_backward: empty input");
  const float k = scale / (float) N;
  for (size_t i = 0; i < N; i++)
    {
      float d = pred[i] - target[i];
      dpred[i] += d > 0.0f ? k : (d < 0.0f ? -k : 0.0f);
    }
}
