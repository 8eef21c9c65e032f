/* Training the 2D denoiser, optionally against a discriminator (the
 * GAN-diffusion paper), as a stepping object so the app can train live:
 * create a DvToyTrainer, call dv_toy_trainer_train for N steps at a time,
 * sample the EMA model whenever it likes, save and resume checkpoints.
 *
 * Per step (the seed's recipe): a batch of B points from a shuffled pass over
 * the data, t ~ U{0..T−1} and ε ~ N(0, I) per point, x_t = √ᾱ x₀ + √(1−ᾱ) ε,
 * loss = MSE(ε̂, ε); AdamW with a cosine learning rate over the run, gradient
 * norm clipped, EMA of the weights. With the discriminator D:
 *   fake = x̂₀ = (x_t − √(1−ᾱ) ε̂)/√ᾱ (DV_TOY_FAKE_X0; depends on the denoiser) or
 *   fake = x_t (DV_TOY_FAKE_NOISY, the published code; gives the denoiser no gradient),
 *   D step: BCE(D(x₀), 1) + BCE(D(fake), 0) + λ_gp·GP on interpolates of x₀ and fake;
 *   denoiser loss: MSE + λ_adv·BCE(D(fake), 1) with the updated D.
 * Everything random derives from the seed and the step number, so a resumed
 * run continues exactly as an uninterrupted one would.
 *
 * A trainer is not thread-safe: call train, sample, eval and save from one
 * thread at a time (e.g. the app's worker, sampling between chunks of steps). */
#pragma once

#include "diffusion/noise_schedule.h"
#include "toy/denoiser.h"
#include "toy/discriminator.h"
#include "toy/sampler.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum { DV_TOY_FAKE_X0, DV_TOY_FAKE_NOISY } DvToyFake;

const char *dv_toy_fake_to_string (DvToyFake fake);
/* "x0" or "noisy". */
gboolean dv_toy_fake_from_string (const char *name, DvToyFake *fake, GError **error);

typedef struct {
  DvScheduleKind schedule;
  int T;
  float beta_start, beta_end;
  int emb_dim, hidden, blocks;
  int batch_size;
  gint64 steps;       /* the run's length: the cosine LR reaches 0 here */
  float lr, weight_decay, grad_clip;
  float ema_beta;
  int ema_every, ema_after;
  float ema_power;
  guint64 seed;
  gboolean gan;
  DvToyFake fake;
  float lambda_adv, lambda_gp, d_lr;
  int d_hidden, d_layers;
} DvToyTrainConfig;

/* The seed's defaults: linear, T 100, 128/256/3, batch 256, 10,000 steps,
 * AdamW 3e-4 (wd 0.01), clip 0.5, EMA .995/10/100/(2/3), seed 42; GAN off,
 * fake x0, λ_adv 1, λ_gp 10, D lr 1.5e-4, D 256 × 6. */
void dv_toy_train_config_init (DvToyTrainConfig *cfg);
gboolean dv_toy_train_config_check (const DvToyTrainConfig *cfg, GError **error);
/* Adds the config's members to a builder inside an object. */
void dv_toy_train_config_to_json (const DvToyTrainConfig *cfg, JsonBuilder *builder);
char *dv_toy_train_config_to_json_string (const DvToyTrainConfig *cfg);
gboolean dv_toy_train_config_from_json_string (DvToyTrainConfig *cfg, const char *json, GError **error);

typedef struct {
  gint64 step;     /* steps done, this one included */
  gint64 total;    /* cfg.steps */
  float loss;      /* the denoiser's loss: mse + λ_adv·adv */
  float mse;
  float adv;       /* BCE(D(fake), 1); 0 without GAN */
  float d_loss;    /* D's BCE + λ_gp·GP; 0 without GAN */
  float gp;        /* λ_gp·GP */
  float lr;        /* the learning rate this step used */
  float grad_norm; /* the denoiser's gradient norm before clipping */
} DvToyStepInfo;

typedef void (*DvToyStepFunc) (const DvToyStepInfo *info, gpointer user_data);

typedef struct _DvToyTrainer DvToyTrainer;

/* Copies the points xy[n][2]. */
DvToyTrainer *dv_toy_trainer_new (const DvToyTrainConfig *cfg, const float *xy, size_t n, GError **error);
void dv_toy_trainer_free (DvToyTrainer *trainer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvToyTrainer, dv_toy_trainer_free)

