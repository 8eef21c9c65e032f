/* In-process GUI tests of the Views page, under Xvfb: samples, the four view
 * slots and their given state, opening strips and single views, bad files;
 * generation with tiny weights: live views, cancel, scrub, x_t / x̂₀, replay,
 * metrics, export; missing weights. */
#include "dv-config.h"

#include "core/data_file.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dv-application.h"
#include "dv-renderer.h"
#include "dv-view-slot.h"
#include "dv-views-page.h"
#include "dv-window.h"
#include "io/png.h"
#include "tiny-views-weights.h"
#include "views/ae_image.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include "test-util.h"

static DvApplication *app;
static char *tmp_dir;
static char *weights_dir, *no_weights_dir;

static DvWindow *
main_window (void)
{
  return DV_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static gboolean
window_shows_text (gpointer text)
{
  return has_label_containing (GTK_WIDGET (main_window ()), text);
}

static DvViewsPage *
views_page (void)
{
  return DV_VIEWS_PAGE (find_descendant (GTK_WIDGET (main_window ()), DV_TYPE_VIEWS_PAGE));
}

static gboolean
slots_mapped (gpointer page)
{
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    if (!gtk_widget_get_mapped (GTK_WIDGET (dv_views_page_get_slot (page, v))))
      return FALSE;
  return TRUE;
}

/* Pixels of the slot's image that are not (near) white. */
static guint
count_non_white (DvViewSlot *slot)
{
  GdkTexture *texture = dv_view_slot_get_texture (slot);
  g_assert_nonnull (texture);
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_assert_cmpint (w, ==, DV_VIEW_SLOT_SIDE);
  g_assert_cmpint (h, ==, DV_VIEW_SLOT_SIDE);
  g_autofree guchar *pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, (gsize) w * 4);
  guint count = 0;
  for (int i = 0; i < w * h; i++)
    if (pixels[i * 4] < 240 || pixels[i * 4 + 1] < 240 || pixels[i * 4 + 2] < 240)
      count++;
  return count;
}

/* A view-sized PNG of one colour, or a 4:1 strip of four colours. */
static GFile *
write_png (const char *name, int width, int height)
{
  g_autofree guint8 *rgb = g_malloc ((gsize) width * height * 3);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        int part = x * 4 / width;
        guint8 *p = rgb + ((size_t) y * width + x) * 3;
        p[0] = (guint8) (40 + 50 * part);
        p[1] = 90;
        p[2] = (guint8) (200 - 40 * part);
      }
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_write_rgb8 (path, rgb, width, height, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static GFile *
write_bytes (const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return g_file_new_for_path (path);
}

static void
open_one (GFile *file)
{
  GSList *files = g_slist_append (NULL, file);
  dv_window_open_files (main_window (), files);
  g_slist_free (files);
}

static void
test_samples_are_listed (void)
{
  g_auto (GStrv) samples = dv_views_page_list_samples ();
  g_assert_cmpuint (g_strv_length (samples), ==, 13);
  g_assert_true (g_strv_contains ((const char *const *) samples, "chair"));
  /* The page opens on one, ready to generate: the front given, the others to be generated. */
  g_assert_cmpstr (dv_views_page_get_object_title (views_page ()), ==, "Chair");
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_cmpint (dv_view_slot_get_given (dv_views_page_get_slot (views_page (), v)), ==, v == DV_VIEW_FRONT);
  g_assert_true (window_shows_text ((gpointer) "Open Sample"));
  g_assert_true (window_shows_text ((gpointer) "1 view given, 3 to be generated"));

  /* Its menu lists them by class name, in the menu's own words. */
  GtkMenuButton *button = GTK_MENU_BUTTON (find_descendant (GTK_WIDGET (views_page ()), GTK_TYPE_MENU_BUTTON));
  g_assert_nonnull (button);
  GMenuModel *menu = gtk_menu_button_get_menu_model (button);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 13);
  gboolean has_chair = FALSE;
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL, *action = NULL, *target = NULL;
      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_TARGET, "s", &target));
      g_assert_cmpstr (action, ==, "views.open-sample");
      if (g_str_equal (target, "chair"))
        {
          g_assert_cmpstr (label, ==, "Chair");
          has_chair = TRUE;
        }
    }
  g_assert_true (has_chair);
}

static void
test_open_sample_shows_four_views (void)
{
  DvViewsPage *page = views_page ();
  dv_window_set_page (main_window (), "playground");
  /* Through the menu's action, as a click on "Chair" does. */
  gtk_widget_activate_action (GTK_WIDGET (page), "views.open-sample", "s", "chair");
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
  dv_window_set_page (main_window (), "views");
  wait_for (slots_mapped, page, 10, "the four views to be shown");
  const char *names[] = { "Front", "Right", "Back", "Left" };
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    {
      DvViewSlot *slot = dv_views_page_get_slot (page, v);
      g_assert_true (dv_view_slot_has_image (slot));
      g_assert_cmpint (dv_view_slot_get_given (slot), ==, v == DV_VIEW_FRONT);
      guint inked = count_non_white (slot);
      g_test_message ("%s: %u of %d pixels not white", names[v], inked, DV_VIEW_SLOT_SIDE * DV_VIEW_SLOT_SIDE);
      g_assert_cmpuint (inked, >, DV_VIEW_SLOT_SIDE * DV_VIEW_SLOT_SIDE / 50);
      g_assert_true (window_shows_text ((gpointer) names[v]));
    }
  /* Front and back of a chair are different pictures. */
  g_autoptr (GBytes) front = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  g_autoptr (GBytes) back = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_BACK)));
  g_assert_false (g_bytes_equal (front, back));
  g_assert_true (window_shows_text ((gpointer) "1 view given, 3 to be generated"));
  g_assert_true (window_shows_text ((gpointer) "chair.png"));
}

static GtkToggleButton *
slot_toggle (DvView view)
{
  return GTK_TOGGLE_BUTTON (find_descendant (GTK_WIDGET (dv_views_page_get_slot (views_page (), view)),
                                             GTK_TYPE_TOGGLE_BUTTON));
}

static void
test_toggle_changes_given (void)
{
  DvViewsPage *page = views_page ();
  DvViewSlot *right = dv_views_page_get_slot (page, DV_VIEW_RIGHT);
  GtkToggleButton *toggle = slot_toggle (DV_VIEW_RIGHT);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (toggle)));
  g_assert_false (gtk_toggle_button_get_active (toggle));

  /* A click marks the view given, and the page says so. */
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_true (dv_view_slot_get_given (right));
  wait_for (window_shows_text, (gpointer) "2 views given, 2 to be generated", 10, "the page to count the given views");

  g_signal_emit_by_name (toggle, "clicked");
  g_assert_false (dv_view_slot_get_given (right));
  wait_for (window_shows_text, (gpointer) "1 view given, 3 to be generated", 10, "the count to come back");
  wait_for (window_shows_text, (gpointer) "To be generated", 10, "the overlay on the view");
  /* Its picture stays: it is the truth the generated view is measured against. */
  g_assert_true (dv_view_slot_has_image (right));

  /* The last given view cannot be taken away: the model needs one. */
  g_signal_emit_by_name (slot_toggle (DV_VIEW_FRONT), "clicked");
  g_assert_true (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  g_assert_true (gtk_toggle_button_get_active (slot_toggle (DV_VIEW_FRONT)));
  wait_for (window_shows_text, (gpointer) "At least one view must stay given", 10, "the reason");
}

