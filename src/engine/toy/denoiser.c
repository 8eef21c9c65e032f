#include "toy/denoiser.h"

#include "core/blas.h"
#include "nn/linear.h"
#include "nn/sinusoidal.h"
#include "core/tensor.h"

#include <math.h>
#include <string.h>

void
dv_toy_denoiser_config_default (DvToyDenoiserConfig *cfg, int T)
{
  cfg->emb_dim = 128;
  cfg->hidden = 256;
  cfg->blocks = 3;
  cfg->T = T;
}

gboolean
dv_toy_denoiser_config_check (const DvToyDenoiserConfig *cfg, GError **error)
{
  if (cfg->emb_dim < 4 || cfg->emb_dim > 1024 || cfg->emb_dim % 2 != 0)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The embedding size must be even, 4 to 1024, not %d",
                 cfg->emb_dim);
  else if (cfg->hidden < 8 || cfg->hidden > 4096)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The hidden size must be 8 to 4096, not %d", cfg->hidden);
  else if (cfg->blocks < 1 || cfg->blocks > DV_TOY_MAX_BLOCKS)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The number of residual blocks must be 1 to %d, not %d",
                 DV_TOY_MAX_BLOCKS, cfg->blocks);
  else if (cfg->T < 1 || cfg->T > 100000)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad number of timesteps %d", cfg->T);
  else
    return TRUE;
  return FALSE;
}

void
dv_toy_denoiser_init (DvToyDenoiser *model, const DvToyDenoiserConfig *cfg, DvRng *rng)
{
  GError *error = NULL;
  if (!dv_toy_denoiser_config_check (cfg, &error))
    dv_fatal ("dv_toy_denoiser_init: %s", error->message);
  memset (model, 0, sizeof *model);
  model->cfg = *cfg;
  const int E = cfg->emb_dim, H = cfg->hidden;
  dv_params_init (&model->params);
  DvLinear layers[DV_TOY_MAX_BLOCKS + 2];
  dv_linear_register (&layers[0], &model->params, "network.0", 3 * E, H);
  for (int i = 0; i < cfg->blocks; i++)
    {
      g_autofree char *name = g_strdup_printf ("network.%d.ff", i + 1);
      dv_linear_register (&layers[i + 1], &model->params, name, H, H);
    }
  g_autofree char *out_name = g_strdup_printf ("network.%d", cfg->blocks + 2);
  dv_linear_register (&layers[cfg->blocks + 1], &model->params, out_name, H, 2);
  dv_params_alloc (&model->params);
  /* The seed's construction order: first Linear, blocks, output. */
  for (int i = 0; i < cfg->blocks + 2; i++)
    {
      dv_linear_bind (&layers[i], &model->params);
      dv_linear_init (&layers[i], rng);
    }
  model->in_weight = layers[0].weight_offset;
  model->in_bias = layers[0].bias_offset;
  for (int i = 0; i < cfg->blocks; i++)
    {
      model->block_weight[i] = layers[i + 1].weight_offset;
      model->block_bias[i] = layers[i + 1].bias_offset;
    }
  model->out_weight = layers[cfg->blocks + 1].weight_offset;
  model->out_bias = layers[cfg->blocks + 1].bias_offset;

  /* Frequencies exactly as dv_sinusoidal_forward computes them. */
  const int half = E / 2;
  model->freq = dv_alloc_floats ((size_t) half);
  const float step = (float) (log (10000.0) / (half - 1));
  for (int i = 0; i < half; i++)
    model->freq[i] = expf (-step * (float) i);
  model->t_emb = dv_alloc_floats ((size_t) cfg->T * E);
  float *ts = dv_alloc_floats ((size_t) cfg->T);
  for (int t = 0; t < cfg->T; t++)
    ts[t] = (float) t;
  dv_sinusoidal_forward (model->t_emb, ts, cfg->T, E, 1.0f);
  dv_free_floats (ts);
}

void
dv_toy_denoiser_clear (DvToyDenoiser *model)
{
  dv_params_clear (&model->params);
  dv_free_floats (model->freq);
  dv_free_floats (model->t_emb);
  memset (model, 0, sizeof *model);
}

void
dv_toy_denoiser_work_init (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity)
{
  DV_CHECK (capacity > 0, "dv_toy_denoiser_work_init: bad capacity %d", capacity);
  const size_t cap = (size_t) capacity, H = (size_t) model->cfg.hidden, E = (size_t) model->cfg.emb_dim;
  const size_t levels = (size_t) model->cfg.blocks + 1;
  work->capacity = capacity;
  work->emb = dv_alloc_floats (cap * 2 * E);
  work->h = dv_alloc_floats (levels * cap * H);
  work->act = dv_alloc_floats (levels * cap * H);
  work->dh = dv_alloc_floats (cap * H);
  work->tmp = dv_alloc_floats (cap * H);
  work->dtable = dv_alloc_floats ((size_t) model->cfg.T * H);
}

