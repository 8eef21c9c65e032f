#include "nn/squeeze_excite.h"

#include "nn/global_avg_pool.h"
#include "nn/hard_sigmoid.h"
#include "nn/linear.h"
#include "nn/relu.h"

#include <string.h>

void
dv_squeeze_excite_register (DvSqueezeExcite *se, DvParams *params, const char *prefix, int channels, int squeeze,
                            int hw)
{
  DV_CHECK (channels > 0 && squeeze > 0 && hw > 0, "dv_squeeze_excite: bad shape");
  *se = (DvSqueezeExcite) { .channels = channels, .squeeze = squeeze, .hw = hw };
  g_autofree char *w1 = g_strconcat (prefix, ".fc1.weight", NULL), *b1 = g_strconcat (prefix, ".fc1.bias", NULL);
  g_autofree char *w2 = g_strconcat (prefix, ".fc2.weight", NULL), *b2 = g_strconcat (prefix, ".fc2.bias", NULL);
  se->fc1_weight = dv_params_add (params, w1, 4, (int[]) { squeeze, channels, 1, 1 });
  se->fc1_bias = dv_params_add (params, b1, 1, (int[]) { squeeze });
  se->fc2_weight = dv_params_add (params, w2, 4, (int[]) { channels, squeeze, 1, 1 });
  se->fc2_bias = dv_params_add (params, b2, 1, (int[]) { channels });
}

/* Slots within acts, in the forward's order. */
static void
slots (const DvSqueezeExcite *se, int B, const float *acts, const float **pooled, const float **hidden,
       const float **hidden_relu, const float **gate_logits, const float **gate)
{
  const size_t C = se->channels, S = se->squeeze;
  *pooled = acts;
  *hidden = *pooled + B * C;
  *hidden_relu = *hidden + B * S;
  *gate_logits = *hidden_relu + B * S;
  *gate = *gate_logits + B * C;
}

size_t
dv_squeeze_excite_acts_size (const DvSqueezeExcite *se, int batch)
{
  return (size_t) batch * (3 * se->channels + 2 * se->squeeze);
}

size_t
dv_squeeze_excite_work_size (const DvSqueezeExcite *se, int batch)
{
  return (size_t) batch * (2 * se->channels + 2 * se->squeeze);
}

void
dv_squeeze_excite_forward (const DvSqueezeExcite *se, const float *params, float *out, float *acts, const float *x,
                           int B)
{
  const int C = se->channels, S = se->squeeze, HW = se->hw;
  const size_t BC = (size_t) B * C, BS = (size_t) B * S;
  float *pooled = acts, *hidden = pooled + BC, *hidden_relu = hidden + BS, *gate_logits = hidden_relu + BS;
  float *gate = gate_logits + BC;
  dv_global_avg_pool_forward (pooled, x, BC, HW);
  dv_linear_forward (hidden, pooled, params + se->fc1_weight, params + se->fc1_bias, B, C, S);
  dv_relu_forward (hidden_relu, hidden, BS);
  dv_linear_forward (gate_logits, hidden_relu, params + se->fc2_weight, params + se->fc2_bias, B, S, C);
  dv_hard_sigmoid_forward (gate, gate_logits, BC);
  for (size_t p = 0; p < (size_t) B * C; p++)
    {
      const float g = gate[p], *xp = x + p * HW;
      float *yp = out + p * HW;
      for (int i = 0; i < HW; i++)
        yp[i] = xp[i] * g;
    }
}

void
dv_squeeze_excite_backward (const DvSqueezeExcite *se, const float *params, float *grads, float *dx,
                            const float *dout, const float *x, const float *acts, int B, float *work)
{
  const int C = se->channels, S = se->squeeze, HW = se->hw;
  const float *pooled, *hidden, *hidden_relu, *gate_logits, *gate;
  slots (se, B, acts, &pooled, &hidden, &hidden_relu, &gate_logits, &gate);
  float *dgate = work, *dgate_logits = dgate + (size_t) B * C;
  float *dhidden_relu = dgate_logits + (size_t) B * C, *dhidden = dhidden_relu + (size_t) B * S;
  memset (work, 0, sizeof (float) * dv_squeeze_excite_work_size (se, B));
  /* out = x·g: ∂/∂g = Σ_hw dout·x, ∂/∂x = dout·g (the direct path). */
  for (size_t p = 0; p < (size_t) B * C; p++)
    {
      const float *xp = x + p * HW, *dy = dout + p * HW;
      float s = 0.0f;
      for (int i = 0; i < HW; i++)
        s += dy[i] * xp[i];
      dgate[p] = s;
      if (dx)
        {
          float *dxp = dx + p * HW;
          const float g = gate[p];
          for (int i = 0; i < HW; i++)
            dxp[i] += dy[i] * g;
        }
    }
  dv_hard_sigmoid_backward (dgate_logits, dgate, gate_logits, (size_t) B * C);
  dv_linear_backward (dhidden_relu, grads + se->fc2_weight, grads + se->fc2_bias, dgate_logits, hidden_relu,
                      params + se->fc2_weight, B, S, C);
  dv_relu_backward (dhidden, dhidden_relu, hidden, (size_t) B * S);
  /* dpooled reuses dgate (no longer needed); then the pooling spreads it over x. */
  memset (dgate, 0, sizeof (float) * B * C);
  dv_linear_backward (dx ? dgate : NULL, grads + se->fc1_weight, grads + se->fc1_bias, dhidden, pooled,
                      params + se->fc1_weight, B, C, S);
  if (dx)
    dv_global_avg_pool_backward (dx, dgate, (size_t) B * C, HW);
}