/* ---- Generation ---- */

static gboolean
has_buildable_id (GtkWidget *widget, gconstpointer id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

/* A control of the page by its id in the template. */
static GtkWidget *
page_widget (const char *id)
{
  return find_descendant_where (GTK_WIDGET (views_page ()), has_buildable_id, id);
}

static gboolean
replay_button_plays (gpointer unused)
{
  return g_str_equal (gtk_button_get_icon_name (GTK_BUTTON (page_widget ("replay_button"))),
                      "media-playback-start-symbolic");
}

static gboolean
not_generating (gpointer page)
{
  return !dv_views_page_get_generating (page);
}

static GBytes *
slot_png (DvView view)
{
  DvViewSlot *slot = dv_views_page_get_slot (views_page (), view);
  GdkTexture *texture = dv_view_slot_get_given (slot) || dv_view_slot_get_generated (slot) == NULL
                          ? dv_view_slot_get_texture (slot)
                          : dv_view_slot_get_generated (slot);
  return gdk_texture_save_to_png_bytes (texture);
}

static void
set_steps (int steps)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (page_widget ("steps_spin"));
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (spin, steps);
}

static void
use_weights (const char *dir)
{
  g_setenv ("DIMVIDA_VIEWS_WEIGHTS", dir, TRUE);
  dv_views_page_refresh_weights (views_page ());
}

static void
test_missing_weights (void)
{
  /* The steps start as Preferences → Sampling Steps says. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (page_widget ("steps_spin"))), ==,
                   g_settings_get_int (dv_application_get_settings (app), "sampling-steps"));
  use_weights (no_weights_dir);
  GtkWidget *generate = page_widget ("generate_button");
  g_assert_nonnull (generate);
  g_assert_false (gtk_widget_get_sensitive (generate));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (generate), "not installed"));
  wait_for (window_shows_text, (gpointer) "The view model is not installed: autoencoder.safetensors was not found", 10,
            "the missing weights' message");
  /* Ctrl+Return says why instead of starting. */
  gtk_widget_activate_action (GTK_WIDGET (views_page ()), "views.generate", NULL);
  g_assert_false (dv_views_page_get_generating (views_page ()));
  g_assert_cmpuint (dv_views_page_get_n_frames (views_page ()), ==, 0);
}

/* Weights that are there but broken: a clear message, nothing changed, Generate ready again. */
static void
test_corrupt_weights (void)
{
  DvViewsPage *page = views_page ();
  g_autofree char *dir = g_build_filename (tmp_dir, "corrupt-weights", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autofree char *ae = g_build_filename (weights_dir, "autoencoder.safetensors", NULL);
  g_autofree char *ae_copy = g_build_filename (dir, "autoencoder.safetensors", NULL);
  g_autofree char *score = g_build_filename (dir, "score.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (ae, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (ae_copy, contents, (gssize) length, NULL));
  g_assert_true (g_file_set_contents (score, "not a safetensors file", -1, NULL));
  use_weights (dir);
  set_steps (6);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the failed generation to end");
  wait_for (window_shows_text, (gpointer) "Could not generate the views", 10, "the message");
  g_assert_cmpuint (dv_views_page_get_n_frames (page), ==, 0);
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_null (dv_view_slot_get_generated (dv_views_page_get_slot (page, v)));
  g_assert_true (gtk_widget_get_sensitive (page_widget ("generate_button")));
}

static void
test_generate (void)
{
  DvViewsPage *page = views_page ();
  use_weights (weights_dir);
  GtkWidget *generate = page_widget ("generate_button");
  g_assert_true (gtk_widget_get_sensitive (generate));
  g_assert_false (has_label_containing (GTK_WIDGET (page), "not installed"));
  set_steps (6);
  GBytes *before[DV_VIEW_COUNT];
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    before[v] = slot_png (v);

  g_signal_emit_by_name (generate, "clicked");
  g_assert_true (dv_views_page_get_generating (page));
  /* What is given cannot change while the model runs. */
  g_signal_emit_by_name (slot_toggle (DV_VIEW_RIGHT), "clicked");
  g_assert_false (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_RIGHT)));
  wait_for (not_generating, page, 60, "the generation to finish");

  g_assert_cmpuint (dv_views_page_get_live_frames (page), >, 0);
  /* Steps 0 to 6, each kept. */
  g_assert_cmpuint (dv_views_page_get_n_frames (page), ==, 7);
  g_assert_cmpuint (dv_views_page_get_frame (page), ==, 6);
  wait_for (window_shows_text, (gpointer) "Step 6 of 6", 10, "the last step");
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    {
      g_autoptr (GBytes) after = slot_png (v);
      DvViewSlot *slot = dv_views_page_get_slot (page, v);
      if (v == DV_VIEW_FRONT)
        {
          g_assert_true (dv_view_slot_get_given (slot));
          g_assert_true (g_bytes_equal (before[v], after));
        }
      else
        {
          g_assert_nonnull (dv_view_slot_get_generated (slot));
          g_assert_false (g_bytes_equal (before[v], after));
          /* The truth is known (a sample): measured against it. */
          double psnr, ssim;
          g_assert_true (dv_views_page_get_metrics (page, v, &psnr, &ssim));
          g_test_message ("view %d: PSNR %.2f dB, SSIM %.3f", v, psnr, ssim);
          g_assert_true (isfinite (psnr) && psnr > 0 && psnr < 100);
          g_assert_true (ssim > -1 && ssim <= 1);
          g_assert_true (g_str_has_prefix (dv_view_slot_get_metrics (slot), "PSNR "));
        }
      g_bytes_unref (before[v]);
    }
  double psnr, ssim;
  g_assert_false (dv_views_page_get_metrics (page, DV_VIEW_FRONT, &psnr, &ssim));
  wait_for (window_shows_text, (gpointer) "PSNR ", 10, "the metrics under the views");
}

/* The last run's variations as rows: K rows of four views, given views the same in each, the generated ones
 * differing between rows; the latent map's cloud, and a path per variation and missing view ending off its start. */
