/* The app speaks the user's language: run in a French or Italian locale, the
 * page titles, a page's heading and a preferences row come from the catalogue
 * built in the build tree. DV_EXPECT lists the expected translations of
 * "Views|Votes|Playground|Novel Views|Follow System", separated by '|'. */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "dv-application.h"
#include "dv-preferences-window.h"
#include "dv-window.h"

static DvApplication *app;
static char **expected;

static void
test_window_is_translated (void)
{
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  AdwViewStack *stack = ADW_VIEW_STACK (find_descendant (window, ADW_TYPE_VIEW_STACK));
  const char *pages[] = { "views", "votes", "playground" };
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      AdwViewStackPage *page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, pages[i]));
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, expected[i]);
    }
  GtkWidget *views = adw_view_stack_get_child_by_name (stack, "views");
  AdwStatusPage *status = ADW_STATUS_PAGE (find_descendant (views, ADW_TYPE_STATUS_PAGE));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, expected[3]);
}

static void
test_preferences_are_translated (void)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));
  DvPreferencesWindow *prefs = dv_preferences_window_new (parent, dv_application_get_settings (app));
  AdwComboRow *row = ADW_COMBO_ROW (find_descendant (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW));
  GtkStringObject *first = g_list_model_get_item (adw_combo_row_get_model (row), 0);
  g_assert_cmpstr (gtk_string_object_get_string (first), ==, expected[4]);
  g_object_unref (first);
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int argc, char **argv)
{
  const char *expect = g_getenv ("DV_EXPECT");
  if (expect == NULL)
    {
      g_printerr ("set DV_EXPECT\n");
      return 2;
    }
  expected = g_strsplit (expect, "|", -1);
  g_assert_cmpuint (g_strv_length (expected), ==, 5);

  gui_test_isolate ("memory", FALSE);
  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("the locale is not available\n");
      return 77;
    }
  bindtextdomain (GETTEXT_PACKAGE, DV_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  app = gui_test_start_app ();

  g_test_add_func ("/i18n/window", test_window_is_translated);
  g_test_add_func ("/i18n/preferences", test_preferences_are_translated);
  int status = g_test_run ();

  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_object_unref (app);
  g_strfreev (expected);
  return status;
}
