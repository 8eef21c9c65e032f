#include "dv-config.h"

#include "dv-window.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "dv-playground-page.h"
#include "dv-views-page.h"
#include "dv-votes-page.h"

struct _DvWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwViewStack *stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  DvViewsPage *views_page;
  DvVotesPage *votes_page;
  DvPlaygroundPage *playground_page;

  GtkFileChooserNative *open_chooser;
  AdwToast *toast; /* the one on screen: a newer message replaces its text */
  gboolean close_confirmed; /* the user chose to quit while training */
  guint toast_timeout;
};

G_DEFINE_FINAL_TYPE (DvWindow, dv_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
toast_expired (gpointer user_data)
{
  DvWindow *self = DV_WINDOW (user_data);

  self->toast_timeout = 0;
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  return G_SOURCE_REMOVE;
}

void
dv_window_show_toast (DvWindow *self, const char *message)
{
  dv_window_show_toast_with_action (self, message, NULL, NULL);
}

void
dv_window_show_toast_with_action (DvWindow *self, const char *message, const char *button_label,
                                  const char *action_name)
{
  g_return_if_fail (DV_IS_WINDOW (self));

  /* A newer message replaces the one on screen, in place, and gets the full
   * time to be read: a queue of stale toasts helps nobody, and adding a toast
   * while another one animates out crashes libadwaita 1.2. So the window, not
   * the toast, keeps the time. */
  if (self->toast != NULL)
    adw_toast_set_title (self->toast, message);
  else
    {
      AdwToast *toast = adw_toast_new (message);
      adw_toast_set_timeout (toast, 0);
      g_set_weak_pointer (&self->toast, toast);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  adw_toast_set_button_label (self->toast, button_label);
  adw_toast_set_action_name (self->toast, action_name);
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  /* A toast with a button stays long enough to reach it. */
  self->toast_timeout = g_timeout_add_seconds (button_label ? 8 : 4, toast_expired, self);
}

gpointer
dv_window_finish_job (DvWindow *self, DvJob *job, GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  gpointer value = dv_job_run_finish (job, result, &error);

  if (error == NULL)
    return value;
  g_autofree char *message = NULL;
  if (g_error_matches (error, DV_ERROR, DV_ERROR_CANCELLED) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: %s is the name of a task, such as “Training”. */
    message = g_strdup_printf (_("%s cancelled"), dv_job_get_title (job));
  else
    /* Translators: “Training failed: the loss became NaN”. */
    message = g_strdup_printf (_("%s failed: %s"), dv_job_get_title (job), error->message);
  dv_window_show_toast (self, message);
  return NULL;
}

const char *
dv_window_get_page (DvWindow *self)
{
  g_return_val_if_fail (DV_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

void
dv_window_set_page (DvWindow *self, const char *name)
{
  g_return_if_fail (DV_IS_WINDOW (self));
  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

/* ---- Opening images ---- */

static gboolean
file_is_png (GFile *file)
{
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);
  const char *type = info ? g_file_info_get_content_type (info) : NULL;
  return type != NULL && g_content_type_is_mime_type (type, "image/png");
}

static gboolean
file_is_obj (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *lower = basename ? g_ascii_strdown (basename, -1) : NULL;
  return lower != NULL && g_str_has_suffix (lower, ".obj");
}

static char *
file_display_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  return g_filename_display_name (basename ? basename : "?");
}

void
dv_window_open_files (DvWindow *self, GSList *files)
{
  g_return_if_fail (DV_IS_WINDOW (self));

  g_autoptr (GPtrArray) images = g_ptr_array_new ();
  g_autoptr (GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      if (file_is_png (l->data))
        g_ptr_array_add (images, l->data);
      else if (file_is_obj (l->data))
        {
          /* A model: the Views page renders it (a failure is its toast). */
          g_autoptr (GError) error = NULL;
          if (dv_views_page_import_obj (self->views_page, l->data, DV_VIEWS_UP_Y, &error))
            dv_window_set_page (self, "views");
          else
            dv_window_show_toast (self, error->message);
        }
      else
        g_ptr_array_add (refused, file_display_name (l->data));
    }

  /* One toast says both what arrived and what was refused. */
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  if (images->len > 0)
    {
      dv_views_page_add_images (self->views_page, (GFile **) images->pdata, images->len);
      dv_window_set_page (self, "views");

      if (images->len == 1)
        {
          g_autofree char *name = file_display_name (images->pdata[0]);
          /* Translators: %s is a file name. */
          g_ptr_array_add (parts, g_strdup_printf (_("“%s” opened on the Views page"), name));
        }
      else
        g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u image opened on the Views page",
                                                           "%u images opened on the Views page", images->len),
                                                 images->len));
    }
  if (refused->len > 0)
    {
      g_ptr_array_add (refused, NULL);
      g_autofree char *names = g_strjoinv (", ", (char **) refused->pdata);
      /* Translators: %s is a list of file names. */
      g_ptr_array_add (parts, g_strdup_printf (_("Not a PNG image: %s"), names));
    }
  if (parts->len > 0)
    {
      g_ptr_array_add (parts, NULL);
      g_autofree char *message = g_strjoinv (" · ", (char **) parts->pdata);
      dv_window_show_toast (self, message);
    }
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, DvWindow *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  dv_window_open_files (self, files);
  g_slist_free (files);
  return TRUE;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, DvWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *files = NULL;
      for (guint i = g_list_model_get_n_items (model); i > 0; i--)
        files = g_slist_prepend (files, g_list_model_get_item (model, i - 1));
      dv_window_open_files (self, files);
      g_slist_free_full (files, g_object_unref);
    }
  g_clear_object (&self->open_chooser);
}

