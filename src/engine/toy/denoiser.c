#include "toy/denoiser.h"

#include "core/blas.h"
#include "nn/linear.h"
#include "nn/sinusoidal.h"
#include "core/common.h"
#include "nn/relu.h"

#include <math.h>
#include <string.h>

void
dv_toy_denoiser_config_init (DvToyDenoiserConfig *cfg, int T)
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
  dv_linear_add_params (&model->params, "network.0", 3 * E, H, &model->in_weight, &model->in_bias);
  for (int i = 0; i < cfg->blocks; i++)
    {
      g_autofree char *name = g_strdup_printf ("network.%d.ff", i + 1);
      dv_linear_add_params (&model->params, name, H, H, &model->block_weight[i], &model->block_bias[i]);
    }
  g_autofree char *out_name = g_strdup_printf ("network.%d", cfg->blocks + 2);
  dv_linear_add_params (&model->params, out_name, H, 2, &model->out_weight, &model->out_bias);
  dv_params_alloc (&model->params);
  /* The seed's construction order: first Linear, blocks, output. */
  float *w = model->params.data;
  dv_linear_init_params (w + model->in_weight, w + model->in_bias, 3 * E, H, rng);
  for (int i = 0; i < cfg->blocks; i++)
    dv_linear_init_params (w + model->block_weight[i], w + model->block_bias[i], H, H, rng);
  dv_linear_init_params (w + model->out_weight, w + model->out_bias, H, 2, rng);

  const int half = E / 2;
  model->freq = dv_alloc_floats ((size_t) half);
  for (int i = 0; i < half; i++)
    model->freq[i] = dv_sinusoidal_frequency (i, half);
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

static void
work_init (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity, gboolean keep_activations)
{
  DV_CHECK (capacity > 0, "dv_toy_denoiser_work_init: bad capacity %d", capacity);
  const size_t cap = (size_t) capacity, H = (size_t) model->cfg.hidden, E = (size_t) model->cfg.emb_dim;
  const size_t levels = keep_activations ? (size_t) model->cfg.blocks + 1 : 1;
  memset (work, 0, sizeof *work);
  work->capacity = capacity;
  work->keep_activations = keep_activations;
  work->emb = dv_alloc_floats (cap * 2 * E);
  work->h = dv_alloc_floats (levels * cap * H);
  work->act = dv_alloc_floats (levels * cap * H);
  if (keep_activations)
    {
      work->dh = dv_alloc_floats (cap * H);
      work->tmp = dv_alloc_floats (cap * H);
      work->dtable = dv_alloc_floats ((size_t) model->cfg.T * H);
    }
}

void
dv_toy_denoiser_work_init (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity)
{
  work_init (work, model, capacity, TRUE);
}

void
dv_toy_denoiser_work_init_inference (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity)
{
  work_init (work, model, capacity, FALSE);
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

void
dv_toy_denoiser_embed_xy (const DvToyDenoiser *model, const float *x, int n, float *emb)
{
  /* x[n][2] is 2n scalars; their embeddings [2n][E] are the rows emb[n][2E]. */
  dv_sinusoidal_forward_fast (emb, x, model->freq, 2 * n, model->cfg.emb_dim, 25.0f);
}

void
dv_toy_denoiser_forward (const DvToyDenoiser *model, const float *weights, const float *table,
                         DvToyDenoiserWork *work, const float *x, const int *t, int batch, float *eps)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T, blocks = model->cfg.blocks;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_denoiser_forward: batch %d outside 1..%d", batch,
            work->capacity);
  /* Inference work has one level: each block then updates h and act in place. */
  const size_t level = work->keep_activations ? (size_t) work->capacity * H : 0;
  const size_t rows = (size_t) batch * H;

  /* network.0 on [emb(x), emb(y), emb(t)]: its bias and emb(t) part are the
   * table's row t; the x and y part is columns 0..2E of its [H][3E] weight. */
  dv_toy_denoiser_embed_xy (model, x, batch, work->emb);
  float *h0 = work->h;
  for (int b = 0; b < batch; b++)
    {
      DV_CHECK (t[b] >= 0 && t[b] < T, "dv_toy_denoiser_forward: t = %d outside 0..%d", t[b], T - 1);
      memcpy (h0 + (size_t) b * H, table + (size_t) t[b] * H, sizeof (float) * (size_t) H);
    }
  dv_gemm_strided (FALSE, TRUE, batch, H, 2 * E, 1.0f, work->emb, 2 * E, weights + model->in_weight, 3 * E, 1.0f, h0, H);

  /* Blocks: next = h + Linear(ReLU(h)). */
  for (int i = 0; i < blocks; i++)
    {
      const float *h = work->h + (size_t) i * level;
      float *act = work->act + (size_t) i * level;
      float *next = work->h + (size_t) (i + 1) * level;
      dv_relu_forward (act, h, rows);
      dv_linear_forward_residual (next, h, act, weights + model->block_weight[i], weights + model->block_bias[i],
                                  batch, H, H);
    }

  const float *last = work->h + (size_t) blocks * level;
  float *act_last = work->act + (size_t) blocks * level;
  dv_relu_forward (act_last, last, rows);
  dv_linear_forward (eps, act_last, weights + model->out_weight, weights + model->out_bias, batch, H, 2);
}

void
dv_toy_denoiser_backward (const DvToyDenoiser *model, const float *weights, float *grads,
                          DvToyDenoiserWork *work, const int *t, int batch, const float *deps)
{
  const int E = model->cfg.emb_dim, H = model->cfg.hidden, T = model->cfg.T, blocks = model->cfg.blocks;
  DV_CHECK (batch > 0 && batch <= work->capacity, "dv_toy_denoiser_backward: batch %d outside 1..%d", batch,
            work->capacity);
  DV_CHECK (work->keep_activations, "dv_toy_denoiser_backward: the work keeps no activations (inference work)");
  const size_t level = (size_t) work->capacity * H;
  const size_t rows = (size_t) batch * H;
  float *restrict dh = work->dh;
  float *restrict tmp = work->tmp;

  /* Output Linear and the final ReLU. */
  const float *act_last = work->act + (size_t) blocks * level;
  const float *h_last = work->h + (size_t) blocks * level;
  memset (tmp, 0, sizeof (float) * rows);
  dv_linear_backward (tmp, grads + model->out_weight, grads + model->out_bias, deps, act_last,
                      weights + model->out_weight, batch, H, 2);
  memset (dh, 0, sizeof (float) * rows);
  dv_relu_backward (dh, tmp, h_last, rows);

  /* Blocks, last first: next = h + Linear(ReLU(h)), so dh (the residual's
   * gradient) gains ReLU'(h) ⊙ the Linear's input gradient. */
  for (int i = blocks - 1; i >= 0; i--)
    {
      const float *h = work->h + (size_t) i * level;
      const float *act = work->act + (size_t) i * level;
      memset (tmp, 0, sizeof (float) * rows);
      dv_linear_backward (tmp, grads + model->block_weight[i], grads + model->block_bias[i], dh, act,
                          weights + model->block_weight[i], batch, H, H);
      dv_relu_backward (dh, tmp, h, rows);
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
