/* The Playground page: 2D diffusion and GAN-diffusion training live. This
 * part holds its runs (one per side), compare mode, the denoising field, the
 * getters and the GObject; dv-playground-page-private.h lists the others. */
#include "dv-playground-page-private.h"

#include "dv-plot-common.h"
#include "dv-window.h"
#include "dv-wrap-box.h"
#include "core/data_file.h"

#include <glib/gi18n.h>
#include <math.h>

/* New samples glide into place instead of jumping. */
#define GLIDE_MS 400
#define REBUILD_DELAY_MS 250

const char *const _dv_playground_page_data_keys[N_DATA_SOURCES] = { "circle", "dino", "line", "moons", "drawn", "csv" };

G_DEFINE_FINAL_TYPE (DvPlaygroundPage, dv_playground_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_COMPARE, PROP_SHOW_FIELD, PROP_SHOW_FILM, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- Rebuilding the runs ---- */

void
_dv_playground_page_cancel_pending_rebuild (DvPlaygroundPage *self)
{
  g_clear_handle_id (&self->runs.rebuild_source, g_source_remove);
  for (int side = 0; side < N_SIDES; side++)
    self->runs.rebuild_pending[side] = FALSE;
}

void
_dv_playground_page_rebuild_all (DvPlaygroundPage *self, RunStart start)
{
  _dv_playground_page_cancel_pending_rebuild (self);
  for (int side = 0; side < N_SIDES; side++)
    if (side == 0 || self->runs.compare)
      _dv_playground_page_rebuild_run (self, side, start);
}

void
_dv_playground_page_reload_data_and_runs (DvPlaygroundPage *self)
{
  if (_dv_playground_page_remake_data (self))
    _dv_playground_page_rebuild_all (self, START_AS_SETTINGS_SAY);
}

static gboolean
rebuild_timeout (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  self->runs.rebuild_source = 0;
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.rebuild_pending[side]) {
      self->runs.rebuild_pending[side] = FALSE;
      _dv_playground_page_rebuild_run (self, side, START_AS_SETTINGS_SAY);
    }
  return G_SOURCE_REMOVE;
}

/* Settings can change many times a second (a held spin button): rebuild once they settle. */
void
_dv_playground_page_schedule_rebuild (DvPlaygroundPage *self, int side)
{
  self->runs.rebuild_pending[side] = TRUE;
  g_clear_handle_id (&self->runs.rebuild_source, g_source_remove);
  self->runs.rebuild_source = g_timeout_add (REBUILD_DELAY_MS, rebuild_timeout, self);
}

/* ---- Runs ---- */

static char *
run_title (DvPlaygroundPage *self, int side)
{
  const DvPlaygroundConfig *cfg = &self->runs.cfg[side];
  static const char *const schedules[] = { N_("linear"), N_("quadratic"), N_("cosine"), N_("sigmoid") };
  g_autofree char *gan = cfg->train.gan ? g_strdup_printf (_(", GAN %s"),
                                                           cfg->train.fake == DV_TOY_FAKE_X0 ? "x̂₀" : "xₜ")
                                        : g_strdup ("");
  const char *sampler = cfg->sampler.kind == DV_SAMPLER_DDIM ? "DDIM" : "DDPM";
  g_autofree char *summary = g_strdup_printf (_("%s, T %d, %s%s"), _(schedules[cfg->train.schedule]), cfg->train.T,
                                              sampler, gan);
  if (self->runs.compare)
    return g_strdup_printf ("%s · %s", side_name (side), summary);
  /* Translators: the scatter plot's title; %s summarises the settings. */
  return g_strdup_printf (_("Samples · %s"), summary);
}

void
_dv_playground_page_clear_side_view (DvPlaygroundPage *self, int side)
{
  Side *s = &self->runs.sides[side];
  s->samples_seen = s->heat_seen = s->field_seen = s->film_seen = 0;
  s->losses_seen = s->divergences_seen = 0;
  s->error_shown = FALSE;
  g_clear_pointer (&s->live, g_free);
  g_clear_pointer (&s->film, g_free);
  s->n_live = 0;
  s->film_frames = 0;
  for (int i = 0; i < 2; i++) {
    dv_curve_plot_set_points (self->plots.loss_plot, self->plots.loss_series[side][i], NULL, NULL, 0);
    dv_curve_plot_set_points (self->plots.divergence_plot, self->plots.divergence_series[side][i], NULL, NULL, 0);
  }
  DvScatterPlot *plot = self->plots.scatter[side];
  dv_scatter_plot_set_samples (plot, NULL, 0);
  dv_scatter_plot_set_heatmap (plot, NULL, 0, 0, 0, 0, 0, 0);
  dv_scatter_plot_set_arrows (plot, NULL, NULL, 0, NULL);
  dv_scatter_plot_set_trails (plot, NULL, 0, 0);
}