static void
test_variations_and_map (void)
{
  DvViewsPage *page = views_page ();
  GtkSpinButton *variations = GTK_SPIN_BUTTON (page_widget ("variations_spin"));
  g_assert_nonnull (variations);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (variations), ==, 3);
  g_assert_cmpuint (dv_views_page_get_n_variation_rows (page), ==, 3);
  GtkWidget *box = page_widget ("variations_box");
  int rows = 0;
  for (GtkWidget *row = gtk_widget_get_first_child (box); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      rows++;
      int pictures = 0;
      for (GtkWidget *c = gtk_widget_get_first_child (row); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_PICTURE (c))
          {
            pictures++;
            g_assert_nonnull (gtk_widget_get_tooltip_text (c));
          }
      g_assert_cmpint (pictures, ==, 4);
    }
  g_assert_cmpint (rows, ==, 3);
  g_assert_true (window_shows_text ((gpointer) "Variation"));
  g_autofree float *a = g_new (float, 3 * 64 * 64), *b = g_new (float, 3 * 64 * 64);
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    {
      g_assert_true (dv_views_page_get_variation_view (page, 0, v, a));
      g_assert_true (dv_views_page_get_variation_view (page, 2, v, b));
      gboolean same = memcmp (a, b, sizeof (float) * 3 * 64 * 64) == 0;
      g_assert_cmpint (same, ==, v == DV_VIEW_FRONT); /* given: the same; generated: another sample */
    }
  g_assert_false (dv_views_page_get_variation_view (page, 3, DV_VIEW_BACK, a));

  /* The map: the cloud of the sample objects' latents (the tiny weights' map), 3 variations × 3 missing paths. */
  DvLatentPlot *plot = dv_views_page_get_latent_plot (page);
  g_assert_cmpint (dv_latent_plot_get_n_cloud (plot), ==, 52);
  g_assert_cmpint (dv_latent_plot_get_n_paths (plot), ==, 9);
  g_assert_cmpint (dv_latent_plot_get_n_frames (plot), ==, 7); /* steps 0 … 6 */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (plot)));
  guint drawn = dv_latent_plot_get_draw_count (plot);
  float end_x, end_y, x, y;
  g_assert_true (dv_latent_plot_get_head (plot, 0, &end_x, &end_y));
  /* Scrubbed to step 0 the path is its start alone; x̂₀ has a path of its own. */
  dv_views_page_show_frame (page, 0);
  g_assert_cmpint (dv_latent_plot_get_n_frames (plot), ==, 1);
  g_assert_true (dv_latent_plot_get_head (plot, 0, &x, &y));
  g_assert_cmpfloat (fabs (x - end_x) + fabs (y - end_y), >, 0);
  dv_views_page_set_show_estimate (page, TRUE);
  float ex, ey;
  g_assert_true (dv_latent_plot_get_head (plot, 0, &ex, &ey));
  g_assert_cmpfloat (fabs (ex - x) + fabs (ey - y), >, 0);
  dv_views_page_set_show_estimate (page, FALSE);
  dv_views_page_show_frame (page, 6);
  g_assert_cmpint (dv_latent_plot_get_n_frames (plot), ==, 7);
  spin (200);
  g_assert_cmpuint (dv_latent_plot_get_draw_count (plot), >, drawn);
  /* Drawn in both styles without a warning; something besides the background is on it. */
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 400);
  cairo_t *cr = cairo_create (surface);
  dv_latent_plot_render (plot, cr, 400, 400);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface), coloured = 0;
  for (int py = 0; py < 400; py++)
    for (int px = 0; px < 400; px++)
      {
        const guint8 *p = data + py * stride + px * 4;
        if (abs (p[0] - p[1]) > 40 || abs (p[1] - p[2]) > 40)
          coloured++;
      }
  cairo_surface_destroy (surface);
  g_test_message ("%d coloured pixels on the map", coloured);
  g_assert_cmpint (coloured, >, 200);

  /* One variation: one row. */
  gtk_spin_button_set_value (variations, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the generation to finish");
  g_assert_cmpuint (dv_views_page_get_n_variation_rows (page), ==, 1);
  g_assert_cmpint (dv_latent_plot_get_n_paths (plot), ==, 3);
  gtk_spin_button_set_value (variations, 3);
}

/* A map made for another autoencoder is not drawn, and says why. */
static void
test_map_of_another_autoencoder (void)
{
  DvViewsPage *page = views_page ();
  g_autofree char *dir = g_build_filename (tmp_dir, "other-map", NULL);
  g_autofree char *other = g_build_filename (tmp_dir, "other-map-source", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (tiny_views_weights_write (dir, FALSE, &error));
  /* The same networks' shapes, other weights: its map names another autoencoder. */
  g_assert_true (tiny_views_weights_write_seeded (other, 99, &error));
  g_autofree char *from = g_build_filename (other, "latent-map.safetensors", NULL);
  g_autofree char *to = g_build_filename (dir, "latent-map.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, (gssize) length, NULL));
  use_weights (dir);
  DvLatentPlot *plot = dv_views_page_get_latent_plot (page);
  g_assert_cmpint (dv_latent_plot_get_n_cloud (plot), >, 0); /* not known before the model is loaded */
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the generation to finish");
  g_assert_cmpuint (dv_views_page_get_n_frames (page), >, 0);
  g_assert_cmpint (dv_latent_plot_get_n_cloud (plot), ==, 0);
  g_assert_cmpint (dv_latent_plot_get_n_paths (plot), ==, 0);
  wait_for (window_shows_text, (gpointer) "made for another autoencoder", 10, "the reason");
  use_weights (weights_dir);
  g_assert_cmpint (dv_latent_plot_get_n_cloud (plot), ==, 52);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the generation to finish");
}

static void
test_scrub_and_switch (void)
{
  DvViewsPage *page = views_page ();
  g_autoptr (GBytes) end_state = slot_png (DV_VIEW_BACK);
  g_autoptr (GBytes) front = slot_png (DV_VIEW_FRONT);

  /* Step 0: the missing views are pure noise. */
  GtkRange *timeline = GTK_RANGE (page_widget ("timeline_scale"));
  g_assert_nonnull (timeline);
  gtk_range_set_value (timeline, 0);
  g_assert_cmpuint (dv_views_page_get_frame (page), ==, 0);
  wait_for (window_shows_text, (gpointer) "Step 0 of 6", 10, "the first step");
  g_autoptr (GBytes) noise = slot_png (DV_VIEW_BACK);
  g_assert_false (g_bytes_equal (noise, end_state));
  /* The metrics belong to the end, not to step 0. */
  g_assert_cmpstr (dv_view_slot_get_metrics (dv_views_page_get_slot (page, DV_VIEW_BACK)), ==, "");

  /* The estimate x̂₀ at step 0 is not the noise x_t. */
  GtkWidget *estimate = page_widget ("estimate_button");
  g_assert_nonnull (estimate);
  g_signal_emit_by_name (estimate, "clicked");
  g_autoptr (GBytes) estimate0 = slot_png (DV_VIEW_BACK);
  g_assert_false (g_bytes_equal (noise, estimate0));
  g_signal_emit_by_name (page_widget ("state_button"), "clicked");
  g_autoptr (GBytes) noise_again = slot_png (DV_VIEW_BACK);
  g_assert_true (g_bytes_equal (noise, noise_again));

  /* Back to the end; the given view never moved. */
  dv_views_page_show_frame (page, 6);
  g_autoptr (GBytes) end_again = slot_png (DV_VIEW_BACK);
  g_assert_true (g_bytes_equal (end_state, end_again));
  g_assert_true (g_str_has_prefix (dv_view_slot_get_metrics (dv_views_page_get_slot (page, DV_VIEW_BACK)), "PSNR "));
  g_autoptr (GBytes) front_again = slot_png (DV_VIEW_FRONT);
  g_assert_true (g_bytes_equal (front, front_again));
}

static void
test_smooth (void)
{
  DvViewsPage *page = views_page ();
  GtkPicture *back = GTK_PICTURE (find_descendant (GTK_WIDGET (dv_views_page_get_slot (page, DV_VIEW_BACK)),
                                                   GTK_TYPE_PICTURE));
  GtkPicture *front = GTK_PICTURE (find_descendant (GTK_WIDGET (dv_views_page_get_slot (page, DV_VIEW_FRONT)),
                                                    GTK_TYPE_PICTURE));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (back)), ==, DV_VIEW_SLOT_SIDE);
  GtkToggleButton *smooth = GTK_TOGGLE_BUTTON (page_widget ("smooth_button"));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (smooth)));
  g_signal_emit_by_name (smooth, "clicked");
  /* GTK enlarges the views at their own size: 64 for a generated one, the sample's side for a loaded one. */
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (back)), ==, 64);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (front)), <, DV_VIEW_SLOT_SIDE);
  /* Kept in the settings. */
  GSettings *settings = dv_application_get_settings (app);
  g_assert_true (g_settings_get_boolean (settings, "views-smooth"));
  g_signal_emit_by_name (smooth, "clicked");
  g_assert_false (g_settings_get_boolean (settings, "views-smooth"));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (back)), ==, DV_VIEW_SLOT_SIDE);
}

