/* The app never blocks or crashes on bad input or interrupted work, in
 * process under Xvfb (issue 15): on the Playground and the Views page, a bad
 * drop (the window's drop target), bad opens (files of every wrong kind,
 * including what the fuzzers found), a cancelled job and a job that fails
 * (weights with a NaN, refused by the loader in the worker). After each, the
 * page says why, keeps what it had, and still works. (The Votes page does not
 * exist yet.) */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "core/blas.h"
#include "dv-application.h"
#include "dv-playground-page.h"
#include "dv-view-slot.h"
#include "dv-views-page.h"
#include "dv-window.h"
#include "io/png.h"
#include "core/shape.h"
#include "io/safetensors.h"
#include "test-util.h"
#include "tiny-views-weights.h"
#include "toy/train.h"
#include "views/autoencoder.h"
#include "views/ae_train.h"

static DvApplication *app;
static char *tmp_dir;
static char *weights_dir;

/* ---- helpers ---- */

static DvWindow *
main_window (void)
{
  return DV_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static DvPlaygroundPage *
playground (void)
{
  return DV_PLAYGROUND_PAGE (find_descendant (GTK_WIDGET (main_window ()), DV_TYPE_PLAYGROUND_PAGE));
}

static DvViewsPage *
views_page (void)
{
  return DV_VIEWS_PAGE (find_descendant (GTK_WIDGET (main_window ()), DV_TYPE_VIEWS_PAGE));
}

static gboolean
window_shows_text (gpointer text)
{
  return has_label_containing (GTK_WIDGET (main_window ()), text);
}

static gboolean
has_buildable_id (GtkWidget *widget, gconstpointer id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

static GtkWidget *
views_widget (const char *id)
{
  return find_descendant_where (GTK_WIDGET (views_page ()), has_buildable_id, id);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static GFile *
write_file (const char *name, const void *data, gssize len)
{
  g_autofree char *path = tmp_path (name);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return g_file_new_for_path (path);
}

static gboolean
playground_idle (gpointer unused)
{
  return !dv_playground_page_get_busy (playground ());
}

static gint64
settled_step (void)
{
  wait_for (playground_idle, NULL, 120, "the Playground's workers to finish");
  spin (100);
  return dv_playground_page_get_step (playground (), 0);
}

static gboolean
reached_step (gpointer target)
{
  return dv_playground_page_get_step (playground (), 0) >= *(gint64 *) target;
}

static gboolean
toast_says (gpointer text)
{
  return strstr (dv_playground_page_get_last_toast (playground ()), text) != NULL;
}

/* The Playground still trains: one more step arrives. */
static void
assert_playground_works (void)
{
  /* A trained model at its last step takes no more: start afresh. */
  if (settled_step () >= 10000)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (playground ()), "page.reset", NULL));
  gint64 step = settled_step ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (playground ()), "page.step", NULL));
  gint64 target = step + 1;
  wait_for (reached_step, &target, 30, "one more step");
  g_assert_cmpint (settled_step (), ==, step + 1);
}

/* The window's drop target, as a file manager's drop reaches it. */
static void
drop_files (GFile **files, guint n)
{
  GtkDropTarget *target = NULL;
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (main_window ()));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (c))
        target = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (target);
  GSList *list = NULL;
  for (guint i = n; i > 0; i--)
    list = g_slist_prepend (list, files[i - 1]);
  GValue value = G_VALUE_INIT;
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (list));
  g_slist_free (list);
  gboolean accepted = FALSE;
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
}

/* ---- Views page ---- */

static GBytes *
front_png (void)
{
  return gdk_texture_save_to_png_bytes (dv_view_slot_get_texture (dv_views_page_get_slot (views_page (),
                                                                                           DV_VIEW_FRONT)));
}

static void
assert_views_object_kept (const char *title, GBytes *front)
{
  g_assert_cmpstr (dv_views_page_get_object_title (views_page ()), ==, title);
  g_autoptr (GBytes) now = front_png ();
  g_assert_true (g_bytes_equal (front, now));
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    g_assert_true (dv_view_slot_has_image (dv_views_page_get_slot (views_page (), v)));
}

