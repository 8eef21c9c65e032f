/* The Views page's generation: the weights, Generate on a worker with the
 * missing views denoising live, Cancel, the x_t / x̂₀ switch, the replay of a
 * finished run and its PSNR / SSIM against the true views. */
#include "dv-views-page-private.h"

#include "dv-application.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/data_file.h"
#include "metrics/image_quality.h"
#include "nn/conv2d.h"
#include "views/autoencoder.h"
#include "views/latents.h"
#include "views/score_model.h"

/* Live frames reach the main loop at least this often while steps are
 * quicker (33 a second), and no decode is spent on frames nobody sees. */
#define LIVE_FRAME_US 30000
#define MAP_FRAME_US 80000

static const DvMaskedSamplerKind sampler_kinds[] = {
  DV_MASKED_SAMPLER_EULER_MARUYAMA, DV_MASKED_SAMPLER_ODE, DV_MASKED_SAMPLER_REPAINT,
};

static const char *
sampler_explanation (DvMaskedSamplerKind kind)
{
  switch (kind)
    {
    case DV_MASKED_SAMPLER_EULER_MARUYAMA:
      return _("Follows the reverse SDE: each step removes some noise and adds a little fresh noise, so each seed "
               "gives another answer.");
    case DV_MASKED_SAMPLER_ODE:
      return _("Follows the probability-flow ODE: no noise along the way, so the starting noise alone decides "
               "the result.");
    case DV_MASKED_SAMPLER_REPAINT:
      return _("Euler–Maruyama that now and then jumps back and re-noises, so that the missing views agree "
               "better with the given ones (slower).");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
_dv_views_page_view_id (int view)
{
  static const char *const ids[] = { "front", "right", "back", "left" };
  g_return_val_if_fail (view >= 0 && view < 4, "?");
  return ids[view];
}

/* ---- Frames ---- */

static void
frame_clear (gpointer data)
{
  ViewsFrame *frame = data;
  for (int k = 0; k < 2; k++)
    for (int v = 0; v < 4; v++)
      g_free (frame->rgb[k][v]);
}

void
_dv_views_frame_unref (ViewsFrame *frame)
{
  g_atomic_rc_box_release_full (frame, frame_clear);
}

static ViewsFrame *
frame_ref (ViewsFrame *frame)
{
  return g_atomic_rc_box_acquire (frame);
}

void
_dv_views_run_free (ViewsRun *run)
{
  if (run == NULL)
    return;
  g_clear_pointer (&run->frames, g_ptr_array_unref);
  g_clear_pointer (&run->path, _dv_views_path_unref);
  g_free (run->views);
  g_free (run->variation_views);
  g_free (run->psnr);
  g_free (run->ssim);
  g_free (run);
}

/* ---- The path on the latent map ---- */

static void
path_clear (gpointer data)
{
  ViewsPath *path = data;
  g_free (path->steps);
  g_free (path->xy);
}

ViewsPath *
_dv_views_path_ref (ViewsPath *path)
{
  return g_atomic_rc_box_acquire (path);
}

void
_dv_views_path_unref (ViewsPath *path)
{
  g_atomic_rc_box_release_full (path, path_clear);
}

static ViewsPath *
path_new (int variations, int capacity)
{
  ViewsPath *path = g_atomic_rc_box_new0 (ViewsPath);
  path->variations = variations;
  path->capacity = capacity;
  path->steps = g_new0 (int, capacity);
  path->xy = g_new0 (float, (size_t) capacity * VIEWS_PATH_RECORD (variations));
  return path;
}

/* ---- The worker ---- */

typedef struct {
  DvViewsModels *models; /* NULL: load them from the paths */
  char *ae_path, *score_path;
  DvMaskedSamplerConfig sampler;
  guint given_mask, truth_mask;
  int variations;
  float *views; /* [4][3][S][S] */
  /* The latent map's projection (NULL: no map), a copy of the page's. */
  DvLatentMap map;
  gint live_kind; /* the kind the page shows (0 x_t, 1 x̂₀), atomic: live frames decode it alone */

  /* On the worker while it runs. */
  DvJob *job;
  DvAutoencoderBuffers buf1, buf2; /* batch n_missing (one kind), 2 × n_missing (both) */
  int n_missing, missing[4];
  float *z, *batch_z, *decoded, *raw;
  int n_steps, frame_every, path_every;
  gint64 start_us, last_live_us;
  gint64 decode_us, replay_decode_us; /* spent decoding frames (those kept for the replay), of the run's time */
  int n_decoded, n_live_only;
  GPtrArray *frames;
  ViewsPath *path;
} GenerateData;

static void
generate_data_free (gpointer data)
{
  GenerateData *d = data;
  g_clear_pointer (&d->models, _dv_views_models_unref);
  g_free (d->ae_path);
  g_free (d->score_path);
  g_free (d->views);
  dv_latent_map_clear (&d->map);
  g_clear_pointer (&d->frames, g_ptr_array_unref);
  g_clear_pointer (&d->path, _dv_views_path_unref);
  g_free (d);
}

static void
chw_to_rgb8 (guint8 *rgb, const float *chw)
{
  const int P = VIEW_SIDE * VIEW_SIDE;
  for (int i = 0; i < P; i++)
    for (int c = 0; c < 3; c++)
      rgb[i * 3 + c] = (guint8) (CLAMP (chw[c * P + i], 0.0f, 1.0f) * 255.0f + 0.5f);
}

static void
chw_to_hwc (float *hwc, const float *chw)
{
  const int P = VIEW_SIDE * VIEW_SIDE;
  for (int i = 0; i < P; i++)
    for (int c = 0; c < 3; c++)
      hwc[i * 3 + c] = chw[c * P + i];
}

/* z[2][V][L] standardised: the missing views' latents of the kinds asked
 * (bit k), decoded into d->decoded [n_kinds][n_missing]. */
static void
decode_missing (GenerateData *d, guint kinds)
{
  const DvAutoencoder *ae = d->models->ae;
  const int L = ae->config.latent_dim;
  dv_latent_stats_unstandardize (&d->models->score->stats, d->z, 2);
  int row = 0;
  for (int k = 0; k < 2; k++)
    if ((kinds >> k) & 1u)
      for (int i = 0; i < d->n_missing; i++, row++)
        memcpy (d->batch_z + (size_t) row * L, d->z + (size_t) (k * 4 + d->missing[i]) * L, sizeof (float) * L);
  dv_autoencoder_decode (ae, ae->params.data, kinds == 3u ? &d->buf2 : &d->buf1, d->decoded, d->batch_z);
}

/* The step's latents of variation 0, of the missing views only, decoded: both kinds, or one (a live frame). */
static ViewsFrame *
decode_frame (GenerateData *d, const DvMaskedSamplerStep *step, guint kinds)
{
  const int L = d->models->ae->config.latent_dim;
  memcpy (d->z, step->x, sizeof (float) * 4 * L);
  memcpy (d->z + 4 * L, step->x0_hat, sizeof (float) * 4 * L);
  decode_missing (d, kinds);
  ViewsFrame *frame = g_atomic_rc_box_new0 (ViewsFrame);
  frame->step = step->step;
  frame->n_steps = step->n_steps;
  frame->t = step->t;
  frame->path_n = d->path ? g_atomic_int_get (&d->path->n) : 0;
  int row = 0;
  for (int k = 0; k < 2; k++)
    if ((kinds >> k) & 1u)
      for (int i = 0; i < d->n_missing; i++, row++)
        {
          guint8 *rgb = frame->rgb[k][d->missing[i]] = g_malloc (VIEW_FLOATS);
          chw_to_rgb8 (rgb, d->decoded + (size_t) row * VIEW_FLOATS);
        }
  return frame;
}

/* Keeps at most 2 × MAX_FRAMES: beyond, every other one goes (the first and the last stay). */
static void
thin_frames (GPtrArray *frames)
{
  if (frames->len < 2 * MAX_FRAMES)
    return;
  guint out = 1;
  for (guint i = 1; i < frames->len; i++)
    {
      if (i % 2 == 1 && i != frames->len - 1)
        {
          _dv_views_frame_unref (frames->pdata[i]);
          continue;
        }
      frames->pdata[out++] = frames->pdata[i];
    }
  frames->len = out; /* what was beyond has been moved or released */
}

/* Raw latents z[n][L] (rows of view v = row % 4) projected on the map into xy[n][2]. */
static void
project (GenerateData *d, const float *standardised, int rows, float *xy)
{
  const int L = d->map.latent_dim;
  memcpy (d->raw, standardised, sizeof (float) * rows * L);
  dv_latent_stats_unstandardize (&d->models->score->stats, d->raw, rows / 4);
  dv_latent_map_project (&d->map, d->raw, rows, xy);
}

/* Every path_every-th step (and the last) on the map: x_t and x̂₀ of every variation, a record of the path. */
static void
record_path (GenerateData *d, const DvMaskedSamplerStep *step)
{
  ViewsPath *path = d->path;
  int n = g_atomic_int_get (&path->n);
  if (n >= path->capacity || (step->step % d->path_every != 0 && step->step != step->n_steps))
    return;
  const int K = path->variations;
  float *record = path->xy + (size_t) n * VIEWS_PATH_RECORD (K);
  project (d, step->x, 4 * K, record);
  project (d, step->x0_hat, 4 * K, record + (size_t) K * 4 * 2);
  path->steps[n] = step->step;
  /* Written before it is counted: the main loop reads records below n. */
  g_atomic_int_set (&path->n, n + 1);
}

/* Decoding costs more than a step of the sampler: a step is decoded when a
 * live frame is due (LIVE_FRAME_US since the last: the kind shown only, so
 * the frame costs half), or when it is one of the replay's evenly spaced
 * steps and decoding those has not yet taken half the run (after a first
 * 0.2 s, free): both kinds, kept for the replay. */
static void
on_step (const DvMaskedSamplerStep *step, gpointer user_data)
{
  GenerateData *d = user_data;
  if (d->path != NULL)
    record_path (d, step);
  gint64 now = g_get_monotonic_time ();
  gboolean last = step->step == step->n_steps;
  gboolean live = now - d->last_live_us >= LIVE_FRAME_US || last;
  gboolean even = (step->step % d->frame_every == 0
                   && (d->replay_decode_us < 200000 || d->replay_decode_us <= (now - d->start_us) / 2)) || last;
  /* No progress between frames: a snapshot without a frame would replace a frame not yet shown. */
  if (!live && !even)
    return;
  DvProgress progress = { _("Generating"), (size_t) step->step, (size_t) step->n_steps };
  ViewsFrame *frame = decode_frame (d, step, even ? 3u : 1u << (g_atomic_int_get (&d->live_kind) ? 1 : 0));
  gint64 done = g_get_monotonic_time ();
  d->decode_us += done - now;
  if (even)
    d->replay_decode_us += done - now;
  d->n_decoded++;
  d->last_live_us = now;
  if (even)
    {
      g_ptr_array_add (d->frames, frame_ref (frame));
      thin_frames (d->frames);
    }
  else
    d->n_live_only++;
  dv_job_publish (d->job, &progress, frame, (GDestroyNotify) _dv_views_frame_unref);
}

/* PSNR and SSIM of made [3][S][S] against truth, as shown: 8-bit. */
static void
measure (const float *made, const float *truth, double *psnr, double *ssim)
{
  g_autofree float *a = g_new (float, VIEW_FLOATS), *b = g_new (float, VIEW_FLOATS);
  chw_to_hwc (a, made);
  chw_to_hwc (b, truth);
  for (int i = 0; i < VIEW_FLOATS; i++)
    a[i] = roundf (CLAMP (a[i], 0.0f, 1.0f) * 255.0f) / 255.0f;
  *psnr = dv_psnr (a, b, VIEW_SIDE, VIEW_SIDE);
  *ssim = dv_ssim (a, b, VIEW_SIDE, VIEW_SIDE);
}

static gpointer
generate_func (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  GenerateData *d = data;
  if (d->models == NULL && !(d->models = _dv_views_load_models (d->ae_path, d->score_path, error)))
    return NULL;
  const DvAutoencoder *ae = d->models->ae;
  const int L = ae->config.latent_dim, K = d->variations;
  /* Eight 64×64 images are too little work to share between threads (see views generate). */
  dv_conv2d_set_threads (1);

  d->job = job;
  d->n_steps = dv_masked_sampler_count_steps (&d->sampler);
  d->frame_every = MAX (1, (d->n_steps + MAX_FRAMES - 1) / MAX_FRAMES);
  d->path_every = MAX (1, (d->n_steps + MAX_PATH_RECORDS - 2) / (MAX_PATH_RECORDS - 2));
  d->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) _dv_views_frame_unref);
  for (int v = 0; v < 4; v++)
    if (!((d->given_mask >> v) & 1u))
      d->missing[d->n_missing++] = v;
  g_return_val_if_fail (d->n_missing > 0 && d->n_missing < 4, NULL);
  dv_autoencoder_buffers_init (&d->buf1, ae, d->n_missing);
  dv_autoencoder_buffers_init (&d->buf2, ae, 2 * d->n_missing);
  d->z = g_new (float, 8 * L);
  d->batch_z = g_new (float, (size_t) 2 * d->n_missing * L);
  d->decoded = g_new (float, (size_t) 2 * d->n_missing * VIEW_FLOATS);
  d->raw = g_new (float, (size_t) 4 * K * L);

  g_autofree float *given_z = g_new0 (float, 4 * L);
  g_autofree float *out_z = g_new (float, (size_t) K * 4 * L);
  {
    /* The buffers' batch is the batch: four views in, four latents out. */
    DvAutoencoderBuffers buf;
    dv_autoencoder_buffers_init (&buf, ae, 4);
    dv_autoencoder_encode (ae, ae->params.data, &buf, given_z, d->views);
    dv_autoencoder_buffers_clear (&buf);
  }
  if (d->path != NULL && d->map.mean != NULL && d->map.latent_dim == L
      && (d->map.autoencoder_id == NULL || g_strcmp0 (d->map.autoencoder_id, d->models->ae_id) == 0))
    {
      /* Where the given and the true views are on the map: all four were
       * encoded. Written before the first record is counted. */
      dv_latent_map_project (&d->map, given_z, 4, d->path->given_xy);
      memcpy (d->path->truth_xy, d->path->given_xy, sizeof d->path->truth_xy);
      d->path->given_mask = d->given_mask;
      d->path->truth_mask = d->truth_mask;
    }
  else if (d->path != NULL)
    {
      /* A map of another autoencoder: no path on it. */
      d->path->mismatch = TRUE;
      g_clear_pointer (&d->path, _dv_views_path_unref);
    }
  gint64 start = d->start_us = g_get_monotonic_time ();
  gboolean ok = dv_score_model_generate (d->models->score, &d->sampler, given_z, d->given_mask, K, on_step, d, out_z,
                                         cancellable, error);
  ViewsRun *run = NULL;
  if (ok)
    {
      run = g_new0 (ViewsRun, 1);
      run->sampler = d->sampler;
      run->given_mask = d->given_mask;
      run->truth_mask = d->truth_mask;
      run->n_steps = d->n_steps;
      run->variations = K;
      run->frames = g_steal_pointer (&d->frames);
      run->path = d->path ? _dv_views_path_ref (d->path) : NULL;
      run->views = g_memdup2 (d->views, sizeof (float) * 4 * VIEW_FLOATS);
      run->variation_views = g_new (float, (size_t) K * 4 * VIEW_FLOATS);
      run->psnr = g_new (double, 4 * K);
      run->ssim = g_new (double, 4 * K);
      /* Every variation's missing views, decoded in one batch. */
      DvAutoencoderBuffers buf;
      dv_autoencoder_buffers_init (&buf, ae, K * d->n_missing);
      g_autofree float *batch = g_new (float, (size_t) K * d->n_missing * L);
      g_autofree float *made = g_new (float, (size_t) K * d->n_missing * VIEW_FLOATS);
      for (int k = 0; k < K; k++)
        for (int i = 0; i < d->n_missing; i++)
          memcpy (batch + (size_t) (k * d->n_missing + i) * L, out_z + (size_t) (k * 4 + d->missing[i]) * L,
                  sizeof (float) * L);
      dv_autoencoder_decode (ae, ae->params.data, &buf, made, batch);
      dv_autoencoder_buffers_clear (&buf);
      for (int k = 0; k < K; k++)
        {
          float *views = run->variation_views + (size_t) k * 4 * VIEW_FLOATS;
          memcpy (views, d->views, sizeof (float) * 4 * VIEW_FLOATS);
          for (int v = 0; v < 4; v++)
            run->psnr[k * 4 + v] = run->ssim[k * 4 + v] = NAN;
          for (int i = 0; i < d->n_missing; i++)
            {
              const int v = d->missing[i];
              memcpy (views + (size_t) v * VIEW_FLOATS, made + (size_t) (k * d->n_missing + i) * VIEW_FLOATS,
                      sizeof (float) * VIEW_FLOATS);
              if ((d->truth_mask >> v) & 1u)
                measure (views + (size_t) v * VIEW_FLOATS, d->views + (size_t) v * VIEW_FLOATS,
                         &run->psnr[k * 4 + v], &run->ssim[k * 4 + v]);
            }
        }
      /* The first variation is the one in the slots and the exports. */
      memcpy (run->views, run->variation_views, sizeof (float) * 4 * VIEW_FLOATS);
      run->seconds = (g_get_monotonic_time () - start) / 1e6;
      g_debug ("sampler and decoding %.2f s, of which %d frames decoded in %.2f s (%d of them live only)",
               run->seconds, d->n_decoded, d->decode_us / 1e6, d->n_live_only);
    }
  dv_autoencoder_buffers_clear (&d->buf1);
  dv_autoencoder_buffers_clear (&d->buf2);
  g_clear_pointer (&d->z, g_free);
  g_clear_pointer (&d->batch_z, g_free);
  g_clear_pointer (&d->decoded, g_free);
  g_clear_pointer (&d->raw, g_free);
  return run;
}

