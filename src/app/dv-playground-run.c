/* One live Playground run: a DvToyTrainer driven by a DvJob worker. */
#include "dv-playground-run.h"

#include "dv-job.h"
#include "grid_divergence.h"
#include "knn_kl.h"
#include "toy/field.h"
#include "toy/heatmap.h"
#include "toy/sampler_config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* A displayed frame; steps_per_frame counts steps per this interval. */
#define FRAME_US (G_USEC_PER_SEC / 30)
/* Sampling for the picture may take at most this share of the worker's time,
 * so a big model still trains at a useful speed while showing its samples. */
#define MAX_SAMPLING_SHARE 0.25
#define DIVERGENCE_GRID 24

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

static DvToySamplerConfig
sampler_config (const DvPlaygroundConfig *cfg)
{
  /* The per-step DDPM noise is fixed too: the same seed every time. */
  DvToySamplerConfig s = cfg->sampler;
  s.seed = cfg->train.seed ^ 0x5a3d1e5ULL;
  return s;
}

/* ---- Worker side ---- */

static void
on_train_step (const DvToyStepInfo *info, gpointer records)
{
  dv_toy_loss_history_append (records, info);
}

static const float *
sampling_weights (DvPlaygroundRun *self)
{
  return self->cfg.use_ema ? dv_toy_trainer_get_ema_weights (self->trainer)
                           : dv_toy_trainer_get_model (self->trainer)->params.data;
}

static DvBox2D
box (DvPlaygroundRun *self)
{
  return (DvBox2D) { self->box_x0, self->box_x1, self->box_y0, self->box_y1 };
}

/* New samples (and D(x), and the field when shown) from the current weights. */
static gboolean
refresh_visuals (DvPlaygroundRun *self, gboolean with_samples, GCancellable *cancellable, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  size_t n = (size_t) self->cfg.live_samples;
  float *samples = NULL;
  double kl = 0, js = 0;
  if (with_samples) {
    samples = g_memdup2 (self->noise, 2 * n * sizeof (float));
    DvToySamplerConfig scfg = sampler_config (&self->cfg);
    if (!dv_toy_trainer_sample (self->trainer, self->cfg.use_ema, &scfg, samples, (int) n, NULL, NULL, NULL,
                                cancellable, error)) {
      g_free (samples);
      return FALSE;
    }
    dv_grid_divergence_measure (self->divergence, samples, n, &kl, &js);
  }
  float *heat = NULL;
  if (self->cfg.train.gan) {
    heat = g_new (float, DV_PLAYGROUND_HEAT_GRID * DV_PLAYGROUND_HEAT_GRID);
    DvToyDiscriminator *disc = dv_toy_trainer_get_discriminator (self->trainer);
    DvBox2D b = box (self);
    dv_toy_heatmap_compute (&self->heatmap, disc, disc->params.data, &b, heat);
  }
  g_mutex_lock (&self->lock);
  int field_t = self->field_t;
  g_mutex_unlock (&self->lock);
  float *origins = NULL, *vectors = NULL;
  if (field_t >= 0) {
    origins = g_new (float, 2 * DV_PLAYGROUND_FIELD_GRID * DV_PLAYGROUND_FIELD_GRID);
    vectors = g_new (float, 2 * DV_PLAYGROUND_FIELD_GRID * DV_PLAYGROUND_FIELD_GRID);
    DvBox2D b = box (self);
    dv_toy_field_compute (&self->field, dv_toy_trainer_get_model (self->trainer), sampling_weights (self),
                          dv_toy_trainer_get_schedule (self->trainer), field_t, &b, origins, vectors);
  }
  self->field_t_done = field_t;
  gint64 step = dv_toy_trainer_get_step (self->trainer);

  g_mutex_lock (&self->lock);
  if (samples) {
    g_free (self->samples);
    self->samples = samples;
    self->n_samples = n;
    self->samples_gen++;
  }
  if (heat) {
    g_free (self->heat);
    self->heat = heat;
    self->heat_gen++;
  }
  g_free (self->field_origins);
  g_free (self->field_vectors);
  self->field_origins = origins;
  self->field_vectors = vectors;
  self->field_t_shown = field_t;
  self->field_gen++;
  DvPlaygroundDivergenceRecord record = { step, kl, js };
  if (samples && (self->divergences->len == 0 || g_array_index (self->divergences, DvPlaygroundDivergenceRecord,
                                                    self->divergences->len - 1).step != step))
    g_array_append_val (self->divergences, record);
  g_mutex_unlock (&self->lock);

  if (samples) {
    self->sampling_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
    self->training_seconds_since_refresh = 0;
    self->steps_since_refresh = 0;
    self->last_refresh_step = step;
  }
  return TRUE;
}

