/* Training a view classifier (votes/classifier.h) on an image set (c for Ω_s,
 * ca for Ω_m: votes/dataset.h): softmax cross-entropy, Adam with a linear
 * warm-up and cosine decay, optional gradient clipping, light augmentation
 * (mirror, small shifts); at the end BatchNorm's running statistics are
 * recomputed for the final weights (torch.optim.swa_utils.update_bn's way). Deterministic for a seed, kernel and thread count,
 * and exactly resumable: the sample order, the augmentation and the dropout
 * derive from (seed, step) alone, and a checkpoint holds the weights, the
 * BatchNorm running statistics and Adam's state. */
#pragma once

#include "votes/classifier.h"
#include "votes/dataset.h"

G_BEGIN_DECLS

typedef struct {
  DvClassifierConfig model;
  DvVotesAugment augment;  /* flip, shift 4 */
  int batch;               /* 128 (the paper's) */
  float lr;                /* 2e-3 peak (the paper: 1e-5, far too slow for a 20-minute run) */
  float weight_decay;      /* Adam's L2 term (PyTorch's weight_decay): 0 */
  int warmup_steps;        /* 100 */
  gint64 steps;            /* schedule length (cosine to lr/50): 3000 */
  double minutes;          /* wall-clock budget, 0 = none: stops with a checkpoint, resumable */
  float clip_norm;         /* 5.0; 0 = none */
  guint64 seed;            /* 1: weights, order, augmentation, dropout */
  int checkpoint_seconds;  /* 180 */
  int bn_batches;          /* batches of BatchNorm recalibration for the saved classifier: 16; 0 = none */
  /* NULL: torchvision's initialisation from seed; else a classifier of the same config whose weights and running
   * statistics the run starts from (fine-tuning). Not part of the JSON: a checkpoint holds the weights. */
  const DvClassifier *init;
} DvClassifierTrainConfig;

/* For arch, with dv_classifier_config_init's widths. */
void dv_classifier_train_config_init (DvClassifierTrainConfig *config, DvClassifierArch arch);
gboolean dv_classifier_train_config_check (const DvClassifierTrainConfig *config, GError **error);
char *dv_classifier_train_config_to_json (const DvClassifierTrainConfig *config);
gboolean dv_classifier_train_config_from_json (DvClassifierTrainConfig *config, const char *json, GError **error);

typedef struct {
  gint64 step, total;
  float loss, loss_avg;  /* this step's; a running mean over ~100 steps */
  float accuracy_avg;    /* training batches' accuracy, the same running mean */
  float lr;
  double seconds, step_seconds;
} DvClassifierTrainProgress;

typedef void (*DvClassifierTrainProgressFunc) (const DvClassifierTrainProgress *progress, gpointer user_data);

/* Trains on train (its images must be the model's size, its labels below n_classes). Writes into out_dir:
 * checkpoint.safetensors (every checkpoint_seconds, at the end, on cancel and on divergence),
 * classifier.safetensors (dv_classifier_save, with extra_metadata, may be NULL) and losses.csv.
 * resume: a checkpoint to continue from (its config wins, but for minutes and checkpoint_seconds), or NULL.
 * On NaN/inf the last good weights are kept and DV_ERROR_NAN returned, naming the step. */
gboolean dv_classifier_train (const DvClassifierTrainConfig *config, const DvVotesDataset *train,
                              const char *out_dir, const char *resume, GHashTable *extra_metadata,
                              DvClassifierTrainProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                              GError **error);

/* The step a checkpoint was written at, or -1 with an error. */
gint64 dv_classifier_train_checkpoint_step (const char *path, GError **error);

G_END_DECLS
