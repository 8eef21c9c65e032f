/* Subcommands of `dimvida`; each parses its own options and returns an exit status. */
#pragma once

#include <glib.h>

#include "views/autoencoder.h"
#include "views/latents.h"
#include "views/multiview.h"
#include "views/score_model.h"
#include "votes/classifier.h"
#include "votes/dataset.h"

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} DvCommand;

int dv_cmd_toy (int argc, char **argv);
int dv_cmd_views (int argc, char **argv);
/* inspect_cmd.c: dimvida inspect FILE… */
int dv_cmd_inspect (int argc, char **argv);
/* views_ae_cmd.c: the view autoencoder's subcommands of `dimvida views`. */
int dv_cmd_views_train_ae (int argc, char **argv);
int dv_cmd_views_reconstruct (int argc, char **argv);
int dv_cmd_views_encode (int argc, char **argv);
int dv_cmd_views_decode (int argc, char **argv);
int dv_cmd_views_eval_ae (int argc, char **argv);
int dv_cmd_views_export_ae (int argc, char **argv);
int dv_cmd_views_bench_conv (int argc, char **argv);
/* views_score_cmd.c: the masked score model's subcommands. */
int dv_cmd_views_train_score (int argc, char **argv);
int dv_cmd_views_generate (int argc, char **argv);
int dv_cmd_views_eval (int argc, char **argv);
int dv_cmd_views_bench_score (int argc, char **argv);
/* views_map_cmd.c: the latent map the Views page draws on. */
int dv_cmd_views_latent_map (int argc, char **argv);

/* Helpers of views_ae_cmd.c shared with views_score_cmd.c. */
/* The autoencoder at path, or the shipped one (weights/views/autoencoder.safetensors) when path is NULL. */
DvAutoencoder *dv_cli_load_autoencoder (const char *path, GError **error);
/* A CHW view in [0, 1] as HWC, clamped. */
void dv_cli_chw_to_hwc (float *dst, const float *src, int size);
/* Median of v[n] (sorts v). */
double dv_cli_median (double *v, int n);
/* views_score_cmd.c, shared with views_eval_cmd.c. */
/* The score model at path, or the shipped one (weights/views/score.safetensors) when path is NULL. */
DvScoreModel *dv_cli_load_score_model (const char *path, GError **error);
/* DIR/<split>.dvmv, refused unless its views are the autoencoder's size. */
gboolean dv_cli_load_split (const char *data, DvSplit split, const DvAutoencoder *ae, DvMultiviewSet *set,
                            GError **error);
/* The split's latents [n][4][L]: from cache_path when it fits this set and autoencoder, else encoded (and
 * written to cache_path when not NULL). */
float *dv_cli_split_latents (const DvAutoencoder *ae, const DvMultiviewSet *set, const char *cache_path,
                             GError **error);

/* votes_cmd.c: `dimvida votes` and its helpers shared by the votes_*_cmd.c files. */
int dv_cmd_votes (int argc, char **argv);
/* Objects generated together (the generated views' cache depends on it). */
#define DV_CLI_VOTES_GEN_BATCH 64
void dv_cli_votes_set_threads (int threads);
/* Euler–Maruyama with steps (250 when ≤ 0), seed and precision ("bf16" or "f32"; NULL: the sampling default),
 * resolved to the precision that runs on this CPU. */
gboolean dv_cli_votes_sampler_init (DvMaskedSamplerConfig *sampler, int steps, gint64 seed, const char *precision,
                                    GError **error);
/* The split's views [n][4][S][S][3] (dv_generated_views_get) through cache_dir/generated-<split>.safetensors
 * (no cache when NULL), with progress on stderr and a line on stdout. */
guint8 *dv_cli_votes_generated_views (DvScoreModel *model, const DvAutoencoder *ae, const DvMultiviewSet *set,
                                      const DvMaskedSamplerConfig *sampler, const char *cache_dir, GError **error);

int dv_cmd_votes_train (int argc, char **argv);
int dv_cmd_votes_table (int argc, char **argv);
int dv_cmd_votes_classify (int argc, char **argv);
/* votes_table_cmd.c: the classifier at path, or the shipped one for arch and set
 * (weights/votes/<arch>-<s|m>.safetensors) when path is NULL; metadata may be NULL. */
DvClassifier *dv_cli_load_classifier (const char *path, DvClassifierArch arch, DvVotesSet set, GHashTable **metadata,
                                      GError **error);
/* The file dv_cli_load_classifier loads: path itself, or the shipped one's path; NULL with an error. */
char *dv_cli_classifier_path (const char *path, DvClassifierArch arch, DvVotesSet set, GError **error);
/* votes_train_cmd.c: "prefix argv[0] argv[1] …", shell-quoted where needed (the provenance of a file). */
char *dv_cli_command_line (const char *prefix, int argc, char **argv);

/* Prints "dimvida: <message>" to stderr and returns 1. */
int dv_cli_fail (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
