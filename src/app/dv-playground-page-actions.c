/* The Playground page's actions (group "page"), their accelerators and the
 * export menu. page.compare, page.field and page.film are the page's
 * properties of the same names. */
#include "dv-playground-page-private.h"

#include "dv-window.h"

#include <glib/gi18n.h>

static void
play_pause_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  self->runs.playing = !self->runs.playing;
  gboolean any = FALSE;
  for (int side = 0; side < N_SIDES; side++) {
    DvPlaygroundRun *run = self->runs.sides[side].run;
    if (run == NULL)
      continue;
    if (self->runs.playing)
      dv_playground_run_play (run);
    else
      dv_playground_run_pause (run);
    any |= dv_playground_run_get_playing (run);
  }
  /* Nothing left to train (every run at its end): stay paused. */
  if (self->runs.playing && !any)
    self->runs.playing = FALSE;
  _dv_playground_page_update_play_button (self);
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.sides[side].run)
      dv_playground_run_step (self->runs.sides[side].run, 1);
}

/* Shows or hides the settings: over the plots on a narrow window, beside
 * them otherwise (hiding them gives the plots the whole width). */
static void
toggle_settings_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  AdwFlap *flap = ADW_FLAP (DV_PLAYGROUND_PAGE (widget)->controls.flap);
  adw_flap_set_reveal_flap (flap, !adw_flap_get_reveal_flap (flap));
}

/* ---- Reset and its Undo ---- */

void
_dv_playground_page_drop_undo (DvPlaygroundPage *self)
{
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.undo[side]) {
      dv_playground_run_cancel (self->runs.undo[side]);
      g_clear_object (&self->runs.undo[side]);
    }
}

void
_dv_playground_page_reset (DvPlaygroundPage *self)
{
  /* Keep what had trained, paused, for Undo. */
  _dv_playground_page_drop_undo (self);
  gboolean kept = FALSE;
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->runs.sides[side];
    if (s->run && dv_playground_run_get_step (s->run) > 0 && !s->trained) {
      g_signal_handlers_disconnect_by_data (s->run, self);
      dv_playground_run_pause (s->run);
      self->runs.undo[side] = g_steal_pointer (&s->run);
      kept = TRUE;
    }
  }
  self->runs.resetting = TRUE;
  _dv_playground_page_rebuild_all (self, START_FRESH);
  self->runs.resetting = FALSE;
  if (kept) {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    if (root && DV_IS_WINDOW (root))
      dv_window_show_toast_with_action (DV_WINDOW (root), _("Started again from fresh weights"), _("_Undo"),
                                        "win.undo-reset");
  }
}

void
_dv_playground_page_undo_reset (DvPlaygroundPage *self)
{
  gboolean any = FALSE;
  for (int side = 0; side < N_SIDES; side++)
    any |= self->runs.undo[side] != NULL;
  if (!any)
    return;
  _dv_playground_page_cancel_pending_rebuild (self);
  for (int side = 0; side < N_SIDES; side++) {
    DvPlaygroundRun *run = g_steal_pointer (&self->runs.undo[side]);
    if (run == NULL)
      continue;
    _dv_playground_page_drop_run (self, side);
    _dv_playground_page_clear_side_view (self, side);
    self->runs.sides[side].run = run;
    self->runs.sides[side].trained = FALSE;
    g_signal_connect (run, "updated", G_CALLBACK (_dv_playground_page_on_run_updated), self);
    if (self->runs.playing)
      dv_playground_run_play (run);
    _dv_playground_page_update_side (self, side);
  }
  _dv_playground_page_show_toast (self, _("The runs are back where Reset found them"));
}

static void
reset_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  _dv_playground_page_reset (DV_PLAYGROUND_PAGE (widget));
}

static void
undo_reset_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  _dv_playground_page_undo_reset (DV_PLAYGROUND_PAGE (widget));
}

/* The shipped weights for the current dataset, with the settings and data
 * they were trained on. */
