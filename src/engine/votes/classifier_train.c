#include "votes/classifier_train.h"
#include "core/epoch_order.h"

#include "io/safetensors.h"
#include "nn/adam.h"
#include "nn/clip_grad_norm.h"
#include "nn/cosine_lr.h"
#include "nn/softmax_xent.h"
#include "votes/vote.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHECKPOINT_FORMAT "dimvida-classifier-checkpoint-1"

void
dv_classifier_train_config_init (DvClassifierTrainConfig *c, DvClassifierArch arch)
{
  dv_classifier_config_init (&c->model, arch);
  dv_votes_augment_init (&c->augment);
  c->batch = 128;
  c->lr = 2e-3f;
  c->weight_decay = 0.0f;
  c->warmup_steps = 100;
  c->steps = 3000;
  c->minutes = 0;
  c->clip_norm = 5.0f;
  c->seed = 1;
  c->checkpoint_seconds = 180;
  c->bn_batches = 16;
  c->init = NULL;
}

gboolean
dv_classifier_train_config_check (const DvClassifierTrainConfig *c, GError **error)
{
  if (!dv_classifier_config_check (&c->model, error))
    return FALSE;
  if (c->batch < 1 || c->batch > 4096)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The batch must be 1 to 4096, not %d", c->batch);
  else if (!(c->lr > 0.0f && c->lr < 1.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The learning rate must lie in (0, 1), not %g", c->lr);
  else if (!(c->weight_decay >= 0.0f && c->weight_decay < 1.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The weight decay must lie in [0, 1), not %g", c->weight_decay);
  else if (c->steps < 1 || c->steps > 100000000 || c->warmup_steps < 0)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad step counts: %" G_GINT64_FORMAT " steps, warm-up %d",
                 c->steps, c->warmup_steps);
  else if (!(c->clip_norm >= 0.0f) || !(c->minutes >= 0))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad clipping (%g) or time budget (%g)", c->clip_norm,
                 c->minutes);
  else if (c->augment.shift < 0 || c->augment.shift > c->model.image_size / 4)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The augmentation shift must be 0 to %d pixels, not %d",
                 c->model.image_size / 4, c->augment.shift);
  else if (c->bn_batches < 0 || c->bn_batches > 10000)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "BatchNorm recalibration takes 0 to 10000 batches, not %d",
                 c->bn_batches);
  else if (c->checkpoint_seconds < 1)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Checkpoints need at least a second between them");
  else
    return TRUE;
  return FALSE;
}

char *
dv_classifier_train_config_to_json (const DvClassifierTrainConfig *c)
{
  g_autofree char *model = dv_classifier_config_to_json (&c->model);
  return g_strdup_printf ("{\"model\":%s,\"flip\":%s,\"shift\":%d,\"batch\":%d,\"lr\":%.9g,\"weight_decay\":%.9g,"
                          "\"warmup_steps\":%d,\"steps\":%" G_GINT64_FORMAT ",\"clip_norm\":%.9g,"
                          "\"bn_batches\":%d,\"seed\":%" G_GUINT64_FORMAT "}",
                          model, c->augment.flip ? "true" : "false", c->augment.shift, c->batch, c->lr,
                          c->weight_decay, c->warmup_steps, c->steps, c->clip_norm, c->bn_batches, c->seed);
}

gboolean
dv_classifier_train_config_from_json (DvClassifierTrainConfig *c, const char *json, GError **error)
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
  if (!dv_classifier_config_from_json (&c->model, model_json, error))
    return FALSE;
  c->augment.flip = json_object_get_boolean_member_with_default (o, "flip", c->augment.flip);
  c->augment.shift = (int) json_object_get_int_member_with_default (o, "shift", c->augment.shift);
  c->batch = (int) json_object_get_int_member_with_default (o, "batch", c->batch);
  c->lr = (float) json_object_get_double_member_with_default (o, "lr", c->lr);
  c->weight_decay = (float) json_object_get_double_member_with_default (o, "weight_decay", c->weight_decay);
  c->warmup_steps = (int) json_object_get_int_member_with_default (o, "warmup_steps", c->warmup_steps);
  c->steps = json_object_get_int_member_with_default (o, "steps", c->steps);
  c->clip_norm = (float) json_object_get_double_member_with_default (o, "clip_norm", c->clip_norm);
  c->bn_batches = (int) json_object_get_int_member_with_default (o, "bn_batches", c->bn_batches);
  c->seed = (guint64) json_object_get_int_member_with_default (o, "seed", (gint64) c->seed);
  return dv_classifier_train_config_check (c, error);
}

