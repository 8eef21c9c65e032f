/* The view classifiers of DiMViDA's Votes (views-votes digest, sections B and C):
 * one image in, class logits out, behind one interface so that the trainer,
 * the mean vote, the CLI and the app do not care which network runs.
 *
 *   images [B][3][S][S] RGB in [0, 1] (the autoencoder's layout; any input
 *   normalisation is fixed inside the network), logits [B][n_classes].
 *
 * Architectures (each scaled by a width multiplier so that a training run fits
 * two CPU cores):
 *   resnet18   BasicBlocks 2-2-2-2, widths 64-128-256-512 × width, the
 *              small-input stem (3×3 stride 1, no max-pool), global average
 *              pool, Linear.
 *   mobilenet  MobileNetV3-Small, torchvision's block table, channels × width
 *              (make_divisible 8), Dropout before the last Linear.
 * Trainable tensors live in params (one DvParams, llm.c style); BatchNorm's
 * running means and variances in running_stats (not trained, saved beside
 * them). Tensor names equal the PyTorch twin's state_dict keys
 * (python/dimvida_torch/classifiers.py). */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

typedef enum {
  DV_CLASSIFIER_RESNET18,
  DV_CLASSIFIER_MOBILENET,
  DV_N_CLASSIFIER_ARCHS,
} DvClassifierArch;

/* "resnet18", "mobilenet" (the CLI's and the files' identifiers). */
const char *dv_classifier_arch_name (DvClassifierArch arch);
gboolean dv_classifier_arch_from_name (const char *name, DvClassifierArch *arch, GError **error);

typedef struct {
  DvClassifierArch arch;
  double width;      /* width multiplier (1.0 = torchvision's widths) */
  int n_classes;     /* 13 */
  int image_size;    /* 64 */
  float dropout;     /* mobilenet's classifier dropout (0.2); unused by resnet18 */
} DvClassifierConfig;

/* The widths shipped for `arch` (chosen so that one run takes ≤ 20 min here). */
void dv_classifier_config_init (DvClassifierConfig *config, DvClassifierArch arch);
gboolean dv_classifier_config_check (const DvClassifierConfig *config, GError **error);
char *dv_classifier_config_to_json (const DvClassifierConfig *config);
gboolean dv_classifier_config_from_json (DvClassifierConfig *config, const char *json, GError **error);

typedef struct DvClassifier DvClassifier;

/* Registers and allocates the parameters; the config must be valid. */
DvClassifier *dv_classifier_new (const DvClassifierConfig *config);
void dv_classifier_free (DvClassifier *classifier);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvClassifier, dv_classifier_free)

const DvClassifierConfig *dv_classifier_get_config (const DvClassifier *classifier);
DvParams *dv_classifier_params (DvClassifier *classifier);
DvParams *dv_classifier_running_stats (DvClassifier *classifier);
/* torchvision's initialisation, drawn from seed; running means 0, variances 1. */
void dv_classifier_init_weights (DvClassifier *classifier, guint64 seed);

/* Activations for batches of up to `batch` images, allocated once. */
typedef struct DvClassifierBuffers DvClassifierBuffers;
DvClassifierBuffers *dv_classifier_buffers_new (const DvClassifier *classifier, int batch);
void dv_classifier_buffers_free (DvClassifierBuffers *buf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvClassifierBuffers, dv_classifier_buffers_free)
int dv_classifier_buffers_batch (const DvClassifierBuffers *buf);

/* logits [B][n_classes] from images [B][3][S][S], B ≤ the buffers' batch. params: the classifier's
 * params.data or a copy (EMA). training: BatchNorm on batch statistics, updating running_stats
 * with PyTorch's semantics, dropout drawn from rng; else running statistics, no dropout (rng may be NULL). */
void dv_classifier_forward (DvClassifier *classifier, const float *params, DvClassifierBuffers *buf, float *logits,
                            const float *images, int B, gboolean training, DvRng *rng);
/* After a training forward with the same buffers: grads += ∂L/∂params for dlogits = ∂L/∂logits. */
void dv_classifier_backward (const DvClassifier *classifier, const float *params, float *grads,
                             DvClassifierBuffers *buf, const float *dlogits, int B);

/* The file: params and running_stats by their names, metadata "format" = "dimvida-classifier-1" and
 * "classifier_config"; extra_metadata (may be NULL) joins it. Atomic. */
gboolean dv_classifier_save (const DvClassifier *classifier, const char *path, GHashTable *extra_metadata,
                             GError **error);
/* Refuses another format, a wrong shape, a missing or non-finite tensor, naming it. metadata_out may be NULL. */
DvClassifier *dv_classifier_load (const char *path, GHashTable **metadata_out, GError **error);

G_END_DECLS
