/* DvPlaygroundRun: one live training run of the Playground. It owns a
 * DvToyTrainer that only its worker (a DvJob) touches; the main thread asks
 * for things (play, pause, N steps, a reverse-process film, the denoising
 * field at some t) and reads what the worker last produced. Everything the
 * worker produces lives in the run behind a lock, with a generation counter
 * per item, so the job's coalesced "newest snapshot wins" notification can
 * never lose a loss value or a finished film: the notification only says
 * "look again", and ::updated is emitted on the main loop.
 *
 * Samples are drawn every few steps from the EMA model (or the online one
 * with EMA off) starting from the SAME noise every time, with the same DDPM
 * noise at each step, so the picture changes only because the model does. */
#pragma once

#include <glib-object.h>

#include "toy/loss_history.h"
#include "toy/train.h"

G_BEGIN_DECLS

#define DV_TYPE_PLAYGROUND_RUN (dv_playground_run_get_type ())
G_DECLARE_FINAL_TYPE (DvPlaygroundRun, dv_playground_run, DV, PLAYGROUND_RUN, GObject)

/* Everything that defines a run, beyond its data. */
typedef struct {
  DvToyTrainConfig train;
  DvToySamplerConfig sampler;  /* its seed is derived from train.seed */
  gboolean use_ema;     /* sample from the EMA weights (else the online ones) */
  int live_samples;     /* points in the live scatter (fixed noise) */
  int refresh_every;    /* refresh the samples at least every this many steps */
} DvPlaygroundConfig;

void dv_playground_config_init (DvPlaygroundConfig *cfg);
gboolean dv_playground_config_check (const DvPlaygroundConfig *cfg, GError **error);

/* One record per sample refresh. */
typedef struct {
  gint64 step;
  double grid_kl;  /* bits */
  double grid_js;  /* bits */
} DvPlaygroundDivergenceRecord;

#define DV_PLAYGROUND_HEAT_GRID 64
/* D(x) is drawn over the whole frame, which shows more of the plane than the
 * data's box on its long side: the heatmap covers a square 3 times the box's
 * larger half-side about its centre (the plot fades what is beyond). */
static inline void
dv_playground_heat_box (double x0, double x1, double y0, double y1, double *hx0, double *hx1, double *hy0,
                        double *hy1)
{
  double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1), half = 1.5 * MAX (x1 - x0, y1 - y0);
  *hx0 = cx - half, *hx1 = cx + half, *hy0 = cy - half, *hy1 = cy + half;
}
#define DV_PLAYGROUND_FIELD_GRID 19
/* A pause redraws the last steps' samples only if drawing them took at most
 * this long: the default model took 0.7 to 2.3 s on the shared 2-core
 * machine (another run scoring on the other core), the big one
 * (T 1000, hidden 1024, 8 blocks: some 400 times the work) minutes. */
#define DV_PLAYGROUND_PAUSE_REFRESH_LIMIT 10.0
#define DV_PLAYGROUND_FINAL_SAMPLES 10000

/* Both constructors return at once: the worker makes (or loads) the
 * trainer as its first task, and errors found then (a corrupt checkpoint,
 * say) stop the run with dv_playground_run_dup_error while
 * dv_playground_run_get_ready stays FALSE. Transport requests made before
 * then are kept.
 *
 * Copies the points; the box is where the heatmap, the field and the grid
 * divergence are evaluated (the plot's limits). Only cfg is checked here. */
DvPlaygroundRun *dv_playground_run_new (const DvPlaygroundConfig *cfg, const float *xy, size_t n,
                                        double x0, double x1, double y0, double y1, GError **error);

/* Resumes the run saved in a checkpoint (dv_toy_trainer_save) on the given
 * points: the training config comes from the file, the rest from cfg. A run
 * saved at its end starts finished: its live samples, film and field come
 * from the trained weights; it is not scored again (no kNN KL).
 * history_path (may be NULL) names the losses.csv.gz its training wrote
 * ("step,loss,mse,adv,d_loss,gp,lr" rows, steps 1, 2, … up to the run's
 * step): they become the run's first loss records; a malformed file is only
 * a warning (dv_playground_run_take_warning). */