void
_dv_playground_page_on_run_updated (DvPlaygroundRun *run, DvPlaygroundPage *self)
{
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.sides[side].run == run)
      _dv_playground_page_update_side (self, side);
}

void
_dv_playground_page_drop_run (DvPlaygroundPage *self, int side)
{
  Side *s = &self->runs.sides[side];
  if (s->run == NULL)
    return;
  g_signal_handlers_disconnect_by_data (s->run, self);
  dv_playground_run_cancel (s->run);
  g_clear_object (&s->run);
}

static int
field_timestep (DvPlaygroundPage *self)
{
  if (!self->field.show_field)
    return -1;
  return (int) gtk_range_get_value (GTK_RANGE (self->field.field_scale));
}

void
_dv_playground_page_update_play_button (DvPlaygroundPage *self)
{
  gtk_button_set_icon_name (GTK_BUTTON (self->toolbar.play_button),
                            self->runs.playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  const char *label = self->runs.playing ? _("Pause training (Space)") : _("Play: train continuously (Space)");
  gtk_widget_set_tooltip_text (self->toolbar.play_button, label);
  set_accessible_label (self->toolbar.play_button, self->runs.playing ? _("Pause") : _("Play"));
}

/* The shipped checkpoint of the current dataset (see data/weights/README.md). */
char *
_dv_playground_page_trained_model_path (DvPlaygroundPage *self, GError **error)
{
  if (self->data.source >= DATA_DRAWN) {
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                 _("Trained models exist only for the circle, dino, line and moons data"));
    return NULL;
  }
  g_autofree char *relative = g_build_filename ("weights", "toy", _dv_playground_page_data_keys[self->data.source],
                                                "model.safetensors", NULL);
  return dv_find_data_file (relative, error);
}

/* Whether this side would train what the shipped weights were trained with:
 * the default data (points and seed) and the default training settings. */
static gboolean
settings_are_default (DvPlaygroundPage *self, int side)
{
  DvToyTrainConfig defaults, current = self->runs.cfg[side].train;
  dv_toy_train_config_init (&defaults);
  current.seed = self->data.seed;
  if (self->data.source >= DATA_DRAWN || self->data.n_points != DV_TOY_DEFAULT_POINTS)
    return FALSE;
  g_autofree char *a = dv_toy_train_config_to_json_string (&current);
  g_autofree char *b = dv_toy_train_config_to_json_string (&defaults);
  return g_str_equal (a, b);
}

/* A run that resumes the shipped weights of the current dataset at their
 * last step (its worker loads them); NULL, with a toast saying why, when
 * there are none. */
static DvPlaygroundRun *
trained_run (DvPlaygroundPage *self, int side)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = _dv_playground_page_trained_model_path (self, &error);
  if (path == NULL) {
    g_autofree char *message = g_strdup_printf (_("Could not load the trained model, training from scratch: %s"),
                                                error->message);
    _dv_playground_page_show_toast (self, message);
    return NULL;
  }
  /* The loss curve of the training that made these weights, when shipped with them. */
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *history = g_build_filename (dir, "losses.csv.gz", NULL);
  return dv_playground_run_new_from_checkpoint (&self->runs.cfg[side], path, history, self->data.points.xy,
                                                self->data.points.n, self->data.x0, self->data.x1, self->data.y0,
                                                self->data.y1);
}

/* Once the shipped weights are loaded, the controls show what they were
 * trained with; if they could not be loaded, train from scratch. Returns
 * FALSE when the side got a new run. */
