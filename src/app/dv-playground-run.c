/* One live Playground run: a DvToyTrainer driven by a DvJob worker
 * (dv-playground-run-worker.c). This half is the main thread's. */
#include "dv-playground-run-private.h"

#include "toy/sampler_config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

G_DEFINE_FINAL_TYPE (DvPlaygroundRun, dv_playground_run, G_TYPE_OBJECT)

enum { SIGNAL_UPDATED, N_SIGNALS };
static guint signals[N_SIGNALS];

void
dv_playground_config_init (DvPlaygroundConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  dv_toy_train_config_init (&cfg->train);
  dv_toy_sampler_config_init (&cfg->sampler);
  /* What the DDIM control offers first. */
  cfg->sampler.steps = 20;
  cfg->use_ema = TRUE;
  cfg->live_samples = 600;
  cfg->refresh_every = 100;
}

gboolean
dv_playground_config_check (const DvPlaygroundConfig *cfg, GError **error)
{
  if (!dv_toy_train_config_check (&cfg->train, error)
      || !dv_toy_sampler_config_check (&cfg->sampler, cfg->train.T, error))
    return FALSE;
  if (cfg->live_samples < 10 || cfg->live_samples > 100000 || cfg->refresh_every < 1) {
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("Invalid live sample settings"));
    return FALSE;
  }
  return TRUE;
}

static gboolean
emit_updated (gpointer user_data)
{
  DvPlaygroundRun *self = user_data;
  g_atomic_int_set (&self->notify_pending, 0);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  return G_SOURCE_REMOVE;
}

/* Tells the main loop there is something new. The job's own progress goes
 * through dv_job_report_progress too, but its deliveries run at idle
 * priority, which a slow renderer drawing frame after frame can starve for
 * seconds; this one-shot source runs at default priority and is cheap (the
 * page copies a few arrays), and only one is ever pending. */
void
_dv_playground_run_publish (DvJob *job, DvPlaygroundRun *self)
{
  DvProgress progress = { "train", 0, 0 };
  g_mutex_lock (&self->lock);
  progress.done = self->step;
  progress.total = self->cfg.train.steps;
  g_mutex_unlock (&self->lock);
  dv_job_report_progress (job, &progress);
  if (g_atomic_int_compare_and_exchange (&self->notify_pending, 0, 1)) {
    GSource *source = g_idle_source_new ();
    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, emit_updated, g_object_ref (self), g_object_unref);
    g_source_set_static_name (source, "[dv-playground-run]");
    g_source_attach (source, self->context);
    g_source_unref (source);
  }
}

/* ---- Main thread ---- */

static void on_job_done (GObject *source, GAsyncResult *result, gpointer user_data);

/* Starts a worker if none is active; call with lock held, returns whether to start one. */
static gboolean
claim_worker_locked (DvPlaygroundRun *self)
{
  if (self->worker_active || self->cancelled)
    return FALSE;
  self->worker_active = TRUE;
  return TRUE;
}

static void
start_worker (DvPlaygroundRun *self)
{
  if (self->job)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  self->job =
    dv_job_new (_("Playground training"), _dv_playground_run_worker, g_object_ref (self), g_object_unref, NULL);
  dv_job_run_async (self->job, on_job_done, g_object_ref (self));
}

static void
kick (DvPlaygroundRun *self)
{
  g_mutex_lock (&self->lock);
  gboolean start = claim_worker_locked (self);
  g_mutex_unlock (&self->lock);
  if (start)
    start_worker (self);
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DvPlaygroundRun *self = user_data;
  g_autoptr (GError) error = NULL;
  dv_job_run_finish (DV_JOB (source), result, &error);
  if (DV_JOB (source) == self->job) {
    /* The job holds a reference to the run: let go of it to break the cycle. */
    g_signal_handlers_disconnect_by_data (self->job, self);
    g_clear_object (&self->job);
    g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  }
  g_object_unref (self);
}

static DvPlaygroundRun *
run_new (const DvPlaygroundConfig *cfg, const char *checkpoint_path, const char *history_path, const float *xy,
         size_t n, double x0, double x1, double y0, double y1)
{
  DvPlaygroundRun *self = g_object_new (DV_TYPE_PLAYGROUND_RUN, NULL);
  self->cfg = *cfg;
  self->checkpoint_path = g_strdup (checkpoint_path);
  self->history_path = g_strdup (history_path);
  self->prepare_xy = g_memdup2 (xy, 2 * n * sizeof (float));
  self->prepare_n = n;
  self->box_x0 = x0, self->box_x1 = x1, self->box_y0 = y0, self->box_y1 = y1;
  kick (self);
  return self;
}

DvPlaygroundRun *
dv_playground_run_new (const DvPlaygroundConfig *cfg, const float *xy, size_t n, double x0, double x1, double y0,
                       double y1, GError **error)
{
  if (!dv_playground_config_check (cfg, error))
    return NULL;
  return run_new (cfg, NULL, NULL, xy, n, x0, x1, y0, y1);
}

