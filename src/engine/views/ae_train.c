#include "views/ae_train.h"
#include "core/epoch_order.h"

#include "core/blas.h"
#include "nn/conv2d.h"
#include "nn/adam.h"
#include "nn/cosine_lr.h"
#include "core/rng.h"
#include "io/safetensors.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void
dv_ae_train_config_init (DvAeTrainConfig *config)
{
  memset (config, 0, sizeof *config);
  dv_autoencoder_config_init (&config->model);
  config->batch = 64;
  config->lr = 2e-3f;
  config->warmup_steps = 200;
  config->steps = 10000;
  config->seed = 1;
  config->threads = 2;
  config->checkpoint_seconds = 240;
  config->max_shift = 2;
}

gboolean
dv_ae_train_config_check (const DvAeTrainConfig *c, GError **error)
{
  if (!dv_autoencoder_config_check (&c->model, error))
    return FALSE;
  if (c->steps > DV_AE_MAX_STEPS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "autoencoder training: %" G_GINT64_FORMAT
                   " steps is more than the %" G_GINT64_FORMAT " allowed", c->steps, DV_AE_MAX_STEPS);
      return FALSE;
    }
  if (c->batch < 1 || c->batch > 4096 || c->steps < 1 || !(c->lr > 0.0f && c->lr < 1.0f) || c->warmup_steps < 0 ||
      c->minutes < 0 || c->threads < 1 || c->threads > 64 || c->checkpoint_seconds < 1 || c->max_shift < 0 ||
      c->max_shift > 16)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                   "autoencoder training: batch 1…4096, steps ≥ 1, lr in (0, 1), threads 1…64, shift 0…16");
      return FALSE;
    }
  return TRUE;
}

void
dv_ae_view_to_chw (float *dst, const guint8 *src, int size)
{
  const size_t P = (size_t) size * size;
  for (size_t p = 0; p < P; p++)
    for (int c = 0; c < 3; c++)
      dst[c * P + p] = src[3 * p + c] * (1.0f / 255.0f);
}

/* The view shifted by (dx, dy) pixels, white where it uncovers. */
static void
shifted_view (float *dst, const guint8 *src, int size, int dx, int dy)
{
  const size_t P = (size_t) size * size;
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        int sx = x - dx, sy = y - dy;
        gboolean inside = sx >= 0 && sx < size && sy >= 0 && sy < size;
        const guint8 *px = src + 3 * ((size_t) sy * size + sx);
        for (int c = 0; c < 3; c++)
          dst[c * P + (size_t) y * size + x] = inside ? px[c] * (1.0f / 255.0f) : 1.0f;
      }
}

gboolean
dv_autoencoder_save (const DvAutoencoder *ae, const char *path, gboolean f16, GHashTable *extra, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  for (guint i = 0; i < dv_params_n_tensors (&ae->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&ae->params, i);
      dv_safetensors_writer_add (w, info->name, f16 ? DV_DTYPE_F16 : DV_DTYPE_F32, info->ndim, info->shape,
                                 ae->params.data + info->offset);
    }
  g_autofree char *json = dv_autoencoder_config_to_json (&ae->config);
  dv_safetensors_writer_set_metadata (w, "autoencoder_config", json);
  if (extra)
    {
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init (&it, extra);
      while (g_hash_table_iter_next (&it, &k, &v))
        dv_safetensors_writer_set_metadata (w, k, v);
    }
  return dv_safetensors_writer_save (w, path, error);
}

static char *
train_config_json (const DvAeTrainConfig *c)
{
  g_autofree char *model = dv_autoencoder_config_to_json (&c->model);
  return g_strdup_printf ("{\"model\":%s,\"batch\":%d,\"lr\":%.9g,\"warmup_steps\":%d,\"steps\":%" G_GINT64_FORMAT
                          ",\"seed\":%" G_GUINT64_FORMAT ",\"max_shift\":%d}",
                          model, c->batch, c->lr, c->warmup_steps, c->steps, c->seed, c->max_shift);
}

static gboolean
save_checkpoint (const DvAutoencoder *ae, const DvAdam *adam, const DvAeTrainConfig *c, gint64 step,
                 const char *path, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  for (guint i = 0; i < dv_params_n_tensors (&ae->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&ae->params, i);
      dv_safetensors_writer_add (w, info->name, DV_DTYPE_F32, info->ndim, info->shape,
                                 ae->params.data + info->offset);
    }
  int n = (int) ae->params.count;
  dv_safetensors_writer_add (w, "optimizer.adam_m", DV_DTYPE_F32, 1, &n, adam->m);
  dv_safetensors_writer_add (w, "optimizer.adam_v", DV_DTYPE_F32, 1, &n, adam->v);
  g_autofree char *model = dv_autoencoder_config_to_json (&ae->config);
  g_autofree char *train = train_config_json (c);
  g_autofree char *step_s = g_strdup_printf ("%" G_GINT64_FORMAT, step);
  g_autofree char *t_s = g_strdup_printf ("%" G_GINT64_FORMAT, adam->t);
  dv_safetensors_writer_set_metadata (w, "autoencoder_config", model);
  dv_safetensors_writer_set_metadata (w, "train_config", train);
  dv_safetensors_writer_set_metadata (w, "step", step_s);
  dv_safetensors_writer_set_metadata (w, "adam_t", t_s);
  return dv_safetensors_writer_save (w, path, error);
}