static gboolean
settle_trained_run (DvPlaygroundPage *self, int side)
{
  Side *s = &self->runs.sides[side];
  if (!s->trained || s->trained_synced)
    return TRUE;
  if (dv_playground_run_get_ready (s->run)) {
    s->trained_synced = TRUE;
    DvPlaygroundConfig loaded;
    dv_playground_run_get_config (s->run, &loaded);
    self->runs.cfg[side].train = loaded.train;
    if (self->data.seed != loaded.train.seed || side == self->controls.editing) {
      self->data.seed = loaded.train.seed;
      _dv_playground_page_sync_controls (self);
    }
    g_autofree char *title = run_title (self, side);
    dv_scatter_plot_set_title (self->plots.scatter[side], title);
    return TRUE;
  }
  g_autofree char *error = dv_playground_run_dup_error (s->run);
  if (error == NULL)
    return TRUE;
  g_autofree char *message = g_strdup_printf (_("Could not load the trained model, training from scratch: %s"), error);
  _dv_playground_page_show_toast (self, message);
  _dv_playground_page_rebuild_run (self, side, START_FRESH);
  return FALSE;
}

void
_dv_playground_page_rebuild_run (DvPlaygroundPage *self, int side, RunStart start)
{
  /* Anything but Reset itself makes what Reset kept stale. */
  if (!self->runs.resetting)
    _dv_playground_page_drop_undo (self);
  _dv_playground_page_drop_run (self, side);
  _dv_playground_page_clear_side_view (self, side);
  DvScatterPlot *plot = self->plots.scatter[side];
  g_autofree char *title = run_title (self, side);
  dv_scatter_plot_set_title (plot, title);
  if (self->data.points.n < DV_TOY_MIN_POINTS) {
    dv_scatter_plot_set_caption (plot, self->data.source == DATA_DRAWN
                                         ? _("Draw at least 10 points: click and drag on the plot")
                                         : _("No data"));
    return;
  }
  DvPlaygroundConfig cfg = self->runs.cfg[side];
  cfg.train.seed = self->data.seed;
  g_autoptr (GError) error = NULL;
  DvPlaygroundRun *run = NULL;
  /* Side by side, both runs start from scratch so they train together,
   * unless asked for the trained model in so many words. */
  if (start == START_TRAINED
      || (start == START_AS_SETTINGS_SAY && !self->runs.compare && settings_are_default (self, side)))
    run = trained_run (self, side);
  self->runs.sides[side].trained = run != NULL;
  self->runs.sides[side].trained_synced = FALSE;
  if (run == NULL)
    run = dv_playground_run_new (&cfg, self->data.points.xy, self->data.points.n, self->data.x0, self->data.x1,
                                 self->data.y0, self->data.y1, &error);
  if (run == NULL) {
    g_autofree char *message = g_strdup_printf (_("Cannot train with these settings: %s"), error->message);
    dv_scatter_plot_set_caption (plot, message);
    _dv_playground_page_show_toast (self, message);
    return;
  }
  self->runs.sides[side].run = run;
  g_signal_connect (run, "updated", G_CALLBACK (_dv_playground_page_on_run_updated), self);
  dv_playground_run_set_steps_per_frame (run, self->runs.steps_per_frame);
  dv_playground_run_set_field_timestep (run, field_timestep (self));
  if (self->player.show_film)
    dv_playground_run_request_film (run);
  if (self->runs.playing)
    dv_playground_run_play (run);
  _dv_playground_page_update_side (self, side);
}

static void
append_records (DvPlaygroundPage *self, int side)
{
  Side *s = &self->runs.sides[side];
  g_autofree DvToyLossRecord *losses = NULL;
  size_t n = dv_playground_run_copy_losses (s->run, s->losses_seen, &losses);
  if (n > 0) {
    gboolean gan = self->runs.cfg[side].train.gan;
    g_autofree double *x = g_new (double, n);
    g_autofree double *y = g_new (double, n);
    g_autofree double *d = g_new (double, n);
    for (size_t i = 0; i < n; i++)
      x[i] = losses[i].step, y[i] = losses[i].loss, d[i] = losses[i].d_loss;
    dv_curve_plot_append_points (self->plots.loss_plot, self->plots.loss_series[side][0], x, y, n);
    if (gan)
      dv_curve_plot_append_points (self->plots.loss_plot, self->plots.loss_series[side][1], x, d, n);
    s->losses_seen += n;
  }
  g_autofree DvPlaygroundDivergenceRecord *divs = NULL;
  n = dv_playground_run_copy_divergences (s->run, s->divergences_seen, &divs);
  DvCurvePlot *divergence = self->plots.divergence_plot;
  for (size_t i = 0; i < n; i++) {
    dv_curve_plot_append (divergence, self->plots.divergence_series[side][0], divs[i].step, divs[i].grid_kl);
    dv_curve_plot_append (divergence, self->plots.divergence_series[side][1], divs[i].step, divs[i].grid_js);
  }
  s->divergences_seen += n;
}

