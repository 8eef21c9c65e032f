#include "toy/discriminator.h"

#include "core/blas.h"
#include "nn/linear.h"
#include "core/tensor.h"

#include <math.h>
#include <string.h>

gboolean
dv_toy_disc_config_check (const DvToyDiscConfig *cfg, GError **error)
{
  if (cfg->hidden < 8 || cfg->hidden > 4096)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The discriminator's hidden size must be 8 to 4096, not %d",
                 cfg->hidden);
  else if (cfg->layers < 1 || cfg->layers > DV_TOY_DISC_MAX_LAYERS)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The discriminator has 1 to %d layers, not %d",
                 DV_TOY_DISC_MAX_LAYERS, cfg->layers);
  else
    return TRUE;
  return FALSE;
}

void
dv_toy_disc_init (DvToyDiscriminator *disc, const DvToyDiscConfig *cfg, DvRng *rng)
{
  GError *error = NULL;
  if (!dv_toy_disc_config_check (cfg, &error))
    dv_fatal ("dv_toy_disc_init: %s", error->message);
  memset (disc, 0, sizeof *disc);
  disc->cfg = *cfg;
  const int H = cfg->hidden, L = cfg->layers;
  dv_params_init (&disc->params);
  DvLinear layers[DV_TOY_DISC_MAX_LAYERS + 1];
  for (int l = 0; l < L; l++)
    {
      g_autofree char *name = g_strdup_printf ("model.%d", 2 * l);
      dv_linear_register (&layers[l], &disc->params, name, l == 0 ? 2 : H, H);
    }
  g_autofree char *out_name = g_strdup_printf ("model.%d", 2 * L);
  dv_linear_register (&layers[L], &disc->params, out_name, H, 1);
  dv_params_alloc (&disc->params);
  for (int l = 0; l <= L; l++)
    {
      dv_linear_bind (&layers[l], &disc->params);
      dv_linear_init (&layers[l], rng);
      if (l < L)
        {
          disc->weight[l] = layers[l].weight_offset;
          disc->bias[l] = layers[l].bias_offset;
        }
    }
  disc->out_weight = layers[L].weight_offset;
  disc->out_bias = layers[L].bias_offset;
}

void
dv_toy_disc_clear (DvToyDiscriminator *disc)
{
  dv_params_clear (&disc->params);
  memset (disc, 0, sizeof *disc);
}

void
dv_toy_disc_work_init (DvToyDiscWork *work, const DvToyDiscriminator *disc, int capacity)
{
  DV_CHECK (capacity > 0, "dv_toy_disc_work_init: bad capacity %d", capacity);
  const size_t cap = (size_t) capacity, H = (size_t) disc->cfg.hidden, L = (size_t) disc->cfg.layers;
  work->capacity = capacity;
  work->z = dv_alloc_floats (L * cap * H);
  work->a = dv_alloc_floats (L * cap * H);
  work->s = dv_alloc_floats (L * cap * H);
  work->delta = dv_alloc_floats (cap * H);
  work->tmp = dv_alloc_floats (cap * H);
  work->grad_x = dv_alloc_floats (cap * 2);
  work->u = dv_alloc_floats (cap * 2);
}

void
dv_toy_disc_work_clear (DvToyDiscWork *work)
{
  dv_free_floats (work->z);
  dv_free_floats (work->a);
  dv_free_floats (work->s);
  dv_free_floats (work->delta);
  dv_free_floats (work->tmp);
  dv_free_floats (work->grad_x);
  dv_free_floats (work->u);
  memset (work, 0, sizeof *work);
}

