/* Training the masked multi-time score model on the view latents of split d
 * (encoded once by the autoencoder): latents standardised with the whole
 * set's statistics, masked batches (diffusion/masked_loss.h), Adam with a
 * short warm-up and cosine decay, gradient clipping, an EMA of the weights.
 * Deterministic for a seed, kernel and thread count, and exactly resumable:
 * the object order, times, masks and noise derive from (seed, step) alone. */
#pragma once

#include "diffusion/masked_loss.h"
#include "views/score_model.h"

G_BEGIN_DECLS

typedef struct {
  DvScoreNetConfig model;
  DvMaskedLossConfig mask;
  int batch;               /* 256 */
  float lr;                /* 3e-4 peak */
  int warmup_steps;        /* 200 */
  gint64 steps;            /* schedule length (cosine to lr/20): 36000 */
  double minutes;          /* wall-clock budget, 0 = none: stops with a checkpoint, resumable */
  float ema_beta;          /* 0.999; 0 = no EMA */
  float clip_norm;         /* 1.0; 0 = none */
  guint64 seed;            /* 1 */
  int checkpoint_seconds;  /* 240 */
} DvScoreTrainConfig;

void dv_score_train_config_init (DvScoreTrainConfig *config);
gboolean dv_score_train_config_check (const DvScoreTrainConfig *config, GError **error);

typedef struct {
  gint64 step, total;
  float loss, loss_avg, lr;
  double seconds, step_seconds;
} DvScoreTrainProgress;

typedef void (*DvScoreTrainProgressFunc) (const DvScoreTrainProgress *progress, gpointer user_data);

/* Trains on latents[n][V][L] (raw; config->model gives V and L). Writes into
 * out_dir: checkpoint.safetensors (online and EMA weights, Adam state, step,
 * statistics; every checkpoint_seconds and at the end), score.safetensors (the
 * model: EMA weights when on) and losses.csv. resume: a checkpoint to continue
 * from (its config wins), or NULL. On NaN/inf the last good weights are saved
 * and DV_ERROR_NAN returned, naming the step; a cancelled run leaves its
 * checkpoint too. extra_metadata (may be NULL)
 * goes into score.safetensors (provenance). */
gboolean dv_score_train (const DvScoreTrainConfig *config, const float *latents, size_t n, const char *out_dir,
                         const char *resume, GHashTable *extra_metadata, DvScoreTrainProgressFunc progress,
                         gpointer user_data, GCancellable *cancellable, GError **error);

G_END_DECLS