static gboolean
parse_i64 (const char *text, gint64 *out)
{
  return text && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, NULL);
}

/* Loads weights, Adam state and step; the schedule settings come from the checkpoint. */
static gboolean
load_checkpoint (const char *path, DvAeTrainConfig *c, DvAutoencoder **ae_out, DvAdam *adam, gint64 *step,
                 GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (!st)
    return FALSE;
  const char *train = dv_safetensors_metadata (st, "train_config");
  gint64 t = 0;
  if (!train || !parse_i64 (dv_safetensors_metadata (st, "step"), step) ||
      !parse_i64 (dv_safetensors_metadata (st, "adam_t"), &t))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not an autoencoder training checkpoint", path);
      return FALSE;
    }
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, train, -1, error))
    return FALSE;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  JsonNode *model = o ? json_object_get_member (o, "model") : NULL;
  if (!model)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: train_config has no model", path);
      return FALSE;
    }
  g_autofree char *model_json = json_to_string (model, FALSE);
  if (!dv_autoencoder_config_from_json (&c->model, model_json, error))
    return FALSE;
  c->batch = (int) json_object_get_int_member_with_default (o, "batch", c->batch);
  c->lr = (float) json_object_get_double_member_with_default (o, "lr", c->lr);
  c->warmup_steps = (int) json_object_get_int_member_with_default (o, "warmup_steps", c->warmup_steps);
  c->steps = json_object_get_int_member_with_default (o, "steps", c->steps);
  c->seed = (guint64) json_object_get_int_member_with_default (o, "seed", (gint64) c->seed);
  c->max_shift = (int) json_object_get_int_member_with_default (o, "max_shift", c->max_shift);
  if (!dv_ae_train_config_check (c, error))
    return FALSE;
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&c->model);
  for (guint i = 0; i < dv_params_n_tensors (&ae->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&ae->params, i);
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, ae->params.data + info->offset, error))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
    }
  int n = (int) ae->params.count;
  dv_adam_init (adam, ae->params.count, c->lr);
  if (!dv_safetensors_read (st, "optimizer.adam_m", 1, &n, adam->m, error) ||
      !dv_safetensors_read (st, "optimizer.adam_v", 1, &n, adam->v, error))
    {
      g_prefix_error (error, "%s: ", path);
      dv_adam_clear (adam);
      return FALSE;
    }
  adam->t = t;
  *ae_out = g_steal_pointer (&ae);
  return TRUE;
}

static float
lr_at (const DvAeTrainConfig *c, gint64 step)
{
  return dv_cosine_lr_with_warmup (c->lr, step, c->warmup_steps, c->steps, c->lr / 50.0f);
}

/* Fills the batch of step `step`: samples s·B … s·B + B − 1 of all views' epoch order; shifts drawn from
 * (seed, step). */
static void
fill_batch (float *x, const DvMultiviewSet *set, const DvAeTrainConfig *c, gint64 step, DvEpochOrder *order)
{
  const int S = set->width;
  DvRng aug;
  dv_rng_init_stream (&aug, c->seed, (guint64) step * 2 + 1);
  for (int i = 0; i < c->batch; i++)
    {
      const guint32 k = dv_epoch_order_item (order, (guint64) step * c->batch + i);
      const guint8 *view = dv_multiview_set_view (set, k / set->n_views, (int) (k % set->n_views));
      int dx = (int) dv_rng_int_range (&aug, -c->max_shift, c->max_shift + 1);
      int dy = (int) dv_rng_int_range (&aug, -c->max_shift, c->max_shift + 1);
      shifted_view (x + (size_t) i * 3 * S * S, view, S, dx, dy);
    }
}

