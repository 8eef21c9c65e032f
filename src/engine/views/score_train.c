#include "views/score_train.h"
#include "core/epoch_order.h"

#include "io/safetensors.h"
#include "nn/adam.h"
#include "nn/clip_grad_norm.h"
#include "nn/cosine_lr.h"
#include "nn/ema.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHECKPOINT_FORMAT "dimvida-score-checkpoint-1"

void
dv_score_train_config_init (DvScoreTrainConfig *c)
{
  dv_score_net_config_init (&c->model);
  dv_masked_loss_config_init (&c->mask);
  c->batch = 256;
  c->lr = 3e-4f;
  c->warmup_steps = 200;
  c->steps = 36000;  /* ≈ 1,400 epochs of split d at batch 256: 61–90 min at width 384's 102–150 ms per step */
  c->minutes = 0;
  c->ema_beta = 0.999f;
  c->clip_norm = 1.0f;
  c->seed = 1;
  c->checkpoint_seconds = 240;
}

gboolean
dv_score_train_config_check (const DvScoreTrainConfig *c, GError **error)
{
  if (!dv_score_net_config_check (&c->model, error) || !dv_masked_loss_config_check (&c->mask, error))
    return FALSE;
  if (c->batch < 1 || c->batch > 65536)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The batch must be 1 to 65536, not %d", c->batch);
  else if (!(c->lr > 0.0f && c->lr < 1.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The learning rate must lie in (0, 1), not %g", c->lr);
  else if (c->steps < 1 || c->steps > 100000000 || c->warmup_steps < 0)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad step counts: %" G_GINT64_FORMAT " steps, warm-up %d",
                 c->steps, c->warmup_steps);
  else if (!(c->ema_beta >= 0.0f && c->ema_beta < 1.0f) || !(c->clip_norm >= 0.0f) || c->minutes < 0)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad EMA (%g), clipping (%g) or time budget (%g)", c->ema_beta,
                 c->clip_norm, c->minutes);
  else if (c->checkpoint_seconds < 1)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Checkpoints need at least a second between them");
  else
    return TRUE;
  return FALSE;
}

static char *
train_config_json (const DvScoreTrainConfig *c)
{
  g_autofree char *model = dv_score_net_config_to_json (&c->model);
  return g_strdup_printf ("{\"model\":%s,\"p_all_diffuse\":%.9g,\"mask_draw\":\"%s\",\"t_min\":%.9g,\"batch\":%d,"
                          "\"lr\":%.9g,\"warmup_steps\":%d,\"steps\":%" G_GINT64_FORMAT ",\"ema_beta\":%.9g,"
                          "\"clip_norm\":%.9g,\"seed\":%" G_GUINT64_FORMAT "}",
                          model, c->mask.p_all_diffuse, c->mask.draw == DV_MASK_DRAW_PER_BATCH ? "batch" : "object",
                          c->mask.t_min, c->batch, c->lr, c->warmup_steps, c->steps, c->ema_beta, c->clip_norm,
                          c->seed);
}

static gboolean
train_config_from_json (DvScoreTrainConfig *c, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *model = o ? json_object_get_member (o, "model") : NULL;
  if (model == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "The training config has no model");
      return FALSE;
    }
  g_autofree char *model_json = json_to_string (model, FALSE);
  if (!dv_score_net_config_from_json (&c->model, model_json, error))
    return FALSE;
  c->mask.p_all_diffuse = json_object_get_double_member_with_default (o, "p_all_diffuse", c->mask.p_all_diffuse);
  c->mask.draw = g_strcmp0 (json_object_get_string_member_with_default (o, "mask_draw", "batch"), "object") == 0
                     ? DV_MASK_DRAW_PER_OBJECT
                     : DV_MASK_DRAW_PER_BATCH;
  c->mask.t_min = json_object_get_double_member_with_default (o, "t_min", c->mask.t_min);
  c->batch = (int) json_object_get_int_member_with_default (o, "batch", c->batch);
  c->lr = (float) json_object_get_double_member_with_default (o, "lr", c->lr);
  c->warmup_steps = (int) json_object_get_int_member_with_default (o, "warmup_steps", c->warmup_steps);
  c->steps = json_object_get_int_member_with_default (o, "steps", c->steps);
  c->ema_beta = (float) json_object_get_double_member_with_default (o, "ema_beta", c->ema_beta);
  c->clip_norm = (float) json_object_get_double_member_with_default (o, "clip_norm", c->clip_norm);
  c->seed = (guint64) json_object_get_int_member_with_default (o, "seed", (gint64) c->seed);
  return dv_score_train_config_check (c, error);
}

