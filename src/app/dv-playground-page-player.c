/* The Playground page's reverse-process player: the film of the live
 * samples from noise x_T to data x₀, scrubbed or played, with trails. */
#include "dv-playground-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

#define MAX_TRAIL_POINTS 250
#define FILM_FRAME_MS 40

/* The timestep the sampler denoises at in frame k of a film of n_frames
 * (its steps + 1), as toy/sampler.c visits them: DDPM t = T−1 … 0, DDIM
 * t_i = ⌊i·T/S⌋; -1 for the last frame, x₀. */
static int
film_timestep (const DvPlaygroundConfig *cfg, int n_frames, int k)
{
  int steps = n_frames - 1, T = cfg->train.T;
  k = CLAMP (k, 0, steps);
  if (k >= steps)
    return -1;
  int i = steps - 1 - k;
  return cfg->sampler.kind == DV_SAMPLER_DDPM ? i : (int) ((gint64) i * T / steps);
}

static void
show_film_frame (DvPlaygroundPage *self, int frame)
{
  gboolean trails = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->player.trails_check));
  int n_frames_shown = 0;
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->runs.sides[side];
    if (s->film == NULL || s->film_frames == 0)
      continue;
    int k = CLAMP (frame, 0, s->film_frames - 1);
    n_frames_shown = MAX (n_frames_shown, s->film_frames);
    DvScatterPlot *plot = self->plots.scatter[side];
    dv_scatter_plot_set_samples (plot, s->film + (size_t) k * s->film_n * 2, s->film_n);
    if (trails && k > 0) {
      int m = (int) MIN (s->film_n, MAX_TRAIL_POINTS);
      g_autofree float *paths = g_new (float, (size_t) (k + 1) * m * 2);
      for (int f = 0; f <= k; f++)
        memcpy (paths + (size_t) f * m * 2, s->film + (size_t) f * s->film_n * 2, (size_t) m * 2 * sizeof (float));
      dv_scatter_plot_set_trails (plot, paths, m, k + 1);
    } else {
      dv_scatter_plot_set_trails (plot, NULL, 0, 0);
    }
  }
  if (n_frames_shown > 0) {
    /* The frame's reverse timestep, not a training step: frame k < K holds the
     * points the model denoises at t, the last one x₀. With the field shown,
     * its arrows follow, at the same t. */
    int side = self->runs.sides[0].film_frames > 0 ? 0 : 1;
    int t = film_timestep (&self->runs.cfg[side], self->runs.sides[side].film_frames, frame);
    g_autofree char *label = t >= 0 ? g_strdup_printf (_("t = %d"), t) : g_strdup (_("x₀ (denoised)"));
    gtk_label_set_text (GTK_LABEL (self->player.film_label), label);
    if (t >= 0 && self->field.show_field)
      gtk_range_set_value (GTK_RANGE (self->field.field_scale), t);
  } else {
    gtk_label_set_text (GTK_LABEL (self->player.film_label), _("sampling…"));
  }
  gtk_widget_set_visible (self->player.film_label, TRUE);
}

static void
stop_film_timer (DvPlaygroundPage *self)
{
  g_clear_handle_id (&self->player.film_timer, g_source_remove);
  gtk_button_set_icon_name (GTK_BUTTON (self->player.film_play_button), "media-playback-start-symbolic");
}

static gboolean
film_tick (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  GtkAdjustment *adj = gtk_range_get_adjustment (GTK_RANGE (self->player.film_scale));
  double value = gtk_adjustment_get_value (adj) + 1;
  if (value > gtk_adjustment_get_upper (adj)) {
    self->player.film_timer = 0;
    stop_film_timer (self);
    return G_SOURCE_REMOVE;
  }
  gtk_adjustment_set_value (adj, value);
  return G_SOURCE_CONTINUE;
}

