#include "gui-util.h"

#include <string.h>

void
gui_test_isolate (const char *settings_backend, gboolean in_english)
{
  g_setenv ("GSETTINGS_BACKEND", settings_backend, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (in_english) {
    g_setenv ("LANGUAGE", "C", TRUE);
    g_unsetenv ("LC_ALL");
  }
}

DvApplication *
gui_test_start_app (void)
{
  DvApplication *app = dv_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_autoptr (GError) error = NULL;
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  spin (200);
  return app;
}

static gboolean
timeout_reached (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

void
spin (guint ms)
{
  gboolean expired = FALSE;
  g_timeout_add (ms, timeout_reached, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

void
wait_for (gboolean (*cond) (gpointer), gpointer data, guint seconds, const char *what)
{
  gboolean expired = FALSE;
  guint timeout = g_timeout_add (seconds * 1000, timeout_reached, &expired);
  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    g_error ("timed out waiting for %s", what);
  g_source_remove (timeout);
}

GtkWidget *
find_descendant_where (GtkWidget *root, gboolean (*match) (GtkWidget *, gconstpointer), gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant_where (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget *widget, gconstpointer type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

GtkWidget *
find_descendant (GtkWidget *root, GType type)
{
  return find_descendant_where (root, is_of_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_mapped_label_containing (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
         && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

gboolean
has_label_containing (GtkWidget *root, const char *text)
{
  return find_descendant_where (root, is_mapped_label_containing, text) != NULL;
}