/* ---- The main loop's side ---- */

static void
on_progress (DvJob *job, const DvProgress *progress, gpointer snapshot, DvViewsPage *self)
{
  if (job != self->gen.job)
    return;
  if (progress->total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) progress->done / (double) progress->total);
  if (snapshot == NULL)
    return;
  g_clear_pointer (&self->gen.live, _dv_views_frame_unref);
  self->gen.live = frame_ref (snapshot);
  _dv_views_page_show_frame (self, self->gen.live);
  _dv_views_page_show_step_text (self, self->gen.live);
  /* The map's path as far as the sampler has gone, which is past the frame;
   * at most MAP_FRAME_US apart (a whole plot redrawn is dearer than four
   * views, and a path needs fewer frames than the views to be followed). */
  gint64 now = g_get_monotonic_time ();
  if (self->gen.path != NULL
      && (now - self->gen.last_map_us >= MAP_FRAME_US || self->gen.live->step == self->gen.live->n_steps))
    {
      _dv_views_page_show_path (self, self->gen.path, -1);
      self->gen.last_map_us = now;
    }
  self->gen.last_live_us = g_get_monotonic_time ();
  if (self->gen.redraws++ == 0)
    self->gen.first_live_us = self->gen.last_live_us;
}


static void
on_generated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (DvViewsPage) self = user_data; /* the reference Generate took */
  DvJob *job = DV_JOB (source);
  g_autoptr (GError) error = NULL;
  ViewsRun *run = dv_job_run_finish (job, result, &error);
  GenerateData *data = g_object_get_data (G_OBJECT (job), "dv-generate-data");
  if (data != NULL && data->models != NULL && self->gen.models == NULL)
    self->gen.models = _dv_views_models_ref (data->models);
  gboolean current = job == self->gen.job;
  if (current)
    g_clear_object (&self->gen.job);
  g_clear_pointer (&self->gen.live, _dv_views_frame_unref);
  if (current)
    {
      if (self->gen.path != NULL && self->gen.path->mismatch)
        _dv_views_page_map_mismatch (self);
      g_clear_pointer (&self->gen.path, _dv_views_path_unref);
    }
  for (int v = 0; v < 4; v++)
    dv_view_slot_set_locked (self->slots[v], FALSE);

  if (run == NULL || !current)
    {
      _dv_views_run_free (run);
      for (int v = 0; v < 4; v++)
        dv_view_slot_set_generated (self->slots[v], NULL, 0);
      if (current)
        _dv_views_page_show_path (self, NULL, 0);
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      /* Cancelled before the sampler started (the job's error) or during it (the engine's). */
      if (error != NULL && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            || g_error_matches (error, DV_ERROR, DV_ERROR_CANCELLED)))
        gtk_label_set_text (self->progress_label, _("Cancelled"));
      else if (error != NULL)
        {
          gtk_label_set_text (self->progress_label, "");
          /* Translators: the reason generation failed follows. */
          g_autofree char *message = g_strdup_printf (_("Could not generate the views: %s"), error->message);
          _dv_views_page_show_error (self, message);
        }
      _dv_views_page_update_generate (self);
      return;
    }
  _dv_views_run_free (self->gen.run);
  self->gen.run = run;
  gtk_range_set_range (GTK_RANGE (self->timeline_scale), 0, MAX (run->frames->len - 1, 1));
  _dv_views_page_show_run_frame (self, run->frames->len - 1);
  _dv_views_page_show_variations (self);
  double seconds = (g_get_monotonic_time () - self->gen.started_us) / 1e6;
  g_debug ("generated %d steps in %.2f s, %" G_GUINT64_FORMAT " live frames shown (%.1f a second)", run->n_steps,
           seconds, self->gen.redraws, self->gen.redraws / MAX (seconds, 1e-6));
  _dv_views_page_update_generate (self);
  _dv_views_page_views_changed (self);
}