void
_dv_playground_page_update_side (DvPlaygroundPage *self, int side)
{
  Side *s = &self->runs.sides[side];
  if (s->run == NULL || !settle_trained_run (self, side))
    return;
  DvScatterPlot *plot = self->plots.scatter[side];
  gboolean film_mode = self->player.show_film;
  g_autofree char *warning = dv_playground_run_take_warning (s->run);
  if (warning)
    _dv_playground_page_show_toast (self, warning);

  float *xy = NULL;
  size_t n = 0;
  guint before = s->samples_seen;
  dv_playground_run_copy_samples (s->run, &s->samples_seen, &xy, &n);
  if (s->samples_seen != before) {
    g_free (s->live);
    s->live = xy;
    s->n_live = n;
    if (!film_mode || s->film == NULL)
      dv_scatter_plot_glide_to_samples (plot, s->live, s->n_live, GLIDE_MS);
  }
  if (self->runs.cfg[side].train.gan) {
    float *heat = NULL;
    before = s->heat_seen;
    dv_playground_run_copy_heatmap (s->run, &s->heat_seen, &heat);
    if (s->heat_seen != before && heat) {
      double hx0, hx1, hy0, hy1;
      dv_playground_heat_box (self->data.x0, self->data.x1, self->data.y0, self->data.y1, &hx0, &hx1, &hy0, &hy1);
      dv_scatter_plot_set_heatmap (plot, heat, DV_PLAYGROUND_HEAT_GRID, DV_PLAYGROUND_HEAT_GRID, hx0, hx1, hy0, hy1);
      g_free (heat);
    }
  }
  float *origins = NULL, *vectors = NULL;
  before = s->field_seen;
  dv_playground_run_copy_field (s->run, &s->field_seen, &origins, &vectors, &n, &s->field_t);
  if (s->field_seen != before) {
    /* Translators: the legend of the denoising field's arrows at timestep t. */
    g_autofree char *label = g_strdup_printf (_("x̂₀ − x at t = %d"), s->field_t);
    dv_scatter_plot_set_arrows (plot, origins, vectors, n, label);
    g_free (origins);
    g_free (vectors);
  }
  float *frames = NULL;
  before = s->film_seen;
  dv_playground_run_copy_film (s->run, &s->film_seen, &frames, &s->film_frames, &s->film_n);
  if (s->film_seen != before) {
    g_free (s->film);
    s->film = frames;
    if (film_mode)
      _dv_playground_page_player_film_changed (self);
  }
  append_records (self, side);

  /* The caption: progress, time, speed. */
  gint64 step = dv_playground_run_get_step (s->run), total = dv_playground_run_get_total_steps (s->run);
  double elapsed = dv_playground_run_get_elapsed (s->run), rate = dv_playground_run_get_steps_per_second (s->run);
  GString *caption = g_string_new (NULL);
  /* Steps are at most 1,000,000, so int holds them. */
  g_string_append_printf (caption, _("step %d / %d"), (int) step, (int) total);
  if (!dv_playground_run_get_ready (s->run))
    g_string_append (caption, s->trained ? _(" · loading the trained model…") : _(" · preparing the model…"));
  else if (s->trained && elapsed == 0)
    /* Translators: the caption of a plot showing the model shipped with the app. */
    g_string_append (caption, _(" · the shipped trained model"));
  else if (s->samples_seen == 0)
    /* Translators: a big model takes a while before it shows anything. */
    g_string_append (caption, _(" · drawing the first samples…"));
  else
    g_string_append_printf (caption, " · %.1f s", elapsed);
  if (dv_playground_run_get_playing (s->run) && rate > 0) {
    g_string_append_printf (caption, _(" · %.0f steps/s"), rate);
    if (step < total) {
      g_autofree char *left = _dv_playground_page_format_duration ((double) (total - step) / rate);
      /* Translators: the time the run needs to reach its last step, at its measured speed. */
      g_string_append_printf (caption, _(" · %s left"), left);
    }
  }
  gint64 samples_step = dv_playground_run_get_samples_step (s->run);
  if (s->samples_seen > 0 && samples_step < step && !dv_playground_run_get_playing (s->run)
      && !dv_playground_run_get_busy (s->run))
    /* Translators: paused, a big model's samples are not drawn again (it would take the processor for long). */
    g_string_append_printf (caption, _(" · samples of step %d"), (int) samples_step);
  double kl = dv_playground_run_get_knn_kl (s->run);
  if (!isnan (kl)) {
    g_autofree char *value = _dv_playground_page_format_knn_kl (kl);
    g_string_append_printf (caption, _(" · kNN KL %s bits"), value);
  }
  dv_scatter_plot_set_caption (plot, caption->str);
  g_string_free (caption, TRUE);

  g_autofree char *error = dv_playground_run_dup_error (s->run);
  if (error && !s->error_shown) {
    s->error_shown = TRUE;
    g_autofree char *message = g_strdup_printf (_("Run %s stopped: %s"), side_name (side), error);
    _dv_playground_page_show_toast (self, message);
    dv_scatter_plot_set_caption (plot, message);
  }
  _dv_playground_page_update_status (self);

  /* Every run stopped by itself (at its end, or on an error): show Play again. */
  if (self->runs.playing) {
    gboolean any_playing = FALSE;
    for (int i = 0; i < N_SIDES; i++)
      if (self->runs.sides[i].run && dv_playground_run_get_playing (self->runs.sides[i].run))
        any_playing = TRUE;
    if (!any_playing) {
      self->runs.playing = FALSE;
      _dv_playground_page_update_play_button (self);
    }
  }
}