static gboolean
make_film (DvPlaygroundRun *self, GCancellable *cancellable, GError **error)
{
  size_t n = (size_t) self->cfg.live_samples;
  DvToySamplerConfig scfg = sampler_config (&self->cfg);
  int frames = dv_toy_sampler_n_steps (&scfg, dv_toy_trainer_get_schedule (self->trainer)) + 1;
  float *x = g_memdup2 (self->noise, 2 * n * sizeof (float));
  float *film = g_new (float, (size_t) frames * n * 2);
  gboolean ok = dv_toy_trainer_sample (self->trainer, self->cfg.use_ema, &scfg, x, (int) n, film, NULL, NULL,
                                       cancellable, error);
  g_free (x);
  if (!ok) {
    g_free (film);
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  g_free (self->film);
  self->film = film;
  self->film_frames = frames;
  self->film_gen++;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* At the end of the run: the seed's score, kNN KL of 10,000 samples. */
static gboolean
finish_run (DvPlaygroundRun *self, GCancellable *cancellable, GError **error)
{
  const size_t n = DV_PLAYGROUND_FINAL_SAMPLES;
  float *x = g_new (float, 2 * n);
  DvRng rng;
  dv_rng_init_stream (&rng, self->cfg.train.seed, 0xf1a1);
  dv_rng_fill_normal (&rng, x, 2 * n);
  /* The live points lead, so the final picture continues the live one. */
  memcpy (x, self->noise, 2 * MIN ((size_t) self->cfg.live_samples, n) * sizeof (float));
  DvToySamplerConfig scfg = sampler_config (&self->cfg);
  if (!dv_toy_trainer_sample (self->trainer, self->cfg.use_ema, &scfg, x, (int) n, NULL, NULL, NULL,
                              cancellable, error)) {
    g_free (x);
    return FALSE;
  }
  size_t n_real;
  const float *real = dv_toy_trainer_get_data (self->trainer, &n_real);
  DvKnnKlResult result;
  if (!dv_knn_kl (real, n_real, x, n, 2, DV_KNN_KL_DEFAULT_K, 1, &result, NULL, NULL, cancellable, error)) {
    g_free (x);
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  g_free (self->samples);
  self->samples = x;
  self->n_samples = n;
  self->samples_gen++;
  self->knn_kl = result.kl_bits;
  self->finished = TRUE;
  g_mutex_unlock (&self->lock);
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
static void
publish (DvJob *job, DvPlaygroundRun *self)
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

/* The worker's first task: the trainer (fresh, or resumed from the
 * checkpoint), and everything sized by its config. */
static gboolean
prepare (DvPlaygroundRun *self, GError **error)
{
  DvPlaygroundConfig cfg = self->cfg;
  g_autoptr (DvToyTrainer) trainer = self->checkpoint_path
                                       ? dv_toy_trainer_load (self->checkpoint_path, self->prepare_xy,
                                                              self->prepare_n, error)
                                       : dv_toy_trainer_new (&cfg.train, self->prepare_xy, self->prepare_n, error);
  if (trainer == NULL)
    return FALSE;
  cfg.train = *dv_toy_trainer_get_config (trainer);
  if (!dv_playground_config_check (&cfg, error))
    return FALSE;
  DvBox2D b = box (self);
  g_autoptr (DvGridDivergence) divergence = dv_grid_divergence_new (self->prepare_xy, self->prepare_n, &b,
                                                                    DIVERGENCE_GRID, error);
  if (divergence == NULL)
    return FALSE;
  gint64 step = dv_toy_trainer_get_step (trainer);

  /* The loss curve that led to a resumed run: nice to have, not needed. */
  g_autoptr (GArray) history = NULL;
  g_autofree char *warning = NULL;
  if (self->history_path && g_file_test (self->history_path, G_FILE_TEST_EXISTS)) {
    g_autoptr (GError) local = NULL;
    history = dv_toy_loss_history_read (self->history_path, step, &local);
    if (history == NULL)
      warning = g_strdup_printf (_("Could not read the training losses: %s"), local->message);
  }

  self->noise = g_new (float, 2 * (size_t) cfg.live_samples);
  DvRng rng;
  dv_rng_init_stream (&rng, cfg.train.seed, 0x11fe);
  dv_rng_fill_normal (&rng, self->noise, 2 * (size_t) cfg.live_samples);
  dv_toy_field_init (&self->field, dv_toy_trainer_get_model (trainer), DV_PLAYGROUND_FIELD_GRID);
  if (cfg.train.gan)
    dv_toy_heatmap_init (&self->heatmap, dv_toy_trainer_get_discriminator (trainer), DV_PLAYGROUND_HEAT_GRID);
  self->trainer = g_steal_pointer (&trainer);
  self->divergence = g_steal_pointer (&divergence);
  g_clear_pointer (&self->prepare_xy, g_free);

  g_mutex_lock (&self->lock);
  self->cfg = cfg;
  /* Asked for before T was known (a checkpoint brings its own). */
  self->field_t = MIN (self->field_t, cfg.train.T - 1);
  self->step = step;
  /* A run resumed at its end is not scored again: 10,000 samples take both
   * cores for seconds, at every start of the app. Its live samples show it. */
  self->finished = step >= cfg.train.steps;
  if (history)
    g_array_append_vals (self->losses, history->data, history->len);
  self->warning = g_steal_pointer (&warning);
  self->ready = TRUE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

typedef enum { WORK_NONE, WORK_PREPARE, WORK_FINISH, WORK_FILM, WORK_FIELD, WORK_TRAIN, WORK_REFRESH } WorkKind;

static gpointer
run_worker (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  DvPlaygroundRun *self = data;
  GArray *records = dv_toy_loss_history_new ();
  gint64 rate_start_time = g_get_monotonic_time (), rate_start_step = -1;

  for (;;) {
    g_mutex_lock (&self->lock);
    WorkKind work = WORK_NONE;
    gint64 budget = 0;
    int steps_per_frame = self->steps_per_frame;
    gboolean at_end = self->step >= self->cfg.train.steps;
    if (self->cancelled || self->error_message)
      work = WORK_NONE;
    else if (!self->ready)
      work = WORK_PREPARE;
    else if (self->field_t_done == -2)
      /* The first picture, even of a run resumed at its end: it takes a
       * fraction of a second, the final scoring below several. */
      work = WORK_FIELD;
    else if (at_end && !self->finished)
      work = WORK_FINISH;
    else if (self->film_requested)
      work = WORK_FILM, self->film_requested = FALSE;
    else if (self->field_t != self->field_t_done)
      work = WORK_FIELD;
    else if (!at_end && (self->playing || self->steps_requested > 0)) {
      work = WORK_TRAIN;
      budget = self->playing ? (steps_per_frame > 0 ? steps_per_frame : G_MAXINT64) : self->steps_requested;
    } else if (self->steps_since_refresh > 0 && !self->finished) {
      /* Stopped (paused, or a step burst done): show what the last steps made. */
      work = WORK_REFRESH;
    }
    if (work == WORK_NONE) {
      /* Decided under the lock: a request made after this sees the worker
       * inactive and starts a new job. */
      self->worker_active = FALSE;
      if (at_end)
        self->playing = FALSE;
      g_mutex_unlock (&self->lock);
      break;
    }
    g_mutex_unlock (&self->lock);

    g_autoptr (GError) local_error = NULL;
    gboolean ok = TRUE;
    g_mutex_lock (&self->trainer_lock);
    if (work == WORK_PREPARE) {
      ok = prepare (self, &local_error);
    } else if (work == WORK_FINISH) {
      ok = finish_run (self, cancellable, &local_error);
    } else if (work == WORK_FILM) {
      ok = make_film (self, cancellable, &local_error);
    } else if (work == WORK_FIELD || work == WORK_REFRESH) {
      /* After the end the final 10,000 samples stay on screen. */
      ok = refresh_visuals (self, !self->finished || self->samples_gen == 0, cancellable, &local_error);
    } else {
      /* Train for one frame's worth: the given number of steps, or as many
       * as fit in a frame when running flat out. */
      gint64 frame_start = g_get_monotonic_time ();
      gint64 done = 0;
      if (rate_start_step < 0)
        rate_start_step = dv_toy_trainer_get_step (self->trainer), rate_start_time = frame_start;
      while (ok && done < budget && g_get_monotonic_time () - frame_start < FRAME_US) {
        /* Flat out: one step at a time, so a frame ends on time even when steps are slow. */
        gint64 chunk = steps_per_frame > 0 ? budget - done : 1;
        g_array_set_size (records, 0);
        ok = dv_toy_trainer_train (self->trainer, chunk, on_train_step, records, cancellable, &local_error);
        done += records->len;
        g_mutex_lock (&self->lock);
        g_array_append_vals (self->losses, records->data, records->len);
        self->step = dv_toy_trainer_get_step (self->trainer);
        if (!self->playing)
          self->steps_requested = MAX (self->steps_requested - (gint64) records->len, 0);
        g_mutex_unlock (&self->lock);
        if (records->len == 0)
          break;  /* at the end of the run */
      }
      gint64 now = g_get_monotonic_time ();
      double seconds = (now - frame_start) / (double) G_USEC_PER_SEC;
      self->training_seconds_since_refresh += seconds;
      self->steps_since_refresh += done;
      g_mutex_lock (&self->lock);
      self->elapsed += seconds;
      if (now - rate_start_time > G_USEC_PER_SEC / 2) {
        self->steps_per_second = (self->step - rate_start_step) * (double) G_USEC_PER_SEC / (now - rate_start_time);
        rate_start_step = self->step, rate_start_time = now;
      }
      gboolean still_training = self->playing || self->steps_requested > 0;
      g_mutex_unlock (&self->lock);
      /* Refresh the picture every refresh_every steps, unless sampling would
       * then take more than its share of the time; and always when a
       * single-step burst ends, so each click shows its effect. */
      gboolean due = self->steps_since_refresh >= self->cfg.refresh_every
                     && self->sampling_seconds <= MAX_SAMPLING_SHARE / (1 - MAX_SAMPLING_SHARE)
                                                     * self->training_seconds_since_refresh;
      if (ok && self->steps_since_refresh > 0 && (due || !still_training))
        ok = refresh_visuals (self, TRUE, cancellable, &local_error);
    }
    g_mutex_unlock (&self->trainer_lock);

    if (!ok) {
      if (g_error_matches (local_error, DV_ERROR, DV_ERROR_CANCELLED)
          || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_mutex_lock (&self->lock);
        self->worker_active = FALSE;
        g_mutex_unlock (&self->lock);
        break;
      }
      g_mutex_lock (&self->lock);
      self->error_message = g_strdup (local_error->message);
      self->playing = FALSE;
      g_mutex_unlock (&self->lock);
    }
    publish (job, self);

    /* At a set speed, wait for the next frame. */
    if (work == WORK_TRAIN && steps_per_frame > 0) {
      gint64 wait = FRAME_US - (g_get_monotonic_time () % FRAME_US);
      if (!g_cancellable_is_cancelled (cancellable))
        g_usleep (wait);
    }
  }
  publish (job, self);
  g_array_unref (records);
  return GINT_TO_POINTER (1);
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
  self->job = dv_job_new (_("Playground training"), run_worker, g_object_ref (self), g_object_unref, NULL);
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
  self->context = g_main_context_ref_thread_default ();
  self->losses = dv_toy_loss_history_new ();
  self->divergences = g_array_new (FALSE, FALSE, sizeof (DvPlaygroundDivergenceRecord));
}