typedef struct {
  DvClassifierTrainConfig config;
  DvClassifier *net;
  DvAdam adam;
  gint64 step;
} State;

static void
state_clear (State *s)
{
  g_clear_pointer (&s->net, dv_classifier_free);
  dv_adam_clear (&s->adam);
}

static void
add_params (DvSafetensorsWriter *w, const DvParams *p)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      dv_safetensors_writer_add (w, info->name, DV_DTYPE_F32, info->ndim, info->shape, p->data + info->offset);
    }
}

static gboolean
read_params (DvSafetensors *st, DvParams *p, GError **error)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, p->data + info->offset, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_checkpoint (const State *s, const char *path, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  DvParams *p = dv_classifier_params (s->net), *stats = dv_classifier_running_stats (s->net);
  add_params (w, p);
  if (stats)
    add_params (w, stats);
  const int n = (int) p->count;
  dv_safetensors_writer_add (w, "train.adam_m", DV_DTYPE_F32, 1, &n, s->adam.m);
  dv_safetensors_writer_add (w, "train.adam_v", DV_DTYPE_F32, 1, &n, s->adam.v);
  g_autofree char *train = dv_classifier_train_config_to_json (&s->config);
  g_autofree char *step = g_strdup_printf ("%" G_GINT64_FORMAT, s->step);
  g_autofree char *adam_t = g_strdup_printf ("%" G_GINT64_FORMAT, s->adam.t);
  dv_safetensors_writer_set_metadata (w, "format", CHECKPOINT_FORMAT);
  dv_safetensors_writer_set_metadata (w, "train_config", train);
  dv_safetensors_writer_set_metadata (w, "step", step);
  dv_safetensors_writer_set_metadata (w, "adam_t", adam_t);
  return dv_safetensors_writer_save (w, path, error);
}

static gboolean
parse_i64 (const char *text, gint64 *out)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, NULL);
}

static gboolean
open_checkpoint (DvSafetensors **st_out, const char *path, gint64 *step, gint64 *adam_t, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return FALSE;
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), CHECKPOINT_FORMAT) != 0 ||
      !dv_safetensors_metadata (st, "train_config") || !parse_i64 (dv_safetensors_metadata (st, "step"), step) ||
      !parse_i64 (dv_safetensors_metadata (st, "adam_t"), adam_t))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a classifier training checkpoint", path);
      return FALSE;
    }
  *st_out = g_steal_pointer (&st);
  return TRUE;
}

gint64
dv_classifier_train_checkpoint_step (const char *path, GError **error)
{
  DvSafetensors *st = NULL;
  gint64 step, adam_t;
  if (!open_checkpoint (&st, path, &step, &adam_t, error))
    return -1;
  dv_safetensors_close (st);
  return step;
}

static gboolean
load_checkpoint (State *s, const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = NULL;
  gint64 adam_t;
  if (!open_checkpoint (&st, path, &s->step, &adam_t, error) ||
      !dv_classifier_train_config_from_json (&s->config, dv_safetensors_metadata (st, "train_config"), error))
    return FALSE;
  s->net = dv_classifier_new (&s->config.model);
  DvParams *p = dv_classifier_params (s->net), *stats = dv_classifier_running_stats (s->net);
  if (!read_params (st, p, error) || (stats && !read_params (st, stats, error)))
    return FALSE;
  dv_adam_init (&s->adam, p->count, s->config.lr);
  s->adam.weight_decay = s->config.weight_decay;
  const int n = (int) p->count;
  if (!dv_safetensors_read (st, "train.adam_m", 1, &n, s->adam.m, error) ||
      !dv_safetensors_read (st, "train.adam_v", 1, &n, s->adam.v, error))
    return FALSE;
  s->adam.t = adam_t;
  if (!dv_params_all_finite (p) || (stats && !dv_params_all_finite (stats)))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s holds weights that are not finite", path);
      return FALSE;
    }
  return TRUE;
}

static float
lr_at (const DvClassifierTrainConfig *c, gint64 step)
{
  return dv_cosine_lr_with_warmup (c->lr, step, c->warmup_steps, c->steps, c->lr / 50.0f);
}

/* Samples step·B … step·B + B − 1 of the images' epoch order (streams seed, 3·epoch: the others are augmentation's). */
static void
batch_indices (guint32 *idx, const DvClassifierTrainConfig *c, gint64 step, DvEpochOrder *order)
{
  for (int i = 0; i < c->batch; i++)
    idx[i] = dv_epoch_order_item (order, (guint64) step * c->batch + i);
}