/* ---- Denoising field ---- */

static void
on_field_changed (DvPlaygroundPage *self)
{
  gboolean on = self->field.show_field;
  gtk_widget_set_sensitive (self->field.field_scale, on);
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.sides[side].run)
      dv_playground_run_set_field_timestep (self->runs.sides[side].run, field_timestep (self));
}

/* ---- Compare ---- */

void
_dv_playground_page_update_titles (DvPlaygroundPage *self)
{
  for (int side = 0; side < N_SIDES; side++) {
    g_autofree char *title = run_title (self, side);
    dv_scatter_plot_set_title (self->plots.scatter[side], title);
    for (int i = 0; i < 2; i++) {
      const char *base = i == 0 ? _("denoiser") : _("discriminator");
      g_autofree char *name = self->runs.compare ? g_strdup_printf ("%s %s", side_name (side), base) : g_strdup (base);
      dv_curve_plot_set_series_name (self->plots.loss_plot, self->plots.loss_series[side][i], name);
      const char *metric = i == 0 ? "KL" : "JS";
      g_autofree char *dname = self->runs.compare ? g_strdup_printf ("%s %s", side_name (side), metric)
                                                  : g_strdup (metric);
      dv_curve_plot_set_series_name (self->plots.divergence_plot, self->plots.divergence_series[side][i], dname);
    }
  }
}

void
_dv_playground_page_set_compare (DvPlaygroundPage *self, gboolean compare)
{
  if (self->runs.compare == compare)
    return;
  self->runs.compare = compare;
  gtk_widget_set_visible (GTK_WIDGET (self->plots.scatter[1]), compare);
  gtk_widget_set_visible (self->controls.side_switcher, compare);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.copy-a-to-b", compare);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.swap", compare);
  if (compare) {
    _dv_playground_page_rebuild_run (self, 1, START_AS_SETTINGS_SAY);
    /* The two runs start together, so their step counters match; but steps
     * the user trained on A are not thrown away (Reset starts both again). */
    Side *a = &self->runs.sides[0];
    gint64 trained_steps = a->run && !a->trained ? dv_playground_run_get_step (a->run) : 0;
    if (trained_steps > 0) {
      g_autofree char *message = g_strdup_printf (_("A keeps its %d steps; Reset starts both runs together"),
                                                  (int) trained_steps);
      _dv_playground_page_show_toast (self, message);
    } else {
      _dv_playground_page_rebuild_run (self, 0, START_AS_SETTINGS_SAY);
    }
  } else {
    _dv_playground_page_drop_run (self, 1);
    _dv_playground_page_clear_side_view (self, 1);
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->controls.edit_a_button), TRUE);
  }
  _dv_playground_page_update_titles (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE]);
}