static gboolean
replay_at_end (gpointer page)
{
  return dv_views_page_get_frame (page) == dv_views_page_get_n_frames (page) - 1
         && !has_label_containing (GTK_WIDGET (page), "Step 0 of 6");
}

static void
test_replay (void)
{
  DvViewsPage *page = views_page ();
  dv_views_page_show_frame (page, 6);
  GtkWidget *replay = page_widget ("replay_button");
  g_assert_nonnull (replay);
  g_assert_true (gtk_widget_get_sensitive (replay));
  g_signal_emit_by_name (replay, "clicked");
  /* From the start, since it was at the end. */
  g_assert_cmpuint (dv_views_page_get_frame (page), ==, 0);
  g_assert_false (replay_button_plays (NULL));
  wait_for (replay_at_end, page, 10, "the replay to reach the end");
  wait_for (replay_button_plays, NULL, 10, "the play button to come back");
}

static void
test_export (void)
{
  DvViewsPage *page = views_page ();
  g_autoptr (GError) error = NULL;
  g_autofree char *strip_path = g_build_filename (tmp_dir, "strip.png", NULL);
  g_autofree char *large_path = g_build_filename (tmp_dir, "strip-large.png", NULL);
  g_autofree char *json_path = g_build_filename (tmp_dir, "run.json", NULL);
  g_assert_true (dv_views_page_export_strip (page, strip_path, 1, &error));
  g_assert_no_error (error);
  g_assert_true (dv_views_page_export_strip (page, large_path, 4, &error));
  g_assert_true (dv_views_page_export_json (page, json_path, &error));
  g_assert_no_error (error);

  DvImage strip = { 0 }, large = { 0 }, chair = { 0 };
  g_assert_true (dv_png_read (strip_path, &strip, &error));
  g_assert_cmpint (strip.width, ==, 256);
  g_assert_cmpint (strip.height, ==, 64);
  g_assert_true (dv_png_read (large_path, &large, &error));
  g_assert_cmpint (large.width, ==, 1024);
  g_assert_cmpint (large.height, ==, 256);
  /* Enlarged by nearest neighbour: each pixel a 4×4 block of the small one. */
  for (int y = 0; y < 256; y += 7)
    for (int x = 0; x < 1024; x += 13)
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (large.rgb[((size_t) y * 1024 + x) * 3 + c], ==,
                           strip.rgb[((size_t) (y / 4) * 256 + x / 4) * 3 + c]);
  /* The given front is the sample's own, at 64×64. */
  g_autofree char *chair_path = dv_find_data_file ("samples/chair.png", &error);
  g_assert_true (dv_png_read (chair_path, &chair, &error));
  g_autofree float *views = NULL;
  g_assert_cmpint (dv_ae_image_to_views (&chair, DV_AE_LAYOUT_STRIP, 64, &views), ==, 4);
  double max_diff = 0;
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64; x++)
      for (int c = 0; c < 3; c++)
        max_diff = MAX (max_diff, fabs (strip.rgb[((size_t) y * 256 + x) * 3 + c] - views[c * 4096 + y * 64 + x]));
  g_assert_cmpfloat (max_diff, <=, 1.0 / 255 + 1e-6);
  dv_image_clear (&strip);
  dv_image_clear (&large);
  dv_image_clear (&chair);

  /* The unfolding: 7 kept steps, so 7 rows; the last row's missing views are the strip's, the first is noise. */
  g_autofree char *sheet_path = g_build_filename (tmp_dir, "sheet.png", NULL);
  g_assert_true (dv_views_page_export_contact_sheet (page, sheet_path, &error));
  DvImage sheet = { 0 };
  g_assert_true (dv_png_read (sheet_path, &sheet, &error));
  g_assert_cmpint (sheet.width, ==, 256);
  g_assert_cmpint (sheet.height, ==, 7 * 64);
  g_assert_true (dv_png_read (strip_path, &strip, &error));
  g_assert_cmpmem (sheet.rgb + (size_t) 6 * 64 * 256 * 3, sizeof (float) * 64 * 256 * 3, strip.rgb,
                   sizeof (float) * 64 * 256 * 3);
  g_assert_cmpmem (sheet.rgb, sizeof (float) * 64 * 3, strip.rgb, sizeof (float) * 64 * 3); /* the front, row 0 */
  g_assert_true (memcmp (sheet.rgb + 64 * 3, strip.rgb + 64 * 3, sizeof (float) * 64 * 3) != 0);
  dv_image_clear (&sheet);
  dv_image_clear (&strip);
  g_autofree char *frames_dir = g_build_filename (tmp_dir, "frames", NULL);
  g_assert_true (dv_views_page_export_frames (page, frames_dir, &error));
  for (int k = 0; k <= 6; k++)
    for (int kind = 0; kind < 2; kind++)
      {
        g_autofree char *name = g_strdup_printf ("%s-%04d.png", kind ? "x0" : "xt", k);
        g_autofree char *frame_path = g_build_filename (frames_dir, name, NULL);
        DvImage frame = { 0 };
        g_assert_true (dv_png_read (frame_path, &frame, &error));
        g_assert_cmpint (frame.width, ==, 256);
        dv_image_clear (&frame);
      }

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "dimvida-views-run-1");
  g_assert_cmpstr (json_object_get_string_member (root, "object"), ==, "Chair");
  JsonObject *sampler = json_object_get_object_member (root, "sampler");
  g_assert_cmpstr (json_object_get_string_member (sampler, "kind"), ==, "em");
  g_assert_cmpint (json_object_get_int_member (sampler, "steps"), ==, 6);
  JsonArray *views_array = json_object_get_array_member (root, "views");
  g_assert_cmpuint (json_array_get_length (views_array), ==, 4);
  JsonObject *front = json_array_get_object_element (views_array, 0);
  g_assert_cmpstr (json_object_get_string_member (front, "view"), ==, "front");
  g_assert_true (json_object_get_boolean_member (front, "given"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (front, "psnr")));
  JsonObject *back = json_array_get_object_element (views_array, 2);
  double psnr, ssim;
  g_assert_true (dv_views_page_get_metrics (page, DV_VIEW_BACK, &psnr, &ssim));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (back, "psnr"), psnr, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (back, "ssim"), ssim, 1e-9);
  g_assert_cmpint (json_object_get_int_member (root, "variations"), ==, 3);
  JsonArray *back_variations = json_object_get_array_member (back, "variations");
  g_assert_cmpuint (json_array_get_length (back_variations), ==, 3);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (back_variations, 0),
                                                                 "psnr"), psnr, 1e-9);
  g_assert_true (isfinite (json_object_get_double_member (json_array_get_object_element (back_variations, 2),
                                                          "psnr")));
}