static void
test_views_bad_drop (void)
{
  dv_window_set_page (main_window (), "views");
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_views_page_open_sample (views_page (), "lamp", &error));
  g_autoptr (GBytes) front = front_png ();
  const char *title = dv_views_page_get_object_title (views_page ());
  g_autofree char *kept_title = g_strdup (title);

  /* Everything wrong at once: what the PNG fuzzer found (a 143-byte file
   * whose zTXt claims 1.7 GB), a JPEG named .png, an empty .png, a folder
   * named .png, a missing file, weights and a CSV. */
  g_autofree char *regression = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions",
                                                       "png-ztxt-claims-1.7gb.png", NULL);
  g_autofree char *folder_path = tmp_path ("folder.png");
  g_assert_cmpint (g_mkdir_with_parents (folder_path, 0755), ==, 0);
  g_autofree char *ae = g_build_filename (weights_dir, "autoencoder.safetensors", NULL);
  GFile *files[] = {
    g_file_new_for_path (regression),
    write_file ("photo.png", "\xff\xd8\xff\xe0 JFIF", -1),
    write_file ("empty.png", "", 0),
    g_file_new_for_path (folder_path),
    g_file_new_for_path ("/nonexistent/view.png"),
    g_file_new_for_path (ae),
    write_file ("points.csv", "x,y\n1,2\n", -1),
  };
  gint64 t0 = g_get_monotonic_time ();
  drop_files (files, G_N_ELEMENTS (files));
  /* The drop returns at once; the page reports and stays. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
  wait_for (window_shows_text, (gpointer) "Not a PNG image", 10, "the refused files' toast");
  spin (500);
  assert_views_object_kept (kept_title, front);

  /* An 8000 × 8000 PNG (768 MB of floats if decoded) is refused by its header. */
  static const guint8 huge_header[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                        0, 0, 0x1f, 0x40, 0, 0, 0x1f, 0x40, 8, 2, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr (GFile) huge = write_file ("huge.png", huge_header, sizeof huge_header);
  drop_files ((GFile *[]) { huge }, 1);
  wait_for (window_shows_text, (gpointer) "“huge.png” is 8000×8000 pixels", 20, "the size error");
  assert_views_object_kept (kept_title, front);

  /* A good strip dropped afterwards opens. */
  g_autofree guint8 *rgb = g_malloc ((gsize) 256 * 64 * 3);
  for (gsize i = 0; i < (gsize) 256 * 64 * 3; i++)
    rgb[i] = (guint8) (i % 251);
  g_autofree char *strip_path = tmp_path ("good.png");
  g_assert_true (dv_png_write_rgb8 (strip_path, rgb, 256, 64, NULL));
  g_autoptr (GFile) strip = g_file_new_for_path (strip_path);
  drop_files ((GFile *[]) { strip }, 1);
  g_assert_cmpstr (dv_views_page_get_object_title (views_page ()), ==, "good.png");
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
}

static void
test_views_bad_open_in_slot (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_views_page_open_sample (views_page (), "chair", &error));
  g_autoptr (GBytes) front = front_png ();
  g_autofree char *regression = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions",
                                                       "png-ztxt-claims-1.7gb.png", NULL);
  GFile *files[] = { g_file_new_for_path (regression), write_file ("text.png", "hello", -1),
                     g_file_new_for_path ("/nonexistent.png") };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_assert_false (dv_views_page_open_in_slot (views_page (), files[i], DV_VIEW_FRONT, &error));
      g_assert_nonnull (error);
      g_test_message ("open in the front slot refused: %s", error->message);
      g_clear_error (&error);
      assert_views_object_kept ("Chair", front);
      g_object_unref (files[i]);
    }
}

static gboolean
not_generating (gpointer unused)
{
  return !dv_views_page_get_generating (views_page ());
}

static void
use_weights (const char *dir)
{
  g_setenv ("DIMVIDA_VIEWS_WEIGHTS", dir, TRUE);
  dv_views_page_refresh_weights (views_page ());
}

static void
generate (int steps)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (views_widget ("steps_spin")), steps);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (views_page ()), "views.generate", NULL));
}

/* Tiny weights whose autoencoder holds one NaN: a valid file, refused by the loader in the worker. */
static void
test_views_failed_job (void)
{
  g_autofree char *dir = tmp_path ("nan-weights");
  g_assert_true (tiny_views_weights_write (dir, FALSE, NULL));
  g_autofree char *ae_path = g_build_filename (dir, "autoencoder.safetensors", NULL);
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_load (ae_path, NULL);
  g_assert_nonnull (ae);
  ae->params.data[ae->params.count / 2] = NAN;
  g_assert_true (dv_autoencoder_save (ae, ae_path, FALSE, NULL, NULL));

  use_weights (dir);
  generate (4);
  wait_for (not_generating, NULL, 60, "the failed generation to end");
  wait_for (window_shows_text, (gpointer) "Could not generate the views", 10, "the failure's message");
  g_assert_cmpuint (dv_views_page_get_n_frames (views_page ()), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (views_widget ("generate_button")));

  /* Good weights again: the same page generates. */
  use_weights (weights_dir);
  generate (4);
  wait_for (not_generating, NULL, 60, "the generation to finish");
  g_assert_cmpuint (dv_views_page_get_n_frames (views_page ()), ==, 5);
}

