#include "views/score_model.h"

#include "core/common.h"
#include "io/safetensors.h"
#include "nn/linear_bf16.h"

#include <math.h>
#include <string.h>

#define SCORE_MODEL_FORMAT "dimvida-score-model-1"

void
dv_latent_stats_compute (DvLatentStats *stats, const float *latents, size_t n, int n_views, int latent_dim)
{
  DV_CHECK (n >= 1, "dv_latent_stats_compute: no latents");
  const size_t m = (size_t) n_views * latent_dim;
  stats->n_views = n_views;
  stats->latent_dim = latent_dim;
  stats->mean = g_new0 (float, m);
  stats->std = g_new0 (float, m);
  g_autofree double *sum = g_new0 (double, m), *sum2 = g_new0 (double, m);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m; j++)
      sum[j] += latents[i * m + j];
  for (size_t j = 0; j < m; j++)
    sum[j] /= (double) n;
  /* Two passes: the variance of latents far from 0 stays exact. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m; j++)
      {
        const double d = latents[i * m + j] - sum[j];
        sum2[j] += d * d;
      }
  for (size_t j = 0; j < m; j++)
    {
      stats->mean[j] = (float) sum[j];
      stats->std[j] = (float) MAX (sqrt (sum2[j] / (double) n), 1e-4);
    }
}

void
dv_latent_stats_clear (DvLatentStats *stats)
{
  g_clear_pointer (&stats->mean, g_free);
  g_clear_pointer (&stats->std, g_free);
}

void
dv_latent_stats_standardize (const DvLatentStats *stats, float *z, size_t rows)
{
  const size_t m = (size_t) stats->n_views * stats->latent_dim;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < m; j++)
      z[i * m + j] = (z[i * m + j] - stats->mean[j]) / stats->std[j];
}

void
dv_latent_stats_unstandardize (const DvLatentStats *stats, float *z, size_t rows)
{
  const size_t m = (size_t) stats->n_views * stats->latent_dim;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < m; j++)
      z[i * m + j] = z[i * m + j] * stats->std[j] + stats->mean[j];
}

static void
copy_stats (DvLatentStats *dst, const DvLatentStats *src)
{
  const size_t m = (size_t) src->n_views * src->latent_dim;
  dst->n_views = src->n_views;
  dst->latent_dim = src->latent_dim;
  dst->mean = g_memdup2 (src->mean, sizeof (float) * m);
  dst->std = g_memdup2 (src->std, sizeof (float) * m);
}

DvScoreModel *
dv_score_model_new (const DvScoreNet *net, const float *weights, const DvLatentStats *stats)
{
  DV_CHECK (stats->n_views == net->config.n_views && stats->latent_dim == net->config.latent_dim,
            "dv_score_model_new: statistics of %d × %d latents for a %d × %d network", stats->n_views,
            stats->latent_dim, net->config.n_views, net->config.latent_dim);
  DvScoreModel *model = g_new0 (DvScoreModel, 1);
  model->net = dv_score_net_new (&net->config);
  memcpy (model->net->params.data, weights, sizeof (float) * net->params.count);
  model->weights = model->net->params.data;
  copy_stats (&model->stats, stats);
  dv_vp_sde_init (&model->sde);
  return model;
}

void
dv_score_model_free (DvScoreModel *model)
{
  if (model == NULL)
    return;
  dv_score_net_free (model->net);
  dv_bf16_free (model->weights_bf16);
  dv_latent_stats_clear (&model->stats);
  g_free (model);
}

gboolean
dv_score_model_save (const DvScoreModel *model, const char *path, gboolean f16, GHashTable *extra, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const DvParams *p = &model->net->params;
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      dv_safetensors_writer_add (w, info->name, f16 ? DV_DTYPE_F16 : DV_DTYPE_F32, info->ndim, info->shape,
                                 model->weights + info->offset);
    }
  /* The statistics stay F32: a standard deviation's rounding would scale every sample. */
  const int shape[2] = { model->stats.n_views, model->stats.latent_dim };
  dv_safetensors_writer_add (w, "latent_mean", DV_DTYPE_F32, 2, shape, model->stats.mean);
  dv_safetensors_writer_add (w, "latent_std", DV_DTYPE_F32, 2, shape, model->stats.std);
  if (extra != NULL)
    {
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init (&it, extra);
      while (g_hash_table_iter_next (&it, &k, &v))
        dv_safetensors_writer_set_metadata (w, k, v);
    }
  g_autofree char *config = dv_score_net_config_to_json (&model->net->config);
  dv_safetensors_writer_set_metadata (w, "format", SCORE_MODEL_FORMAT);
  dv_safetensors_writer_set_metadata (w, "score_net_config", config);
  return dv_safetensors_writer_save (w, path, error);
}

