#include "nn/softmax_xent.h"

#include "core/common.h"

#include <math.h>

float
dv_softmax_xent_forward (float *probs, const float *logits, const int *labels, int B, int C)
{
  DV_CHECK (B > 0 && C > 0, "dv_softmax_xent_forward: bad shape [%d, %d]", B, C);
  double total = 0.0;
  for (int b = 0; b < B; b++)
    {
      const float *row = logits + (size_t) b * C;
      const int label = labels[b];
      DV_CHECK (label >= 0 && label < C, "dv_softmax_xent_forward: label %d outside [0, %d)", label,
                C);
      /* Shift by the maximum so exp never overflows; loss = log Σ e^(z - max) - (z_label - max). */
      float max = row[0];
      for (int c = 1; c < C; c++)
        max = fmaxf (max, row[c]);
      double sum = 0.0;
      if (probs != NULL)
        {
          float *prow = probs + (size_t) b * C;
          for (int c = 0; c < C; c++)
            {
              prow[c] = expf (row[c] - max);
              sum += prow[c];
            }
          const float inv = (float) (1.0 / sum);
          for (int c = 0; c < C; c++)
            prow[c] *= inv;
        }
      else
        {
          for (int c = 0; c < C; c++)
            sum += expf (row[c] - max);
        }
      total += log (sum) - ((double) row[label] - max);
    }
  return (float) (total / B);
}

void
dv_softmax_xent_backward (float *dlogits, const float *probs, const int *labels, int B, int C,
                          float scale)
{
  DV_CHECK (B > 0 && C > 0, "dv_softmax_xent_backward: bad shape [%d, %d]", B, C);
  const float k = scale / (float) B;
  for (int b = 0; b < B; b++)
    {
      const float *prow = probs + (size_t) b * C;
      float *drow = dlogits + (size_t) b * C;
      const int label = labels[b];
      DV_CHECK (label >= 0 && label < C, "dv_softmax_xent_backward: label %d outside [0, %d)", label,
                C);
      for (int c = 0; c < C; c++)
        drow[c] += k * prow[c];
      drow[label] -= k;
    }
}
