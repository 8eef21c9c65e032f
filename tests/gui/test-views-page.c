/* In-process GUI tests of the Views page, under Xvfb: samples, the four view
 * slots and their given state, opening strips and single views, bad files. */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dv-application.h"
#include "dv-view-slot.h"
#include "dv-views-page.h"
#include "dv-window.h"
#include "io/png.h"
#include "test-util.h"

static DvApplication *app;
static char *tmp_dir;

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
  /* The empty page offers them. */
  g_assert_null (dv_views_page_get_object_title (views_page ()));
  g_assert_true (window_shows_text ((gpointer) "Open Sample"));

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
      g_assert_true (dv_view_slot_get_given (slot));
      guint inked = count_non_white (slot);
      g_test_message ("%s: %u of %d pixels not white", names[v], inked, DV_VIEW_SLOT_SIDE * DV_VIEW_SLOT_SIDE);
      g_assert_cmpuint (inked, >, DV_VIEW_SLOT_SIDE * DV_VIEW_SLOT_SIDE / 50);
      g_assert_true (window_shows_text ((gpointer) names[v]));
    }
  /* Front and back of a chair are different pictures. */
  g_autoptr (GBytes) front = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  g_autoptr (GBytes) back = gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (page, DV_VIEW_BACK)));
  g_assert_false (g_bytes_equal (front, back));
  g_assert_true (window_shows_text ((gpointer) "4 views given, 0 to be generated"));
  g_assert_true (window_shows_text ((gpointer) "chair.png"));
}

static void
test_toggle_changes_given (void)
{
  DvViewsPage *page = views_page ();
  DvViewSlot *right = dv_views_page_get_slot (page, DV_VIEW_RIGHT);
  GtkToggleButton *toggle = GTK_TOGGLE_BUTTON (find_descendant (GTK_WIDGET (right), GTK_TYPE_TOGGLE_BUTTON));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (toggle)));
  g_assert_true (gtk_toggle_button_get_active (toggle));

  /* A click marks the view as one to be generated, and the page says so. */
  g_signal_emit_by_name (toggle, "clicked");
  g_assert_false (dv_view_slot_get_given (right));
  g_assert_true (dv_view_slot_get_given (dv_views_page_get_slot (page, DV_VIEW_FRONT)));
  wait_for (window_shows_text, (gpointer) "3 views given, 1 to be generated", 10, "the page to count the given views");
  wait_for (window_shows_text, (gpointer) "To be generated", 10, "the overlay on the view");
  /* Its picture stays: the model will be given the other three. */
  g_assert_true (dv_view_slot_has_image (right));

  g_signal_emit_by_name (toggle, "clicked");
  g_assert_true (dv_view_slot_get_given (right));
  wait_for (window_shows_text, (gpointer) "4 views given, 0 to be generated", 10, "the count to come back");
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
  g_autoptr (GFile) wide = write_png ("wide.png", 96, 64);
  GFile *files[] = { huge_file, wide };
  dv_views_page_add_images (page, files, 2);
  wait_for (window_shows_text, (gpointer) "“huge.png” is 4096×4160 pixels", 10, "the size error");
  wait_for (window_shows_text, (gpointer) "neither a square view nor a 4-view strip", 10, "the shape error");
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
}

int
main (int argc, char **argv)
{
  tmp_dir = g_dir_make_tmp ("dv-views-test-XXXXXX", NULL);
  gui_test_isolate ("memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  app = gui_test_start_app ();

  g_test_add_func ("/views-page/samples-listed", test_samples_are_listed);
  g_test_add_func ("/views-page/open-sample", test_open_sample_shows_four_views);
  g_test_add_func ("/views-page/toggle-given", test_toggle_changes_given);
  g_test_add_func ("/views-page/bad-files", test_bad_files_keep_the_object);
  g_test_add_func ("/views-page/strip-and-single-views", test_open_strip_and_single_views);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (main_window ()));
  spin (100);
  dv_test_remove_tree (tmp_dir);
  g_object_unref (app);
  return status;
}