static void
test_sampler_and_seed (void)
{
  DvViewsPage *page = views_page ();
  GtkDropDown *sampler = GTK_DROP_DOWN (page_widget ("sampler_dropdown"));
  g_assert_nonnull (sampler);
  gtk_drop_down_set_selected (sampler, 1);
  wait_for (window_shows_text, (gpointer) "probability-flow ODE", 10, "the ODE's explanation");
  gtk_drop_down_set_selected (sampler, 2);
  wait_for (window_shows_text, (gpointer) "re-noises", 10, "RePaint's explanation");
  gtk_drop_down_set_selected (sampler, 0);
  wait_for (window_shows_text, (gpointer) "reverse SDE", 10, "Euler–Maruyama's explanation");

  GtkSpinButton *seed = GTK_SPIN_BUTTON (page_widget ("seed_spin"));
  double old_seed = gtk_spin_button_get_value (seed);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.new-seed", NULL);
  g_assert_cmpfloat (gtk_spin_button_get_value (seed), !=, old_seed);
  gtk_spin_button_set_value (seed, old_seed);
}

static gboolean
has_live_frames (gpointer page)
{
  return dv_views_page_get_live_frames (page) > 0;
}

static void
test_cancel (void)
{
  DvViewsPage *page = views_page ();
  /* RePaint over 1000 steps: thousands of network calls, cancelled at once. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_widget ("sampler_dropdown")), 2);
  set_steps (1000);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  g_assert_true (dv_views_page_get_generating (page));
  /* Generate has become Cancel, in its place. */
  GtkButton *button = GTK_BUTTON (page_widget ("generate_button"));
  g_assert_cmpstr (gtk_button_get_label (button), ==, "Cancel");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "views.cancel");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (button), "suggested-action"));
  /* Once the sampler runs (its first frame shown): it is the engine that stops, not the job before it starts. */
  wait_for (has_live_frames, page, 60, "the first live frame");
  g_signal_emit_by_name (button, "clicked");
  wait_for (not_generating, page, 60, "the generation to stop");
  wait_for (window_shows_text, (gpointer) "Cancelled", 10, "the page to say so");
  /* Said where the progress is (not an error's toast, which leaves it empty). */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_widget ("progress_label"))), ==, "Cancelled");
  /* And back. */
  g_assert_cmpstr (gtk_button_get_label (button), ==, "Generate");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "views.generate");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (button), "suggested-action"));
  g_assert_cmpuint (dv_views_page_get_n_frames (page), ==, 0);
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_null (dv_view_slot_get_generated (dv_views_page_get_slot (page, v)));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_widget ("sampler_dropdown")), 0);
  set_steps (6);
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer counter)
{
  (*(guint *) counter)++;
  return G_SOURCE_CONTINUE;
}

/* With random weights of the shipped networks' sizes: how often the live
 * views reach the screen while the sampler runs, with 1 and 3 variations.
 * Reported, not asserted (timing on a shared machine); bench/views_live.sh
 * runs it and writes the figures. */
static void
test_live_rate (void)
{
  DvViewsPage *page = views_page ();
  g_autofree char *full_dir = g_build_filename (tmp_dir, "full-size", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (tiny_views_weights_write (full_dir, TRUE, &error));
  use_weights (full_dir);
  const int steps = g_test_perf () ? 300 : 100;
  set_steps (steps);
  GtkSpinButton *variations = GTK_SPIN_BUTTON (page_widget ("variations_spin"));
  /* A first run loads the models; the measured ones find them loaded. */
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 120, "the first generation to finish");
  const int ks[] = { 1, 3 };
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    {
      gtk_spin_button_set_value (variations, ks[i]);
      guint drawn = 0;
      guint tick = gtk_widget_add_tick_callback (GTK_WIDGET (page), count_frame, &drawn, NULL);
      gint64 start = g_get_monotonic_time ();
      gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
      wait_for (not_generating, page, 120, "the generation to finish");
      double seconds = (g_get_monotonic_time () - start) / 1e6;
      gtk_widget_remove_tick_callback (GTK_WIDGET (page), tick);
      guint64 live = dv_views_page_get_live_frames (page);
      double live_seconds = dv_views_page_get_live_seconds (page);
      g_test_message ("live rate: %d steps, %d variations at the shipped sizes: %.2f s, %" G_GUINT64_FORMAT
                      " live frames in %.2f s (%.1f a second), %u frame-clock frames (%.1f a second), %u kept for the "
                      "replay",
                      steps, ks[i], seconds, live, live_seconds, live_seconds > 0 ? (live - 1) / live_seconds : 0,
                      drawn, drawn / seconds, dv_views_page_get_n_frames (page));
      g_assert_cmpuint (live, >, 1);
      g_assert_cmpuint (dv_views_page_get_n_frames (page), >=, 2);
    }
  use_weights (weights_dir);
  set_steps (6);
  gtk_spin_button_set_value (variations, 3);
}

