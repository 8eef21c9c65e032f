/* What the two halves of DvPlaygroundRun share: dv-playground-run.c (the
 * main thread's API and the object) and dv-playground-run-worker.c (the
 * worker job that trains, samples and measures). */
#pragma once

#include "dv-job.h"
#include "dv-playground-run.h"
#include "metrics/grid_divergence.h"
#include "toy/field.h"
#include "toy/heatmap.h"

G_BEGIN_DECLS

struct _DvPlaygroundRun {
  GObject parent_instance;

  DvPlaygroundConfig cfg;   /* written by the worker only while preparing, under lock */
  double box_x0, box_x1, box_y0, box_y1;
  float *noise;              /* [live][2]: the fixed starting noise of the live samples */

  /* What the worker's first task builds the trainer from (then freed):
   * making or loading one takes tens of milliseconds, too long for the
   * main thread. */
  char *checkpoint_path;     /* NULL: a fresh trainer */
  char *history_path;        /* the checkpoint's losses.csv.gz, or NULL */
  float *prepare_xy;
  size_t prepare_n;

  /* Worker side; touched only with trainer_lock held (the worker holds it
   * for one chunk of work at a time). */
  GMutex trainer_lock;
  DvToyTrainer *trainer;
  DvGridDivergence *divergence;
  DvToyField field;
  DvToyHeatmap heatmap;
  gint64 last_refresh_step;
  gint64 steps_since_refresh;
  double sampling_seconds, training_seconds_since_refresh;
  int field_t_done;

  /* Shared state, behind lock. */
  GMutex lock;
  gboolean playing;
  gint64 steps_requested;
  gint64 samples_step;        /* the step the shown samples were drawn at */
  double pause_refresh_limit; /* seconds of sampling a pause may still spend */
  int steps_per_frame;
  int field_t;
  gboolean film_requested;
  gboolean worker_active;
  gboolean cancelled;
  gboolean ready;            /* the trainer exists */
  gboolean finished;
  gint64 step;
  double elapsed;
  double steps_per_second;
  double knn_kl;
  char *error_message;
  char *warning;             /* a problem that did not stop the run */
  float *samples;
  size_t n_samples;
  guint samples_gen;
  float *heat;
  guint heat_gen;
  float *field_origins, *field_vectors;
  int field_t_shown;
  guint field_gen;
  float *film;
  int film_frames;
  guint film_gen;
  GArray *losses;       /* DvToyLossRecord */
  GArray *divergences;  /* DvPlaygroundDivergenceRecord */

  /* "Look again" for the main loop: at most one pending at a time. */
  GMainContext *context;
  gint notify_pending;

  /* Main thread. */
  DvJob *job;
  GCancellable *cancellable;
};

/* The worker job's function (dv-playground-run-worker.c): works until
 * nothing is asked of it, then clears worker_active under the lock. */
gpointer _dv_playground_run_worker (DvJob *job, gpointer data, GCancellable *cancellable, GError **error);
/* Tells the main loop there is something new (any thread). */
void _dv_playground_run_publish (DvJob *job, DvPlaygroundRun *self);

G_END_DECLS
