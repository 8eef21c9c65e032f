#include "nn/batch_norm2d.h"

#include <math.h>

void
dv_batch_norm2d_add_params (DvParams *params, DvParams *running, const char *prefix, int C, size_t *weight,
                            size_t *bias, size_t *running_mean, size_t *running_var)
{
  const int shape[1] = { C };
  g_autofree char *w = g_strconcat (prefix, ".weight", NULL), *b = g_strconcat (prefix, ".bias", NULL);
  g_autofree char *m = g_strconcat (prefix, ".running_mean", NULL), *v = g_strconcat (prefix, ".running_var", NULL);
  *weight = dv_params_add (params, w, 1, shape);
  *bias = dv_params_add (params, b, 1, shape);
  *running_mean = dv_params_add (running, m, 1, shape);
  *running_var = dv_params_add (running, v, 1, shape);
}

void
dv_batch_norm2d_init_params (float *weight, float *bias, float *running_mean, float *running_var, int C)
{
  for (int c = 0; c < C; c++)
    {
      if (weight)
        weight[c] = 1.0f;
      if (bias)
        bias[c] = 0.0f;
      if (running_mean)
        running_mean[c] = 0.0f;
      if (running_var)
        running_var[c] = 1.0f;
    }
}

void
dv_batch_norm2d_forward_train (float *out, float *mean, float *rstd, float *running_mean, float *running_var,
                               const float *inp, const float *weight, const float *bias, int B, int C, int HW,
                               float eps, float momentum)
{
  const size_t n = (size_t) B * HW;
  DV_CHECK (n > 1, "dv_batch_norm2d: training needs more than one value per channel (got %zu)", n);
  for (int c = 0; c < C; c++)
    {
      /* Two passes in double: the mean, then the centred sum of squares. */
      double sum = 0.0;
      for (int b = 0; b < B; b++)
        {
          const float *x = inp + ((size_t) b * C + c) * HW;
          float s = 0.0f;
          for (int i = 0; i < HW; i++)
            s += x[i];
          sum += s;
        }
      const double m = sum / n;
      const float mf = (float) m;
      double ss = 0.0;
      for (int b = 0; b < B; b++)
        {
          const float *x = inp + ((size_t) b * C + c) * HW;
          float s = 0.0f;
          for (int i = 0; i < HW; i++)
            s += (x[i] - mf) * (x[i] - mf);
          ss += s;
        }
      const double var = ss / n;
      const float r = (float) (1.0 / sqrt (var + eps));
      mean[c] = mf;
      rstd[c] = r;
      if (running_mean && running_var)
        {
          running_mean[c] = (float) ((1.0 - momentum) * running_mean[c] + momentum * m);
          running_var[c] = (float) ((1.0 - momentum) * running_var[c] + momentum * ss / (n - 1));
        }
      const float a = weight[c] * r, sh = bias[c] - mf * a;
      for (int b = 0; b < B; b++)
        {
          const float *x = inp + ((size_t) b * C + c) * HW;
          float *y = out + ((size_t) b * C + c) * HW;
          for (int i = 0; i < HW; i++)
            y[i] = x[i] * a + sh;
        }
    }
}

void
dv_batch_norm2d_forward_eval (float *out, const float *inp, const float *weight, const float *bias,
                              const float *running_mean, const float *running_var, int B, int C, int HW, float eps)
{
  for (int c = 0; c < C; c++)
    {
      const float r = (float) (1.0 / sqrt ((double) running_var[c] + eps));
      const float a = weight[c] * r, sh = bias[c] - running_mean[c] * a;
      for (int b = 0; b < B; b++)
        {
          const float *x = inp + ((size_t) b * C + c) * HW;
          float *y = out + ((size_t) b * C + c) * HW;
          for (int i = 0; i < HW; i++)
            y[i] = x[i] * a + sh;
        }
    }
}

void
dv_batch_norm2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                          const float *mean, const float *rstd, const float *weight, int B, int C, int HW)
{
  const size_t n = (size_t) B * HW;
  for (int c = 0; c < C; c++)
    {
      const float m = mean[c], r = rstd[c];
      /* Σ dy and Σ dy·x̂ give dγ, dβ and, with x̂ = (x − m)·r:
       * dx = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂)). */
      double sdy = 0.0, sdyx = 0.0;
      for (int b = 0; b < B; b++)
        {
          const size_t o = ((size_t) b * C + c) * HW;
          const float *x = inp + o, *dy = dout + o;
          float s1 = 0.0f, s2 = 0.0f;
          for (int i = 0; i < HW; i++)
            {
              s1 += dy[i];
              s2 += dy[i] * (x[i] - m);
            }
          sdy += s1;
          sdyx += s2;
        }
      sdyx *= r;
      if (dweight)
        dweight[c] += (float) sdyx;
      if (dbias)
        dbias[c] += (float) sdy;
      if (!dinp)
        continue;
      const float k = weight[c] * r, mdy = (float) (sdy / n), mdyx = (float) (sdyx / n);
      for (int b = 0; b < B; b++)
        {
          const size_t o = ((size_t) b * C + c) * HW;
          const float *x = inp + o, *dy = dout + o;
          float *dx = dinp + o;
          for (int i = 0; i < HW; i++)
            dx[i] += k * (dy[i] - mdy - (x[i] - m) * r * mdyx);
        }
    }
}

void
dv_batch_norm2d_backward_eval (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                               const float *weight, const float *running_mean, const float *running_var, int B, int C,
                               int HW, float eps)
{
  for (int c = 0; c < C; c++)
    {
      const float r = (float) (1.0 / sqrt ((double) running_var[c] + eps)), m = running_mean[c];
      double sdy = 0.0, sdyx = 0.0;
      for (int b = 0; b < B; b++)
        {
          const size_t o = ((size_t) b * C + c) * HW;
          const float *x = inp + o, *dy = dout + o;
          float *dx = dinp ? dinp + o : NULL;
          for (int i = 0; i < HW; i++)
            {
              sdy += dy[i];
              sdyx += dy[i] * (x[i] - m) * r;
              if (dx)
                dx[i] += dy[i] * weight[c] * r;
            }
        }
      if (dweight)
        dweight[c] += (float) sdyx;
      if (dbias)
        dbias[c] += (float) sdy;
    }
}