void
dv_toy_disc_forward (const DvToyDiscriminator *disc, const float *weights, DvToyDiscWork *work, const float *x,
                     int batch, float *logits)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_disc_forward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;

  /* Layer 0 has two inputs: cheaper as a loop than as an sgemm with K = 2. */
  {
    const float *restrict w = weights + disc->weight[0];
    const float *restrict bias = weights + disc->bias[0];
    float *restrict z = work->z;
    float *restrict a = work->a;
    for (int b = 0; b < batch; b++)
      {
        const float x0 = x[2 * b], x1 = x[2 * b + 1];
        for (int j = 0; j < H; j++)
          {
            const float v = bias[j] + x0 * w[2 * j] + x1 * w[2 * j + 1];
            z[(size_t) b * H + j] = v;
            a[(size_t) b * H + j] = v > 0.0f ? v : 0.0f;
          }
      }
  }
  for (int l = 1; l < L; l++)
    {
      float *restrict z = work->z + (size_t) l * level;
      float *restrict a = work->a + (size_t) l * level;
      const float *bias = weights + disc->bias[l];
      for (int b = 0; b < batch; b++)
        memcpy (z + (size_t) b * H, bias, sizeof (float) * (size_t) H);
      dv_gemm (FALSE, TRUE, batch, H, H, 1.0f, work->a + (size_t) (l - 1) * level, weights + disc->weight[l], 1.0f, z);
      for (size_t k = 0; k < rows; k++)
        a[k] = z[k] > 0.0f ? z[k] : 0.0f;
    }
  const float out_bias = weights[disc->out_bias];
  for (int b = 0; b < batch; b++)
    logits[b] = out_bias;
  dv_gemm (FALSE, TRUE, batch, 1, H, 1.0f, work->a + (size_t) (L - 1) * level, weights + disc->out_weight, 1.0f,
           logits);
}

void
dv_toy_disc_backward (const DvToyDiscriminator *disc, const float *weights, float *grads, DvToyDiscWork *work,
                      const float *x, int batch, const float *dlogits, float *dx)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_disc_backward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *restrict delta = work->delta;
  float *restrict tmp = work->tmp;

  if (grads != NULL)
    {
      dv_gemm (TRUE, FALSE, 1, H, batch, 1.0f, dlogits, work->a + (size_t) (L - 1) * level, 1.0f,
               grads + disc->out_weight);
      for (int b = 0; b < batch; b++)
        grads[disc->out_bias] += dlogits[b];
    }
  {
    const float *restrict w_out = weights + disc->out_weight;
    const float *restrict z = work->z + (size_t) (L - 1) * level;
    for (int b = 0; b < batch; b++)
      for (int j = 0; j < H; j++)
        {
          const size_t k = (size_t) b * H + j;
          delta[k] = z[k] > 0.0f ? dlogits[b] * w_out[j] : 0.0f;
        }
  }
  for (int l = L - 1; l >= 1; l--)
    {
      const float *restrict z_prev = work->z + (size_t) (l - 1) * level;
      if (grads != NULL)
        {
          float *restrict bias_grad = grads + disc->bias[l];
          dv_gemm (TRUE, FALSE, H, H, batch, 1.0f, delta, work->a + (size_t) (l - 1) * level, 1.0f,
                   grads + disc->weight[l]);
          for (int b = 0; b < batch; b++)
            for (int j = 0; j < H; j++)
              bias_grad[j] += delta[(size_t) b * H + j];
        }
      dv_gemm (FALSE, FALSE, batch, H, H, 1.0f, delta, weights + disc->weight[l], 0.0f, tmp);
      for (size_t k = 0; k < rows; k++)
        delta[k] = z_prev[k] > 0.0f ? tmp[k] : 0.0f;
    }
  if (grads != NULL)
    {
      float *restrict bias_grad = grads + disc->bias[0];
      dv_gemm (TRUE, FALSE, H, 2, batch, 1.0f, delta, x, 1.0f, grads + disc->weight[0]);
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < H; j++)
          bias_grad[j] += delta[(size_t) b * H + j];
    }
  if (dx != NULL)
    dv_gemm (FALSE, FALSE, batch, 2, H, 1.0f, delta, weights + disc->weight[0], 0.0f, dx);
}