/* ---- Public getters ---- */

DvScatterPlot *
dv_playground_page_get_scatter (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, NULL);
  return self->plots.scatter[side];
}

DvCurvePlot *
dv_playground_page_get_loss_plot (DvPlaygroundPage *self)
{
  return self->plots.loss_plot;
}

DvCurvePlot *
dv_playground_page_get_divergence_plot (DvPlaygroundPage *self)
{
  return self->plots.divergence_plot;
}

DvPlaygroundRun *
dv_playground_page_get_run (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, NULL);
  return self->runs.sides[side].run;
}

gint64
dv_playground_page_get_step (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, 0);
  return self->runs.sides[side].run ? dv_playground_run_get_step (self->runs.sides[side].run) : 0;
}

double
dv_playground_page_get_steps_per_second (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, 0);
  return self->runs.sides[side].run ? dv_playground_run_get_steps_per_second (self->runs.sides[side].run) : 0;
}

double
dv_playground_page_get_knn_kl (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, NAN);
  return self->runs.sides[side].run ? dv_playground_run_get_knn_kl (self->runs.sides[side].run) : NAN;
}

const char *
dv_playground_page_get_status (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), "");
  return gtk_label_get_text (GTK_LABEL (self->toolbar.status_label));
}

gboolean
dv_playground_page_get_busy (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.sides[side].run && dv_playground_run_get_busy (self->runs.sides[side].run))
      return TRUE;
  return self->runs.rebuild_source != 0;
}

gboolean
dv_playground_page_get_playing (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  return self->runs.playing;
}

const char *
dv_playground_page_get_last_toast (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), NULL);
  return self->toasts.last ? self->toasts.last : "";
}

const char *
dv_playground_page_get_data_error (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), "");
  return gtk_label_get_text (GTK_LABEL (self->controls.data_error_label));
}

/* ---- GObject ---- */

static void
dv_playground_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  if (prop_id == PROP_COMPARE)
    g_value_set_boolean (value, self->runs.compare);
  else if (prop_id == PROP_SHOW_FIELD)
    g_value_set_boolean (value, self->field.show_field);
  else if (prop_id == PROP_SHOW_FILM)
    g_value_set_boolean (value, self->player.show_film);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
dv_playground_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  if (prop_id == PROP_COMPARE) {
    _dv_playground_page_set_compare (self, g_value_get_boolean (value));
  } else if (prop_id == PROP_SHOW_FIELD) {
    if (self->field.show_field != g_value_get_boolean (value)) {
      self->field.show_field = g_value_get_boolean (value);
      on_field_changed (self);
      g_object_notify_by_pspec (object, pspec);
    }
  } else if (prop_id == PROP_SHOW_FILM) {
    if (self->player.show_film != g_value_get_boolean (value)) {
      self->player.show_film = g_value_get_boolean (value);
      _dv_playground_page_player_toggled (self);
      g_object_notify_by_pspec (object, pspec);
    }
  } else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
dv_playground_page_dispose (GObject *object)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  _dv_playground_page_cancel_pending_rebuild (self);
  _dv_playground_page_player_stop (self);
  _dv_playground_page_drop_undo (self);
  for (int side = 0; side < N_SIDES; side++) {
    _dv_playground_page_drop_run (self, side);
    g_clear_pointer (&self->runs.sides[side].live, g_free);
    g_clear_pointer (&self->runs.sides[side].film, g_free);
  }
  _dv_playground_page_files_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), DV_TYPE_PLAYGROUND_PAGE);
  G_OBJECT_CLASS (dv_playground_page_parent_class)->dispose (object);
}

static void
dv_playground_page_finalize (GObject *object)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  dv_toy_data_clear (&self->data.points);
  dv_toy_data_clear (&self->data.csv);
  g_free (self->toasts.last);
  g_free (self->toasts.pending);
  g_array_unref (self->data.drawn);
  g_array_unref (self->data.strokes);
  G_OBJECT_CLASS (dv_playground_page_parent_class)->finalize (object);
}