static void
open_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvWindow *self = DV_WINDOW (user_data);

  /* A page with its own Open (the Views page: a view's slot, OBJ models) takes it. */
  GtkWidget *page = adw_view_stack_get_visible_child (self->stack);
  if (page != NULL && gtk_widget_activate_action (page, "page.open", NULL))
    return;
  if (self->open_chooser != NULL)
    return;
  self->open_chooser = gtk_file_chooser_native_new (_("Open Images"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->open_chooser), TRUE);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PNG Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->open_chooser), filter);
  g_signal_connect (self->open_chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->open_chooser));
}

/* ---- Page actions ---- */

static void
export_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvWindow *self = DV_WINDOW (user_data);
  GtkWidget *page = adw_view_stack_get_visible_child (self->stack);

  if (page == NULL || !gtk_widget_activate_action (page, "page.export", NULL))
    dv_window_show_toast (self, _("Nothing to export on this page yet"));
}

static void
play_pause_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvWindow *self = DV_WINDOW (user_data);

  if (!gtk_widget_activate_action (GTK_WIDGET (self->playground_page), "page.play-pause", NULL))
    dv_window_show_toast (self, _("Nothing to play on the Playground yet"));
}

static void
undo_reset_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  DvWindow *self = DV_WINDOW (user_data);
  gtk_widget_activate_action (GTK_WIDGET (self->playground_page), "page.undo-reset", NULL);
}

static void
page_state_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  dv_window_set_page (DV_WINDOW (user_data), g_variant_get_string (state, NULL));
}

static const GActionEntry win_actions[] = {
  { "open", open_activated, NULL, NULL, NULL, { 0 } },
  { "export", export_activated, NULL, NULL, NULL, { 0 } },
  { "play-pause", play_pause_activated, NULL, NULL, NULL, { 0 } },
  { "undo-reset", undo_reset_activated, NULL, NULL, NULL, { 0 } },
  { "page", NULL, "s", "'views'", page_state_changed, { 0 } },
};

static void
on_visible_page_changed (DvWindow *self)
{
  /* Also called while the template is being built. */
  const char *name = self->stack ? adw_view_stack_get_visible_child_name (self->stack) : NULL;
  if (name == NULL)
    return;
  GAction *page = g_action_map_lookup_action (G_ACTION_MAP (self), "page");
  g_simple_action_set_state (G_SIMPLE_ACTION (page), g_variant_new_string (name));
  /* Space means play/pause only where there is something to play. */
  GAction *play = g_action_map_lookup_action (G_ACTION_MAP (self), "play-pause");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (play), g_str_equal (name, "playground"));
}

/* Space plays and pauses on the Playground wherever the focus is (after a
 * click on the view switcher it sits on a tab, which would take the key),
 * except in a text field or spin button, where it types a space. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                DvWindow *self)
{
  if (keyval != GDK_KEY_space || (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  if (!g_action_group_get_action_enabled (G_ACTION_GROUP (self), "play-pause"))
    return FALSE;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)))
    return FALSE;
  g_action_group_activate_action (G_ACTION_GROUP (self), "play-pause", NULL);
  return TRUE;
}

/* ---- Window state ---- */

