/* Subcommands of `dimvida`; each parses its own options and returns an exit status. */
#pragma once

#include <glib.h>

#include "views/autoencoder.h"
#include "views/latents.h"
#include "views/multiview.h"
#include "views/score_model.h"

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

/* Prints "dimvida: <message>" to stderr and returns 1. */
int dv_cli_fail (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
