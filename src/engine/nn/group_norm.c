#include "nn/group_norm.h"

#include <math.h>

void
dv_group_norm_forward (float *out, float *mean, float *rstd, const float *inp, const float *weight,
                       const float *bias, int batch, int channels, int hw, int groups, float eps)
{
  DV_CHECK (groups > 0 && channels % groups == 0, "dv_group_norm: %d channels not divisible by %d groups",
            channels, groups);
  const int cg = channels / groups;
  const size_t count = (size_t) cg * hw;
  for (int n = 0; n < batch; n++)
    for (int g = 0; g < groups; g++)
      {
        const float *x = inp + ((size_t) n * channels + (size_t) g * cg) * hw;
        float *y = out + ((size_t) n * channels + (size_t) g * cg) * hw;
        double sum = 0.0, sum2 = 0.0;
        for (size_t i = 0; i < count; i++)
          sum += x[i];
        double m = sum / count;
        for (size_t i = 0; i < count; i++)
          sum2 += (x[i] - m) * (x[i] - m);
        float r = (float) (1.0 / sqrt (sum2 / count + eps));
        mean[n * groups + g] = (float) m;
        rstd[n * groups + g] = r;
        for (int c = 0; c < cg; c++)
          {
            float a = weight[g * cg + c] * r, b = bias[g * cg + c] - (float) m * a;
            const float *xc = x + (size_t) c * hw;
            float *yc = y + (size_t) c * hw;
            for (int i = 0; i < hw; i++)
              yc[i] = xc[i] * a + b;
          }
      }
}

void
dv_group_norm_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                        const float *mean, const float *rstd, const float *weight, int batch, int channels, int hw,
                        int groups)
{
  const int cg = channels / groups;
  const size_t count = (size_t) cg * hw;
  for (int n = 0; n < batch; n++)
    for (int g = 0; g < groups; g++)
      {
        const size_t base = ((size_t) n * channels + (size_t) g * cg) * hw;
        const float *x = inp + base, *dy = dout + base;
        const float m = mean[n * groups + g], r = rstd[n * groups + g];
        /* With x̂ = (x − m)·r and dx̂ = dy·γ: dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)). */
        double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
        for (int c = 0; c < cg; c++)
          {
            const float gamma = weight[g * cg + c];
            double dw = 0.0, db = 0.0;
            for (int i = 0; i < hw; i++)
              {
                size_t k = (size_t) c * hw + i;
                float xhat = (x[k] - m) * r;
                dw += dy[k] * xhat;
                db += dy[k];
                sum_dxhat += dy[k] * gamma;
                sum_dxhat_xhat += dy[k] * gamma * xhat;
              }
            if (dweight)
              dweight[g * cg + c] += (float) dw;
            if (dbias)
              dbias[g * cg + c] += (float) db;
          }
        if (!dinp)
          continue;
        const float mean_dxhat = (float) (sum_dxhat / count), mean_dxhat_xhat = (float) (sum_dxhat_xhat / count);
        float *dx = dinp + base;
        for (int c = 0; c < cg; c++)
          {
            const float gamma = weight[g * cg + c];
            for (int i = 0; i < hw; i++)
              {
                size_t k = (size_t) c * hw + i;
                float xhat = (x[k] - m) * r;
                dx[k] += r * (dy[k] * gamma - mean_dxhat - xhat * mean_dxhat_xhat);
              }
          }
      }
}
