#include "toy/train.h"

#include "nn/adam.h"
#include "nn/bce_logits.h"
#include "nn/clip_grad_norm.h"
#include "nn/cosine_lr.h"
#include "nn/ema.h"
#include "nn/mse.h"
#include "core/enum_names.h"
#include "core/rng.h"
#include "diffusion/ddpm.h"
#include "io/safetensors.h"
#include "core/common.h"

#include <math.h>
#include <string.h>

/* Random streams of one run, all derived from cfg.seed. */
#define STREAM_DISC_INIT ((guint64) 1 << 40)
#define STREAM_EPOCH ((guint64) 2 << 40)  /* + epoch: the data order */
#define STREAM_STEP ((guint64) 3 << 40)   /* + step: t, ε and the GP's α */
#define STREAM_EVAL ((guint64) 4 << 40)   /* + batch */

#define CHECKPOINT_FORMAT "dimvida-toy-1"

struct _DvToyTrainer {
  DvToyTrainConfig cfg;
  DvNoiseSchedule sched;
  float *data;  /* [n][2] */
  size_t n;
  gint64 batches_per_epoch;

  DvToyDenoiser model;
  DvToyDenoiserWork work;
  DvAdam adam;
  DvEma ema;
  float *table;  /* [T][H] for the online weights */

  gboolean gan;
  DvToyDiscriminator disc;
  DvToyDiscriminatorWork disc_work;
  DvAdam disc_adam;

  gint64 step;
  double divergence_limit;
  gint64 epoch;   /* the epoch whose permutation is in perm, −1 for none */
  guint32 *perm;

  /* Per-batch buffers (capacity batch_size; the D ones 2 × batch_size). */
  float *x0, *xt, *noise, *eps_hat, *deps, *fake, *xhat, *alpha;
  float *d_in, *d_logits, *d_dlogits, *dfake;
  int *t;
};

DV_ENUM_NAMES_DEFINE (dv_toy_fake, DvToyFake, "fake sample", "x0", "noisy")

void
dv_toy_train_config_init (DvToyTrainConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->schedule = DV_SCHEDULE_LINEAR;
  cfg->T = 100;
  cfg->beta_start = 1e-4f;
  cfg->beta_end = 0.02f;
  cfg->emb_dim = 128;
  cfg->hidden = 256;
  cfg->blocks = 3;
  cfg->batch_size = 256;
  cfg->steps = 10000;
  cfg->lr = 3e-4f;
  cfg->weight_decay = 0.01f;
  cfg->grad_clip = 0.5f;
  cfg->ema_beta = 0.995f;
  cfg->ema_every = 10;
  cfg->ema_after = 100;
  cfg->ema_power = 2.0f / 3.0f;
  cfg->seed = 42;
  cfg->gan = FALSE;
  cfg->fake = DV_TOY_FAKE_X0;
  cfg->lambda_adv = 1.0f;
  cfg->lambda_gp = 10.0f;
  cfg->d_lr = 1.5e-4f;
  cfg->d_hidden = 256;
  cfg->d_layers = 6;
}

static void
config_model (const DvToyTrainConfig *cfg, DvToyDenoiserConfig *model)
{
  model->emb_dim = cfg->emb_dim;
  model->hidden = cfg->hidden;
  model->blocks = cfg->blocks;
  model->T = cfg->T;
}