/* Runs up to max_steps steps (stopping at cfg.steps), calling on_step (may be
 * NULL) after each. FALSE with DV_ERROR_CANCELLED when cancelled, or
 * DV_ERROR_NAN when a loss or gradient is not finite, or a loss (the
 * denoiser's MSE, the discriminator's) is above the divergence limit: that
 * step is not applied, so the weights stay those of the last good step. */
gboolean dv_toy_trainer_train (DvToyTrainer *trainer, gint64 max_steps, DvToyStepFunc on_step, gpointer user_data,
                               GCancellable *cancellable, GError **error);

/* The MSE of ε̂ starts near 1 (ε̂ = 0 scores 1); a loss above this has left
 * any sensible course, and flattens every other curve on a shared chart. */
#define DV_TOY_DIVERGED_LOSS 1e4
/* The limit above which a loss stops training (DV_TOY_DIVERGED_LOSS unless set). */
void dv_toy_trainer_set_divergence_limit (DvToyTrainer *trainer, double limit);

gint64 dv_toy_trainer_get_step (const DvToyTrainer *trainer);
const DvToyTrainConfig *dv_toy_trainer_get_config (const DvToyTrainer *trainer);
const DvNoiseSchedule *dv_toy_trainer_get_schedule (const DvToyTrainer *trainer);
DvToyDenoiser *dv_toy_trainer_get_model (DvToyTrainer *trainer);
DvToyDiscriminator *dv_toy_trainer_get_discriminator (DvToyTrainer *trainer);
/* The EMA weights, laid out like the model's params. */
const float *dv_toy_trainer_get_ema_weights (const DvToyTrainer *trainer);
const float *dv_toy_trainer_get_data (const DvToyTrainer *trainer, size_t *n);

/* Reverse process with the EMA (use_ema) or online weights from x[n][2]
 * (in: noise; out: samples); see dv_toy_sample. */
gboolean dv_toy_trainer_sample (DvToyTrainer *trainer, gboolean use_ema, const DvToySamplerConfig *sampler,
                                float *x, int n, float *snapshots, DvProgressFunc progress, gpointer progress_data,
                                GCancellable *cancellable, GError **error);

/* The seed's eval_loss: mean over one pass of the data (batches of
 * batch_size, the last one partial) of each batch's ε-MSE, online weights,
 * fresh t and ε drawn from the seed. */
gboolean dv_toy_trainer_eval_loss (DvToyTrainer *trainer, double *loss, DvProgressFunc progress,
                                   gpointer progress_data, GCancellable *cancellable, GError **error);

/* The gradient w.r.t. the denoiser's parameters (into grad_out, laid out like
 * params) of the adversarial term λ_adv·BCE(D(fake), 1) alone on the batch of
 * the current step, with nothing updated. Needs cfg.gan. For tests and
 * teaching: non-zero for DV_TOY_FAKE_X0, exactly zero for DV_TOY_FAKE_NOISY. */
void dv_toy_trainer_adversarial_gradient (DvToyTrainer *trainer, float *grad_out);
/* The batch of the current step, the one dv_toy_trainer_adversarial_gradient
 * uses: x_t[B][2] and t[B] into buffers of cfg.batch_size; returns B. For
 * tests that differentiate the adversarial term themselves. */
int dv_toy_trainer_current_batch (DvToyTrainer *trainer, float *xt, int *t);

/* A safetensors checkpoint: "network.*" holds the EMA weights (the model to
 * sample with), "train.*" the online weights, optimiser moments and the
 * discriminator; metadata the config (JSON) and the counters. */
gboolean dv_toy_trainer_save (DvToyTrainer *trainer, const char *path, GError **error);
/* Resumes from a checkpoint on the given data (the config comes from the file). */
DvToyTrainer *dv_toy_trainer_load (const char *path, const float *xy, size_t n, GError **error);
/* Reads only the config stored in a checkpoint. */
gboolean dv_toy_checkpoint_read_config (const char *path, DvToyTrainConfig *cfg, GError **error);
/* Loads the whole checkpoint (every tensor present, of its shape, finite) and
 * drops it: TRUE if dv_toy_trainer_load would accept it. A few ms for the
 * shipped models: callers refuse a bad file before changing anything. */
gboolean dv_toy_checkpoint_check (const char *path, GError **error);

G_END_DECLS
