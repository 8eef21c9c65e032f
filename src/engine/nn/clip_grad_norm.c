#include "nn/clip_grad_norm.h"

#include <math.h>

float
dv_clip_grad_norm (float *grads, size_t n, float max_norm)
{
  /* In double, with eight independent partial sums so the loop vectorises. */
  double part[8] = { 0 };
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++)
      part[k] += (double) grads[i + k] * grads[i + k];
  for (; i < n; i++)
    part[0] += (double) grads[i] * grads[i];
  const double sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  const float norm = (float) sqrt (sum);
  /* torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), applied only when < 1. */
  const float coef = max_norm / (norm + 1e-6f);
  if (coef < 1.0f)
    for (size_t j = 0; j < n; j++)
      grads[j] *= coef;
  return norm;
}
