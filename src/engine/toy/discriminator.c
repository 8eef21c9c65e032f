#include "toy/discriminator.h"

#include "core/blas.h"
#include "nn/linear.h"
#include "core/common.h"
#include "nn/relu.h"

#include <math.h>
#include <string.h>

gboolean
dv_toy_discriminator_config_check (const DvToyDiscriminatorConfig *cfg, GError **error)
{
  if (cfg->hidden < 8 || cfg->hidden > 4096)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The discriminator's hidden size must be 8 to 4096, not %d",
                 cfg->hidden);
  else if (cfg->layers < 1 || cfg->layers > DV_TOY_DISCRIMINATOR_MAX_LAYERS)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The discriminator has 1 to %d layers, not %d",
                 DV_TOY_DISCRIMINATOR_MAX_LAYERS, cfg->layers);
  else
    return TRUE;
  return FALSE;
}

void
dv_toy_discriminator_init (DvToyDiscriminator *disc, const DvToyDiscriminatorConfig *cfg, DvRng *rng)
{
  GError *error = NULL;
  if (!dv_toy_discriminator_config_check (cfg, &error))
    dv_fatal ("dv_toy_discriminator_init: %s", error->message);
  memset (disc, 0, sizeof *disc);
  disc->cfg = *cfg;
  const int H = cfg->hidden, L = cfg->layers;
  dv_params_init (&disc->params);
  for (int l = 0; l < L; l++)
    {
      g_autofree char *name = g_strdup_printf ("model.%d", 2 * l);
      dv_linear_add_params (&disc->params, name, l == 0 ? 2 : H, H, &disc->weight[l], &disc->bias[l]);
    }
  g_autofree char *out_name = g_strdup_printf ("model.%d", 2 * L);
  dv_linear_add_params (&disc->params, out_name, H, 1, &disc->out_weight, &disc->out_bias);
  dv_params_alloc (&disc->params);
  float *w = disc->params.data;
  for (int l = 0; l < L; l++)
    dv_linear_init_params (w + disc->weight[l], w + disc->bias[l], l == 0 ? 2 : H, H, rng);
  dv_linear_init_params (w + disc->out_weight, w + disc->out_bias, H, 1, rng);
}

void
dv_toy_discriminator_clear (DvToyDiscriminator *disc)
{
  dv_params_clear (&disc->params);
  memset (disc, 0, sizeof *disc);
}

void
dv_toy_discriminator_work_init (DvToyDiscriminatorWork *work, const DvToyDiscriminator *disc, int capacity)
{
  DV_CHECK (capacity > 0, "dv_toy_discriminator_work_init: bad capacity %d", capacity);
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
dv_toy_discriminator_work_clear (DvToyDiscriminatorWork *work)
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
dv_toy_discriminator_forward (const DvToyDiscriminator *disc, const float *weights, DvToyDiscriminatorWork *work, const float *x,
                     int batch, float *logits)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_discriminator_forward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;

  for (int l = 0; l < L; l++)
    {
      float *z = work->z + (size_t) l * level;
      float *a = work->a + (size_t) l * level;
      const float *inp = l == 0 ? x : work->a + (size_t) (l - 1) * level;
      dv_linear_forward (z, inp, weights + disc->weight[l], weights + disc->bias[l], batch, l == 0 ? 2 : H, H);
      dv_relu_forward (a, z, rows);
    }
  dv_linear_forward (logits, work->a + (size_t) (L - 1) * level, weights + disc->out_weight,
                     weights + disc->out_bias, batch, H, 1);
}

void
dv_toy_discriminator_backward (const DvToyDiscriminator *disc, const float *weights, float *grads, DvToyDiscriminatorWork *work,
                      const float *x, int batch, const float *dlogits, float *dx)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_discriminator_backward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *delta = work->delta;
  float *tmp = work->tmp;

  /* Each layer: tmp = the Linear's input gradient, delta = ReLU'(z) ⊙ tmp. */
  memset (tmp, 0, sizeof (float) * rows);
  dv_linear_backward (tmp, grads != NULL ? grads + disc->out_weight : NULL, grads != NULL ? grads + disc->out_bias : NULL,
                      dlogits, work->a + (size_t) (L - 1) * level, weights + disc->out_weight, batch, H, 1);
  memset (delta, 0, sizeof (float) * rows);
  dv_relu_backward (delta, tmp, work->z + (size_t) (L - 1) * level, rows);
  for (int l = L - 1; l >= 1; l--)
    {
      memset (tmp, 0, sizeof (float) * rows);
      dv_linear_backward (tmp, grads != NULL ? grads + disc->weight[l] : NULL, grads != NULL ? grads + disc->bias[l] : NULL,
                          delta, work->a + (size_t) (l - 1) * level, weights + disc->weight[l], batch, H, H);
      memset (delta, 0, sizeof (float) * rows);
      dv_relu_backward (delta, tmp, work->z + (size_t) (l - 1) * level, rows);
    }
  if (dx != NULL)
    memset (dx, 0, sizeof (float) * 2 * (size_t) batch);
  dv_linear_backward (dx, grads != NULL ? grads + disc->weight[0] : NULL, grads != NULL ? grads + disc->bias[0] : NULL,
                      delta, x, weights + disc->weight[0], batch, 2, H);
}

float
dv_toy_discriminator_gradient_penalty (const DvToyDiscriminator *disc, const float *weights, float *grads,
                              DvToyDiscriminatorWork *work, const float *xhat, int batch, float lambda)
{
  const int H = disc->cfg.hidden, L = disc->cfg.layers;
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *restrict tmp = work->tmp;
  float *restrict r = work->delta;
  float *restrict g = work->grad_x;
  float *restrict u = work->u;

  /* The forward only for its ReLU masks; the logits themselves are not needed. */
  dv_toy_discriminator_forward (disc, weights, work, xhat, batch, tmp);

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
