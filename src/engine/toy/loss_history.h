/* The loss of every training step of a 2D model, as `dimvida toy train`
 * writes it next to its checkpoint and the Playground reads it back to show
 * the curve that led to shipped weights: a gzip-compressed CSV,
 *   step,loss,mse,adv,d_loss,gp,lr
 * one row per step, steps 1, 2, … in order. */
#pragma once

#include "toy/train.h"

G_BEGIN_DECLS

typedef struct {
  gint64 step;
  float loss;     /* the denoiser's loss: mse + λ_adv·adv */
  float mse;
  float adv;      /* 0 without GAN */
  float d_loss;   /* the discriminator's; 0 without GAN */
  float gp;
  float lr;
} DvToyLossRecord;

/* An empty GArray of DvToyLossRecord (g_array_unref it). */
GArray *dv_toy_loss_history_new (void);
/* Appends the losses of one step (a DvToyStepFunc's info) to records. */
void dv_toy_loss_history_append (GArray *records, const DvToyStepInfo *info);
/* Writes records[n] to path, gzip-compressed, atomically. */
gboolean dv_toy_loss_history_write (const DvToyLossRecord *records, size_t n, const char *path, GError **error);
/* Reads a file dv_toy_loss_history_write wrote, whose steps must be 1, 2, …
 * up to at most last_step (G_MAXINT64: any). NULL and DV_ERROR_FORMAT (or
 * an I/O error) if it is malformed. */
GArray *dv_toy_loss_history_read (const char *path, gint64 last_step, GError **error);

G_END_DECLS