/* ---- Actions ---- */

static const char *generate_blocked_reason (DvViewsPage *self);

static void
generate_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  if (self->gen.job != NULL)
    return;
  _dv_views_page_update_generate (self);
  const char *reason = generate_blocked_reason (self);
  if (reason != NULL)
    {
      _dv_views_page_show_error (self, reason);
      return;
    }
  _dv_views_page_stop_replay (self);
  _dv_views_page_forget_run (self);

  GenerateData *d = g_new0 (GenerateData, 1);
  if (self->gen.models != NULL)
    d->models = _dv_views_models_ref (self->gen.models);
  else if (!_dv_views_find_weights (&d->ae_path, &d->score_path, NULL))
    {
      generate_data_free (d);
      return;
    }
  dv_masked_sampler_config_init (&d->sampler);
  guint selected = gtk_drop_down_get_selected (self->sampler_dropdown);
  d->sampler.kind = sampler_kinds[MIN (selected, G_N_ELEMENTS (sampler_kinds) - 1)];
  d->sampler.steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  d->sampler.jump_length = MIN (d->sampler.jump_length, d->sampler.steps);
  d->sampler.seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  /* BF16 where the CPU runs it (5× faster at batch 1, Table I unchanged: bench/RESULTS-views.md). */
  d->sampler.precision = DV_SCORE_MODEL_SAMPLING_PRECISION;
  d->given_mask = _dv_views_page_given_mask (self);
  d->truth_mask = _dv_views_page_image_mask (self) & ~d->given_mask;
  d->views = g_memdup2 (self->views, sizeof (float) * 4 * VIEW_FLOATS);
  d->variations = gtk_spin_button_get_value_as_int (self->variations_spin);
  d->live_kind = self->gen.show_estimate ? 1 : 0;
  if (self->map.mean != NULL)
    {
      const int L = self->map.latent_dim;
      d->map.latent_dim = L;
      d->map.mean = g_memdup2 (self->map.mean, sizeof (float) * L);
      d->map.components = g_memdup2 (self->map.components, sizeof (float) * 2 * L);
      d->map.autoencoder_id = g_strdup (self->map.autoencoder_id);
      d->path = path_new (d->variations, MAX_PATH_RECORDS);
      self->gen.path = _dv_views_path_ref (d->path);
    }

  DvJob *job = dv_job_new (_("Generating views"), generate_func, d, generate_data_free,
                           (GDestroyNotify) _dv_views_run_free);
  g_object_set_data (G_OBJECT (job), "dv-generate-data", d);
  self->gen.job = job;
  self->gen.redraws = 0;
  self->gen.started_us = g_get_monotonic_time ();
  for (int v = 0; v < 4; v++)
    dv_view_slot_set_locked (self->slots[v], TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  g_signal_connect_object (job, "progress", G_CALLBACK (on_progress), self, 0);
  dv_job_run_async (job, on_generated, g_object_ref (self));
  _dv_views_page_update_generate (self);
}