DvScoreModel *
dv_score_model_load (const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return NULL;
  const char *config_json = dv_safetensors_metadata (st, "score_net_config");
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), SCORE_MODEL_FORMAT) != 0 || config_json == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                   "%s is not a DiMViDA score model (its metadata has no format “%s” and score_net_config)", path,
                   SCORE_MODEL_FORMAT);
      return NULL;
    }
  DvScoreNetConfig config;
  g_autoptr (GError) config_error = NULL;
  if (!dv_score_net_config_from_json (&config, config_json, &config_error))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: bad score_net_config: %s", path, config_error->message);
      return NULL;
    }
  g_autoptr (DvScoreNet) net = dv_score_net_new (&config);
  for (guint i = 0; i < dv_params_n_tensors (&net->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&net->params, i);
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, net->params.data + info->offset, error))
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  DvLatentStats stats = { .n_views = config.n_views, .latent_dim = config.latent_dim };
  const int shape[2] = { config.n_views, config.latent_dim };
  stats.mean = g_new (float, (size_t) shape[0] * shape[1]);
  stats.std = g_new (float, (size_t) shape[0] * shape[1]);
  if (!dv_safetensors_read (st, "latent_mean", 2, shape, stats.mean, error) ||
      !dv_safetensors_read (st, "latent_std", 2, shape, stats.std, error))
    {
      g_prefix_error (error, "%s: ", path);
      dv_latent_stats_clear (&stats);
      return NULL;
    }
  for (int j = 0; j < shape[0] * shape[1]; j++)
    if (!(stats.std[j] > 0.0f) || !isfinite (stats.std[j]) || !isfinite (stats.mean[j]))
      {
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: latent_std[%d] or latent_mean[%d] is not usable", path,
                     j, j);
        dv_latent_stats_clear (&stats);
        return NULL;
      }
  if (!dv_params_all_finite (&net->params))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: the network's weights are not all finite", path);
      dv_latent_stats_clear (&stats);
      return NULL;
    }
  DvScoreModel *model = dv_score_model_new (net, net->params.data, &stats);
  dv_latent_stats_clear (&stats);
  return model;
}

DvPrecision
dv_score_model_precision (const DvScoreModel *model, DvPrecision requested)
{
  (void) model;
  return requested == DV_PRECISION_BF16 && dv_linear_bf16_fast () ? DV_PRECISION_BF16 : DV_PRECISION_F32;
}

/* Made once, on first use: generations on several threads may share a model. */
static const DvBf16 *
bf16_weights (DvScoreModel *model)
{
  if (g_once_init_enter (&model->weights_bf16))
    g_once_init_leave (&model->weights_bf16, dv_score_net_bf16_weights_new (model->net, model->weights));
  return model->weights_bf16;
}

typedef struct {
  DvScoreModel *model;
  DvScoreNetBuffers *buf;
  const DvBf16 *weights_bf16;  /* NULL: F32 */
} ScoreCall;

static void
call_network (float *eps_hat, const float *x, const float *tau, int batch, gpointer user_data)
{
  ScoreCall *c = user_data;
  DV_CHECK (batch == dv_score_net_buffers_batch (c->buf), "score model: batch %d", batch);
  if (c->weights_bf16 != NULL)
    dv_score_net_forward_bf16 (c->model->net, c->model->weights, c->weights_bf16, c->buf, eps_hat, x, tau);
  else
    dv_score_net_forward (c->model->net, c->model->weights, c->buf, eps_hat, x, tau);
}

static gboolean
generate (DvScoreModel *model, const DvMaskedSamplerConfig *sampler, const float *given, gboolean per_row,
          guint given_mask, int rows, DvMaskedSamplerStepFunc on_step, gpointer step_data, float *out,
          GCancellable *cancellable, GError **error)
{
  const int V = model->net->config.n_views, L = model->net->config.latent_dim;
  const size_t given_rows = per_row ? (size_t) rows : 1;
  g_autofree float *given_std = g_memdup2 (given, sizeof (float) * given_rows * V * L);
  dv_latent_stats_standardize (&model->stats, given_std, given_rows);
  if (!dv_masked_sampler_config_check (sampler, error))
    return FALSE;
  const gboolean bf16 = dv_score_model_precision (model, sampler->precision) == DV_PRECISION_BF16;
  ScoreCall call = { model, dv_score_net_buffers_new (model->net, rows), bf16 ? bf16_weights (model) : NULL };
  gboolean ok = per_row ? dv_masked_sampler_run_rows (sampler, &model->sde, V, L, given_std, given_mask, rows,
                                                      call_network, &call, on_step, step_data, out, cancellable, error)
                        : dv_masked_sampler_run (sampler, &model->sde, V, L, given_std, given_mask, rows,
                                                 call_network, &call, on_step, step_data, out, cancellable, error);
  dv_score_net_buffers_free (call.buf);
  if (!ok)
    return FALSE;
  dv_latent_stats_unstandardize (&model->stats, out, (size_t) rows);
  /* The given views come back exactly as they went in, not through a round trip. */
  for (int k = 0; k < rows; k++)
    for (int v = 0; v < V; v++)
      if ((given_mask >> v) & 1u)
        memcpy (out + ((size_t) k * V + v) * L, given + ((per_row ? (size_t) k * V : 0) + v) * L, sizeof (float) * L);
  return TRUE;
}

gboolean
dv_score_model_generate (DvScoreModel *model, const DvMaskedSamplerConfig *sampler, const float *given,
                         guint given_mask, int variations, DvMaskedSamplerStepFunc on_step, gpointer step_data,
                         float *out, GCancellable *cancellable, GError **error)
{
  return generate (model, sampler, given, FALSE, given_mask, variations, on_step, step_data, out, cancellable, error);
}

gboolean
dv_score_model_generate_rows (DvScoreModel *model, const DvMaskedSamplerConfig *sampler, const float *given,
                              guint given_mask, int rows, DvMaskedSamplerStepFunc on_step, gpointer step_data,
                              float *out, GCancellable *cancellable, GError **error)
{
  return generate (model, sampler, given, TRUE, given_mask, rows, on_step, step_data, out, cancellable, error);
}
