/* Writes one PNG per page of the main window, in the light and the dark style
 * (OUTDIR/<page>-<light|dark>.png), and one of the About, Preferences and
 * Keyboard Shortcuts windows. When the Views page can generate (weights
 * shipped, or $DIMVIDA_VIEWS_WEIGHTS), also views-generated-<style>.png and
 * views-during-<style>.png (a run's middle step, replayed), and the same
 * scrolled down to the latent map and the variations (views-map-during-,
 * views-map-<style>.png). When the Votes page has its evaluation file, also
 * votes-matrix-<style>.png: the confusion matrix with a cell's objects. Run under X
 * (tests/screenshot.sh uses Xvfb). */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "dv-application.h"
#include "dv-preferences-window.h"
#include "dv-confusion-matrix.h"
#include "dv-views-page.h"
#include "dv-votes-page.h"
#include "dv-window.h"

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer frames)
{
  (*(guint *) frames)++;
  return G_SOURCE_CONTINUE;
}

/* Until the window has drawn a few frames and a little time has passed, so
 * that the page and the switcher are drawn in their final state. */
static void
settle (GtkWidget *window)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (window, count_frame, &frames, NULL);
  gint64 start = g_get_monotonic_time ();
  gtk_widget_queue_draw (window);
  while ((frames < 3 && g_get_monotonic_time () - start < 3000 * 1000) || g_get_monotonic_time () - start < 800 * 1000)
    spin (50);
  gtk_widget_remove_tick_callback (window, id);
}

static gboolean
save_window (GtkWidget *window, const char *path, GError **error)
{
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the window drew nothing");
      return FALSE;
    }
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_autoptr (GdkTexture) texture =
    gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }
  return TRUE;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* (transfer none) */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
save_settled (GtkWidget *window, const char *outdir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (outdir, name, NULL);
  settle (window);
  /* A redraw queued just before leaves the paintable empty: try again. */
  for (int attempt = 0; attempt < 20; attempt++)
    {
      g_clear_error (error);
      if (save_window (window, path, error))
        {
          g_print ("%s\n", path);
          return TRUE;
        }
      spin (100);
    }
  return FALSE;
}

/* Opens a dialog through its action, saves it, closes it. */
static gboolean
save_dialog (GActionGroup *group, const char *action, GType type, const char *outdir, const char *name,
             GError **error)
{
  g_action_group_activate_action (group, action, NULL);
  GtkWindow *dialog = NULL;
  for (int i = 0; i < 100 && dialog == NULL; i++)
    {
      spin (50);
      dialog = find_toplevel (type);
    }
  if (dialog == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s did not open a window", action);
      return FALSE;
    }
  gboolean saved = save_settled (GTK_WIDGET (dialog), outdir, name, error);
  gtk_window_close (dialog);
  spin (200);
  return saved;
}