static void
test_open_in_slot (void)
{
  DvViewsPage *page = views_page ();
  g_autoptr (GBytes) front = slot_png (DV_VIEW_FRONT);
  g_autoptr (GFile) view = write_png ("dropped.png", 80, 80);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_views_page_open_in_slot (page, view, DV_VIEW_BACK, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
  g_assert_true (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_BACK)));
  g_autoptr (GBytes) front_after = slot_png (DV_VIEW_FRONT);
  g_assert_true (g_bytes_equal (front, front_after));
  wait_for (window_shows_text, (gpointer) "dropped.png", 10, "the dropped file's name under its view");
  /* A file that is not an image leaves everything as it was. */
  g_autoptr (GFile) bad = write_bytes ("notes.png", "hello", 5);
  g_assert_false (dv_views_page_open_in_slot (page, bad, DV_VIEW_LEFT, &error));
  g_assert_nonnull (error);
  g_assert_false (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_LEFT)));
  /* Back to the sample as it opens. */
  g_assert_true (dv_views_page_open_sample (page, "chair", NULL));
}

static guint
count_inked_texture (GdkTexture *texture, int rows_from, int rows_to)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, (gsize) w * 4);
  guint count = 0;
  for (int y = MAX (rows_from, 0); y < MIN (rows_to, h); y++)
    for (int x = 0; x < w; x++)
      {
        const guchar *p = pixels + ((size_t) y * w + x) * 4;
        if (p[0] < 240 || p[1] < 240 || p[2] < 240)
          count++;
      }
  return count;
}

/* A wide image is one view: padded with white above and below, resized, the original small beside it. */
static void
test_open_non_square (void)
{
  DvViewsPage *page = views_page ();
  g_autoptr (GFile) wide = write_png ("wide.png", 120, 60);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_views_page_open_in_slot (page, wide, DV_VIEW_BACK, &error));
  g_assert_no_error (error);
  DvViewSlot *back = dv_views_page_get_slot (page, DV_VIEW_BACK);
  g_assert_true (dv_view_slot_get_given (back));
  GdkTexture *texture = dv_view_slot_get_texture (back);
  /* 120×60 centred in a 120 square: a quarter white above, a quarter below (at 192: 48 rows each). */
  g_assert_cmpuint (count_inked_texture (texture, 0, 44), ==, 0);
  g_assert_cmpuint (count_inked_texture (texture, 148, 192), ==, 0);
  g_assert_cmpuint (count_inked_texture (texture, 52, 140), ==, 192 * 88);
  GdkTexture *original = dv_view_slot_get_original (back);
  g_assert_nonnull (original);
  g_assert_cmpint (gdk_texture_get_width (original), ==, 64);
  g_assert_cmpint (gdk_texture_get_height (original), ==, 32);
  /* A 64×64 view has no original beside it: it is what the model sees. */
  g_autoptr (GFile) exact = write_png ("exact.png", 64, 64);
  g_assert_true (dv_views_page_open_in_slot (page, exact, DV_VIEW_LEFT, &error));
  g_assert_null (dv_view_slot_get_original (dv_views_page_get_slot (page, DV_VIEW_LEFT)));
  g_assert_true (dv_views_page_open_sample (page, "chair", NULL));
  g_assert_null (dv_view_slot_get_original (back));
}

static GtkWindow *
find_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (GTK_IS_FILE_CHOOSER (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
chooser_shown (gpointer unused)
{
  return find_chooser () != NULL;
}

/* Ctrl+O on the Views page: its own chooser, whose choice says which view a single image becomes. */
static void
test_open_chooser_slot (void)
{
  DvViewsPage *page = views_page ();
  dv_window_set_page (main_window (), "views");
  g_autoptr (GBytes) front = slot_png (DV_VIEW_FRONT);
  g_autoptr (GFile) file = write_png ("chosen.png", 64, 64);
  g_action_group_activate_action (G_ACTION_GROUP (main_window ()), "open", NULL);
  wait_for (chooser_shown, NULL, 10, "the file chooser");
  GtkWindow *dialog = find_chooser ();
  g_assert_cmpstr (gtk_window_get_title (dialog), ==, "Open Images or a Model");
  g_assert_cmpstr (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "dv-slot"), ==, "auto");
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, NULL));
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "dv-slot", "right");
  spin (200);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  wait_for (window_shows_text, (gpointer) "chosen.png", 10, "the file's name under the right view");
  DvViewSlot *right = dv_views_page_get_slot (page, DV_VIEW_RIGHT);
  g_assert_true (dv_view_slot_get_given (right));
  g_assert_cmpuint (count_inked_texture (dv_view_slot_get_texture (right), 0, 192), ==, 192 * 192);
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
  g_autoptr (GBytes) front_after = slot_png (DV_VIEW_FRONT);
  g_assert_true (g_bytes_equal (front, front_after));
  g_assert_true (dv_views_page_open_sample (page, "chair", NULL));
}

/* A long box (along z, the front's depth), with a cube on its top towards the front. */
static GFile *
write_obj (const char *name, gboolean z_up)
{
  GString *obj = g_string_new ("# a test model\no box\n");
  const float boxes[2][6] = { { -0.3f, 0, -1.0f, 0.3f, 0.4f, 1.0f }, { -0.15f, 0.4f, 0.5f, 0.15f, 0.7f, 0.9f } };
  for (int b = 0; b < 2; b++)
    {
      for (int i = 0; i < 8; i++)
        {
          float x = boxes[b][(i & 1) ? 3 : 0], y = boxes[b][(i & 2) ? 4 : 1], z = boxes[b][(i & 4) ? 5 : 2];
          /* +Z up: y and z swapped (a right-handed turn: y → z, z → −y). */
          if (z_up)
            g_string_append_printf (obj, "v %g %g %g\n", x, -z, y);
          else
            g_string_append_printf (obj, "v %g %g %g\n", x, y, z);
        }
      static const int quads[6][4] = { { 1, 3, 4, 2 }, { 5, 6, 8, 7 }, { 1, 2, 6, 5 },
                                        { 3, 7, 8, 4 }, { 1, 5, 7, 3 }, { 2, 4, 8, 6 } };
      for (int f = 0; f < 6; f++)
        g_string_append_printf (obj, "f %d %d %d %d\n", quads[f][0] + 8 * b, quads[f][1] + 8 * b,
                                quads[f][2] + 8 * b, quads[f][3] + 8 * b);
    }
  g_autoptr (GFile) file = write_bytes (name, obj->str, obj->len);
  g_string_free (obj, TRUE);
  return g_object_ref (file);
}