static gboolean
check_data (const DvClassifierTrainConfig *c, const DvVotesDataset *train, GError **error)
{
  if (train->n < 1)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "No images to train on");
  else if (train->size != c->model.image_size)
    g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "The images are %d×%d; the classifier takes %d×%d", train->size,
                 train->size, c->model.image_size, c->model.image_size);
  else
    {
      for (guint i = 0; i < train->n; i++)
        if (train->labels[i] >= c->model.n_classes)
          {
            g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Image %u has class %d; the classifier has %d classes", i,
                         train->labels[i], c->model.n_classes);
            return FALSE;
          }
      return TRUE;
    }
  return FALSE;
}

static gboolean
prepare_state (State *s, const DvClassifierTrainConfig *config, const char *resume, GError **error)
{
  if (resume == NULL)
    {
      s->net = dv_classifier_new (&s->config.model);
      dv_classifier_init_weights (s->net, s->config.seed);
      if (s->config.init)
        {
          const DvClassifierConfig *a = dv_classifier_get_config (s->config.init), *b = &s->config.model;
          if (a->arch != b->arch || a->width != b->width || a->n_classes != b->n_classes ||
              a->image_size != b->image_size)
            {
              g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                           "The starting classifier is a %s × %g of %d classes at %d px, not a %s × %g of %d at %d",
                           dv_classifier_arch_name (a->arch), a->width, a->n_classes, a->image_size,
                           dv_classifier_arch_name (b->arch), b->width, b->n_classes, b->image_size);
              return FALSE;
            }
          dv_params_copy_data (dv_classifier_params (s->net),
                               dv_classifier_params ((DvClassifier *) s->config.init));
          DvParams *stats = dv_classifier_running_stats (s->net);
          if (stats)
            dv_params_copy_data (stats, dv_classifier_running_stats ((DvClassifier *) s->config.init));
        }
      dv_adam_init (&s->adam, dv_classifier_params (s->net)->count, s->config.lr);
      s->adam.weight_decay = s->config.weight_decay;
      return TRUE;
    }
  if (!load_checkpoint (s, resume, error))
    {
      g_prefix_error (error, "Cannot resume from %s: ", resume);
      return FALSE;
    }
  /* The schedule comes from the checkpoint (resuming is exact); the budget from now. */
  s->config.minutes = config->minutes;
  s->config.checkpoint_seconds = config->checkpoint_seconds;
  if (s->config.model.arch != config->model.arch || s->config.model.n_classes != config->model.n_classes)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "%s trains a %s of %d classes, not a %s of %d", resume,
                   dv_classifier_arch_name (s->config.model.arch), s->config.model.n_classes,
                   dv_classifier_arch_name (config->model.arch), config->model.n_classes);
      return FALSE;
    }
  return TRUE;
}

/* The BatchNorm update r ← (1 − m)·r + m·b of every running-statistics entry, found from two training forwards of
 * one batch from r = 0: r₁ = m·b, r₂ = m·b·(2 − m). One m per BatchNorm layer (its variance's median). */
static gboolean
bn_momenta (DvClassifier *net, DvClassifierBuffers *buf, float *logits, const float *images, int B, DvRng *rng,
            float *momentum)
{
  DvParams *stats = dv_classifier_running_stats (net);
  const size_t n = stats->count;
  g_autofree float *r1 = g_new (float, n);
  memset (stats->data, 0, sizeof (float) * n);
  dv_classifier_forward (net, dv_classifier_params (net)->data, buf, logits, images, B, TRUE, rng);
  memcpy (r1, stats->data, sizeof (float) * n);
  dv_classifier_forward (net, dv_classifier_params (net)->data, buf, logits, images, B, TRUE, rng);
  g_autoptr (GHashTable) by_layer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < dv_params_n_tensors (stats); i++)
    {
      const DvParamInfo *info = dv_params_info (stats, i);
      if (!g_str_has_suffix (info->name, ".running_var"))
        continue;
      g_autofree float *ratios = g_new (float, info->numel);
      size_t k = 0;
      for (size_t j = 0; j < info->numel; j++)
        if (r1[info->offset + j] > 1e-20f)
          ratios[k++] = 2.0f - stats->data[info->offset + j] / r1[info->offset + j];
      if (k == 0)
        continue;
      /* The median: a few nearly constant channels give noisy ratios. */
      for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && ratios[b] < ratios[b - 1]; b--)
          {
            const float t = ratios[b];
            ratios[b] = ratios[b - 1], ratios[b - 1] = t;
          }
      float *m = g_new (float, 1);
      *m = ratios[k / 2];
      g_hash_table_insert (by_layer, g_strndup (info->name, strlen (info->name) - strlen ("running_var")), m);
    }
  for (guint i = 0; i < dv_params_n_tensors (stats); i++)
    {
      const DvParamInfo *info = dv_params_info (stats, i);
      const char *dot = strrchr (info->name, '.');
      g_autofree char *prefix = dot ? g_strndup (info->name, (size_t) (dot - info->name) + 1) : g_strdup ("");
      const float *m = g_hash_table_lookup (by_layer, prefix);
      if (!m || !(*m > 1e-4f && *m <= 1.0f))
        return FALSE;
      for (size_t j = 0; j < info->numel; j++)
        momentum[info->offset + j] = *m;
    }
  return TRUE;
}