DvPlaygroundRun *
dv_playground_run_new_from_checkpoint (const DvPlaygroundConfig *cfg, const char *path, const char *history_path,
                                       const float *xy, size_t n, double x0, double x1, double y0, double y1)
{
  g_return_val_if_fail (path != NULL, NULL);
  return run_new (cfg, path, history_path, xy, n, x0, x1, y0, y1);
}

gboolean
dv_playground_run_get_ready (DvPlaygroundRun *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), FALSE);
  g_mutex_lock (&self->lock);
  gboolean ready = self->ready;
  g_mutex_unlock (&self->lock);
  return ready;
}

char *
dv_playground_run_take_warning (DvPlaygroundRun *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), NULL);
  g_mutex_lock (&self->lock);
  char *warning = g_steal_pointer (&self->warning);
  g_mutex_unlock (&self->lock);
  return warning;
}

void
dv_playground_run_get_config (DvPlaygroundRun *self, DvPlaygroundConfig *cfg)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  *cfg = self->cfg;
  g_mutex_unlock (&self->lock);
}

void
dv_playground_run_play (DvPlaygroundRun *self)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->playing = self->step < self->cfg.train.steps && self->error_message == NULL;
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
dv_playground_run_pause (DvPlaygroundRun *self)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->playing = FALSE;
  self->steps_requested = 0;
  g_mutex_unlock (&self->lock);
}

gboolean
dv_playground_run_get_playing (DvPlaygroundRun *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), FALSE);
  g_mutex_lock (&self->lock);
  gboolean playing = self->playing;
  g_mutex_unlock (&self->lock);
  return playing;
}

void
dv_playground_run_step (DvPlaygroundRun *self, gint64 n)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->steps_requested += MAX (n, 0);
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
dv_playground_run_set_steps_per_frame (DvPlaygroundRun *self, int steps)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->steps_per_frame = MAX (steps, 0);
  g_mutex_unlock (&self->lock);
}

void
dv_playground_run_set_field_timestep (DvPlaygroundRun *self, int t)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->field_t = CLAMP (t, -1, self->cfg.train.T - 1);
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
dv_playground_run_request_film (DvPlaygroundRun *self)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->film_requested = TRUE;
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
dv_playground_run_cancel (DvPlaygroundRun *self)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->cancelled = TRUE;
  self->playing = FALSE;
  g_mutex_unlock (&self->lock);
  if (self->job)
    dv_job_cancel (self->job);
}

gboolean
dv_playground_run_get_busy (DvPlaygroundRun *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), FALSE);
  g_mutex_lock (&self->lock);
  gboolean busy = self->worker_active;
  g_mutex_unlock (&self->lock);
  return busy;
}

#define LOCKED_GETTER(type, name, expr)                     \
  type dv_playground_run_get_##name (DvPlaygroundRun *self) \
  {                                                         \
    g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), 0);  \
    g_mutex_lock (&self->lock);                             \
    type value = (expr);                                    \
    g_mutex_unlock (&self->lock);                           \
    return value;                                           \
  }

LOCKED_GETTER (gint64, step, self->step)
LOCKED_GETTER (gint64, total_steps, self->cfg.train.steps)
LOCKED_GETTER (double, elapsed, self->elapsed)
LOCKED_GETTER (double, steps_per_second, self->steps_per_second)
LOCKED_GETTER (gboolean, finished, self->finished)
LOCKED_GETTER (double, knn_kl, self->knn_kl)
LOCKED_GETTER (gint64, samples_step, self->samples_step)

void
dv_playground_run_set_pause_refresh_limit (DvPlaygroundRun *self, double seconds)
{
  g_return_if_fail (DV_IS_PLAYGROUND_RUN (self));
  g_mutex_lock (&self->lock);
  self->pause_refresh_limit = seconds;
  g_mutex_unlock (&self->lock);
}

char *
dv_playground_run_dup_error (DvPlaygroundRun *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), NULL);
  g_mutex_lock (&self->lock);
  char *message = g_strdup (self->error_message);
  g_mutex_unlock (&self->lock);
  return message;
}

guint
dv_playground_run_copy_samples (DvPlaygroundRun *self, guint *seen, float **xy, size_t *n)
{
  g_mutex_lock (&self->lock);
  guint gen = self->samples_gen;
  if (gen != *seen) {
    *xy = g_memdup2 (self->samples, 2 * self->n_samples * sizeof (float));
    *n = self->n_samples;
    *seen = gen;
  }
  g_mutex_unlock (&self->lock);
  return gen;
}

guint
dv_playground_run_copy_heatmap (DvPlaygroundRun *self, guint *seen, float **values)
{
  g_mutex_lock (&self->lock);
  guint gen = self->heat_gen;
  if (gen != *seen) {
    *values = g_memdup2 (self->heat, DV_PLAYGROUND_HEAT_GRID * DV_PLAYGROUND_HEAT_GRID * sizeof (float));
    *seen = gen;
  }
  g_mutex_unlock (&self->lock);
  return gen;
}