gboolean
dv_toy_train_config_check (const DvToyTrainConfig *cfg, GError **error)
{
  DvToyDenoiserConfig model;
  config_model (cfg, &model);
  if (cfg->T < DV_SCHEDULE_MIN_T || cfg->T > DV_SCHEDULE_MAX_T)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The number of timesteps must be between %d and %d, not %d",
                 DV_SCHEDULE_MIN_T, DV_SCHEDULE_MAX_T, cfg->T);
  else if (!dv_toy_denoiser_config_check (&model, error))
    return FALSE;
  else if (cfg->batch_size < 1 || cfg->batch_size > 65536)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The batch size must be 1 to 65536, not %d", cfg->batch_size);
  else if (cfg->steps < 1 || cfg->steps > G_GINT64_CONSTANT (100000000))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The number of steps must be 1 to 100,000,000, not %" G_GINT64_FORMAT,
                 cfg->steps);
  else if (!(cfg->lr > 0.0f && cfg->lr < 1.0f) || !(cfg->d_lr > 0.0f && cfg->d_lr < 1.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Learning rates must lie in (0, 1)");
  else if (!(cfg->weight_decay >= 0.0f && cfg->weight_decay < 1.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The weight decay must lie in [0, 1)");
  else if (!(cfg->grad_clip > 0.0f) || !isfinite (cfg->grad_clip))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The gradient clip must be positive");
  else if (!(cfg->ema_beta >= 0.0f && cfg->ema_beta < 1.0f) || cfg->ema_every < 1 || cfg->ema_after < 0 ||
           !(cfg->ema_power > 0.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad EMA settings");
  else if (!(cfg->lambda_adv >= 0.0f && cfg->lambda_adv <= 1000.0f) ||
           !(cfg->lambda_gp >= 0.0f && cfg->lambda_gp <= 1000.0f))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "λ_adv and λ_gp must lie in [0, 1000]");
  else if ((unsigned) cfg->fake > DV_TOY_FAKE_NOISY)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Bad fake-sample kind %d", cfg->fake);
  else
    {
      DvToyDiscriminatorConfig disc = { cfg->d_hidden, cfg->d_layers };
      if (cfg->gan && !dv_toy_discriminator_config_check (&disc, error))
        return FALSE;
      DvNoiseSchedule sched;
      if (!dv_noise_schedule_init (&sched, cfg->schedule, cfg->T, cfg->beta_start, cfg->beta_end, error))
        return FALSE;
      dv_noise_schedule_clear (&sched);
      return TRUE;
    }
  return FALSE;
}

/* The config's numeric members, listed once for both JSON directions. */
#define TRAINING_MEMBERS(INT, FLOAT) \
  INT (T) FLOAT (beta_start) FLOAT (beta_end) INT (emb_dim) INT (hidden) INT (blocks) INT (batch_size) \
  INT (steps) FLOAT (lr) FLOAT (weight_decay) FLOAT (grad_clip) FLOAT (ema_beta) INT (ema_every) \
  INT (ema_after) FLOAT (ema_power)
#define GAN_MEMBERS(INT, FLOAT) FLOAT (lambda_adv) FLOAT (lambda_gp) FLOAT (d_lr) INT (d_hidden) INT (d_layers)

void
dv_toy_train_config_to_json (const DvToyTrainConfig *cfg, JsonBuilder *b)
{
  json_builder_set_member_name (b, "schedule");
  json_builder_add_string_value (b, dv_schedule_kind_to_string (cfg->schedule));
#define INT_MEMBER(name) \
  json_builder_set_member_name (b, #name); \
  json_builder_add_int_value (b, cfg->name);
#define FLOAT_MEMBER(name) \
  json_builder_set_member_name (b, #name); \
  json_builder_add_double_value (b, cfg->name);
  TRAINING_MEMBERS (INT_MEMBER, FLOAT_MEMBER)
  /* As a string: JSON numbers lose 64-bit integers. */
  json_builder_set_member_name (b, "seed");
  {
    char seed[32];
    g_snprintf (seed, sizeof seed, "%" G_GUINT64_FORMAT, cfg->seed);
    json_builder_add_string_value (b, seed);
  }
  json_builder_set_member_name (b, "gan");
  json_builder_add_boolean_value (b, cfg->gan);
  json_builder_set_member_name (b, "fake");
  json_builder_add_string_value (b, dv_toy_fake_to_string (cfg->fake));
  GAN_MEMBERS (INT_MEMBER, FLOAT_MEMBER)
#undef INT_MEMBER
#undef FLOAT_MEMBER
}

char *
dv_toy_train_config_to_json_string (const DvToyTrainConfig *cfg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  dv_toy_train_config_to_json (cfg, b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gboolean
dv_toy_train_config_from_json_string (DvToyTrainConfig *cfg, const char *json, GError **error)
{
  dv_toy_train_config_init (cfg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *local = NULL;
  if (!json_parser_load_from_data (parser, json, -1, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "Bad training config: %s", local->message);
      g_error_free (local);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "Bad training config: not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  if (json_object_has_member (o, "schedule") &&
      !dv_schedule_kind_from_string (json_object_get_string_member (o, "schedule"), &cfg->schedule, error))
    return FALSE;
  if (json_object_has_member (o, "fake") &&
      !dv_toy_fake_from_string (json_object_get_string_member (o, "fake"), &cfg->fake, error))
    return FALSE;
#define INT_MEMBER(name) \
  if (json_object_has_member (o, #name)) cfg->name = json_object_get_int_member (o, #name);
#define FLOAT_MEMBER(name) \
  if (json_object_has_member (o, #name)) cfg->name = (float) json_object_get_double_member (o, #name);
  TRAINING_MEMBERS (INT_MEMBER, FLOAT_MEMBER)
  GAN_MEMBERS (INT_MEMBER, FLOAT_MEMBER)
#undef INT_MEMBER
#undef FLOAT_MEMBER
  if (json_object_has_member (o, "gan"))
    cfg->gan = json_object_get_boolean_member (o, "gan");
  JsonNode *seed = json_object_get_member (o, "seed");
  if (seed != NULL && JSON_NODE_HOLDS_VALUE (seed) && json_node_get_value_type (seed) == G_TYPE_STRING)
    cfg->seed = g_ascii_strtoull (json_node_get_string (seed), NULL, 10);
  else if (seed != NULL && JSON_NODE_HOLDS_VALUE (seed) && json_node_get_value_type (seed) == G_TYPE_INT64)
    cfg->seed = (guint64) json_node_get_int (seed);
  return dv_toy_train_config_check (cfg, error);
}

DvToyTrainer *
dv_toy_trainer_new (const DvToyTrainConfig *cfg, const float *xy, size_t n, GError **error)
{
  if (!dv_toy_train_config_check (cfg, error))
    return NULL;
  if (n < 1)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "No data to train on");
      return NULL;
    }
  for (size_t i = 0; i < 2 * n; i++)
    if (!isfinite (xy[i]))
      {
        g_set_error (error, DV_ERROR, DV_ERROR_NAN, "Data point %zu is not finite", i / 2 + 1);
        return NULL;
      }

  DvToyTrainer *tr = g_new0 (DvToyTrainer, 1);
  tr->cfg = *cfg;
  dv_noise_schedule_init (&tr->sched, cfg->schedule, cfg->T, cfg->beta_start, cfg->beta_end, NULL);
  tr->n = n;
  tr->data = dv_alloc_floats (2 * n);
  memcpy (tr->data, xy, sizeof (float) * 2 * n);
  tr->batches_per_epoch = (gint64) ((n + (size_t) cfg->batch_size - 1) / (size_t) cfg->batch_size);
  tr->perm = g_new (guint32, n);
  tr->epoch = -1;
  tr->divergence_limit = DV_TOY_DIVERGED_LOSS;

  DvRng rng;
  dv_rng_init (&rng, cfg->seed);
  DvToyDenoiserConfig model_cfg;
  config_model (cfg, &model_cfg);
  dv_toy_denoiser_init (&tr->model, &model_cfg, &rng);
  const int B = cfg->batch_size;
  dv_toy_denoiser_work_init (&tr->work, &tr->model, B);
  dv_adamw_init (&tr->adam, tr->model.params.count, cfg->lr);
  tr->adam.weight_decay = cfg->weight_decay;
  dv_ema_init (&tr->ema, tr->model.params.count, tr->model.params.data);
  tr->ema.beta = cfg->ema_beta;
  tr->ema.update_every = cfg->ema_every;
  tr->ema.update_after_step = cfg->ema_after;
  tr->ema.power = cfg->ema_power;
  tr->table = dv_alloc_floats ((size_t) cfg->T * cfg->hidden);
  dv_toy_denoiser_time_table (&tr->model, tr->model.params.data, tr->table);

  tr->gan = cfg->gan;
  if (cfg->gan)
    {
      DvRng disc_rng;
      dv_rng_init_stream (&disc_rng, cfg->seed, STREAM_DISC_INIT);
      DvToyDiscriminatorConfig disc_cfg = { cfg->d_hidden, cfg->d_layers };
      dv_toy_discriminator_init (&tr->disc, &disc_cfg, &disc_rng);
      dv_toy_discriminator_work_init (&tr->disc_work, &tr->disc, 2 * B);
      dv_adamw_init (&tr->disc_adam, tr->disc.params.count, cfg->d_lr);
    }

  const size_t b2 = 2 * (size_t) B;
  tr->x0 = dv_alloc_floats (b2);
  tr->xt = dv_alloc_floats (b2);
  tr->noise = dv_alloc_floats (b2);
  tr->eps_hat = dv_alloc_floats (b2);
  tr->deps = dv_alloc_floats (b2);
  tr->fake = dv_alloc_floats (b2);
  tr->xhat = dv_alloc_floats (b2);
  tr->alpha = dv_alloc_floats ((size_t) B);
  tr->d_in = dv_alloc_floats (2 * b2);
  tr->d_logits = dv_alloc_floats (b2);
  tr->d_dlogits = dv_alloc_floats (b2);
  tr->dfake = dv_alloc_floats (b2);
  tr->t = g_new0 (int, B);
  return tr;
}

void
dv_toy_trainer_free (DvToyTrainer *tr)
{
  if (tr == NULL)
    return;
  dv_noise_schedule_clear (&tr->sched);
  dv_free_floats (tr->data);
  g_free (tr->perm);
  dv_toy_denoiser_clear (&tr->model);
  dv_toy_denoiser_work_clear (&tr->work);
  dv_adam_clear (&tr->adam);
  dv_ema_clear (&tr->ema);
  dv_free_floats (tr->table);
  if (tr->gan)
    {
      dv_toy_discriminator_clear (&tr->disc);
      dv_toy_discriminator_work_clear (&tr->disc_work);
      dv_adam_clear (&tr->disc_adam);
    }
  float *buffers[] = { tr->x0, tr->xt, tr->noise, tr->eps_hat, tr->deps, tr->fake, tr->xhat, tr->alpha,
                       tr->d_in, tr->d_logits, tr->d_dlogits, tr->dfake };
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    dv_free_floats (buffers[i]);
  g_free (tr->t);
  g_free (tr);
}

gint64
dv_toy_trainer_get_step (const DvToyTrainer *tr)
{
  return tr->step;
}

const DvToyTrainConfig *
dv_toy_trainer_get_config (const DvToyTrainer *tr)
{
  return &tr->cfg;
}

const DvNoiseSchedule *
dv_toy_trainer_get_schedule (const DvToyTrainer *tr)
{
  return &tr->sched;
}

DvToyDenoiser *
dv_toy_trainer_get_model (DvToyTrainer *tr)
{
  return &tr->model;
}

DvToyDiscriminator *
dv_toy_trainer_get_discriminator (DvToyTrainer *tr)
{
  return tr->gan ? &tr->disc : NULL;
}

const float *
dv_toy_trainer_get_ema_weights (const DvToyTrainer *tr)
{
  return tr->ema.shadow;
}

const float *
dv_toy_trainer_get_data (const DvToyTrainer *tr, size_t *n)
{
  if (n != NULL)
    *n = tr->n;
  return tr->data;
}

/* Draws the batch of step `step` into x0/t/noise/xt (and α for the GP);
 * returns its size (the last batch of an epoch may be short). */
static int
prepare_batch (DvToyTrainer *tr, gint64 step)
{
  const gint64 epoch = step / tr->batches_per_epoch;
  const gint64 index = step % tr->batches_per_epoch;
  if (epoch != tr->epoch)
    {
      DvRng perm_rng;
      dv_rng_init_stream (&perm_rng, tr->cfg.seed, STREAM_EPOCH + (guint64) epoch);
      dv_rng_permutation (&perm_rng, tr->perm, tr->n);
      tr->epoch = epoch;
    }
  const size_t first = (size_t) index * (size_t) tr->cfg.batch_size;
  const int B = (int) MIN ((size_t) tr->cfg.batch_size, tr->n - first);
  DvRng rng;
  dv_rng_init_stream (&rng, tr->cfg.seed, STREAM_STEP + (guint64) step);
  for (int b = 0; b < B; b++)
    {
      const guint32 src = tr->perm[first + (size_t) b];
      tr->x0[2 * b] = tr->data[2 * src];
      tr->x0[2 * b + 1] = tr->data[2 * src + 1];
    }
  for (int b = 0; b < B; b++)
    tr->t[b] = (int) dv_rng_below (&rng, (guint64) tr->cfg.T);
  dv_rng_fill_normal (&rng, tr->noise, 2 * (size_t) B);
  if (tr->gan)
    for (int b = 0; b < B; b++)
      tr->alpha[b] = dv_rng_uniform (&rng);
  dv_ddpm_add_noise (&tr->sched, tr->t, tr->x0, tr->noise, B, 2, tr->xt);
  return B;
}

/* fake = x̂₀(x_t, ε̂) (DV_TOY_FAKE_X0) or x_t itself (DV_TOY_FAKE_NOISY, no gradient to the denoiser). */
static void
make_fake (DvToyTrainer *tr, int B)
{
  if (tr->cfg.fake == DV_TOY_FAKE_X0)
    dv_ddpm_predict_x0 (&tr->sched, tr->t, tr->xt, tr->eps_hat, B, 2, tr->fake);
  else
    memcpy (tr->fake, tr->xt, sizeof (float) * 2 * (size_t) B);
}

/* The generator's adversarial term on the current D: returns BCE(D(fake), 1)
 * and, when with_grad, adds λ_adv·∂/∂ε̂ of it to deps. */
static float
adversarial_term (DvToyTrainer *tr, int B, gboolean with_grad)
{
  const float *w = tr->disc.params.data;
  dv_toy_discriminator_forward (&tr->disc, w, &tr->disc_work, tr->fake, B, tr->d_logits);
  const float adv = dv_bce_logits_const_forward (tr->d_logits, 1.0f, (size_t) B);
  if (with_grad)
    {
      memset (tr->d_dlogits, 0, sizeof (float) * (size_t) B);
      dv_bce_logits_const_backward (tr->d_dlogits, tr->d_logits, 1.0f, (size_t) B, tr->cfg.lambda_adv);
      dv_toy_discriminator_backward (&tr->disc, w, NULL, &tr->disc_work, tr->fake, B, tr->d_dlogits, tr->dfake);
      /* fake = x_t does not depend on ε̂: nothing to add. */
      if (tr->cfg.fake == DV_TOY_FAKE_X0)
        dv_ddpm_predict_x0_backward (&tr->sched, tr->t, tr->dfake, B, 2, tr->deps);
    }
  return adv;
}

void
dv_toy_trainer_set_divergence_limit (DvToyTrainer *tr, double limit)
{
  DV_CHECK (limit > 0, "dv_toy_trainer_set_divergence_limit: limit %g", limit);
  tr->divergence_limit = limit;
}

static gboolean
fail_nan (GError **error, gint64 step, const char *what, float value)
{
  g_set_error (error, DV_ERROR, DV_ERROR_NAN,
               "Training diverged at step %" G_GINT64_FORMAT ": the %s is %g; the weights of step %" G_GINT64_FORMAT
               " are kept",
               step + 1, what, value, step);
  return FALSE;
}

/* One discriminator update on real x0 and the detached fake; fills info. */
static gboolean
discriminator_step (DvToyTrainer *tr, int B, DvToyStepInfo *info, GError **error)
{
  DvToyDiscriminator *d = &tr->disc;
  const size_t b2 = 2 * (size_t) B;
  memcpy (tr->d_in, tr->x0, sizeof (float) * b2);
  memcpy (tr->d_in + b2, tr->fake, sizeof (float) * b2);
  dv_toy_discriminator_forward (d, d->params.data, &tr->disc_work, tr->d_in, 2 * B, tr->d_logits);
  const float real_loss = dv_bce_logits_const_forward (tr->d_logits, 1.0f, (size_t) B);
  const float fake_loss = dv_bce_logits_const_forward (tr->d_logits + B, 0.0f, (size_t) B);
  memset (tr->d_dlogits, 0, sizeof (float) * 2 * (size_t) B);
  dv_bce_logits_const_backward (tr->d_dlogits, tr->d_logits, 1.0f, (size_t) B, 1.0f);
  dv_bce_logits_const_backward (tr->d_dlogits + B, tr->d_logits + B, 0.0f, (size_t) B, 1.0f);
  dv_params_zero_grad (&d->params);
  dv_toy_discriminator_backward (d, d->params.data, d->params.grad, &tr->disc_work, tr->d_in, 2 * B, tr->d_dlogits, NULL);
  for (int b = 0; b < B; b++)
    {
      const float a = tr->alpha[b];
      tr->xhat[2 * b] = a * tr->x0[2 * b] + (1.0f - a) * tr->fake[2 * b];
      tr->xhat[2 * b + 1] = a * tr->x0[2 * b + 1] + (1.0f - a) * tr->fake[2 * b + 1];
    }
  const float gp = tr->cfg.lambda_gp > 0.0f
                     ? dv_toy_discriminator_gradient_penalty (d, d->params.data, d->params.grad, &tr->disc_work, tr->xhat,
                                                     B, tr->cfg.lambda_gp)
                     : 0.0f;
  info->gp = gp;
  info->d_loss = real_loss + fake_loss + gp;
  if (!isfinite (info->d_loss) || info->d_loss > tr->divergence_limit)
    return fail_nan (error, tr->step, "discriminator's loss", info->d_loss);
  dv_adam_step (&tr->disc_adam, d->params.data, d->params.grad, tr->cfg.d_lr);
  return TRUE;
}

static gboolean
train_step (DvToyTrainer *tr, DvToyStepInfo *info, GError **error)
{
  DvToyDenoiser *m = &tr->model;
  const int B = prepare_batch (tr, tr->step);
  const size_t b2 = 2 * (size_t) B;
  memset (info, 0, sizeof *info);

  dv_toy_denoiser_forward (m, m->params.data, tr->table, &tr->work, tr->xt, tr->t, B, tr->eps_hat);
  info->mse = dv_mse_forward (tr->eps_hat, tr->noise, b2);
  memset (tr->deps, 0, sizeof (float) * b2);
  dv_mse_backward (tr->deps, tr->eps_hat, tr->noise, b2, 1.0f);
  info->loss = info->mse;

  if (tr->gan)
    {
      make_fake (tr, B);
      if (!discriminator_step (tr, B, info, error))
        return FALSE;
      /* With fake = x_t the term's gradient w.r.t. the denoiser is exactly 0: skip that backward. */
      info->adv = adversarial_term (tr, B, tr->cfg.fake == DV_TOY_FAKE_X0);
      info->loss = info->mse + tr->cfg.lambda_adv * info->adv;
    }
  if (!isfinite (info->loss) || info->mse > tr->divergence_limit)
    return fail_nan (error, tr->step, "loss", info->loss);

  dv_params_zero_grad (&m->params);
  dv_toy_denoiser_backward (m, m->params.data, m->params.grad, &tr->work, tr->t, B, tr->deps);
  info->grad_norm = dv_clip_grad_norm (m->params.grad, m->params.count, tr->cfg.grad_clip);
  if (!isfinite (info->grad_norm))
    return fail_nan (error, tr->step, "gradient norm", info->grad_norm);

  /* CosineAnnealingLR is stepped after the optimiser: step s uses lr(s). */
  info->lr = dv_cosine_lr (tr->cfg.lr, tr->step, tr->cfg.steps, 0.0f);
  dv_adam_step (&tr->adam, m->params.data, m->params.grad, info->lr);
  dv_ema_update (&tr->ema, m->params.data);
  dv_toy_denoiser_time_table (m, m->params.data, tr->table);
  tr->step++;
  info->step = tr->step;
  info->total = tr->cfg.steps;
  return TRUE;
}

gboolean
dv_toy_trainer_train (DvToyTrainer *tr, gint64 max_steps, DvToyStepFunc on_step, gpointer user_data,
                      GCancellable *cancellable, GError **error)
{
  const gint64 end = MIN (tr->cfg.steps, tr->step + MAX (max_steps, 0));
  while (tr->step < end)
    {
      if (dv_check_cancelled (cancellable, error))
        return FALSE;
      DvToyStepInfo info;
      if (!train_step (tr, &info, error))
        return FALSE;
      if (on_step != NULL)
        on_step (&info, user_data);
    }
  return TRUE;
}

void
dv_toy_trainer_adversarial_gradient (DvToyTrainer *tr, float *grad_out)
{
  DV_CHECK (tr->gan, "dv_toy_trainer_adversarial_gradient: the trainer has no discriminator");
  DvToyDenoiser *m = &tr->model;
  const int B = prepare_batch (tr, tr->step);
  dv_toy_denoiser_forward (m, m->params.data, tr->table, &tr->work, tr->xt, tr->t, B, tr->eps_hat);
  make_fake (tr, B);
  memset (tr->deps, 0, sizeof (float) * 2 * (size_t) B);
  adversarial_term (tr, B, TRUE);
  memset (grad_out, 0, sizeof (float) * m->params.count);
  dv_toy_denoiser_backward (m, m->params.data, grad_out, &tr->work, tr->t, B, tr->deps);
}

int
dv_toy_trainer_current_batch (DvToyTrainer *tr, float *xt, int *t)
{
  const int B = prepare_batch (tr, tr->step);
  memcpy (xt, tr->xt, sizeof (float) * 2 * (size_t) B);
  memcpy (t, tr->t, sizeof (int) * (size_t) B);
  return B;
}

gboolean
dv_toy_trainer_sample (DvToyTrainer *tr, gboolean use_ema, const DvToySamplerConfig *sampler, float *x, int n,
                       float *snapshots, DvProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                       GError **error)
{
  const float *weights = use_ema ? tr->ema.shadow : tr->model.params.data;
  return dv_toy_sample (&tr->model, weights, &tr->sched, sampler, x, n, snapshots, progress, progress_data,
                        cancellable, error);
}

gboolean
dv_toy_trainer_eval_loss (DvToyTrainer *tr, double *loss, DvProgressFunc progress, gpointer progress_data,
                          GCancellable *cancellable, GError **error)
{
  DvToyDenoiser *m = &tr->model;
  const int B = tr->cfg.batch_size;
  double sum = 0.0;
  for (gint64 batch = 0; batch < tr->batches_per_epoch; batch++)
    {
      if (dv_check_cancelled (cancellable, error))
        return FALSE;
      const size_t first = (size_t) batch * (size_t) B;
      const int rows = (int) MIN ((size_t) B, tr->n - first);
      DvRng rng;
      dv_rng_init_stream (&rng, tr->cfg.seed, STREAM_EVAL + (guint64) batch);
      for (int b = 0; b < rows; b++)
        tr->t[b] = (int) dv_rng_below (&rng, (guint64) tr->cfg.T);
      dv_rng_fill_normal (&rng, tr->noise, 2 * (size_t) rows);
      dv_ddpm_add_noise (&tr->sched, tr->t, tr->data + 2 * first, tr->noise, rows, 2, tr->xt);
      dv_toy_denoiser_forward (m, m->params.data, tr->table, &tr->work, tr->xt, tr->t, rows, tr->eps_hat);
      sum += dv_mse_forward (tr->eps_hat, tr->noise, 2 * (size_t) rows);
      if (progress != NULL && (batch % 64 == 63 || batch + 1 == tr->batches_per_epoch))
        {
          DvProgress p = { "eval", batch + 1, tr->batches_per_epoch };
          progress (&p, progress_data);
        }
    }
  *loss = sum / (double) tr->batches_per_epoch;
  return TRUE;
}

/* ---- checkpoints ---- */

static void
add_params (DvSafetensorsWriter *w, const char *prefix, const DvParams *layout, const float *data)
{
  for (guint i = 0; i < dv_params_n_tensors (layout); i++)
    {
      const DvParamInfo *info = dv_params_info (layout, i);
      g_autofree char *name = g_strconcat (prefix, info->name, NULL);
      dv_safetensors_writer_add (w, name, DV_DTYPE_F32, info->ndim, info->shape, data + info->offset);
    }
}

static void
add_flat (DvSafetensorsWriter *w, const char *name, const float *data, size_t n)
{
  int shape[1] = { (int) n };
  dv_safetensors_writer_add (w, name, DV_DTYPE_F32, 1, shape, data);
}

static void
set_meta_int (DvSafetensorsWriter *w, const char *key, gint64 value)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  dv_safetensors_writer_set_metadata (w, key, buf);
}

gboolean
dv_toy_trainer_save (DvToyTrainer *tr, const char *path, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const DvParams *p = &tr->model.params;
  add_params (w, "", p, tr->ema.shadow);
  add_params (w, "train.online.", p, p->data);
  add_flat (w, "train.adam_m", tr->adam.m, p->count);
  add_flat (w, "train.adam_v", tr->adam.v, p->count);
  if (tr->gan)
    {
      const DvParams *dp = &tr->disc.params;
      add_params (w, "train.disc.", dp, dp->data);
      add_flat (w, "train.disc_adam_m", tr->disc_adam.m, dp->count);
      add_flat (w, "train.disc_adam_v", tr->disc_adam.v, dp->count);
    }
  g_autofree char *config = dv_toy_train_config_to_json_string (&tr->cfg);
  dv_safetensors_writer_set_metadata (w, "format", CHECKPOINT_FORMAT);
  dv_safetensors_writer_set_metadata (w, "config", config);
  set_meta_int (w, "step", tr->step);
  set_meta_int (w, "ema_step", tr->ema.step);
  set_meta_int (w, "adam_t", tr->adam.t);
  set_meta_int (w, "disc_adam_t", tr->gan ? tr->disc_adam.t : 0);
  return dv_safetensors_writer_save (w, path, error);
}

static gboolean
read_params (DvSafetensors *st, const char *prefix, const DvParams *layout, float *data, GError **error)
{
  for (guint i = 0; i < dv_params_n_tensors (layout); i++)
    {
      const DvParamInfo *info = dv_params_info (layout, i);
      g_autofree char *name = g_strconcat (prefix, info->name, NULL);
      if (!dv_safetensors_read (st, name, info->ndim, info->shape, data + info->offset, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_flat (DvSafetensors *st, const char *name, float *data, size_t n, GError **error)
{
  int shape[1] = { (int) n };
  return dv_safetensors_read (st, name, 1, shape, data, error);
}

static gboolean
meta_int (DvSafetensors *st, const char *path, const char *key, gint64 *value, GError **error)
{
  const char *s = dv_safetensors_metadata (st, key);
  if (s == NULL || !g_ascii_string_to_signed (s, 10, 0, G_MAXINT64, value, NULL))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: the checkpoint's “%s” is missing or malformed", path, key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
checkpoint_config (DvSafetensors *st, const char *path, DvToyTrainConfig *cfg, GError **error)
{
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), CHECKPOINT_FORMAT) != 0 ||
      dv_safetensors_metadata (st, "config") == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a Playground training checkpoint", path);
      return FALSE;
    }
  return dv_toy_train_config_from_json_string (cfg, dv_safetensors_metadata (st, "config"), error);
}

gboolean
dv_toy_checkpoint_read_config (const char *path, DvToyTrainConfig *cfg, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  return st != NULL && checkpoint_config (st, path, cfg, error);
}

DvToyTrainer *
dv_toy_trainer_load (const char *path, const float *xy, size_t n, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return NULL;
  DvToyTrainConfig cfg;
  if (!checkpoint_config (st, path, &cfg, error))
    return NULL;
  gint64 step, ema_step, adam_t, disc_adam_t;
  if (!meta_int (st, path, "step", &step, error) || !meta_int (st, path, "ema_step", &ema_step, error) ||
      !meta_int (st, path, "adam_t", &adam_t, error) || !meta_int (st, path, "disc_adam_t", &disc_adam_t, error))
    return NULL;
  g_autoptr (DvToyTrainer) tr = dv_toy_trainer_new (&cfg, xy, n, error);
  if (tr == NULL)
    return NULL;
  DvParams *p = &tr->model.params;
  if (!read_params (st, "", p, tr->ema.shadow, error) || !read_params (st, "train.online.", p, p->data, error) ||
      !read_flat (st, "train.adam_m", tr->adam.m, p->count, error) ||
      !read_flat (st, "train.adam_v", tr->adam.v, p->count, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (tr->gan)
    {
      DvParams *dp = &tr->disc.params;
      if (!read_params (st, "train.disc.", dp, dp->data, error) ||
          !read_flat (st, "train.disc_adam_m", tr->disc_adam.m, dp->count, error) ||
          !read_flat (st, "train.disc_adam_v", tr->disc_adam.v, dp->count, error))
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
      tr->disc_adam.t = disc_adam_t;
    }
  tr->step = step;
  tr->ema.step = ema_step;
  tr->adam.t = adam_t;
  dv_toy_denoiser_time_table (&tr->model, p->data, tr->table);
  return g_steal_pointer (&tr);
}

gboolean
dv_toy_checkpoint_check (const char *path, GError **error)
{
  /* Any points will do: the check is of the file, not of the data it trains on. */
  static const float xy[2 * 10] = { 0 };
  DvToyTrainer *tr = dv_toy_trainer_load (path, xy, 10, error);
  if (tr == NULL)
    return FALSE;
  dv_toy_trainer_free (tr);
  return TRUE;
}