void
dv_toy_denoiser_work_clear (DvToyDenoiserWork *work)
{
  dv_free_floats (work->emb);
  dv_free_floats (work->h);
  dv_free_floats (work->act);
  dv_free_floats (work->dh);
  dv_free_floats (work->tmp);
  dv_free_floats (work->dtable);
  memset (work, 0, sizeof *work);
}

void
dv_toy_denoiser_time_table (const DvToyDenoiser *model, const float *weights, float *table)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T;
  const float *bias = weights + model->in_bias;
  for (int t = 0; t < T; t++)
    memcpy (table + (size_t) t * H, bias, sizeof (float) * (size_t) H);
  /* W_t is columns 2E..3E of the [H][3E] weight. */
  dv_gemm_strided (FALSE, TRUE, T, H, E, 1.0f, model->t_emb, E, weights + model->in_weight + 2 * E, 3 * E, 1.0f, table, H);
}

/* sin and cos of a float in one go, branch-free so the loops below vectorise
 * (libm's sincosf does not): reduce by π/2 in three parts (exact products for
 * |k| < 2048, i.e. |a| < 3200), then minimax polynomials on [−π/4, π/4].
 * Absolute error under 1e-7 against the true sine of the float argument. */
static inline void
fast_sincos (float a, float *s, float *c)
{
  const float k = rintf (a * 0.636619772367581343f);
  float r = a - k * 1.5703125f;
  r -= k * 4.837512969970703125e-4f;
  r -= k * 7.54978995489188216e-8f;
  const int q = (int) k;
  const float z = r * r;
  const float sp = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  const float cp =
    1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  const float ss = (q & 1) ? cp : sp;
  const float cc = (q & 1) ? sp : cp;
  *s = (q & 2) ? -ss : ss;
  *c = ((q + 1) & 2) ? -cc : cc;
}

void
dv_toy_denoiser_embed_xy (const DvToyDenoiser *model, const float *x, int n, float *emb)
{
  const int E = model->cfg.emb_dim, half = E / 2;
  const float *restrict freq = model->freq;
  for (int b = 0; b < n; b++)
    for (int coord = 0; coord < 2; coord++)
      {
        /* The seed scales x first, then multiplies by each frequency. */
        const float xs = x[2 * b + coord] * 25.0f;
        float *restrict sin_row = emb + (size_t) b * 2 * E + (size_t) coord * E;
        float *restrict cos_row = sin_row + half;
        for (int i = 0; i < half; i++)
          {
            float s, c;
            fast_sincos (xs * freq[i], &s, &c);
            sin_row[i] = s;
            cos_row[i] = c;
          }
      }
}

void
dv_toy_denoiser_forward (const DvToyDenoiser *model, const float *weights, const float *table,
                         DvToyDenoiserWork *work, const float *x, const int *t, int batch, float *eps)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T, blocks = model->cfg.blocks;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_denoiser_forward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;

  dv_toy_denoiser_embed_xy (model, x, batch, work->emb);
  float *h0 = work->h;
  for (int b = 0; b < batch; b++)
    {
      DV_CHECK (t[b] >= 0 && t[b] < T, "dv_toy_denoiser_forward: t = %d outside 0..%d", t[b], T - 1);
      memcpy (h0 + (size_t) b * H, table + (size_t) t[b] * H, sizeof (float) * (size_t) H);
    }
  dv_gemm_strided (FALSE, TRUE, batch, H, 2 * E, 1.0f, work->emb, 2 * E, weights + model->in_weight, 3 * E, 1.0f, h0, H);

  for (int i = 0; i < blocks; i++)
    {
      const float *restrict h = work->h + (size_t) i * level;
      float *restrict act = work->act + (size_t) i * level;
      float *restrict next = work->h + (size_t) (i + 1) * level;
      const float *restrict bias = weights + model->block_bias[i];
      /* One pass: act = ReLU(h) and next = h + b, then next += act·Wᵀ. */
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < H; j++)
          {
            const float v = h[(size_t) b * H + j];
            act[(size_t) b * H + j] = v > 0.0f ? v : 0.0f;
            next[(size_t) b * H + j] = v + bias[j];
          }
      dv_gemm (FALSE, TRUE, batch, H, H, 1.0f, act, weights + model->block_weight[i], 1.0f, next);
    }

  const float *restrict last = work->h + (size_t) blocks * level;
  float *restrict act_last = work->act + (size_t) blocks * level;
  for (size_t k = 0; k < rows; k++)
    act_last[k] = last[k] > 0.0f ? last[k] : 0.0f;
  const float *out_bias = weights + model->out_bias;
  for (int b = 0; b < batch; b++)
    {
      eps[2 * b] = out_bias[0];
      eps[2 * b + 1] = out_bias[1];
    }
  dv_gemm (FALSE, TRUE, batch, 2, H, 1.0f, act_last, weights + model->out_weight, 1.0f, eps);
}