static void
load_trained_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = _dv_playground_page_trained_model_path (self, &error);
  DvToyTrainConfig saved;
  /* The whole file is checked here, so that a bad one (a NaN weight) leaves the run alone. */
  if (path == NULL || !dv_toy_checkpoint_read_config (path, &saved, &error) || !dv_toy_checkpoint_check (path, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not load the trained model: %s"), error->message);
    _dv_playground_page_show_toast (self, message);
    return;
  }
  _dv_playground_page_cancel_pending_rebuild (self);
  for (int side = 0; side < N_SIDES; side++)
    self->runs.cfg[side].train = saved;
  gboolean new_data = self->data.n_points != DV_TOY_DEFAULT_POINTS || self->data.seed != saved.seed;
  self->data.n_points = DV_TOY_DEFAULT_POINTS;
  self->data.seed = saved.seed;
  _dv_playground_page_sync_controls (self);
  if (new_data && !_dv_playground_page_remake_data (self))
    return;
  _dv_playground_page_set_data_error (self, NULL);
  _dv_playground_page_rebuild_all (self, START_TRAINED);
  _dv_playground_page_update_titles (self);
}

static void
dataset_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  const char *key = g_variant_get_string (parameter, NULL);
  for (int i = 0; i < N_DATA_SOURCES; i++)
    if (g_str_equal (key, _dv_playground_page_data_keys[i]))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->controls.data_row), i);
}

static void
copy_a_to_b_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  self->runs.cfg[1] = self->runs.cfg[0];
  _dv_playground_page_sync_controls (self);
  _dv_playground_page_rebuild_run (self, 1, START_AS_SETTINGS_SAY);
  _dv_playground_page_rebuild_run (self, 0, START_AS_SETTINGS_SAY);
  _dv_playground_page_update_titles (self);
}

static void
swap_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  DvPlaygroundConfig cfg = self->runs.cfg[0];
  self->runs.cfg[0] = self->runs.cfg[1];
  self->runs.cfg[1] = cfg;
  /* The runs go with their settings, progress and all. */
  DvPlaygroundRun *run_a = g_steal_pointer (&self->runs.sides[0].run);
  DvPlaygroundRun *run_b = g_steal_pointer (&self->runs.sides[1].run);
  for (int side = 0; side < N_SIDES; side++)
    _dv_playground_page_clear_side_view (self, side);
  self->runs.sides[0].run = run_b;
  self->runs.sides[1].run = run_a;
  gboolean trained_a = self->runs.sides[0].trained;
  self->runs.sides[0].trained = self->runs.sides[1].trained;
  self->runs.sides[1].trained = trained_a;
  _dv_playground_page_sync_controls (self);
  _dv_playground_page_update_titles (self);
  for (int side = 0; side < N_SIDES; side++)
    _dv_playground_page_update_side (self, side);
}

/* The edited run's settings as the app ships them (the data and the seed
 * stay: they are the page's, shared by both runs). */
static void
restore_defaults_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  int side = self->controls.editing;
  dv_playground_config_init (&self->runs.cfg[side]);
  _dv_playground_page_sync_controls (self);
  _dv_playground_page_update_titles (self);
  _dv_playground_page_cancel_pending_rebuild (self);
  _dv_playground_page_rebuild_run (self, side, START_AS_SETTINGS_SAY);
  g_autofree char *message = g_strdup_printf (_("Run %s has the default settings again"), side_name (side));
  _dv_playground_page_show_toast (self, message);
}

static void
undo_stroke_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  _dv_playground_page_undo_stroke (DV_PLAYGROUND_PAGE (widget));
}

static void
clear_drawing_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  _dv_playground_page_clear_drawing (DV_PLAYGROUND_PAGE (widget));
}

static void
file_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  if (g_str_equal (name, "page.export") || g_str_equal (name, "page.export-png"))
    _dv_playground_page_choose_file (self, TRUE, _("Export Plot as PNG"), "playground.png", "*.png", dv_playground_page_export_png);
  else if (g_str_equal (name, "page.export-csv"))
    _dv_playground_page_choose_file (self, TRUE, _("Export Samples as CSV"), "samples.csv", "*.csv", dv_playground_page_export_csv);
  else if (g_str_equal (name, "page.export-json"))
    _dv_playground_page_choose_file (self, TRUE, _("Export Run as JSON"), "run.json", "*.json", dv_playground_page_export_json);
  else if (g_str_equal (name, "page.export-weights"))
    _dv_playground_page_choose_file (self, TRUE, _("Export Weights"), "model.safetensors", "*.safetensors",
                                     dv_playground_page_export_weights);
  else if (g_str_equal (name, "page.save-config"))
    _dv_playground_page_choose_file (self, TRUE, _("Save Configuration"), "playground-config.json", "*.json",
                                     dv_playground_page_save_config);
  else if (g_str_equal (name, "page.load-config"))
    _dv_playground_page_choose_file (self, FALSE, _("Load Configuration"), NULL, "*.json", dv_playground_page_load_config);
  else if (g_str_equal (name, "page.import-csv"))
    _dv_playground_page_choose_file (self, FALSE, _("Import Points from CSV"), NULL, NULL, dv_playground_page_import_csv);
}

