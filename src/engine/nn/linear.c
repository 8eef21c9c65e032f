#include "nn/linear.h"

#include "core/blas.h"

#include <math.h>
#include <string.h>

void
dv_linear_add_params (DvParams *params, const char *prefix, int C, int OC, size_t *weight, size_t *bias)
{
  DV_CHECK (C > 0 && OC > 0, "dv_linear_add_params(%s): bad sizes %d→%d", prefix, C, OC);
  g_autofree char *weight_name = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bias_name = g_strconcat (prefix, ".bias", NULL);
  int weight_shape[2] = { OC, C };
  int bias_shape[1] = { OC };
  *weight = dv_params_add (params, weight_name, 2, weight_shape);
  *bias = dv_params_add (params, bias_name, 1, bias_shape);
}

void
dv_linear_init_params (float *weight, float *bias, int C, int OC, DvRng *rng)
{
  float bound = 1.0f / sqrtf ((float) C);
  dv_rng_fill_uniform (rng, weight, (size_t) OC * C, -bound, bound);
  dv_rng_fill_uniform (rng, bias, (size_t) OC, -bound, bound);
}

void
dv_linear_forward (float *out, const float *inp, const float *weight, const float *bias, int B, int C, int OC)
{
  DV_CHECK (B > 0 && C > 0 && OC > 0, "dv_linear_forward: bad shape B %d, C %d, OC %d", B, C, OC);
  if (C <= 2)
    {
      /* One or two inputs (a 2D point): a loop is cheaper than an sgemm with K ≤ 2. */
      for (int b = 0; b < B; b++)
        {
          const float *restrict x = inp + (size_t) b * C;
          float *restrict y = out + (size_t) b * OC;
          for (int j = 0; j < OC; j++)
            {
              float acc = bias != NULL ? bias[j] : 0.0f;
              for (int c = 0; c < C; c++)
                acc = acc + x[c] * weight[(size_t) j * C + c];
              y[j] = acc;
            }
        }
      return;
    }
  /* Broadcast the bias first so the sgemm can add onto it (beta = 1): one pass over out. */
  if (bias != NULL)
    for (int b = 0; b < B; b++)
      memcpy (out + (size_t) b * OC, bias, sizeof (float) * (size_t) OC);
  dv_gemm (FALSE, TRUE, B, OC, C, 1.0f, inp, weight, bias != NULL ? 1.0f : 0.0f, out);
}

void
dv_linear_residual_init (float *out, const float *residual, const float *bias, int B, int OC)
{
  for (int b = 0; b < B; b++)
    {
      const float *res = residual + (size_t) b * OC;
      float *o = out + (size_t) b * OC;
      if (bias != NULL)
        for (int j = 0; j < OC; j++)
          o[j] = res[j] + bias[j];
      else if (o != res)
        memcpy (o, res, sizeof (float) * (size_t) OC);
    }
}

void
dv_linear_forward_residual (float *out, const float *residual, const float *inp, const float *weight,
                            const float *bias, int B, int C, int OC)
{
  DV_CHECK (B > 0 && C > 0 && OC > 0, "dv_linear_forward_residual: bad shape B %d, C %d, OC %d", B, C, OC);
  dv_linear_residual_init (out, residual, bias, B, OC);
  dv_gemm (FALSE, TRUE, B, OC, C, 1.0f, inp, weight, 1.0f, out);
}

void
dv_linear_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                    const float *weight, int B, int C, int OC)
{
  DV_CHECK (B > 0 && C > 0 && OC > 0, "dv_linear_backward: bad shape B %d, C %d, OC %d", B, C, OC);
  if (dinp != NULL)
    dv_gemm (FALSE, FALSE, B, C, OC, 1.0f, dout, weight, 1.0f, dinp);
  if (dweight != NULL)
    dv_gemm (TRUE, FALSE, OC, C, B, 1.0f, dout, inp, 1.0f, dweight);
  if (dbias != NULL)
    for (int b = 0; b < B; b++)
      {
        const float *restrict row = dout + (size_t) b * OC;
        for (int j = 0; j < OC; j++)
          dbias[j] += row[j];
      }
}
