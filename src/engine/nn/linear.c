#include "nn/linear.h"

#include "core/blas.h"

#include <math.h>
#include <string.h>

void
dv_linear_register (DvLinear *l, DvParams *params, const char *prefix, int in_features, int out_features)
{
  DV_CHECK (in_features > 0 && out_features > 0, "dv_linear_register(%s): bad sizes %d→%d", prefix,
            in_features, out_features);
  memset (l, 0, sizeof *l);
  l->in_features = in_features;
  l->out_features = out_features;
  g_autofree char *weight_name = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bias_name = g_strconcat (prefix, ".bias", NULL);
  int weight_shape[2] = { out_features, in_features };
  int bias_shape[1] = { out_features };
  l->weight_offset = dv_params_add (params, weight_name, 2, weight_shape);
  l->bias_offset = dv_params_add (params, bias_name, 1, bias_shape);
}

void
dv_linear_bind (DvLinear *l, DvParams *params)
{
  DV_CHECK (params->allocated, "dv_linear_bind: parameters not allocated yet");
  DV_CHECK (l->bias_offset + (size_t) l->out_features <= params->count &&
              l->weight_offset + (size_t) l->out_features * l->in_features <= params->count,
            "dv_linear_bind: offsets outside the parameter buffer");
  l->weight = params->data + l->weight_offset;
  l->bias = params->data + l->bias_offset;
  l->weight_grad = params->grad + l->weight_offset;
  l->bias_grad = params->grad + l->bias_offset;
}

void
dv_linear_init (DvLinear *l, DvRng *rng)
{
  DV_CHECK (l->weight != NULL, "dv_linear_init: layer not bound");
  float bound = 1.0f / sqrtf ((float) l->in_features);
  dv_rng_fill_uniform (rng, l->weight, (size_t) l->out_features * l->in_features, -bound, bound);
  dv_rng_fill_uniform (rng, l->bias, (size_t) l->out_features, -bound, bound);
}

void
dv_linear_forward (const DvLinear *l, float *out, const float *in, int batch)
{
  DV_CHECK (l->weight != NULL, "dv_linear_forward: layer not bound");
  DV_CHECK (batch > 0, "dv_linear_forward: bad batch %d", batch);
  const int n_out = l->out_features;
  /* Broadcast the bias first so the sgemm can add onto it (beta = 1): one pass over out. */
  for (int b = 0; b < batch; b++)
    memcpy (out + (size_t) b * n_out, l->bias, sizeof (float) * (size_t) n_out);
  dv_gemm (FALSE, TRUE, batch, n_out, l->in_features, 1.0f, in, l->weight, 1.0f, out);
}

void
dv_linear_backward (const DvLinear *l, float *din, const float *dout, const float *in, int batch)
{
  DV_CHECK (l->weight_grad != NULL, "dv_linear_backward: layer not bound");
  DV_CHECK (batch > 0, "dv_linear_backward: bad batch %d", batch);
  const int n_in = l->in_features, n_out = l->out_features;
  if (din != NULL)
    dv_gemm (FALSE, FALSE, batch, n_in, n_out, 1.0f, dout, l->weight, 0.0f, din);
  dv_gemm (TRUE, FALSE, n_out, n_in, batch, 1.0f, dout, in, 1.0f, l->weight_grad);
  float *restrict bias_grad = l->bias_grad;
  for (int b = 0; b < batch; b++)
    {
      const float *restrict row = dout + (size_t) b * n_out;
      for (int j = 0; j < n_out; j++)
        bias_grad[j] += row[j];
    }
}