typedef struct {
  DvScoreTrainConfig config;
  DvScoreNet *net;
  DvAdam adam;
  DvEma ema;
  gboolean has_ema;
  DvLatentStats stats;
  gint64 step;
} State;

static void
state_clear (State *s)
{
  g_clear_pointer (&s->net, dv_score_net_free);
  dv_adam_clear (&s->adam);
  if (s->has_ema)
    dv_ema_clear (&s->ema);
  dv_latent_stats_clear (&s->stats);
}

static void
state_init_ema (State *s)
{
  s->has_ema = s->config.ema_beta > 0.0f;
  if (!s->has_ema)
    return;
  dv_ema_init (&s->ema, s->net->params.count, s->net->params.data);
  /* Every step, after a short warm-up, with the EMA's usual ramp to β. */
  s->ema.beta = s->config.ema_beta;
  s->ema.update_every = 1;
  s->ema.update_after_step = 100;
}

static void
add_params (DvSafetensorsWriter *w, const char *prefix, const DvParams *p, const float *data)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      g_autofree char *name = g_strconcat (prefix, info->name, NULL);
      dv_safetensors_writer_add (w, name, DV_DTYPE_F32, info->ndim, info->shape, data + info->offset);
    }
}

static gboolean
read_params (DvSafetensors *st, const char *prefix, const DvParams *p, float *data, GError **error)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      g_autofree char *name = g_strconcat (prefix, info->name, NULL);
      if (!dv_safetensors_read (st, name, info->ndim, info->shape, data + info->offset, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_checkpoint (const State *s, const char *path, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const DvParams *p = &s->net->params;
  add_params (w, "", p, s->has_ema ? s->ema.shadow : p->data);
  add_params (w, "train.online.", p, p->data);
  const int n = (int) p->count;
  dv_safetensors_writer_add (w, "train.adam_m", DV_DTYPE_F32, 1, &n, s->adam.m);
  dv_safetensors_writer_add (w, "train.adam_v", DV_DTYPE_F32, 1, &n, s->adam.v);
  const int shape[2] = { s->stats.n_views, s->stats.latent_dim };
  dv_safetensors_writer_add (w, "latent_mean", DV_DTYPE_F32, 2, shape, s->stats.mean);
  dv_safetensors_writer_add (w, "latent_std", DV_DTYPE_F32, 2, shape, s->stats.std);
  g_autofree char *train = train_config_json (&s->config);
  g_autofree char *step = g_strdup_printf ("%" G_GINT64_FORMAT, s->step);
  g_autofree char *adam_t = g_strdup_printf ("%" G_GINT64_FORMAT, s->adam.t);
  g_autofree char *ema_step = g_strdup_printf ("%" G_GINT64_FORMAT, s->has_ema ? s->ema.step : 0);
  dv_safetensors_writer_set_metadata (w, "format", CHECKPOINT_FORMAT);
  dv_safetensors_writer_set_metadata (w, "train_config", train);
  dv_safetensors_writer_set_metadata (w, "step", step);
  dv_safetensors_writer_set_metadata (w, "adam_t", adam_t);
  dv_safetensors_writer_set_metadata (w, "ema_step", ema_step);
  return dv_safetensors_writer_save (w, path, error);
}

static gboolean
parse_i64 (const char *text, gint64 *out)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, NULL);
}