/* BatchNorm's running statistics recomputed for the final weights, as torch.optim.swa_utils.update_bn does: the
 * mean over `batches` batches of the training images (not augmented) of each batch's statistics. The running
 * averages of training lag behind the weights — with MobileNet's momentum 0.01 a few hundred steps leave much of
 * their initial value 1 in the variances, which wrecks evaluation. Deterministic for a seed. */
static void
recalibrate_batch_norm (DvClassifier *net, const DvVotesDataset *train, int B, int batches, guint64 seed,
                        DvClassifierBuffers *buf, float *logits, float *images, int *labels)
{
  DvParams *stats = dv_classifier_running_stats (net);
  if (!stats || stats->count == 0 || batches < 1)
    return;
  const size_t n = stats->count;
  g_autofree float *saved = g_memdup2 (stats->data, sizeof (float) * n);
  g_autofree float *momentum = g_new (float, n);
  g_autofree double *sum = g_new0 (double, n);
  g_autofree guint32 *idx = g_new (guint32, B), *perm = g_new (guint32, train->n);
  DvRng rng;
  dv_rng_init_stream (&rng, seed, G_MAXUINT32);
  dv_rng_permutation (&rng, perm, train->n);
  for (int i = 0; i < B; i++)
    idx[i] = perm[i % train->n];
  dv_votes_dataset_fill (train, idx, B, NULL, NULL, images, labels);
  if (!bn_momenta (net, buf, logits, images, B, &rng, momentum))
    {
      g_warning ("BatchNorm's momentum could not be measured: running statistics left as trained");
      memcpy (stats->data, saved, sizeof (float) * n);
      return;
    }
  for (int k = 0; k < batches; k++)
    {
      for (int i = 0; i < B; i++)
        idx[i] = perm[((size_t) k * B + i) % train->n];
      dv_votes_dataset_fill (train, idx, B, NULL, NULL, images, labels);
      memset (stats->data, 0, sizeof (float) * n);
      dv_classifier_forward (net, dv_classifier_params (net)->data, buf, logits, images, B, TRUE, &rng);
      for (size_t j = 0; j < n; j++)
        sum[j] += stats->data[j] / momentum[j];
    }
  for (size_t j = 0; j < n; j++)
    stats->data[j] = (float) (sum[j] / batches);
}