float
dv_toy_disc_gradient_penalty (const DvToyDiscriminator *disc, const float *weights, float *grads,
                              DvToyDiscWork *work, const float *xhat, int batch, float lambda)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *restrict tmp = work->tmp;
  float *restrict r = work->delta;
  float *restrict g = work->grad_x;
  float *restrict u = work->u;

  /* The forward only for its ReLU masks; the logits themselves are not needed. */
  dv_toy_disc_forward (disc, weights, work, xhat, batch, tmp);

  /* The backward chain to the input, keeping s_l = ∂D/∂z_l:
   * s_{L−1} = w_out ⊙ m_{L−1}, s_{l−1} = (s_l·W_l) ⊙ m_{l−1}, g = s_0·W_0. */
  {
    const float *restrict w_out = weights + disc->out_weight;
    const float *restrict z = work->z + (size_t) (L - 1) * level;
    float *restrict s = work->s + (size_t) (L - 1) * level;
    for (int b = 0; b < batch; b++)
      for (int j = 0; j < H; j++)
        {
          const size_t k = (size_t) b * H + j;
          s[k] = z[k] > 0.0f ? w_out[j] : 0.0f;
        }
  }
  for (int l = L - 1; l >= 1; l--)
    {
      const float *restrict z_prev = work->z + (size_t) (l - 1) * level;
      float *restrict s_prev = work->s + (size_t) (l - 1) * level;
      dv_gemm (FALSE, FALSE, batch, H, H, 1.0f, work->s + (size_t) l * level, weights + disc->weight[l], 0.0f, tmp);
      for (size_t k = 0; k < rows; k++)
        s_prev[k] = z_prev[k] > 0.0f ? tmp[k] : 0.0f;
    }
  dv_gemm (FALSE, FALSE, batch, 2, H, 1.0f, work->s, weights + disc->weight[0], 0.0f, g);

  /* penalty = λ/B Σ (‖g_b‖ − 1)²; u_b = ∂penalty/∂g_b = 2λ/B (‖g_b‖ − 1) g_b/‖g_b‖. */
  double total = 0.0;
  for (int b = 0; b < batch; b++)
    {
      const float norm = sqrtf (g[2 * b] * g[2 * b] + g[2 * b + 1] * g[2 * b + 1]);
      const float gap = norm - 1.0f;
      total += (double) gap * gap;
      /* PyTorch's norm backward is 0 at a zero vector. */
      const float coef = norm > 0.0f ? 2.0f * lambda / (float) batch * gap / norm : 0.0f;
      u[2 * b] = coef * g[2 * b];
      u[2 * b + 1] = coef * g[2 * b + 1];
    }
  const float penalty = (float) (lambda * total / batch);
  if (grads == NULL)
    return penalty;

  /* Reverse through the chain: g = s_0·W_0 gives dW_0 += s_0ᵀ·u and r = u·W_0ᵀ
   * (= ∂/∂s_0); then per layer q = r ⊙ m_{l−1}, dW_l += s_lᵀ·q, r = q·W_lᵀ;
   * finally s_{L−1} = w_out ⊙ m_{L−1} gives dw_out += Σ_b r ⊙ m_{L−1}.
   * Biases act only through the masks, so their gradient is zero. */
  dv_gemm (TRUE, FALSE, H, 2, batch, 1.0f, work->s, u, 1.0f, grads + disc->weight[0]);
  dv_gemm (FALSE, TRUE, batch, H, 2, 1.0f, u, weights + disc->weight[0], 0.0f, r);
  for (int l = 1; l < L; l++)
    {
      const float *restrict z_prev = work->z + (size_t) (l - 1) * level;
      for (size_t k = 0; k < rows; k++)
        r[k] = z_prev[k] > 0.0f ? r[k] : 0.0f;
      dv_gemm (TRUE, FALSE, H, H, batch, 1.0f, work->s + (size_t) l * level, r, 1.0f, grads + disc->weight[l]);
      dv_gemm (FALSE, TRUE, batch, H, H, 1.0f, r, weights + disc->weight[l], 0.0f, tmp);
      memcpy (r, tmp, sizeof (float) * rows);
    }
  {
    const float *restrict z = work->z + (size_t) (L - 1) * level;
    float *restrict w_out_grad = grads + disc->out_weight;
    for (int b = 0; b < batch; b++)
      for (int j = 0; j < H; j++)
        {
          const size_t k = (size_t) b * H + j;
          w_out_grad[j] += z[k] > 0.0f ? r[k] : 0.0f;
        }
  }
  return penalty;
}