static void
dv_playground_page_class_init (DvPlaygroundPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dv_playground_page_dispose;
  object_class->finalize = dv_playground_page_finalize;
  object_class->get_property = dv_playground_page_get_property;
  object_class->set_property = dv_playground_page_set_property;
  _dv_playground_page_class_layout_init (klass);
  properties[PROP_COMPARE] = g_param_spec_boolean ("compare", NULL, NULL, FALSE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FIELD] = g_param_spec_boolean ("show-field", NULL, NULL, FALSE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FILM] = g_param_spec_boolean ("show-film", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DV_TYPE_SCATTER_PLOT);
  g_type_ensure (DV_TYPE_CURVE_PLOT);
  g_type_ensure (DV_TYPE_WRAP_BOX);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-playground-page.ui");
#define CHILD(name, member) \
  gtk_widget_class_bind_template_child_full (widget_class, name, FALSE, G_STRUCT_OFFSET (DvPlaygroundPage, member))
  CHILD ("sidebar_button", toolbar.sidebar_button);
  CHILD ("side_switcher", controls.side_switcher);
  CHILD ("edit_a_button", controls.edit_a_button);
  CHILD ("edit_b_button", controls.edit_b_button);
  CHILD ("play_button", toolbar.play_button);
  CHILD ("step_button", toolbar.step_button);
  CHILD ("reset_button", toolbar.reset_button);
  CHILD ("trained_button", toolbar.trained_button);
  CHILD ("compare_button", toolbar.compare_button);
  CHILD ("copy_button", toolbar.copy_button);
  CHILD ("swap_button", toolbar.swap_button);
  CHILD ("export_button", toolbar.export_button);
  CHILD ("status_label", toolbar.status_label);
  CHILD ("spinner", toolbar.spinner);
  CHILD ("scatter_a", plots.scatter[0]);
  CHILD ("scatter_b", plots.scatter[1]);
  CHILD ("loss_plot", plots.loss_plot);
  CHILD ("divergence_plot", plots.divergence_plot);
  CHILD ("sidebar", controls.sidebar);
  CHILD ("flap", controls.flap);
  CHILD ("field_button", field.field_button);
  CHILD ("field_scale", field.field_scale);
  CHILD ("film_button", player.film_button);
  CHILD ("film_play_button", player.film_play_button);
  CHILD ("film_scale", player.film_scale);
  CHILD ("film_label", player.film_label);
  CHILD ("trails_check", player.trails_check);
#undef CHILD

  _dv_playground_page_class_actions_init (klass);
}