static gboolean
load_checkpoint (State *s, const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return FALSE;
  gint64 adam_t, ema_step;
  const char *train = dv_safetensors_metadata (st, "train_config");
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), CHECKPOINT_FORMAT) != 0 || train == NULL ||
      !parse_i64 (dv_safetensors_metadata (st, "step"), &s->step) ||
      !parse_i64 (dv_safetensors_metadata (st, "adam_t"), &adam_t) ||
      !parse_i64 (dv_safetensors_metadata (st, "ema_step"), &ema_step))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a score-model training checkpoint", path);
      return FALSE;
    }
  if (!train_config_from_json (&s->config, train, error))
    return FALSE;
  s->net = dv_score_net_new (&s->config.model);
  DvParams *p = &s->net->params;
  if (!read_params (st, "train.online.", p, p->data, error))
    goto refused;
  dv_adam_init (&s->adam, p->count, s->config.lr);
  const int n = (int) p->count;
  if (!dv_safetensors_read (st, "train.adam_m", 1, &n, s->adam.m, error) ||
      !dv_safetensors_read (st, "train.adam_v", 1, &n, s->adam.v, error))
    goto refused;
  s->adam.t = adam_t;
  state_init_ema (s);
  if (s->has_ema)
    {
      if (!read_params (st, "", p, s->ema.shadow, error))
        goto refused;
      s->ema.step = ema_step;
    }
  const int V = s->config.model.n_views, L = s->config.model.latent_dim, shape[2] = { V, L };
  s->stats = (DvLatentStats) { V, L, g_new (float, (size_t) V * L), g_new (float, (size_t) V * L) };
  if (dv_safetensors_read (st, "latent_mean", 2, shape, s->stats.mean, error) &&
      dv_safetensors_read (st, "latent_std", 2, shape, s->stats.std, error))
    return TRUE;
refused:
  g_prefix_error (error, "%s: ", path);
  return FALSE;
}

static float
lr_at (const DvScoreTrainConfig *c, gint64 step)
{
  return dv_cosine_lr_with_warmup (c->lr, step, c->warmup_steps, c->steps, c->lr / 20.0f);
}

/* Rows step·B … step·B + B − 1 of the objects' epoch order. */
static void
fill_batch (float *x0, const float *latents_std, size_t row, const DvScoreTrainConfig *c, gint64 step,
            DvEpochOrder *order)
{
  for (int i = 0; i < c->batch; i++)
    {
      const guint32 k = dv_epoch_order_item (order, (guint64) step * c->batch + i);
      memcpy (x0 + (size_t) i * row, latents_std + (size_t) k * row, sizeof (float) * row);
    }
}

static gboolean
save_model (const State *s, const char *path, GHashTable *extra, GError **error)
{
  g_autoptr (DvScoreModel) model =
      dv_score_model_new (s->net, s->has_ema ? s->ema.shadow : s->net->params.data, &s->stats);
  return dv_score_model_save (model, path, FALSE, extra, error);
}