int
main (int argc, char **argv)
{
  int width = 1200, height = 720;
  if (argc < 2 || argc > 3 || (argc == 3 && (sscanf (argv[2], "%dx%d", &width, &height) != 2 || width < 360
                                             || height < 294 || width > 7680 || height > 4320)))
    {
      g_printerr ("usage: %s OUTDIR [WIDTHxHEIGHT]\n", argv[0]);
      return 2;
    }
  const char *outdir = argv[1];
  if (g_mkdir_with_parents (outdir, 0755) != 0)
    {
      g_printerr ("cannot create %s\n", outdir);
      return 1;
    }

  /* Default settings, stored nowhere; no session bus needed. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, DV_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_autoptr (DvApplication) app = dv_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_autoptr (GError) error = NULL;
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  GSettings *settings = dv_application_get_settings (app);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  /* DV_SCREENSHOT_PLOT_ZOOM=1.5: the plots as Preferences → Plot Zoom makes them. */
  const char *zoom = g_getenv ("DV_SCREENSHOT_PLOT_ZOOM");
  if (zoom != NULL)
    g_settings_set_double (settings, "plot-zoom", g_ascii_strtod (zoom, NULL));
  g_application_activate (G_APPLICATION (app));
  DvWindow *window = DV_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  const char *schemes[] = { "light", "dark" };
  const char *pages[] = { "views", "votes", "playground" };
  for (guint s = 0; s < G_N_ELEMENTS (schemes); s++)
    {
      g_settings_set_string (settings, "color-scheme", schemes[s]);
      for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
        {
          dv_window_set_page (window, pages[p]);
          g_autofree char *name = g_strdup_printf ("%s-%s.png", pages[p], schemes[s]);
          if (!save_settled (GTK_WIDGET (window), outdir, name, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
        }
    }

  /* The Votes page's confusion matrix, a cell selected (cabinet taken for loudspeaker), scrolled to it. */
  DvVotesPage *votes = DV_VOTES_PAGE (find_descendant (GTK_WIDGET (window), DV_TYPE_VOTES_PAGE));
  dv_window_set_page (window, "votes");
  while (dv_votes_page_get_loading_evaluation (votes))
    spin (50);
  if (dv_votes_page_get_evaluation_matches (votes))
    {
      DvConfusionMatrix *matrix = DV_CONFUSION_MATRIX (find_descendant (GTK_WIDGET (votes), DV_TYPE_CONFUSION_MATRIX));
      dv_votes_page_set_evaluation_split (votes, TRUE);
      dv_confusion_matrix_select (matrix, 2, 7);
      while (dv_votes_page_get_loading_evaluation (votes))
        spin (50);
      GtkScrolledWindow *scrolled =
        GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (matrix), GTK_TYPE_SCROLLED_WINDOW));
      for (guint s = 0; s < G_N_ELEMENTS (schemes); s++)
        {
          g_settings_set_string (settings, "color-scheme", schemes[s]);
          settle (GTK_WIDGET (window));
          /* The matrix's lower half and the cell's objects below it. */
          graphene_point_t at;
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
          if (gtk_widget_compute_point (GTK_WIDGET (matrix), GTK_WIDGET (scrolled), &GRAPHENE_POINT_INIT (0, 0), &at))
            gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + at.y + 140);
          g_autofree char *name = g_strdup_printf ("votes-matrix-%s.png", schemes[s]);
          if (!save_settled (GTK_WIDGET (window), outdir, name, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
        }
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), 0);
      dv_votes_page_set_evaluation_split (votes, FALSE);
      dv_confusion_matrix_select (matrix, -1, -1);
    }

  /* A generation on the Views page, when there are weights to run. */
  DvViewsPage *views = DV_VIEWS_PAGE (find_descendant (GTK_WIDGET (window), DV_TYPE_VIEWS_PAGE));
  dv_window_set_page (window, "views");
  gtk_widget_activate_action (GTK_WIDGET (views), "views.generate", NULL);
  while (dv_views_page_get_generating (views))
    spin (50);
  guint frames = dv_views_page_get_n_frames (views);
  for (guint s = 0; s < G_N_ELEMENTS (schemes) && frames > 0; s++)
    {
      g_settings_set_string (settings, "color-scheme", schemes[s]);
      /* The slots, then scrolled down to the latent map and the variations (the last, at the end). */
      const char *moments[] = { "during", "generated", "map-during", "map" };
      guint at[] = { frames / 2, frames - 1, frames / 3, frames - 1 };
      GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (
        gtk_widget_get_ancestor (GTK_WIDGET (dv_views_page_get_latent_plot (views)), GTK_TYPE_SCROLLED_WINDOW));
      for (guint m = 0; m < G_N_ELEMENTS (moments); m++)
        {
          dv_views_page_show_frame (views, at[m]);
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
          gtk_adjustment_set_value (adj, m < 2 ? 0 : gtk_adjustment_get_upper (adj));
          g_autofree char *name = g_strdup_printf ("views-%s-%s.png", moments[m], schemes[s]);
          if (!save_settled (GTK_WIDGET (window), outdir, name, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
        }
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), 0);
    }

  /* The dialogs, in the light style. */
  g_settings_set_string (settings, "color-scheme", "light");
  /* On a narrow window the Playground's settings fold away: show them slid out too. */
  dv_window_set_page (window, "playground");
  AdwFlap *flap = ADW_FLAP (find_descendant (GTK_WIDGET (window), ADW_TYPE_FLAP));
  if (flap && adw_flap_get_folded (flap))
    {
      adw_flap_set_reveal_flap (flap, TRUE);
      gboolean ok = save_settled (GTK_WIDGET (window), outdir, "playground-settings-light.png", &error);
      adw_flap_set_reveal_flap (flap, FALSE);
      if (!ok)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  if (!save_dialog (G_ACTION_GROUP (app), "about", ADW_TYPE_ABOUT_WINDOW, outdir, "about.png", &error) ||
      !save_dialog (G_ACTION_GROUP (app), "preferences", DV_TYPE_PREFERENCES_WINDOW, outdir, "preferences.png",
                    &error) ||
      !save_dialog (G_ACTION_GROUP (window), "show-help-overlay", GTK_TYPE_SHORTCUTS_WINDOW, outdir,
                    "shortcuts.png", &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