static void
dv_playground_page_init (DvPlaygroundPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->data.drawn = g_array_new (FALSE, FALSE, sizeof (float));
  self->data.strokes = g_array_new (FALSE, FALSE, sizeof (guint));
  dv_rng_init (&self->data.brush_rng, 7);
  for (int side = 0; side < N_SIDES; side++)
    dv_playground_config_init (&self->runs.cfg[side]);
  self->data.source = DATA_MOONS;
  self->data.n_points = DV_TOY_DEFAULT_POINTS;
  self->data.seed = self->runs.cfg[0].train.seed;
  self->runs.steps_per_frame = 0;

  /* Texts of the template's widgets. */
  gtk_button_set_label (GTK_BUTTON (self->controls.edit_a_button), _("Edit A"));
  gtk_button_set_label (GTK_BUTTON (self->controls.edit_b_button), _("Edit B"));
  label_widget (self->controls.edit_a_button, _("Edit run A"), _("The controls below change run A"));
  label_widget (self->controls.edit_b_button, _("Edit run B"), _("The controls below change run B"));
  _dv_playground_page_update_play_button (self);
  label_widget (self->toolbar.step_button, _("Single step"), _("Train one step, then show the new samples (Ctrl+→)"));
  label_widget (self->toolbar.reset_button, _("Reset"), _("Start again from fresh weights, same seed (Ctrl+R)"));
  gtk_button_set_label (GTK_BUTTON (self->toolbar.trained_button), _("Trained model"));
  label_widget (self->toolbar.trained_button, _("Load trained model"),
                _("Load the model shipped for this dataset, trained for 10,000 steps with the default settings; "
                  "Reset starts again from scratch"));
  g_signal_connect (self, "notify::root", G_CALLBACK (_dv_playground_page_on_root_changed), NULL);
  label_widget (self->toolbar.sidebar_button, _("Settings"), _("Show or hide the settings (F9)"));
  gtk_button_set_label (GTK_BUTTON (self->toolbar.compare_button), _("Compare A | B"));
  label_widget (self->toolbar.compare_button, _("Compare A | B"),
                _("Train two settings side by side with the same seed, data and sampling noise"));
  gtk_button_set_label (GTK_BUTTON (self->toolbar.copy_button), _("Copy A → B"));
  label_widget (self->toolbar.copy_button, _("Copy A to B"), _("Give B the settings of A, then restart both"));
  gtk_button_set_label (GTK_BUTTON (self->toolbar.swap_button), _("Swap"));
  label_widget (self->toolbar.swap_button, _("Swap A and B"), _("Exchange the two runs, settings and progress"));
  label_widget (self->toolbar.export_button, _("Export"), _("Export the plot, samples, run or weights; save or load settings"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->toolbar.status_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Final scores"), -1);
  gtk_widget_set_tooltip_text (self->toolbar.status_label, _dv_playground_page_knn_kl_explained ());
  label_widget (self->toolbar.spinner, _("Working"), _("Preparing the model or drawing its first samples"));
  gtk_button_set_label (GTK_BUTTON (self->field.field_button), _("Denoising field"));
  label_widget (self->field.field_button, _("Denoising field"),
                _("Arrows from each grid point x to the model's estimate x̂₀ at timestep t (scaled to fit)"));
  label_widget (self->field.field_scale, _("Field timestep"), _("The timestep t at which the arrows x̂₀ − x are drawn"));
  g_signal_connect_swapped (self->field.field_scale, "value-changed", G_CALLBACK (on_field_changed), self);

  /* The samples plot takes the room before the small charts do, at any zoom. */
  for (int side = 0; side < N_SIDES; side++)
    dv_plot_set_natural_growth (GTK_WIDGET (self->plots.scatter[side]), 3.0);
  dv_plot_add_zoomed_text (GTK_WIDGET (self));
  dv_scatter_plot_set_partner (self->plots.scatter[0], self->plots.scatter[1]);
  dv_scatter_plot_set_partner (self->plots.scatter[1], self->plots.scatter[0]);
  dv_scatter_plot_set_sample_color (self->plots.scatter[0], DV_PLOT_BLUE);
  dv_scatter_plot_set_sample_color (self->plots.scatter[1], DV_PLOT_ORANGE);
  dv_curve_plot_set_title (self->plots.loss_plot, _("Training loss"));
  dv_curve_plot_set_x_label (self->plots.loss_plot, _("step"));
  dv_curve_plot_set_log_y (self->plots.loss_plot, TRUE);
  dv_curve_plot_set_title (self->plots.divergence_plot, _("Grid divergence (bits)"));
  dv_curve_plot_set_x_label (self->plots.divergence_plot, _("step"));
  dv_curve_plot_set_log_y (self->plots.divergence_plot, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->plots.divergence_plot), _dv_playground_page_knn_kl_explained ());
  static const DvPlotColor loss_colors[N_SIDES][2] = { { DV_PLOT_BLUE, DV_PLOT_PURPLE }, { DV_PLOT_ORANGE, DV_PLOT_RED } };
  static const DvPlotColor div_colors[N_SIDES][2] = { { DV_PLOT_BLUE, DV_PLOT_GREEN }, { DV_PLOT_ORANGE, DV_PLOT_PURPLE } };
  for (int side = 0; side < N_SIDES; side++)
    for (int i = 0; i < 2; i++) {
      self->plots.loss_series[side][i] =
        dv_curve_plot_add_series (self->plots.loss_plot, NULL, loss_colors[side][i], side == 1);
      self->plots.divergence_series[side][i] =
        dv_curve_plot_add_series (self->plots.divergence_plot, NULL, div_colors[side][i], side == 1);
    }

  _dv_playground_page_actions_init (self);
  _dv_playground_page_controls_init (self);
  _dv_playground_page_player_init (self);
  _dv_playground_page_sync_controls (self);
  gtk_range_set_value (GTK_RANGE (self->field.field_scale), self->runs.cfg[0].train.T / 2);
  _dv_playground_page_update_titles (self);
  _dv_playground_page_reload_data_and_runs (self);
}
