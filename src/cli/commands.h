/* Subcommands of `dimvida`; each parses its own options and returns an exit status. */
#pragma once

#include <glib.h>

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} DvCommand;

int dv_cmd_toy (int argc, char **argv);
int dv_cmd_views (int argc, char **argv);
/* views_ae_cmd.c: the view autoencoder's subcommands of `dimvida views`. */
int dv_cmd_views_train_ae (int argc, char **argv);
int dv_cmd_views_reconstruct (int argc, char **argv);
int dv_cmd_views_encode (int argc, char **argv);
int dv_cmd_views_decode (int argc, char **argv);
int dv_cmd_views_eval_ae (int argc, char **argv);
int dv_cmd_views_export_ae (int argc, char **argv);
int dv_cmd_views_bench_conv (int argc, char **argv);

/* Prints "dimvida: <message>" to stderr and returns 1. */
int dv_cli_fail (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
