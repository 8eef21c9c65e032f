/* Training the view autoencoder on split d: every view of every object, L1
 * loss (the Laplace likelihood up to its constant and scale), Adam with a short
 * warm-up and cosine decay, light augmentation that keeps the view (a shift of
 * a few pixels, white fill; never a flip, which would swap left and right).
 * Deterministic for a seed, kernel and thread count, and exactly resumable:
 * sample order and augmentation derive from (seed, step) alone. */
#pragma once

#include "views/multiview.h"
#include "views/autoencoder.h"

G_BEGIN_DECLS

/* The most steps a run may ask for (as the toy and score trainers allow). */
#define DV_AE_MAX_STEPS G_GINT64_CONSTANT (100000000)

typedef struct {
  DvAutoencoderConfig model;
  int batch;          /* 64 */
  float lr;           /* 2e-3 peak */
  int warmup_steps;   /* 200 */
  gint64 steps;       /* schedule length (cosine to lr/50 at the end) */
  double minutes;     /* wall-clock budget, 0 = none: stops with a checkpoint, resumable */
  guint64 seed;       /* 1 */
  int threads;        /* 2 */
  int checkpoint_seconds; /* 240 */
  int max_shift;      /* 2 pixels */
} DvAeTrainConfig;

void dv_ae_train_config_init (DvAeTrainConfig *config);
gboolean dv_ae_train_config_check (const DvAeTrainConfig *config, GError **error);

typedef struct {
  gint64 step, total;
  float loss;         /* mean absolute error of this step's batch */
  float loss_avg;     /* its running mean over the last ~100 steps */
  float lr;
  double seconds;     /* this run's wall time so far */
  double step_seconds;
} DvAeTrainProgress;

typedef void (*DvAeTrainProgressFunc) (const DvAeTrainProgress *progress, gpointer user_data);

/* Trains on `set` (split d). Writes into out_dir: checkpoint.safetensors (weights, Adam state, step; every
 * checkpoint_seconds and at the end), autoencoder.safetensors (the weights alone, F32) and losses.csv.
 * resume: a checkpoint to continue from (its config wins), or NULL. On NaN/inf the weights of the last good
 * step are saved and a DV_ERROR_NAN error returned. */
gboolean dv_ae_train (const DvAeTrainConfig *config, const DvMultiviewSet *set, const char *out_dir,
                      const char *resume, DvAeTrainProgressFunc progress, gpointer user_data,
                      GCancellable *cancellable, GError **error);

/* Saves the weights (F32 or F16) with the config in the metadata, atomically. */
gboolean dv_autoencoder_save (const DvAutoencoder *ae, const char *path, gboolean f16, GHashTable *extra_metadata,
                              GError **error);

/* One view as a CHW float image in [0, 1]: src is [S][S][3] bytes. */
void dv_ae_view_to_chw (float *dst, const guint8 *src, int size);

G_END_DECLS
