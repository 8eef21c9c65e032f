/* The Views page's player: the live or replayed frame in the missing views'
 * slots (x_t or x̂₀), the step and t, the timeline, the replay, the metrics
 * under the generated views. */
#include "dv-views-page-private.h"

#include "dv-application.h"

#include <glib/gi18n.h>
#include <math.h>

#define REPLAY_FPS 24

static void set_metrics (DvViewsPage *self, gboolean shown);

void
_dv_views_page_show_frame (DvViewsPage *self, const ViewsFrame *frame)
{
  int kind = self->gen.show_estimate ? 1 : 0;
  guint given = self->gen.run && !self->gen.job ? self->gen.run->given_mask : _dv_views_page_given_mask (self);
  for (int v = 0; v < 4; v++)
    if (!((given >> v) & 1u) && frame->rgb[kind][v] != NULL)
      dv_view_slot_set_generated (self->slots[v], frame->rgb[kind][v], VIEW_SIDE);
}

void
_dv_views_page_show_step_text (DvViewsPage *self, const ViewsFrame *frame)
{
  /* Translators: a sampler's progress: the step, of how many, and the diffusion time t (1 = noise, 0 = clean). */
  g_autofree char *text = g_strdup_printf (_("Step %d of %d · t = %.3f"), frame->step, frame->n_steps, frame->t);
  gtk_label_set_text (self->progress_label, text);
}

void
_dv_views_page_show_run_frame (DvViewsPage *self, guint index)
{
  ViewsRun *run = self->gen.run;
  if (run == NULL || run->frames->len == 0)
    return;
  index = MIN (index, run->frames->len - 1);
  self->gen.frame = index;
  ViewsFrame *frame = g_ptr_array_index (run->frames, index);
  _dv_views_page_show_frame (self, frame);
  _dv_views_page_show_path (self, run->path, frame->path_n);
  /* The metrics are the end's: not under an earlier step. */
  set_metrics (self, index == run->frames->len - 1);
  /* Translators: the replay's position: the step shown, of how many. */
  g_autofree char *text = g_strdup_printf (_("Step %d of %d"), frame->step, frame->n_steps);
  gtk_label_set_text (self->timeline_label, text);
  _dv_views_page_show_step_text (self, frame);
  gtk_progress_bar_set_fraction (self->progress_bar, frame->n_steps > 0 ? (double) frame->step / frame->n_steps : 1);
  if ((guint) gtk_range_get_value (GTK_RANGE (self->timeline_scale)) != index)
    gtk_range_set_value (GTK_RANGE (self->timeline_scale), index);
}

static void
set_metrics (DvViewsPage *self, gboolean shown)
{
  ViewsRun *run = self->gen.run;
  for (int v = 0; v < 4; v++)
    {
      g_autofree char *text = NULL;
      if (shown && run != NULL && !isnan (run->psnr[v]))
        /* Translators: image quality of a generated view against the true one: PSNR in decibels, then SSIM (0–1). */
        text = g_strdup_printf (_("PSNR %.1f dB · SSIM %.3f"), run->psnr[v], run->ssim[v]);
      dv_view_slot_set_metrics (self->slots[v], text);
    }
}

void
_dv_views_page_stop_replay (DvViewsPage *self)
{
  g_clear_handle_id (&self->gen.replay_tick, g_source_remove);
  gtk_button_set_icon_name (self->replay_button, "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->replay_button), _("Replay the run"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->replay_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Replay"), -1);
}

static gboolean
replay_tick (gpointer user_data)
{
  DvViewsPage *self = user_data;
  ViewsRun *run = self->gen.run;
  if (run == NULL || self->gen.frame + 1 >= run->frames->len)
    {
      self->gen.replay_tick = 0;
      _dv_views_page_stop_replay (self);
      return G_SOURCE_REMOVE;
    }
  _dv_views_page_show_run_frame (self, self->gen.frame + 1);
  return G_SOURCE_CONTINUE;
}

static void
replay_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  if (self->gen.replay_tick != 0)
    {
      _dv_views_page_stop_replay (self);
      return;
    }
  if (self->gen.run == NULL)
    return;
  /* From the start when at the end. */
  if (self->gen.frame + 1 >= self->gen.run->frames->len)
    _dv_views_page_show_run_frame (self, 0);
  self->gen.replay_tick = g_timeout_add (1000 / REPLAY_FPS, replay_tick, self);
  gtk_button_set_icon_name (self->replay_button, "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->replay_button), _("Pause the replay"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->replay_button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pause"),
                                  -1);
}

static void
on_show_toggled (DvViewsPage *self)
{
  gboolean estimate = gtk_toggle_button_get_active (self->estimate_button);
  if (estimate == self->gen.show_estimate)
    return;
  self->gen.show_estimate = estimate;
  _dv_views_page_set_live_kind (self, estimate ? 1 : 0);
  if (self->gen.live != NULL)
    {
      _dv_views_page_show_frame (self, self->gen.live);
      if (self->gen.path != NULL)
        _dv_views_page_show_path (self, self->gen.path, -1);
    }
  else if (self->gen.run != NULL)
    _dv_views_page_show_run_frame (self, self->gen.frame);
}

static void
on_timeline_changed (DvViewsPage *self)
{
  if (self->gen.run == NULL || self->gen.job != NULL)
    return;
  guint index = (guint) (gtk_range_get_value (GTK_RANGE (self->timeline_scale)) + 0.5);
  if (index != self->gen.frame)
    _dv_views_page_show_run_frame (self, index);
}

guint
dv_views_page_get_n_frames (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), 0);
  return self->gen.run ? self->gen.run->frames->len : 0;
}

void
dv_views_page_show_frame (DvViewsPage *self, guint index)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  gtk_range_set_value (GTK_RANGE (self->timeline_scale), index);
}

guint
dv_views_page_get_frame (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), 0);
  return self->gen.frame;
}

void
dv_views_page_set_show_estimate (DvViewsPage *self, gboolean estimate)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  gtk_toggle_button_set_active (estimate ? self->estimate_button : self->state_button, TRUE);
}

gboolean
dv_views_page_get_metrics (DvViewsPage *self, DvView view, double *psnr, double *ssim)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_return_val_if_fail (view < 4, FALSE);
  if (self->gen.run == NULL || isnan (self->gen.run->psnr[view]))
    return FALSE;
  *psnr = self->gen.run->psnr[view];
  *ssim = self->gen.run->ssim[view];
  return TRUE;
}

void
_dv_views_page_player_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "views.replay", NULL, replay_action);
}

static void
on_smooth_toggled (DvViewsPage *self)
{
  gboolean smooth = gtk_toggle_button_get_active (self->smooth_button);
  for (int v = 0; v < 4; v++)
    dv_view_slot_set_smooth (self->slots[v], smooth);
}

void
_dv_views_page_player_init (DvViewsPage *self)
{
  g_signal_connect_swapped (self->smooth_button, "toggled", G_CALLBACK (on_smooth_toggled), self);
  /* The choice is kept (GSettings), when the app has its settings. */
  GApplication *app = g_application_get_default ();
  if (DV_IS_APPLICATION (app))
    g_settings_bind (dv_application_get_settings (DV_APPLICATION (app)), "views-smooth", self->smooth_button,
                     "active", G_SETTINGS_BIND_DEFAULT);
  on_smooth_toggled (self);
  g_signal_connect_swapped (self->estimate_button, "toggled", G_CALLBACK (on_show_toggled), self);
  g_signal_connect_swapped (self->timeline_scale, "value-changed", G_CALLBACK (on_timeline_changed), self);
  _dv_views_page_stop_replay (self);
}