DvPlaygroundRun *dv_playground_run_new_from_checkpoint (const DvPlaygroundConfig *cfg, const char *path,
                                                        const char *history_path, const float *xy, size_t n,
                                                        double x0, double x1, double y0, double y1);

/* Whether the trainer exists; until then the step is 0 and the config is
 * the one asked for. */
gboolean dv_playground_run_get_ready (DvPlaygroundRun *self);
/* The run's config (for a resumed run, once ready: the checkpoint's). */
void dv_playground_run_get_config (DvPlaygroundRun *self, DvPlaygroundConfig *cfg);
/* A problem that did not stop the run, once (g_free it), or NULL. */
char *dv_playground_run_take_warning (DvPlaygroundRun *self);

/* Transport (main thread). Steps run on the worker; these never block. */
void dv_playground_run_play (DvPlaygroundRun *self);
void dv_playground_run_pause (DvPlaygroundRun *self);
gboolean dv_playground_run_get_playing (DvPlaygroundRun *self);
/* Queues n more steps (while paused: a single-step button). */
void dv_playground_run_step (DvPlaygroundRun *self, gint64 n);
/* Steps per displayed frame (1/30 s); 0 = as fast as possible. */
void dv_playground_run_set_steps_per_frame (DvPlaygroundRun *self, int steps);
/* Arrows of x̂₀ − x at timestep t on a grid; −1 turns them off. */
void dv_playground_run_set_field_timestep (DvPlaygroundRun *self, int t);
/* Asks for the reverse-process film of the live samples from the current weights. */
void dv_playground_run_request_film (DvPlaygroundRun *self);
/* Stops the worker for good (the run can be dropped without waiting). */
void dv_playground_run_cancel (DvPlaygroundRun *self);
/* TRUE while the worker job is running. */
gboolean dv_playground_run_get_busy (DvPlaygroundRun *self);

/* What the worker produced (main thread, copies under the lock). */
gint64 dv_playground_run_get_step (DvPlaygroundRun *self);
gint64 dv_playground_run_get_total_steps (DvPlaygroundRun *self);
double dv_playground_run_get_elapsed (DvPlaygroundRun *self);  /* seconds spent training */
double dv_playground_run_get_steps_per_second (DvPlaygroundRun *self);
gboolean dv_playground_run_get_finished (DvPlaygroundRun *self);
/* The kNN KL (bits) of DV_PLAYGROUND_FINAL_SAMPLES samples at the end; NaN before. */
double dv_playground_run_get_knn_kl (DvPlaygroundRun *self);
/* The last error (a NaN loss stops the run), or NULL. */
char *dv_playground_run_dup_error (DvPlaygroundRun *self);

/* Each returns the item's generation (0 = never produced); when it differs
 * from *seen, copies the item (g_free the arrays) and updates *seen. */
guint dv_playground_run_copy_samples (DvPlaygroundRun *self, guint *seen, float **xy, size_t *n);
/* The step the last samples were drawn at (behind the step counter after a
 * pause of a big model, which skips the redraw: see the limit below). */
gint64 dv_playground_run_get_samples_step (DvPlaygroundRun *self);
void dv_playground_run_set_pause_refresh_limit (DvPlaygroundRun *self, double seconds);
guint dv_playground_run_copy_heatmap (DvPlaygroundRun *self, guint *seen, float **values);
guint dv_playground_run_copy_field (DvPlaygroundRun *self, guint *seen, float **origins, float **vectors,
                                    size_t *n, int *t);
/* frames: [n_frames][n][2]; n_frames = sampler steps + 1. */
guint dv_playground_run_copy_film (DvPlaygroundRun *self, guint *seen, float **frames, int *n_frames, size_t *n);

/* Records (one per training step) from index `from` on (g_free *records); returns how many. */
size_t dv_playground_run_copy_losses (DvPlaygroundRun *self, size_t from, DvToyLossRecord **records);
size_t dv_playground_run_copy_divergences (DvPlaygroundRun *self, size_t from,
                                           DvPlaygroundDivergenceRecord **records);

/* Main thread, while the worker is idle (FALSE and an error otherwise). */
gboolean dv_playground_run_save_weights (DvPlaygroundRun *self, const char *path, GError **error);

G_END_DECLS
