#include "dv-config.h"

#include "dv-application.h"

#include "core/blas.h"

#include <glib/gi18n.h>

#include "dv-job.h"
#include "dv-plot-common.h"
#include "dv-preferences-window.h"
#include "dv-window.h"

struct _DvApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (DvApplication, dv_application, ADW_TYPE_APPLICATION)

GSettings *
dv_settings_new (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (installed != NULL)
    schema = g_settings_schema_source_lookup (installed, DV_APP_ID, TRUE);
  if (schema == NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSettingsSchemaSource) build_tree =
        g_settings_schema_source_new_from_directory (DV_BUILD_SCHEMA_DIR, installed, FALSE, &error);
      if (build_tree != NULL)
        schema = g_settings_schema_source_lookup (build_tree, DV_APP_ID, FALSE);
      if (schema == NULL)
        g_error ("The settings schema %s is neither installed nor compiled in %s%s%s", DV_APP_ID,
                 DV_BUILD_SCHEMA_DIR, error ? ": " : "", error ? error->message : "");
    }
  return g_settings_new_full (schema, NULL, NULL);
}

GSettings *
dv_application_get_settings (DvApplication *self)
{
  g_return_val_if_fail (DV_IS_APPLICATION (self), NULL);
  return self->settings;
}

static void
apply_color_scheme (DvApplication *self)
{
  static const AdwColorScheme schemes[] = { ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT,
                                            ADW_COLOR_SCHEME_FORCE_DARK };
  guint index = (guint) g_settings_get_enum (self->settings, "color-scheme");
  AdwStyleManager *manager = adw_style_manager_get_default ();
  adw_style_manager_set_color_scheme (manager, schemes[MIN (index, G_N_ELEMENTS (schemes) - 1)]);
}

static void
apply_threads (DvApplication *self)
{
  dv_job_set_thread_budget (g_settings_get_int (self->settings, "threads"));
}

static void
apply_plot_zoom (DvApplication *self)
{
  dv_plot_set_user_zoom (g_settings_get_double (self->settings, "plot-zoom"));
}

static void
on_setting_changed (GSettings *settings, const char *key, DvApplication *self)
{
  if (g_str_equal (key, "color-scheme"))
    apply_color_scheme (self);
  else if (g_str_equal (key, "threads"))
    apply_threads (self);
  else if (g_str_equal (key, "plot-zoom"))
    apply_plot_zoom (self);
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  /* Close the windows first, so that each saves its state. */
  GList *windows = g_list_copy (gtk_application_get_windows (app));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
  /* A window that asks first (training would stop) quits once answered. */
  if (gtk_application_get_windows (app) == NULL)
    g_application_quit (G_APPLICATION (app));
}

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvApplication *self = DV_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  DvPreferencesWindow *prefs = dv_preferences_window_new (parent, self->settings);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* What a bug report needs: versions, the renderer drawing the window and
 * the OpenBLAS kernel doing the arithmetic. */