static void
cancel_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  if (self->gen.job != NULL)
    dv_job_cancel (self->gen.job);
}

static void
new_seed_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  gtk_spin_button_set_value (self->seed_spin, g_random_int_range (0, G_MAXINT32));
}


/* ---- State ---- */

void
_dv_views_page_forget_run (DvViewsPage *self)
{
  _dv_views_page_stop_replay (self);
  g_clear_pointer (&self->gen.run, _dv_views_run_free);
  for (int v = 0; v < 4; v++)
    dv_view_slot_set_generated (self->slots[v], NULL, 0);
  _dv_views_page_show_path (self, NULL, 0);
  _dv_views_page_show_variations (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, "");
  gtk_label_set_text (self->timeline_label, "");
}

/* Why Generate cannot run now, or NULL. */
static const char *
generate_blocked_reason (DvViewsPage *self)
{
  guint given = _dv_views_page_given_mask (self);
  if (self->gen.missing_weights != NULL)
    return self->gen.missing_weights;
  if (self->object_title == NULL || given == 0)
    return _("Give at least one view: open an image or a sample");
  if (given == 0xfu)
    return _("Every view is given: click a view to mark it as one to be generated");
  if (self->gen.job != NULL)
    return _("The model is generating");
  return NULL;
}

void
_dv_views_page_update_generate (DvViewsPage *self)
{
  gboolean running = self->gen.job != NULL;
  g_autoptr (GError) error = NULL;
  g_clear_pointer (&self->gen.missing_weights, g_free);
  if (self->gen.models == NULL)
    {
      g_autofree char *ae = NULL, *score = NULL;
      if (!_dv_views_find_weights (&ae, &score, &error))
        self->gen.missing_weights = g_strdup (error->message);
    }
  gtk_widget_set_visible (self->weights_box, self->gen.missing_weights != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), self->gen.missing_weights == NULL);
  gtk_label_set_text (self->weights_label, self->gen.missing_weights ? self->gen.missing_weights : "");

  const char *reason = generate_blocked_reason (self);
  /* The button follows the action; Ctrl+Return too. While the model runs,
   * the same button (where the pointer already is) cancels. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.generate", reason == NULL);
  GtkWidget *button = GTK_WIDGET (self->generate_button);
  const char *label = running ? _("Cancel") : _("Generate");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), running ? "views.cancel" : "views.generate");
  gtk_button_set_label (self->generate_button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (running)
    gtk_widget_remove_css_class (button, "suggested-action");
  else
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_tooltip_text (button, running  ? _("Stop generating (Escape)")
                                       : reason ? reason
                                                : _("Generate the views not given (Ctrl+Return)"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sampler_dropdown), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->steps_spin), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->seed_spin), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->variations_spin), !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.new-seed", !running);
  gboolean has_run = self->gen.run != NULL && !running;
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeline_scale), has_run);
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeline_label), has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.replay", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.export-strip", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.export-strip-large", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.export-json", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.export-contact-sheet", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "views.export-frames", has_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.export", has_run);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), has_run);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->export_button),
                               has_run ? _("Export the views and the run") : _("Generate first to export"));
}

static void
on_sampler_changed (DvViewsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->sampler_dropdown);
  gtk_label_set_text (self->sampler_label,
                      sampler_explanation (sampler_kinds[MIN (selected, G_N_ELEMENTS (sampler_kinds) - 1)]));
}


void
_dv_views_page_set_live_kind (DvViewsPage *self, int kind)
{
  GenerateData *d = self->gen.job ? g_object_get_data (G_OBJECT (self->gen.job), "dv-generate-data") : NULL;
  if (d != NULL)
    g_atomic_int_set (&d->live_kind, kind);
}

/* ---- Public ---- */