gboolean
dv_classifier_train (const DvClassifierTrainConfig *config, const DvVotesDataset *train, const char *out_dir,
                     const char *resume, GHashTable *extra, DvClassifierTrainProgressFunc progress,
                     gpointer user_data, GCancellable *cancellable, GError **error)
{
  State s = { .config = *config };
  if (!dv_classifier_train_config_check (&s.config, error))
    return FALSE;
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot create %s: %s", out_dir, g_strerror (e));
      return FALSE;
    }
  if (!prepare_state (&s, config, resume, error) || !check_data (&s.config, train, error))
    {
      state_clear (&s);
      return FALSE;
    }
  const DvClassifierTrainConfig *c = &s.config;
  const int B = c->batch, C = c->model.n_classes, S = c->model.image_size;
  DvParams *p = dv_classifier_params (s.net), *stats = dv_classifier_running_stats (s.net);
  const size_t n_stats = stats ? stats->count : 0;
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (s.net, B);
  g_autofree float *images = g_new (float, (size_t) B * 3 * S * S);
  g_autofree float *logits = g_new (float, (size_t) B * C), *probs = g_new (float, (size_t) B * C);
  g_autofree float *dlogits = g_new (float, (size_t) B * C);
  g_autofree int *labels = g_new (int, B);
  g_autofree guint32 *idx = g_new (guint32, B);
  /* The last good state, to undo a step that diverges: weights, running statistics, Adam's moments. */
  g_autofree float *backup = g_new (float, p->count), *stats_backup = g_new (float, MAX (n_stats, 1));
  g_autofree float *m_backup = g_new (float, p->count), *v_backup = g_new (float, p->count);
  DvEpochOrder order;
  dv_epoch_order_init (&order, train->n, c->seed, 3);
  g_autofree char *ckpt = g_build_filename (out_dir, "checkpoint.safetensors", NULL);
  g_autofree char *final_path = g_build_filename (out_dir, "classifier.safetensors", NULL);
  g_autofree char *csv_path = g_build_filename (out_dir, "losses.csv", NULL);
  FILE *csv = fopen (csv_path, s.step > 0 ? "a" : "w");
  if (csv != NULL && s.step == 0)
    fputs ("step,loss,accuracy,lr,seconds\n", csv);
  const gint64 start = g_get_monotonic_time ();
  gint64 last_ckpt = start;
  double loss_avg = 0.0, acc_avg = 0.0;
  gboolean ok = TRUE, diverged = FALSE, first = TRUE;
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
      batch_indices (idx, c, s.step, &order);
      DvRng aug_rng, drop_rng;
      dv_rng_init_stream (&aug_rng, c->seed, (guint64) s.step * 3 + 1);
      dv_rng_init_stream (&drop_rng, c->seed, (guint64) s.step * 3 + 2);
      dv_votes_dataset_fill (train, idx, B, &c->augment, &aug_rng, images, labels);
      /* The training forward moves the running statistics: kept to undo a diverging step. */
      if (stats)
        memcpy (stats_backup, stats->data, sizeof (float) * n_stats);
      dv_classifier_forward (s.net, p->data, buf, logits, images, B, TRUE, &drop_rng);
      const double loss = dv_softmax_xent_forward (probs, logits, labels, B, C);
      if (!isfinite (loss))
        {
          if (stats)
            memcpy (stats->data, stats_backup, sizeof (float) * n_stats);
          diverged = TRUE;
          break;
        }
      int right = 0;
      for (int i = 0; i < B; i++)
        right += dv_vote_argmax (logits + (size_t) i * C, C) == labels[i];
      memset (dlogits, 0, sizeof (float) * B * C);
      dv_softmax_xent_backward (dlogits, probs, labels, B, C, 1.0f);
      dv_params_zero_grad (p);
      dv_classifier_backward (s.net, p->data, p->grad, buf, dlogits, B);
      if (c->clip_norm > 0.0f)
        dv_clip_grad_norm (p->grad, p->count, c->clip_norm);
      memcpy (backup, p->data, sizeof (float) * p->count);
      memcpy (m_backup, s.adam.m, sizeof (float) * p->count);
      memcpy (v_backup, s.adam.v, sizeof (float) * p->count);
      const float lr = lr_at (c, s.step);
      dv_adam_step (&s.adam, p->data, p->grad, lr);
      if (!dv_params_all_finite (p) || (stats && !dv_params_all_finite (stats)))
        {
          memcpy (p->data, backup, sizeof (float) * p->count);
          memcpy (s.adam.m, m_backup, sizeof (float) * p->count);
          memcpy (s.adam.v, v_backup, sizeof (float) * p->count);
          s.adam.t--;
          if (stats)
            memcpy (stats->data, stats_backup, sizeof (float) * n_stats);
          diverged = TRUE;
          break;
        }
      s.step++;
      const gint64 now = g_get_monotonic_time ();
      const double acc = (double) right / B;
      loss_avg = first ? loss : loss_avg + (loss - loss_avg) * 0.01;
      acc_avg = first ? acc : acc_avg + (acc - acc_avg) * 0.01;
      first = FALSE;
      if (csv != NULL)
        fprintf (csv, "%" G_GINT64_FORMAT ",%.6f,%.4f,%.6g,%.2f\n", s.step, loss, acc, lr, (now - start) / 1e6);
      if (progress != NULL)
        {
          DvClassifierTrainProgress pr = { s.step, c->steps, (float) loss, (float) loss_avg, (float) acc_avg, lr,
                                           (now - start) / 1e6, (now - t0) / 1e6 };
          progress (&pr, user_data);
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
      /* On divergence too: the weights are those of the last good step. The checkpoint keeps the running
       * statistics of training (resuming stays exact); the classifier gets them recomputed. */
      ok = save_checkpoint (&s, ckpt, error);
      if (ok)
        recalibrate_batch_norm (s.net, train, B, c->bn_batches, c->seed, buf, logits, images, labels);
      ok = ok && dv_classifier_save (s.net, final_path, extra, error);
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