static char *
debug_info (GtkWindow *window)
{
  GString *info = g_string_new (NULL);
  g_string_append_printf (info, "DiMViDA Studio %s\n", DV_VERSION);
  g_string_append_printf (info, "GTK %u.%u.%u, libadwaita %u.%u.%u, GLib %u.%u.%u\n", gtk_get_major_version (),
                          gtk_get_minor_version (), gtk_get_micro_version (), adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version (), glib_major_version, glib_minor_version,
                          glib_micro_version);
  GskRenderer *renderer = window && gtk_widget_get_realized (GTK_WIDGET (window))
                            ? gtk_native_get_renderer (GTK_NATIVE (window))
                            : NULL;
  const char *requested = g_getenv ("GSK_RENDERER");
  g_string_append_printf (info, "Renderer: %s (GSK_RENDERER=%s)\n",
                          renderer ? G_OBJECT_TYPE_NAME (renderer) : "none yet", requested ? requested : "unset");
  const char *coretype = g_getenv ("OPENBLAS_CORETYPE");
  g_string_append_printf (info, "OpenBLAS core: %s (OPENBLAS_CORETYPE=%s), %d threads\n", dv_blas_core_name (),
                          coretype ? coretype : "unset", dv_blas_get_threads ());
  g_string_append_printf (info, "Processors: %u\n", g_get_num_processors ());
  return g_string_free (info, FALSE);
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvApplication *self = DV_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  static const char *developers[] = { "The DiMViDA Studio contributors", NULL };
  /* Each entry is "text URL": the About window turns the URL into a link. */
  g_autofree char *mld = g_strdup_printf ("%s https://arxiv.org/abs/2306.04445",
                                          _("Multi-Modal Latent Diffusion, by M. Bounoua, G. Franzese and "
                                            "P. Michiardi"));
  g_autofree char *ai_scientist = g_strdup_printf ("%s https://github.com/SakanaAI/AI-Scientist",
                                                   _("The AI Scientist, by Sakana AI: its 2D diffusion and "
                                                     "GAN-diffusion templates"));
  g_autofree char *datasaurus = g_strdup_printf ("%s https://www.autodesk.com/research/publications/"
                                                 "same-stats-different-graphs",
                                                 _("The Datasaurus Dozen, by J. Matejka and G. Fitzmaurice "
                                                   "(CHI 2017)"));
  const char *papers[] = {
    _("The DiMViDA paper: multi-view diffusion for novel views and voting classifiers"), mld, NULL
  };
  const char *templates[] = { ai_scientist, NULL };
  const char *data[] = { datasaurus, NULL };

  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", parent,
                                   "modal", TRUE,
                                   "application-icon", DV_APP_ID,
                                   "application-name", _("DiMViDA Studio"),
                                   "developer-name", _("The DiMViDA Studio contributors"),
                                   "version", DV_VERSION,
                                   "comments", _("Explore and teach diffusion models on a laptop, offline: novel "
                                                 "view synthesis, multi-view voting classifiers and a 2D playground "
                                                 "that trains live."),
                                   "website", "https://github.com/dimvida/studio",
                                   "issue-url", "https://github.com/dimvida/studio/issues",
                                   "license-type", GTK_LICENSE_GPL_3_0,
                                   "copyright", _("© 2026 The DiMViDA Studio contributors"),
                                   "developers", developers,
                                   /* Translators: replace with your names, one per line. */
                                   "translator-credits", _("translator-credits"),
                                   NULL);
  g_autofree char *info = debug_info (parent);
  adw_about_window_set_debug_info (ADW_ABOUT_WINDOW (about), info);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Papers"), papers);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Code Templates"), templates);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Data"), data);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

static void
dv_application_startup (GApplication *app)
{
  DvApplication *self = DV_APPLICATION (app);

  G_APPLICATION_CLASS (dv_application_parent_class)->startup (app);

  self->settings = dv_settings_new ();
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_setting_changed), self, 0);
  apply_color_scheme (self);
  apply_threads (self);
  apply_plot_zoom (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);

  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.export", { "<Control>s", NULL } },
    { "win.page::views", { "<Alt>1", NULL } },
    { "win.page::votes", { "<Alt>2", NULL } },
    { "win.page::playground", { "<Alt>3", NULL } },
    /* win.show-help-overlay gets <Control>question from GtkApplication, and
     * Space (win.play-pause) is handled by the window, which knows when a
     * space must be typed instead. */
  };
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
}

static void
dv_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (dv_window_new (DV_APPLICATION (app)));
  gtk_window_present (window);
}

static void
dv_application_dispose (GObject *object)
{
  DvApplication *self = DV_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (dv_application_parent_class)->dispose (object);
}

static void
dv_application_shutdown (GApplication *app)
{
  /* Workers must be out of the engine before the process tears OpenBLAS down. */
  if (!dv_job_cancel_all_and_wait (5000))
    g_warning ("A background job did not stop within 5 s of quitting");
  G_APPLICATION_CLASS (dv_application_parent_class)->shutdown (app);
}

static void
dv_application_class_init (DvApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = dv_application_dispose;
  app_class->startup = dv_application_startup;
  app_class->activate = dv_application_activate;
  app_class->shutdown = dv_application_shutdown;
}

static void
dv_application_init (DvApplication *self)
{
}

DvApplication *
dv_application_new (void)
{
  return g_object_new (DV_TYPE_APPLICATION,
                       "application-id", DV_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/dimvida/Studio",
                       NULL);
}