/* Where the Playground keeps its last session: beside the settings, and
 * only when they are kept too (the memory backend of tests and screenshots
 * keeps nothing). */
static char *
session_path (void)
{
  GSettingsBackend *backend = g_settings_backend_get_default ();
  gboolean kept = !g_str_equal (G_OBJECT_TYPE_NAME (backend), "GMemorySettingsBackend");
  g_object_unref (backend);
  return kept ? g_build_filename (g_get_user_config_dir (), "dimvida-studio", "playground-session.json", NULL) : NULL;
}

static void
on_close_response (AdwMessageDialog *dialog, const char *response, DvWindow *self)
{
  if (g_str_equal (response, "quit")) {
    self->close_confirmed = TRUE;
    gtk_window_close (GTK_WINDOW (self));
  }
}

/* Training would stop with the window: ask first. */
static gboolean
confirm_close (DvWindow *self)
{
  if (self->close_confirmed || self->playground_page == NULL || !dv_playground_page_get_playing (self->playground_page))
    return TRUE;
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), _("Stop Training and Quit?"),
                            _("The Playground is training: the steps trained so far are lost when the window closes. "
                              "Its settings and data are kept for next time; Export saves the weights.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "quit", _("_Quit"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "quit", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return FALSE;
}

static gboolean
dv_window_close_request (GtkWindow *window)
{
  DvWindow *self = DV_WINDOW (window);

  if (!confirm_close (self))
    return TRUE;
  g_autofree char *session = session_path ();
  if (session != NULL && self->playground_page != NULL) {
    g_autoptr (GError) error = NULL;
    if (!dv_playground_page_save_session (self->playground_page, session, &error))
      g_warning ("Could not keep the Playground's session: %s", error->message);
  }

  if (self->settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
      if (!maximized)
        {
          int width, height;
          gtk_window_get_default_size (window, &width, &height);
          if (width > 0 && height > 0)
            {
              g_settings_set_int (self->settings, "window-width", MAX (width, 360));
              g_settings_set_int (self->settings, "window-height", MAX (height, 294));
            }
        }
    }
  return GTK_WINDOW_CLASS (dv_window_parent_class)->close_request (window);
}

static void
dv_window_constructed (GObject *object)
{
  DvWindow *self = DV_WINDOW (object);

  G_OBJECT_CLASS (dv_window_parent_class)->constructed (object);

  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  if (DV_IS_APPLICATION (app))
    self->settings = g_object_ref (dv_application_get_settings (DV_APPLICATION (app)));
  else
    self->settings = dv_settings_new ();

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "last-page", self->stack, "visible-child-name", G_SETTINGS_BIND_DEFAULT);
  on_visible_page_changed (self);
  g_autofree char *session = session_path ();
  if (session != NULL)
    dv_playground_page_restore_session (self->playground_page, session);
}

static void
dv_window_dispose (GObject *object)
{
  DvWindow *self = DV_WINDOW (object);

  if (self->open_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->open_chooser));
  g_clear_object (&self->open_chooser);
  g_clear_handle_id (&self->toast_timeout, g_source_remove);
  g_clear_weak_pointer (&self->toast);
  /* Detach the switchers while the stack is alive: libadwaita 1.2 warns if a
   * switcher outlives the stack it shows during the window's disposal. */
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), DV_TYPE_WINDOW);
  G_OBJECT_CLASS (dv_window_parent_class)->dispose (object);
}

static void
dv_window_finalize (GObject *object)
{
  DvWindow *self = DV_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (dv_window_parent_class)->finalize (object);
}

static void
dv_window_class_init (DvWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = dv_window_constructed;
  object_class->dispose = dv_window_dispose;
  object_class->finalize = dv_window_finalize;
  window_class->close_request = dv_window_close_request;

  g_type_ensure (DV_TYPE_VIEWS_PAGE);
  g_type_ensure (DV_TYPE_VOTES_PAGE);
  g_type_ensure (DV_TYPE_PLAYGROUND_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DvWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, views_page);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, votes_page);
  gtk_widget_class_bind_template_child (widget_class, DvWindow, playground_page);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed);

}

static void
dv_window_init (DvWindow *self)
{
  /* Actions first: the template's stack reports its visible page while it is built. */
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The Votes page votes on the object the Views page shows. */
  dv_votes_page_set_views_page (self->votes_page, self->views_page);

  GtkEventController *keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

DvWindow *
dv_window_new (DvApplication *application)
{
  return g_object_new (DV_TYPE_WINDOW, "application", application, NULL);
}