gboolean
dv_score_train (const DvScoreTrainConfig *config, const float *latents, size_t n, const char *out_dir,
                const char *resume, GHashTable *extra, DvScoreTrainProgressFunc progress, gpointer user_data,
                GCancellable *cancellable, GError **error)
{
  State s = { .config = *config };
  if (!dv_score_train_config_check (&s.config, error))
    return FALSE;
  if (n < 1)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "No latents to train on");
      return FALSE;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot create %s: %s", out_dir, g_strerror (e));
      return FALSE;
    }
  if (resume != NULL)
    {
      const double minutes = s.config.minutes;
      const int checkpoint_seconds = s.config.checkpoint_seconds;
      if (!load_checkpoint (&s, resume, error))
        {
          g_prefix_error (error, "Cannot resume from %s: ", resume);
          state_clear (&s);
          return FALSE;
        }
      /* The schedule comes from the checkpoint (resuming is exact); the budget from now. */
      s.config.minutes = minutes;
      s.config.checkpoint_seconds = checkpoint_seconds;
      if (s.config.model.n_views != config->model.n_views || s.config.model.latent_dim != config->model.latent_dim)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "%s was trained on %d × %d latents, not %d × %d", resume,
                       s.config.model.n_views, s.config.model.latent_dim, config->model.n_views,
                       config->model.latent_dim);
          state_clear (&s);
          return FALSE;
        }
    }
  else
    {
      s.net = dv_score_net_new (&s.config.model);
      dv_score_net_init_weights (s.net, s.config.seed);
      dv_adam_init (&s.adam, s.net->params.count, s.config.lr);
      state_init_ema (&s);
      dv_latent_stats_compute (&s.stats, latents, n, s.config.model.n_views, s.config.model.latent_dim);
    }
  const DvScoreTrainConfig *c = &s.config;
  const int B = c->batch, V = c->model.n_views, L = c->model.latent_dim;
  const size_t row = (size_t) V * L, n_batch = (size_t) B * row;
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  g_autofree float *latents_std = g_memdup2 (latents, sizeof (float) * n * row);
  dv_latent_stats_standardize (&s.stats, latents_std, n);
  g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (s.net, B);
  g_autofree float *x0 = g_new (float, n_batch), *x_t = g_new (float, n_batch), *z = g_new (float, n_batch);
  g_autofree float *eps = g_new (float, n_batch), *deps = g_new (float, n_batch);
  g_autofree float *tau = g_new (float, (size_t) B * V), *weight = g_new (float, B);
  g_autofree guint *cond = g_new (guint, B);
  g_autofree float *backup = g_new (float, s.net->params.count);
  DvEpochOrder order;
  dv_epoch_order_init (&order, n, c->seed, 2);
  g_autofree char *ckpt = g_build_filename (out_dir, "checkpoint.safetensors", NULL);
  g_autofree char *final_path = g_build_filename (out_dir, "score.safetensors", NULL);
  g_autofree char *csv_path = g_build_filename (out_dir, "losses.csv", NULL);
  FILE *csv = fopen (csv_path, s.step > 0 ? "a" : "w");
  if (csv != NULL && s.step == 0)
    fputs ("step,loss,lr,seconds\n", csv);
  const gint64 start = g_get_monotonic_time ();
  gint64 last_ckpt = start;
  double loss_avg = 0.0;
  gboolean ok = TRUE, diverged = FALSE;
  while (s.step < c->steps)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          /* Cancelled work stays resumable: the checkpoint of the last step taken. */
          save_checkpoint (&s, ckpt, NULL);
          ok = FALSE;
          break;
        }
      if (c->minutes > 0 && (g_get_monotonic_time () - start) / 6e7 >= c->minutes)
        break;
      const gint64 t0 = g_get_monotonic_time ();
      fill_batch (x0, latents_std, row, c, s.step, &order);
      DvRng rng;
      dv_rng_init_stream (&rng, c->seed, (guint64) s.step * 2 + 1);
      dv_masked_loss_prepare (&c->mask, &sde, &rng, x0, B, V, L, x_t, z, tau, cond, weight);
      dv_score_net_forward (s.net, s.net->params.data, buf, eps, x_t, tau);
      memset (deps, 0, sizeof (float) * n_batch);
      const double loss = dv_masked_loss_forward_backward (eps, z, cond, weight, B, V, L, deps);
      if (!isfinite (loss))
        {
          diverged = TRUE;
          break;
        }
      dv_params_zero_grad (&s.net->params);
      dv_score_net_backward (s.net, s.net->params.data, s.net->params.grad, buf, deps);
      if (c->clip_norm > 0.0f)
        dv_clip_grad_norm (s.net->params.grad, s.net->params.count, c->clip_norm);
      memcpy (backup, s.net->params.data, sizeof (float) * s.net->params.count);
      const float lr = lr_at (c, s.step);
      dv_adam_step (&s.adam, s.net->params.data, s.net->params.grad, lr);
      if (!dv_params_all_finite (&s.net->params))
        {
          memcpy (s.net->params.data, backup, sizeof (float) * s.net->params.count);
          diverged = TRUE;
          break;
        }
      if (s.has_ema)
        dv_ema_update (&s.ema, s.net->params.data);
      s.step++;
      const gint64 now = g_get_monotonic_time ();
      loss_avg = s.step == 1 ? loss : loss_avg + (loss - loss_avg) * 0.01;
      if (csv != NULL)
        fprintf (csv, "%" G_GINT64_FORMAT ",%.6f,%.6g,%.2f\n", s.step, loss, lr, (now - start) / 1e6);
      if (progress != NULL)
        {
          DvScoreTrainProgress p = { s.step, c->steps, (float) loss, (float) loss_avg, lr, (now - start) / 1e6,
                                     (now - t0) / 1e6 };
          progress (&p, user_data);
        }
      if ((now - last_ckpt) / 1e6 >= c->checkpoint_seconds)
        {
          if (csv != NULL)
            fflush (csv);
          if (!save_checkpoint (&s, ckpt, error))
            {
              ok = FALSE;
              break;
            }
          last_ckpt = now;
        }
    }
  if (csv != NULL)
    fclose (csv);
  if (ok)
    {
      /* On divergence too: the weights are those of the last good step. */
      ok = save_checkpoint (&s, ckpt, error) && save_model (&s, final_path, extra, error);
      if (ok && diverged)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_NAN,
                       "Training diverged (NaN or inf) at step %" G_GINT64_FORMAT "; the last good weights are in %s",
                       s.step + 1, ckpt);
          ok = FALSE;
        }
    }
  dv_epoch_order_clear (&order);
  state_clear (&s);
  return ok;
}