static void
on_film_play_clicked (DvPlaygroundPage *self)
{
  if (self->player.film_timer) {
    stop_film_timer (self);
    return;
  }
  GtkAdjustment *adj = gtk_range_get_adjustment (GTK_RANGE (self->player.film_scale));
  if (gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj))
    gtk_adjustment_set_value (adj, 0);
  self->player.film_timer = g_timeout_add (FILM_FRAME_MS, film_tick, self);
  gtk_button_set_icon_name (GTK_BUTTON (self->player.film_play_button), "media-playback-pause-symbolic");
}

static void
on_film_scale_changed (DvPlaygroundPage *self)
{
  if (self->player.show_film)
    show_film_frame (self, (int) gtk_range_get_value (GTK_RANGE (self->player.film_scale)));
}

void
_dv_playground_page_player_toggled (DvPlaygroundPage *self)
{
  gboolean on = self->player.show_film;
  gtk_widget_set_sensitive (self->player.film_play_button, on);
  gtk_widget_set_sensitive (self->player.film_scale, on);
  stop_film_timer (self);
  if (on) {
    gtk_range_set_value (GTK_RANGE (self->player.film_scale), 0);
    for (int side = 0; side < N_SIDES; side++)
      if (self->runs.sides[side].run) {
        g_clear_pointer (&self->runs.sides[side].film, g_free);
        self->runs.sides[side].film_frames = 0;
        dv_playground_run_request_film (self->runs.sides[side].run);
      }
    show_film_frame (self, 0);
  } else {
    gtk_label_set_text (GTK_LABEL (self->player.film_label), "");
    /* Its room (kept for the longest text, so the bar does not jump) only while playing. */
    gtk_widget_set_visible (self->player.film_label, FALSE);
    for (int side = 0; side < N_SIDES; side++) {
      const Side *s = &self->runs.sides[side];
      dv_scatter_plot_set_trails (self->plots.scatter[side], NULL, 0, 0);
      dv_scatter_plot_set_samples (self->plots.scatter[side], s->live, s->n_live);
    }
  }
}

void
_dv_playground_page_player_film_changed (DvPlaygroundPage *self)
{
  int n_frames = 0;
  for (int i = 0; i < N_SIDES; i++)
    n_frames = MAX (n_frames, self->runs.sides[i].film_frames);
  gtk_range_set_range (GTK_RANGE (self->player.film_scale), 0, MAX (n_frames - 1, 1));
  show_film_frame (self, (int) gtk_range_get_value (GTK_RANGE (self->player.film_scale)));
  /* A fresh film plays by itself, from noise to data. */
  if (self->player.film_timer == 0 && gtk_range_get_value (GTK_RANGE (self->player.film_scale)) == 0)
    on_film_play_clicked (self);
}

void
_dv_playground_page_player_stop (DvPlaygroundPage *self)
{
  g_clear_handle_id (&self->player.film_timer, g_source_remove);
}

void
_dv_playground_page_player_init (DvPlaygroundPage *self)
{
  gtk_button_set_label (GTK_BUTTON (self->player.film_button), _("Reverse process"));
  label_widget (self->player.film_button, _("Reverse process"),
                _("Watch the samples travel from noise x_T to data x₀ with the current weights"));
  label_widget (self->player.film_play_button, _("Play reverse process"),
                _("Play the reverse process from noise to data"));
  label_widget (self->player.film_scale, _("Reverse-process timestep"),
                _("Scrub through the reverse process from t = T − 1 (noise) to x₀; with the denoising field on, "
                  "its arrows follow the same t"));
  gtk_check_button_set_label (GTK_CHECK_BUTTON (self->player.trails_check), _("Trails"));
  label_widget (self->player.trails_check, _("Trails"), _("Draw the path each point took (first 250 points)"));
  g_signal_connect_swapped (self->player.film_play_button, "clicked", G_CALLBACK (on_film_play_clicked), self);
  g_signal_connect_swapped (self->player.film_scale, "value-changed", G_CALLBACK (on_film_scale_changed), self);
  g_signal_connect_swapped (self->player.trails_check, "toggled", G_CALLBACK (on_film_scale_changed), self);
  gtk_range_set_range (GTK_RANGE (self->player.film_scale), 0, 1);
  gtk_widget_set_visible (self->player.film_label, FALSE);
}