gboolean
dv_views_page_regenerate (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  if (self->gen.job != NULL || generate_blocked_reason (self) != NULL)
    return FALSE;
  new_seed_action (GTK_WIDGET (self), "views.new-seed", NULL);
  generate_action (GTK_WIDGET (self), "views.generate", NULL);
  return self->gen.job != NULL;
}

const char *
dv_views_page_get_generate_blocked_reason (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  return generate_blocked_reason (self);
}

gboolean
dv_views_page_get_generating (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  return self->gen.job != NULL;
}


guint64
dv_views_page_get_live_frames (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), 0);
  return self->gen.redraws;
}

double
dv_views_page_get_live_seconds (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), 0);
  return self->gen.redraws > 1 ? (self->gen.last_live_us - self->gen.first_live_us) / 1e6 : 0;
}


void
dv_views_page_refresh_weights (DvViewsPage *self)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  if (self->gen.job == NULL)
    {
      g_clear_pointer (&self->gen.models, _dv_views_models_unref);
      _dv_views_page_map_reload (self);
    }
  _dv_views_page_update_generate (self);
}

/* ---- Set-up ---- */

void
_dv_views_page_generate_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "views.generate", NULL, generate_action);
  gtk_widget_class_install_action (widget_class, "views.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "views.new-seed", NULL, new_seed_action);
}