static gboolean
has_live_frames (gpointer before)
{
  return dv_views_page_get_live_frames (views_page ()) > GPOINTER_TO_UINT (before);
}

static void
test_views_cancelled_jobs (void)
{
  use_weights (weights_dir);
  /* Cancelled at once, five times running, then while the sampler runs: never stuck. */
  for (int i = 0; i < 6; i++)
    {
      const guint64 frames_before = dv_views_page_get_live_frames (views_page ());
      generate (1000);
      g_assert_true (dv_views_page_get_generating (views_page ()));
      /* The last one once the sampler runs (a live frame shown): the engine stops, not the job before it. */
      if (i == 5)
        wait_for (has_live_frames, GUINT_TO_POINTER (frames_before), 60, "the first live frame");
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (views_page ()), "views.cancel", NULL));
      wait_for (not_generating, NULL, 60, "the cancelled generation to stop");
    }
  wait_for (window_shows_text, (gpointer) "Cancelled", 10, "the page to say so");
  generate (4);
  wait_for (not_generating, NULL, 60, "a generation after the cancellations");
  g_assert_cmpuint (dv_views_page_get_n_frames (views_page ()), ==, 5);
}

/* ---- Playground ---- */

static void
test_playground_bad_opens (void)
{
  dv_window_set_page (main_window (), "playground");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (playground ()), "page.reset", NULL));
  gint64 step = settled_step ();
  size_t n_before;
  dv_playground_page_get_source_points (playground (), &n_before);

  /* Configurations: broken JSON, another format, bad values, binary, a folder, nothing. */
  g_autofree char *folder = tmp_path ("folder.json");
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  const char *configs[][2] = {
    { "broken.json", "{\"format\": \"dimvida-playground-config\", \"runs\": [" },
    { "other.json", "{\"format\": \"something-else\"}" },
    { "bad-values.json", "{\"format\": \"dimvida-playground-config\", \"runs\": [{\"train\": {\"steps\": -5}}, "
                         "{\"train\": {\"T\": 1e300}}]}" },
    { "binary.json", "\x89PNG\r\n\x1a\n\x00\x00" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr (GFile) f = write_file (configs[i][0], configs[i][1], i == 3 ? 10 : -1);
      g_autofree char *path = g_file_get_path (f);
      g_autoptr (GError) error = NULL;
      g_assert_false (dv_playground_page_load_config (playground (), path, &error));
      g_assert_nonnull (error);
      g_test_message ("%s refused: %s", configs[i][0], error->message);
    }
  const char *missing[] = { folder, "/nonexistent/config.json" };
  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (dv_playground_page_load_config (playground (), missing[i], &error));
      g_assert_nonnull (error);
    }
  /* A corrupt session at start-up: a toast, nothing else. */
  g_autofree char *session = tmp_path ("broken.json");
  dv_playground_page_restore_session (playground (), session);
  wait_for (toast_says, (gpointer) "Could not restore the last session", 10, "the session toast");

  /* Points: NaN, binary, empty, too few, a folder. */
  const char *csvs[][2] = {
    { "nan.csv", "x,y\n1,2\nnan,3\n" }, { "binary.csv", "\x89PNG\r\n\x1a\n" }, { "empty.csv", "" },
    { "few.csv", "x,y\n1,2\n3,4\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (csvs); i++)
    {
      g_autoptr (GFile) f = write_file (csvs[i][0], csvs[i][1], -1);
      g_autofree char *path = g_file_get_path (f);
      g_autoptr (GError) error = NULL;
      g_assert_false (dv_playground_page_import_csv (playground (), path, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (dv_playground_page_get_data_error (playground ()), csvs[i][0]));
    }
  size_t n_after;
  dv_playground_page_get_source_points (playground (), &n_after);
  g_assert_cmpuint (n_after, ==, n_before);
  g_assert_cmpint (settled_step (), ==, step);
  assert_playground_works ();
}

static void
test_playground_cancelled_jobs (void)
{
  DvPlaygroundPage *page = playground ();
  /* Training, interrupted by a reset, by a change of data, by pausing at once. */
  for (int i = 0; i < 3; i++)
    {
      /* A trained model at its last step has nothing left to play: start it afresh. */
      if (settled_step () >= 10000)
        gtk_widget_activate_action (GTK_WIDGET (page), "page.reset", NULL);
      if (!dv_playground_page_get_playing (page))
        g_action_group_activate_action (G_ACTION_GROUP (main_window ()), "play-pause", NULL);
      g_test_message ("round %d: step %" G_GINT64_FORMAT ", playing %d", i, dv_playground_page_get_step (page, 0),
                      dv_playground_page_get_playing (page));
      g_assert_true (dv_playground_page_get_playing (page));
      spin (i * 150);
      if (i == 0)
        gtk_widget_activate_action (GTK_WIDGET (page), "page.reset", NULL);
      else if (i == 1)
        gtk_widget_activate_action (GTK_WIDGET (page), "page.dataset", "s", "circle");
      else
        g_action_group_activate_action (G_ACTION_GROUP (main_window ()), "play-pause", NULL);
      if (dv_playground_page_get_playing (page))
        g_action_group_activate_action (G_ACTION_GROUP (main_window ()), "play-pause", NULL);
      settled_step ();
    }
  /* The reverse-process film, switched on and off at once. */
  gtk_widget_activate_action (GTK_WIDGET (page), "page.film", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "page.film", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "page.dataset", "s", "moons");
  assert_playground_works ();
}

/* The trained moons model, with one NaN weight, where the app looks first: the
 * worker's load fails, the page says why and trains from scratch. */
static void
test_playground_failed_job (void)
{
  g_autofree char *datadir = tmp_path ("datadir");
  g_autofree char *dir = g_build_filename (datadir, "weights", "toy", "moons", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree char *source = g_build_filename (DV_SOURCE_DATADIR, "weights", "toy", "moons", "model.safetensors", NULL);
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (DvSafetensors) st = dv_safetensors_open (source, &error);
    g_assert_no_error (error);
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
      {
        int ndim, shape[4];
        DvDtype dtype;
        dv_safetensors_shape (st, *name, &ndim, shape, &dtype);
        g_autofree float *v = g_new (float, MAX (dv_shape_numel (ndim, shape), 1));
        g_assert_true (dv_safetensors_read (st, *name, ndim, shape, v, &error));
        if (g_str_equal (*name, "network.0.weight"))
          v[7] = NAN;
        dv_safetensors_writer_add (w, *name, dtype, ndim, shape, v);
      }
    GHashTableIter it;
    gpointer k, val;
    g_hash_table_iter_init (&it, dv_safetensors_metadata_table (st));
    while (g_hash_table_iter_next (&it, &k, &val))
      dv_safetensors_writer_set_metadata (w, k, val);
    g_assert_true (dv_safetensors_writer_save (w, path, &error));
  }
  g_setenv ("DIMVIDA_DATADIR", datadir, TRUE);
  DvPlaygroundPage *page = playground ();
  gtk_widget_activate_action (GTK_WIDGET (page), "page.dataset", "s", "line");
  gtk_widget_activate_action (GTK_WIDGET (page), "page.dataset", "s", "moons");
  wait_for (toast_says, (gpointer) "Could not load the trained model", 30, "the toast about the NaN weights");
  g_test_message ("toast: %s", dv_playground_page_get_last_toast (page));
  g_assert_true (toast_says ((gpointer) "network.0.weight"));
  g_assert_true (toast_says ((gpointer) "NaN"));
  assert_playground_works ();
  /* The button says so too, and leaves the run alone. */
  gint64 step = settled_step ();
  gtk_widget_activate_action (GTK_WIDGET (page), "page.load-trained", NULL);
  g_assert_true (toast_says ((gpointer) "Could not load the trained model: "));
  g_assert_cmpint (settled_step (), ==, step);
  g_unsetenv ("DIMVIDA_DATADIR");
  dv_test_remove_tree (datadir);
}

int
main (int argc, char **argv)
{
  dv_blas_choose_kernel (argc, argv);
  tmp_dir = g_dir_make_tmp ("dv-robustness-XXXXXX", NULL);
  g_autofree char *config_dir = g_build_filename (tmp_dir, "config", NULL);
  g_mkdir_with_parents (config_dir, 0700);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  weights_dir = g_build_filename (tmp_dir, "weights", NULL);
  g_autoptr (GError) error = NULL;
  gui_test_isolate ("memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_assert_true (tiny_views_weights_write (weights_dir, FALSE, &error));
  g_setenv ("DIMVIDA_VIEWS_WEIGHTS", weights_dir, TRUE);
  app = gui_test_start_app ();

  g_test_add_func ("/robustness/views/bad-drop", test_views_bad_drop);
  g_test_add_func ("/robustness/views/bad-open-in-slot", test_views_bad_open_in_slot);
  g_test_add_func ("/robustness/views/failed-job", test_views_failed_job);
  g_test_add_func ("/robustness/views/cancelled-jobs", test_views_cancelled_jobs);
  g_test_add_func ("/robustness/playground/bad-opens", test_playground_bad_opens);
  g_test_add_func ("/robustness/playground/cancelled-jobs", test_playground_cancelled_jobs);
  g_test_add_func ("/robustness/playground/failed-job", test_playground_failed_job);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (main_window ()));
  spin (100);
  dv_test_remove_tree (tmp_dir);
  g_free (weights_dir);
  g_object_unref (app);
  return status;
}
