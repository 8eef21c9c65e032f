#include "nn/losses.h"

#include "core/common.h"

#include <math.h>

/* Sums are accumulated in double: a mean over a few hundred thousand floats
 * would otherwise lose digits. */

float
dv_mse_forward (const float *pred, const float *target, size_t n)
{
  DV_CHECK (n > 0, "dv_mse_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) pred[i] - target[i];
      sum += d * d;
    }
  return (float) (sum / (double) n);
}

void
dv_mse_backward (float *dpred, const float *pred, const float *target, size_t n, float scale)
{
  DV_CHECK (n > 0, "dv_mse_backward: empty input");
  const float k = 2.0f * scale / (float) n;
  for (size_t i = 0; i < n; i++)
    dpred[i] = k * (pred[i] - target[i]);
}

float
dv_l1_forward (const float *pred, const float *target, size_t n)
{
  DV_CHECK (n > 0, "dv_l1_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += fabs ((double) pred[i] - target[i]);
  return (float) (sum / (double) n);
}

void
dv_l1_backward (float *dpred, const float *pred, const float *target, size_t n, float scale)
{
  DV_CHECK (n > 0, "dv_l1_backward: empty input");
  /* sign(0) = 0, as torch.sign. */
  const float k = scale / (float) n;
  for (size_t i = 0; i < n; i++)
    {
      float d = pred[i] - target[i];
      dpred[i] = d > 0.0f ? k : (d < 0.0f ? -k : 0.0f);
    }
}

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
dv_bce_logits_forward (const float *logits, const float *targets, size_t n)
{
  DV_CHECK (n > 0, "dv_bce_logits_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += bce_logit_term (logits[i], targets[i]);
  return (float) (sum / (double) n);
}

void
dv_bce_logits_backward (float *dlogits, const float *logits, const float *targets, size_t n, float scale)
{
  DV_CHECK (n > 0, "dv_bce_logits_backward: empty input");
  const float k = scale / (float) n;
  for (size_t i = 0; i < n; i++)
    dlogits[i] = k * (stable_sigmoid (logits[i]) - targets[i]);
}

float
dv_bce_logits_const_forward (const float *logits, float target, size_t n)
{
  DV_CHECK (n > 0, "dv_bce_logits_const_forward: empty input");
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += bce_logit_term (logits[i], target);
  return (float) (sum / (double) n);
}

void
dv_bce_logits_const_backward (float *dlogits, const float *logits, float target, size_t n, float scale)
{
  DV_CHECK (n > 0, "dv_bce_logits_const_backward: empty input");
  const float k = scale / (float) n;
  for (size_t i = 0; i < n; i++)
    dlogits[i] = k * (stable_sigmoid (logits[i]) - target);
}

float
dv_softmax_xent_forward (float *probs, const float *logits, const int *labels, int batch, int classes)
{
  DV_CHECK (batch > 0 && classes > 0, "dv_softmax_xent_forward: bad shape [%d, %d]", batch, classes);
  double total = 0.0;
  for (int b = 0; b < batch; b++)
    {
      const float *row = logits + (size_t) b * classes;
      const int label = labels[b];
      DV_CHECK (label >= 0 && label < classes, "dv_softmax_xent_forward: label %d outside [0, %d)", label,
                classes);
      /* Shift by the maximum so exp never overflows; loss = log Σ e^(z - max) - (z_label - max). */
      float max = row[0];
      for (int c = 1; c < classes; c++)
        max = fmaxf (max, row[c]);
      double sum = 0.0;
      if (probs != NULL)
        {
          float *prow = probs + (size_t) b * classes;
          for (int c = 0; c < classes; c++)
            {
              prow[c] = expf (row[c] - max);
              sum += prow[c];
            }
          const float inv = (float) (1.0 / sum);
          for (int c = 0; c < classes; c++)
            prow[c] *= inv;
        }
      else
        {
          for (int c = 0; c < classes; c++)
            sum += expf (row[c] - max);
        }
      total += log (sum) - ((double) row[label] - max);
    }
  return (float) (total / batch);
}

void
dv_softmax_xent_backward (float *dlogits, const float *probs, const int *labels, int batch, int classes,
                          float scale)
{
  DV_CHECK (batch > 0 && classes > 0, "dv_softmax_xent_backward: bad shape [%d, %d]", batch, classes);
  const float k = scale / (float) batch;
  for (int b = 0; b < batch; b++)
    {
      const float *prow = probs + (size_t) b * classes;
      float *drow = dlogits + (size_t) b * classes;
      const int label = labels[b];
      DV_CHECK (label >= 0 && label < classes, "dv_softmax_xent_backward: label %d outside [0, %d)", label,
                classes);
      for (int c = 0; c < classes; c++)
        drow[c] = k * prow[c];
      drow[label] -= k;
    }
}