gboolean
dv_ae_train (const DvAeTrainConfig *config_in, const DvMultiviewSet *set, const char *out_dir, const char *resume,
             DvAeTrainProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
  DvAeTrainConfig c = *config_in;
  if (!dv_ae_train_config_check (&c, error))
    return FALSE;
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot create %s: %s", out_dir, g_strerror (e));
      return FALSE;
    }
  g_autoptr (DvAutoencoder) ae = NULL;
  DvAdam adam = { 0 };
  gint64 step = 0;
  if (resume)
    {
      double minutes = c.minutes;
      gint64 steps = c.steps;
      if (!load_checkpoint (resume, &c, &ae, &adam, &step, error))
        {
          g_prefix_error (error, "cannot resume from %s: ", resume);
          return FALSE;
        }
      c.minutes = minutes;
      (void) steps; /* the checkpoint's schedule length is kept so that resuming is exact */
    }
  else
    {
      ae = dv_autoencoder_new (&c.model);
      dv_autoencoder_init_weights (ae, c.seed);
      dv_adam_init (&adam, ae->params.count, c.lr);
    }
  const int S = c.model.image_size;
  if (set->width != S || set->height != S || set->n_views < 1 || set->n_objects < 1)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "the dataset's %d×%d views do not fit a %d×%d autoencoder",
                   set->width, set->height, S, S);
      dv_adam_clear (&adam);
      return FALSE;
    }
  dv_blas_set_threads (c.threads);
  dv_conv2d_set_threads (c.threads);
  const int B = c.batch;
  const size_t n_img = (size_t) B * 3 * S * S;
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, B);
  g_autofree float *x = g_new (float, n_img), *y = g_new (float, n_img), *dy = g_new (float, n_img);
  g_autofree float *backup = g_new (float, ae->params.count);
  DvEpochOrder order;
  dv_epoch_order_init (&order, (guint64) set->n_objects * set->n_views, c.seed, 2);
  g_autofree char *ckpt = g_build_filename (out_dir, "checkpoint.safetensors", NULL);
  g_autofree char *final_path = g_build_filename (out_dir, "autoencoder.safetensors", NULL);
  g_autofree char *csv_path = g_build_filename (out_dir, "losses.csv", NULL);
  FILE *csv = fopen (csv_path, step > 0 ? "a" : "w");
  if (csv && step == 0)
    fputs ("step,loss,lr,seconds\n", csv);
  gint64 start = g_get_monotonic_time (), last_ckpt = start;
  double loss_avg = 0.0;
  gboolean ok = TRUE, diverged = FALSE;
  while (step < c.steps)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (c.minutes > 0 && (g_get_monotonic_time () - start) / 6e7 >= c.minutes)
        break;
      gint64 t0 = g_get_monotonic_time ();
      fill_batch (x, set, &c, step, &order);
      dv_autoencoder_encode (ae, ae->params.data, &buf, NULL, x);
      dv_autoencoder_decode (ae, ae->params.data, &buf, y, dv_autoencoder_buffers_latent (&buf));
      double loss = 0.0;
      const float scale = 1.0f / (float) n_img;
      for (size_t i = 0; i < n_img; i++)
        {
          float d = y[i] - x[i];
          loss += fabsf (d);
          dy[i] = d > 0.0f ? scale : (d < 0.0f ? -scale : 0.0f);
        }
      loss /= (double) n_img;
      if (!isfinite (loss))
        {
          diverged = TRUE;
          break;
        }
      dv_params_zero_grad (&ae->params);
      dv_autoencoder_backward (ae, ae->params.data, ae->params.grad, &buf, x, dy, NULL);
      memcpy (backup, ae->params.data, sizeof (float) * ae->params.count);
      float lr = lr_at (&c, step);
      dv_adam_step (&adam, ae->params.data, ae->params.grad, lr);
      if (!dv_params_all_finite (&ae->params))
        {
          memcpy (ae->params.data, backup, sizeof (float) * ae->params.count);
          diverged = TRUE;
          break;
        }
      step++;
      gint64 now = g_get_monotonic_time ();
      loss_avg = step == 1 ? loss : loss_avg + (loss - loss_avg) * 0.01;
      if (csv)
        fprintf (csv, "%" G_GINT64_FORMAT ",%.6f,%.6g,%.2f\n", step, loss, lr, (now - start) / 1e6);
      if (progress)
        {
          DvAeTrainProgress p = { step, c.steps, (float) loss, (float) loss_avg, lr, (now - start) / 1e6,
                                  (now - t0) / 1e6 };
          progress (&p, user_data);
        }
      if ((now - last_ckpt) / 1e6 >= c.checkpoint_seconds)
        {
          if (csv)
            fflush (csv);
          if (!save_checkpoint (ae, &adam, &c, step, ckpt, error))
            {
              ok = FALSE;
              break;
            }
          last_ckpt = now;
        }
    }
  if (csv)
    fclose (csv);
  if (ok)
    {
      /* Also on divergence: the weights are those of the last good step. */
      ok = save_checkpoint (ae, &adam, &c, step, ckpt, error) && dv_autoencoder_save (ae, final_path, FALSE, NULL, error);
      if (ok && diverged)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_NAN,
                       "training diverged (NaN or inf) at step %" G_GINT64_FORMAT "; the last good weights are in %s",
                       step + 1, ckpt);
          ok = FALSE;
        }
    }
  dv_epoch_order_clear (&order);
  dv_autoencoder_buffers_clear (&buf);
  dv_adam_clear (&adam);
  return ok;
}