static gboolean
not_importing (gpointer page)
{
  return !dv_views_page_get_importing (page);
}

static guint
slot_inked (DvView view)
{
  return count_non_white (dv_views_page_get_slot (views_page (), view));
}

static void
test_import_obj (void)
{
  DvViewsPage *page = views_page ();
  g_autoptr (GFile) obj = write_obj ("long-box.obj", FALSE);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_views_page_import_obj (page, obj, DV_VIEWS_UP_Y, &error));
  g_assert_true (dv_views_page_get_importing (page));
  wait_for (not_importing, page, 30, "the import");
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "long-box.obj");
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_cmpint (dv_view_slot_get_given (dv_views_page_get_slot (page, v)), ==, v == DV_VIEW_FRONT);
  /* The long side is seen from the right, the narrow end from the front. */
  guint front = slot_inked (DV_VIEW_FRONT), right = slot_inked (DV_VIEW_RIGHT);
  g_test_message ("front %u, right %u pixels inked", front, right);
  g_assert_cmpuint (right, >, front * 6 / 5);
  g_assert_true (gtk_widget_get_visible (page_widget ("obj_box")));
  wait_for (window_shows_text, (gpointer) "Front as in the file", 10, "the turn's label");

  /* A quarter turn: another side is the front. */
  gtk_widget_activate_action (GTK_WIDGET (page), "views.turn-model", NULL);
  wait_for (not_importing, page, 30, "the turn");
  DvViewsUpAxis up;
  int turn;
  g_assert_true (dv_views_page_get_obj_orientation (page, &up, &turn));
  g_assert_cmpint (turn, ==, 1);
  wait_for (window_shows_text, (gpointer) "Turned 90°", 10, "the turn's label");
  guint turned = slot_inked (DV_VIEW_FRONT);
  g_test_message ("turned front %u", turned);
  g_assert_cmpuint (turned, >, front * 6 / 5);
  g_assert_cmpfloat (fabs ((double) turned - right), <, 0.1 * right);
  dv_views_page_set_obj_orientation (page, DV_VIEWS_UP_Y, 0);
  wait_for (not_importing, page, 30, "the turn back");
  g_assert_cmpfloat (fabs ((double) slot_inked (DV_VIEW_FRONT) - front), <, 0.02 * front + 5);

  /* The same model written with +Z up: read as +Y it lies on its side; +Z puts it back. */
  g_autoptr (GFile) z_obj = write_obj ("z-up.obj", TRUE);
  g_assert_true (dv_views_page_import_obj (page, z_obj, DV_VIEWS_UP_Y, &error));
  wait_for (not_importing, page, 30, "the import");
  guint lying = slot_inked (DV_VIEW_FRONT);
  GtkToggleButton *z_button = GTK_TOGGLE_BUTTON (page_widget ("up_z_button"));
  g_signal_emit_by_name (z_button, "clicked");
  wait_for (not_importing, page, 30, "the new up axis");
  g_assert_true (dv_views_page_get_obj_orientation (page, &up, &turn));
  g_assert_cmpint (up, ==, DV_VIEWS_UP_Z);
  guint standing = slot_inked (DV_VIEW_FRONT);
  g_test_message ("+Z file: front %u as +Y, %u as +Z (the +Y file: %u)", lying, standing, front);
  g_assert_cmpfloat (fabs ((double) standing - front), <, 0.05 * front + 5);
  g_assert_cmpfloat (fabs ((double) lying - front), >, 0.1 * front);

  /* The true views are known: generating measures them. */
  set_steps (6);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the generation to finish");
  double psnr, ssim;
  g_assert_true (dv_views_page_get_metrics (page, DV_VIEW_BACK, &psnr, &ssim));

  /* A broken model: a message, and the model shown stays. */
  g_autoptr (GFile) bad = write_bytes ("broken.obj", "v 0 0 0\nf 1 2 3\n", 16);
  g_assert_true (dv_views_page_import_obj (page, bad, DV_VIEWS_UP_Y, &error));
  wait_for (not_importing, page, 30, "the failed import");
  wait_for (window_shows_text, (gpointer) "Could not import the model", 10, "the message");
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "z-up.obj");
  /* A sample is not a model: the model's controls go. */
  g_assert_true (dv_views_page_open_sample (page, "chair", NULL));
  g_assert_false (gtk_widget_get_visible (page_widget ("obj_box")));
  g_assert_false (dv_views_page_get_obj_orientation (page, &up, &turn));
}

static void
test_bad_files_keep_the_object (void)
{
  DvViewsPage *page = views_page ();
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
  g_autoptr (GBytes) before = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_FRONT)));

  /* A PNG signature and then garbage: the window takes it for a PNG. */
  static const guint8 corrupt[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                    0, 0, 1, 0, 0, 0, 0, 64, 8, 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3 };
  g_autoptr (GFile) bad = write_bytes ("corrupt.png", corrupt, sizeof corrupt);
  guint n_before = g_list_model_get_n_items (dv_views_page_get_images (page));
  open_one (bad);
  g_assert_cmpuint (g_list_model_get_n_items (dv_views_page_get_images (page)), ==, n_before + 1);
  wait_for (window_shows_text, (gpointer) "Could not open an image: “corrupt.png”", 10, "the error toast");
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_true (dv_view_slot_has_image (dv_views_page_get_slot (page, v)));
  g_autoptr (GBytes) after = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  g_assert_true (g_bytes_equal (before, after));

  /* Huge (by its header, refused before decoding) and the wrong shape. */
  guint8 huge[sizeof corrupt];
  memcpy (huge, corrupt, sizeof corrupt);
  huge[18] = 0x10; /* width 4096 ... */
  huge[22] = 0x10; /* ... height 4096 + 64 */
  g_autoptr (GFile) huge_file = write_bytes ("huge.png", huge, sizeof huge);
  GFile *files[] = { huge_file };
  dv_views_page_add_images (page, files, 1);
  wait_for (window_shows_text, (gpointer) "“huge.png” is 4096×4160 pixels", 10, "the size error");
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "Chair");
}

