/* The worker of a Playground run: it prepares the trainer, trains a frame's
 * worth of steps at a time, and refreshes what the page shows (samples, the
 * discriminator's heatmap, the denoising field, the reverse-process film,
 * the final score), publishing each under the run's lock. */
#include "dv-playground-run-private.h"

#include "metrics/knn_kl.h"

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

static DvToySamplerConfig
sampler_config (const DvPlaygroundConfig *cfg)
{
  /* The per-step DDPM noise is fixed too: the same seed every time. */
  DvToySamplerConfig s = cfg->sampler;
  s.seed = cfg->train.seed ^ 0x5a3d1e5ULL;
  return s;
}

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
    DvBox2D b;
    dv_playground_heat_box (self->box_x0, self->box_x1, self->box_y0, self->box_y1, &b.x_min, &b.x_max, &b.y_min,
                            &b.y_max);
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
    self->samples_step = step;
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

gpointer
_dv_playground_run_worker (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
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
    /* Paused, the picture of the last steps is drawn only when that is quick:
     * a big model's sampling would keep the processor busy while paused. A
     * single-step burst always shows its effect. */
    gboolean stepping = !self->playing && self->steps_requested > 0;
    gboolean quick_sampling = self->sampling_seconds <= self->pause_refresh_limit;
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
    } else if (self->steps_since_refresh > 0 && !self->finished && quick_sampling) {
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
      /* After the end the final 10,000 samples stay on screen; a new field
       * timestep alone (the reverse player moves it every frame) needs no
       * new samples. */
      gboolean resample = self->samples_gen == 0 || (!self->finished && (work == WORK_REFRESH
                                                                          || self->steps_since_refresh > 0));
      ok = refresh_visuals (self, resample, cancellable, &local_error);
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
      if (ok && self->steps_since_refresh > 0 && (due || (!still_training && (stepping || quick_sampling))))
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
    _dv_playground_run_publish (job, self);

    /* At a set speed, wait for the next frame. */
    if (work == WORK_TRAIN && steps_per_frame > 0) {
      gint64 wait = FRAME_US - (g_get_monotonic_time () % FRAME_US);
      if (!g_cancellable_is_cancelled (cancellable))
        g_usleep (wait);
    }
  }
  _dv_playground_run_publish (job, self);
  g_array_unref (records);
  return GINT_TO_POINTER (1);
}