void
dv_toy_denoiser_predict (const DvToyDenoiser *model, const float *weights, const float *table, float *emb,
                         float *h_buf, float *act_buf, const float *x, const int *t, int batch, float *eps)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T, blocks = model->cfg.blocks;
  DV_CHECK (batch > 0, "dv_toy_denoiser_predict: bad batch %d", batch);
  const size_t rows = (size_t) batch * H;
  dv_toy_denoiser_embed_xy (model, x, batch, emb);
  for (int b = 0; b < batch; b++)
    {
      DV_CHECK (t[b] >= 0 && t[b] < T, "dv_toy_denoiser_predict: t = %d outside 0..%d", t[b], T - 1);
      memcpy (h_buf + (size_t) b * H, table + (size_t) t[b] * H, sizeof (float) * (size_t) H);
    }
  dv_gemm_strided (FALSE, TRUE, batch, H, 2 * E, 1.0f, emb, 2 * E, weights + model->in_weight, 3 * E, 1.0f, h_buf, H);
  float *restrict h = h_buf;
  float *restrict act = act_buf;
  for (int i = 0; i < blocks; i++)
    {
      const float *restrict bias = weights + model->block_bias[i];
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < H; j++)
          {
            const float v = h[(size_t) b * H + j];
            act[(size_t) b * H + j] = v > 0.0f ? v : 0.0f;
            h[(size_t) b * H + j] = v + bias[j];
          }
      dv_gemm (FALSE, TRUE, batch, H, H, 1.0f, act, weights + model->block_weight[i], 1.0f, h);
    }
  for (size_t k = 0; k < rows; k++)
    act[k] = h[k] > 0.0f ? h[k] : 0.0f;
  const float *out_bias = weights + model->out_bias;
  for (int b = 0; b < batch; b++)
    {
      eps[2 * b] = out_bias[0];
      eps[2 * b + 1] = out_bias[1];
    }
  dv_gemm (FALSE, TRUE, batch, 2, H, 1.0f, act, weights + model->out_weight, 1.0f, eps);
}

void
dv_toy_denoiser_backward (const DvToyDenoiser *model, const float *weights, float *grads,
                          DvToyDenoiserWork *work, const int *t, int batch, const float *deps)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T, blocks = model->cfg.blocks;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_denoiser_backward: batch %d outside 1..%d", batch,
            work->capacity);
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *restrict dh = work->dh;
  float *restrict tmp = work->tmp;

  /* Output Linear and the final ReLU. */
  const float *act_last = work->act + (size_t) blocks * level;
  const float *h_last = work->h + (size_t) blocks * level;
  dv_gemm (TRUE, FALSE, 2, H, batch, 1.0f, deps, act_last, 1.0f, grads + model->out_weight);
  float *out_bias_grad = grads + model->out_bias;
  for (int b = 0; b < batch; b++)
    {
      out_bias_grad[0] += deps[2 * b];
      out_bias_grad[1] += deps[2 * b + 1];
    }
  dv_gemm (FALSE, FALSE, batch, H, 2, 1.0f, deps, weights + model->out_weight, 0.0f, tmp);
  for (size_t k = 0; k < rows; k++)
    dh[k] = h_last[k] > 0.0f ? tmp[k] : 0.0f;

  /* Blocks, last first: next = h + ReLU(h)·Wᵀ + b. */
  for (int i = blocks - 1; i >= 0; i--)
    {
      const float *restrict h = work->h + (size_t) i * level;
      const float *act = work->act + (size_t) i * level;
      float *restrict bias_grad = grads + model->block_bias[i];
      dv_gemm (TRUE, FALSE, H, H, batch, 1.0f, dh, act, 1.0f, grads + model->block_weight[i]);
      dv_gemm (FALSE, FALSE, batch, H, H, 1.0f, dh, weights + model->block_weight[i], 0.0f, tmp);
      for (int b = 0; b < batch; b++)
        for (int j = 0; j < H; j++)
          {
            const size_t k = (size_t) b * H + j;
            bias_grad[j] += dh[k];
            dh[k] += h[k] > 0.0f ? tmp[k] : 0.0f;
          }
    }

  /* First Linear: bias, the x part from the embeddings, the t part through the
   * per-timestep sums of dh. The input itself needs no gradient. */
  float *restrict in_bias_grad = grads + model->in_bias;
  float *restrict dtable = work->dtable;
  memset (dtable, 0, sizeof (float) * (size_t) T * H);
  for (int b = 0; b < batch; b++)
    {
      float *restrict row = dtable + (size_t) t[b] * H;
      const float *restrict src = dh + (size_t) b * H;
      for (int j = 0; j < H; j++)
        {
          row[j] += src[j];
          in_bias_grad[j] += src[j];
        }
    }
  dv_gemm_strided (TRUE, FALSE, H, 2 * E, batch, 1.0f, dh, H, work->emb, 2 * E, 1.0f, grads + model->in_weight, 3 * E);
  dv_gemm_strided (TRUE, FALSE, H, E, T, 1.0f, dtable, H, model->t_emb, E, 1.0f, grads + model->in_weight + 2 * E, 3 * E);
}