guint
dv_playground_run_copy_field (DvPlaygroundRun *self, guint *seen, float **origins, float **vectors, size_t *n,
                              int *t)
{
  const size_t count = DV_PLAYGROUND_FIELD_GRID * DV_PLAYGROUND_FIELD_GRID;
  g_mutex_lock (&self->lock);
  guint gen = self->field_gen;
  if (gen != *seen) {
    *origins = self->field_origins ? g_memdup2 (self->field_origins, 2 * count * sizeof (float)) : NULL;
    *vectors = self->field_vectors ? g_memdup2 (self->field_vectors, 2 * count * sizeof (float)) : NULL;
    *n = self->field_origins ? count : 0;
    *t = self->field_t_shown;
    *seen = gen;
  }
  g_mutex_unlock (&self->lock);
  return gen;
}

guint
dv_playground_run_copy_film (DvPlaygroundRun *self, guint *seen, float **frames, int *n_frames, size_t *n)
{
  g_mutex_lock (&self->lock);
  guint gen = self->film_gen;
  if (gen != *seen) {
    size_t count = (size_t) self->film_frames * self->cfg.live_samples * 2;
    *frames = g_memdup2 (self->film, count * sizeof (float));
    *n_frames = self->film_frames;
    *n = self->cfg.live_samples;
    *seen = gen;
  }
  g_mutex_unlock (&self->lock);
  return gen;
}

size_t
dv_playground_run_copy_losses (DvPlaygroundRun *self, size_t from, DvToyLossRecord **records)
{
  g_mutex_lock (&self->lock);
  size_t count = self->losses->len > from ? self->losses->len - from : 0;
  *records = count ? g_memdup2 (&g_array_index (self->losses, DvToyLossRecord, from), count * sizeof (DvToyLossRecord))
                   : NULL;
  g_mutex_unlock (&self->lock);
  return count;
}

size_t
dv_playground_run_copy_divergences (DvPlaygroundRun *self, size_t from, DvPlaygroundDivergenceRecord **records)
{
  g_mutex_lock (&self->lock);
  size_t count = self->divergences->len > from ? self->divergences->len - from : 0;
  *records = count ? g_memdup2 (&g_array_index (self->divergences, DvPlaygroundDivergenceRecord, from),
                                count * sizeof (DvPlaygroundDivergenceRecord))
                   : NULL;
  g_mutex_unlock (&self->lock);
  return count;
}

gboolean
dv_playground_run_save_weights (DvPlaygroundRun *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_RUN (self), FALSE);
  /* Waits for the worker's current chunk (a frame of training at most). */
  g_mutex_lock (&self->trainer_lock);
  gboolean ok = FALSE;
  if (self->trainer == NULL)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("The model is still being prepared"));
  else
    ok = dv_toy_trainer_save (self->trainer, path, error);
  g_mutex_unlock (&self->trainer_lock);
  return ok;
}

static void
dv_playground_run_dispose (GObject *object)
{
  DvPlaygroundRun *self = DV_PLAYGROUND_RUN (object);
  if (self->job) {
    dv_job_cancel (self->job);
    g_signal_handlers_disconnect_by_data (self->job, self);
    g_clear_object (&self->job);
  }
  G_OBJECT_CLASS (dv_playground_run_parent_class)->dispose (object);
}

static void
dv_playground_run_finalize (GObject *object)
{
  DvPlaygroundRun *self = DV_PLAYGROUND_RUN (object);
  g_clear_pointer (&self->trainer, dv_toy_trainer_free);
  g_clear_pointer (&self->divergence, dv_grid_divergence_free);
  dv_toy_field_clear (&self->field);
  dv_toy_heatmap_clear (&self->heatmap);
  g_free (self->noise);
  g_free (self->samples);
  g_free (self->heat);
  g_free (self->field_origins);
  g_free (self->field_vectors);
  g_free (self->film);
  g_free (self->error_message);
  g_free (self->warning);
  g_free (self->checkpoint_path);
  g_free (self->history_path);
  g_free (self->prepare_xy);
  g_array_unref (self->losses);
  g_array_unref (self->divergences);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->trainer_lock);
  G_OBJECT_CLASS (dv_playground_run_parent_class)->finalize (object);
}

static void
dv_playground_run_class_init (DvPlaygroundRunClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = dv_playground_run_dispose;
  G_OBJECT_CLASS (klass)->finalize = dv_playground_run_finalize;
  /* Emitted on the main loop when the worker has produced something new. */
  signals[SIGNAL_UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
dv_playground_run_init (DvPlaygroundRun *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->trainer_lock);
  self->field_t = -1;
  /* The first picture, what the model makes of the noise, comes from the
   * worker like every other: the field-refresh path draws it. */
  self->field_t_done = -2;
  self->knn_kl = NAN;
  self->pause_refresh_limit = DV_PLAYGROUND_PAUSE_REFRESH_LIMIT;
  self->context = g_main_context_ref_thread_default ();
  self->losses = dv_toy_loss_history_new ();
  self->divergences = g_array_new (FALSE, FALSE, sizeof (DvPlaygroundDivergenceRecord));
}