static void
test_open_strip_and_single_views (void)
{
  DvViewsPage *page = views_page ();

  /* A 256×64 strip becomes the object shown, each quarter a view. */
  g_autoptr (GFile) strip = write_png ("mine.png", 256, 64);
  open_one (strip);
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "mine.png");
  /* Downloads are B8G8R8A8: red is the third byte. */
  const gsize stride = DV_VIEW_SLOT_SIDE * 4;
  g_autofree guchar *first = g_malloc (stride * DV_VIEW_SLOT_SIDE);
  g_autofree guchar *second = g_malloc (stride * DV_VIEW_SLOT_SIDE);
  gdk_texture_download (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_FRONT)), first, stride);
  gdk_texture_download (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_RIGHT)), second, stride);
  g_assert_cmpint (first[2], ==, 40);
  g_assert_cmpint (second[2], ==, 90);

  /* A square view starts a new object when all four are filled, then fills
   * the next free slot, scaled to the slot. */
  g_autoptr (GFile) view1 = write_png ("view-a.png", 64, 64);
  g_autoptr (GFile) view2 = write_png ("view-b.png", 100, 100);
  GFile *files[] = { view1, view2 };
  dv_views_page_add_images (page, files, 2);
  g_assert_cmpstr (dv_views_page_get_object_title (page), ==, "view-a.png");
  g_assert_true (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  g_assert_true (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_RIGHT)));
  g_assert_false (dv_view_slot_has_image (dv_views_page_get_slot (page, DV_VIEW_BACK)));
  g_assert_false (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_LEFT)));
  g_assert_cmpint (gdk_texture_get_width (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_RIGHT))), ==,
                   DV_VIEW_SLOT_SIDE);
  wait_for (window_shows_text, (gpointer) "2 views given, 2 to be generated", 10, "the count of a partial object");

  /* An empty slot cannot be marked given: there is nothing to give. */
  DvViewSlot *back = dv_views_page_get_slot (page, DV_VIEW_BACK);
  dv_view_slot_set_given (back, TRUE);
  g_assert_false (dv_view_slot_get_given (back));

  /* Views nobody has are generated all the same, without metrics (no truth to measure against). */
  set_steps (6);
  gtk_widget_activate_action (GTK_WIDGET (page), "views.generate", NULL);
  wait_for (not_generating, page, 60, "the generation to finish");
  g_assert_nonnull (dv_view_slot_get_generated (back));
  g_assert_null (dv_view_slot_get_generated (dv_views_page_get_slot (page, DV_VIEW_RIGHT)));
  double psnr, ssim;
  g_assert_false (dv_views_page_get_metrics (page, DV_VIEW_BACK, &psnr, &ssim));
  g_assert_cmpstr (dv_view_slot_get_metrics (back), ==, "");
  GtkWidget *back_toggle = find_descendant (GTK_WIDGET (back), GTK_TYPE_TOGGLE_BUTTON);
  g_assert_true (gtk_widget_get_sensitive (back_toggle));
  g_signal_emit_by_name (back_toggle, "clicked");
  g_assert_false (dv_view_slot_get_given (back));
}

/* Every control of the page, hidden ones too (the model's), says what it does in a tooltip, on itself or on
 * the control it is part of (a spin button's − and +, a drop-down's button). */
static void
collect_controls (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget)
      || GTK_IS_DROP_DOWN (widget) || GTK_IS_SCALE (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_controls (c, out);
}

static void
test_every_control_has_a_tooltip (void)
{
  g_autoptr (GPtrArray) controls = g_ptr_array_new ();
  collect_controls (GTK_WIDGET (views_page ()), controls);
  g_assert_cmpuint (controls->len, >, 20);
  for (guint i = 0; i < controls->len; i++)
    {
      GtkWidget *w = controls->pdata[i];
      gboolean found = FALSE;
      for (GtkWidget *a = w; a != NULL && !found && a != GTK_WIDGET (views_page ()); a = gtk_widget_get_parent (a))
        {
          const char *tip = gtk_widget_get_tooltip_text (a);
          found = tip != NULL && tip[0] != '\0';
          if (GTK_IS_FLOW_BOX_CHILD (a) || DV_IS_VIEW_SLOT (a))
            break; /* the slot as a whole is no control */
        }
      if (!found)
        g_error ("a %s (%s, %s) has no tooltip", G_OBJECT_TYPE_NAME (w),
                 gtk_buildable_get_buildable_id (GTK_BUILDABLE (w)) ?: "no id",
                 GTK_IS_BUTTON (w) ? (gtk_button_get_label (GTK_BUTTON (w)) ?: gtk_button_get_icon_name (GTK_BUTTON (w)))
                                   : "");
    }
}

int
main (int argc, char **argv)
{
  tmp_dir = g_dir_make_tmp ("dv-views-test-XXXXXX", NULL);
  weights_dir = g_build_filename (tmp_dir, "weights", NULL);
  no_weights_dir = g_build_filename (tmp_dir, "no-weights", NULL);
  g_autoptr (GError) error = NULL;
  if (!tiny_views_weights_write (weights_dir, FALSE, &error) || g_mkdir_with_parents (no_weights_dir, 0755) != 0)
    g_error ("tiny weights: %s", error ? error->message : "mkdir");
  g_setenv ("DIMVIDA_VIEWS_WEIGHTS", weights_dir, TRUE);
  gui_test_isolate ("memory", TRUE);
  /* The renderer the app picks (Cairo on a machine without a GPU render node): the live rate is the app's. */
  dv_renderer_apply ();
  gtk_test_init (&argc, &argv, NULL);
  app = gui_test_start_app ();

  g_test_add_func ("/views-page/samples-listed", test_samples_are_listed);
  g_test_add_func ("/views-page/open-sample", test_open_sample_shows_four_views);
  g_test_add_func ("/views-page/toggle-given", test_toggle_changes_given);
  g_test_add_func ("/views-page/missing-weights", test_missing_weights);
  g_test_add_func ("/views-page/corrupt-weights", test_corrupt_weights);
  g_test_add_func ("/views-page/every-control-has-a-tooltip", test_every_control_has_a_tooltip);
  g_test_add_func ("/views-page/generate", test_generate);
  g_test_add_func ("/views-page/variations-and-map", test_variations_and_map);
  g_test_add_func ("/views-page/map-of-another-autoencoder", test_map_of_another_autoencoder);
  g_test_add_func ("/views-page/scrub-and-switch", test_scrub_and_switch);
  g_test_add_func ("/views-page/replay", test_replay);
  g_test_add_func ("/views-page/smooth", test_smooth);
  g_test_add_func ("/views-page/export", test_export);
  g_test_add_func ("/views-page/sampler-and-seed", test_sampler_and_seed);
  g_test_add_func ("/views-page/cancel", test_cancel);
  g_test_add_func ("/views-page/open-in-slot", test_open_in_slot);
  g_test_add_func ("/views-page/live-rate", test_live_rate);
  g_test_add_func ("/views-page/open-non-square", test_open_non_square);
  g_test_add_func ("/views-page/open-chooser-slot", test_open_chooser_slot);
  g_test_add_func ("/views-page/import-obj", test_import_obj);
  g_test_add_func ("/views-page/bad-files", test_bad_files_keep_the_object);
  g_test_add_func ("/views-page/strip-and-single-views", test_open_strip_and_single_views);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (main_window ()));
  spin (100);
  dv_test_remove_tree (tmp_dir);
  g_object_unref (app);
  return status;
}