void
_dv_views_page_generate_init (DvViewsPage *self)
{
  /* Wherever the focus is, while the page shows. */
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  static const struct {
    const char *accel, *action;
  } keys[] = {
    { "<Control>Return", "views.generate" }, { "<Control>KP_Enter", "views.generate" }, { "Escape", "views.cancel" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].accel),
                                                            gtk_named_action_new (keys[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  g_signal_connect_swapped (self->sampler_dropdown, "notify::selected", G_CALLBACK (on_sampler_changed), self);
  /* GTK 4.8's drop-down leaves the name off the button inside it. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sampler_dropdown)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sampler"), -1);
  /* A new sampler starts with the steps of Preferences → Sampling Steps. */
  GApplication *app = g_application_get_default ();
  if (DV_IS_APPLICATION (app))
    gtk_spin_button_set_value (self->steps_spin,
                               g_settings_get_int (dv_application_get_settings (DV_APPLICATION (app)), "sampling-steps"));
  on_sampler_changed (self);
  _dv_views_page_stop_replay (self);
  _dv_views_page_update_generate (self);
}

void
_dv_views_page_generate_dispose (DvViewsPage *self)
{
  g_clear_handle_id (&self->gen.replay_tick, g_source_remove);
  if (self->gen.job != NULL)
    {
      dv_job_cancel (self->gen.job);
      g_clear_object (&self->gen.job);
    }
  g_clear_pointer (&self->gen.live, _dv_views_frame_unref);
  g_clear_pointer (&self->gen.path, _dv_views_path_unref);
  g_clear_pointer (&self->gen.run, _dv_views_run_free);
  g_clear_pointer (&self->gen.models, _dv_views_models_unref);
  g_clear_pointer (&self->gen.missing_weights, g_free);
}
