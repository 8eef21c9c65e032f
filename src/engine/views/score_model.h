/* A trained masked score model as the app and the CLI use it: the network's
 * weights (EMA when trained with one), the per-view, per-dimension latent
 * statistics it was trained on, and the VP-SDE; one safetensors file.
 *
 * Latents are standardised with the whole training set's statistics
 * (z − mean) / std — the MLD code takes them from its first batch only. */
#pragma once

#include "diffusion/masked_sampler.h"
#include "views/score_net.h"

G_BEGIN_DECLS

typedef struct {
  int n_views, latent_dim;
  float *mean, *std;  /* [V][L] each */
} DvLatentStats;

/* Mean and standard deviation (biased, at least 1e-4) of latents[n][V][L] per view and dimension. */
void dv_latent_stats_compute (DvLatentStats *stats, const float *latents, size_t n, int n_views, int latent_dim);
void dv_latent_stats_clear (DvLatentStats *stats);
/* In place, rows of [V][L]. */
void dv_latent_stats_standardize (const DvLatentStats *stats, float *z, size_t rows);
void dv_latent_stats_unstandardize (const DvLatentStats *stats, float *z, size_t rows);

typedef struct {
  DvScoreNet *net;
  float *weights;  /* what the sampler uses: net->params.data */
  /* Their Linear weights in BF16 (dv_score_net_bf16_weights_new), made from
   * weights by the first BF16 generation on a CPU that runs the BF16 kernel. */
  DvBf16 *weights_bf16;
  DvLatentStats stats;
  DvVpSde sde;
} DvScoreModel;

/* Takes ownership of nothing: copies the weights and stats. */
DvScoreModel *dv_score_model_new (const DvScoreNet *net, const float *weights, const DvLatentStats *stats);
void dv_score_model_free (DvScoreModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvScoreModel, dv_score_model_free)

/* The file: the network's tensors by their names, "latent_mean" and
 * "latent_std" [V][L], metadata "format" = "dimvida-score-model-1" and
 * "score_net_config"; extra_metadata (may be NULL) joins it. Atomic. */
gboolean dv_score_model_save (const DvScoreModel *model, const char *path, gboolean f16, GHashTable *extra_metadata,
                              GError **error);
/* Refuses another network's file, a wrong shape or a missing tensor, naming it. */
DvScoreModel *dv_score_model_load (const char *path, GError **error);

/* The precision a generation asked for `requested` runs in here: BF16 needs
 * the AVX512-BF16 kernel (dv_linear_bf16_fast); elsewhere F32. */
DvPrecision dv_score_model_precision (const DvScoreModel *model, DvPrecision requested);
/* What `views generate`, `views eval` and the app sample in unless told otherwise: BF16, measured 5× faster at
 * batch 1 with Table I unchanged (bench/RESULTS-views.md, docs/results.md). The engine's sampler config stays F32
 * (exact) by default, so callers that cache samples (votes) opt in themselves. */
#define DV_SCORE_MODEL_SAMPLING_PRECISION DV_PRECISION_BF16

/* Generation in standardised latent space (sampler->precision: F32 or BF16 Linear weights, see above): given[V][L] raw latents (only
 * given_mask's views read), out[K][V][L] raw latents; on_step sees
 * standardised states (unstandardise with dv_latent_stats_unstandardize). */
gboolean dv_score_model_generate (DvScoreModel *model, const DvMaskedSamplerConfig *sampler, const float *given,
                                  guint given_mask, int variations, DvMaskedSamplerStepFunc on_step,
                                  gpointer step_data, float *out, GCancellable *cancellable, GError **error);
/* One given set per row: given[K][V][L] raw latents, out[K][V][L] (an evaluation's batch of objects). */
gboolean dv_score_model_generate_rows (DvScoreModel *model, const DvMaskedSamplerConfig *sampler, const float *given,
                                       guint given_mask, int rows, DvMaskedSamplerStepFunc on_step,
                                       gpointer step_data, float *out, GCancellable *cancellable, GError **error);

G_END_DECLS