void
_dv_playground_page_class_actions_init (DvPlaygroundPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  gtk_widget_class_install_action (widget_class, "page.play-pause", NULL, play_pause_action);
  gtk_widget_class_install_action (widget_class, "page.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "page.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "page.undo-reset", NULL, undo_reset_action);
  gtk_widget_class_install_action (widget_class, "page.toggle-settings", NULL, toggle_settings_action);
  gtk_widget_class_install_action (widget_class, "page.load-trained", NULL, load_trained_action);
  gtk_widget_class_install_property_action (widget_class, "page.compare", "compare");
  gtk_widget_class_install_property_action (widget_class, "page.field", "show-field");
  gtk_widget_class_install_property_action (widget_class, "page.film", "show-film");
  gtk_widget_class_install_action (widget_class, "page.copy-a-to-b", NULL, copy_a_to_b_action);
  gtk_widget_class_install_action (widget_class, "page.swap", NULL, swap_action);
  gtk_widget_class_install_action (widget_class, "page.restore-defaults", NULL, restore_defaults_action);
  gtk_widget_class_install_action (widget_class, "page.undo-stroke", NULL, undo_stroke_action);
  gtk_widget_class_install_action (widget_class, "page.clear-drawing", NULL, clear_drawing_action);
  gtk_widget_class_install_action (widget_class, "page.dataset", "s", dataset_action);
  const char *file_actions[] = { "page.export",      "page.export-png",  "page.export-csv", "page.export-json",
                                 "page.export-weights", "page.save-config", "page.load-config", "page.import-csv" };
  for (guint i = 0; i < G_N_ELEMENTS (file_actions); i++)
    gtk_widget_class_install_action (widget_class, file_actions[i], NULL, file_action);
}

/* The page's accelerators act wherever the focus is: they are looked at
 * before the focused widget sees the key (the capture phase), or a focused
 * toolbar button would take Ctrl+→ as "move the focus right". In a text
 * field or spin button, Ctrl+→ keeps its meaning there (next word). */
static gboolean
page_shortcut (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  const char *action = user_data;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  if (g_str_equal (action, "page.step") && focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)))
    return FALSE;
  return gtk_widget_activate_action_variant (widget, action, NULL);
}

void
_dv_playground_page_actions_init (DvPlaygroundPage *self)
{
  /* Wherever the focus is in the window, while the page shows (Space is the
   * window's: it must type a space in text fields). */
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  static const struct {
    const char *accel, *action;
  } keys[] = {
    { "F9", "page.toggle-settings" }, { "<Control>Right", "page.step" }, { "<Control>r", "page.reset" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].accel),
                                                            gtk_callback_action_new (page_shortcut,
                                                                                     (gpointer) keys[i].action,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  GMenu *menu = g_menu_new ();
  GMenu *exports = g_menu_new ();
  g_menu_append (exports, _("Plot as PNG (2×)…"), "page.export-png");
  g_menu_append (exports, _("Samples as CSV…"), "page.export-csv");
  g_menu_append (exports, _("Run as JSON…"), "page.export-json");
  g_menu_append (exports, _("Weights as safetensors…"), "page.export-weights");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (exports));
  GMenu *configs = g_menu_new ();
  g_menu_append (configs, _("Save Configuration…"), "page.save-config");
  g_menu_append (configs, _("Load Configuration…"), "page.load-config");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (configs));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->toolbar.export_button), G_MENU_MODEL (menu));
  _dv_playground_page_quiet_tooltip_while_open (
    self->toolbar.export_button, GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (self->toolbar.export_button))));
  g_object_unref (exports);
  g_object_unref (configs);
  g_object_unref (menu);

  /* Only side by side. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.copy-a-to-b", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.swap", FALSE);
}
