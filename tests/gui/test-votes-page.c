/* In-process GUI tests of the Votes page, under Xvfb, with tiny classifiers
 * whose votes are known: voting on a sample's real view, switching the
 * architecture and the training set, missing weights, generating the missing
 * views from the page and voting with all four, the disagreement note, the
 * main loop turning while a shipped-size classifier runs, and the evaluation
 * panel: the confusion matrix of known tiny predictions on e and ea, a cell's
 * objects (by click, by keys), one opened on the Views page, and the states
 * without a matching evaluation file. */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dv-application.h"
#include "dv-confusion-matrix.h"
#include "dv-vote-bars.h"
#include "dv-views-page.h"
#include "dv-votes-page.h"
#include "dv-window.h"
#include "tiny-views-weights.h"
#include "tiny-votes-weights.h"
#include "views/objects/registry.h"
#include "test-util.h"

static DvApplication *app;
static char *tmp_dir, *votes_dir, *random_dir, *no_weights_dir, *views_dir, *eval_dir;
/* Objects per class of the tiny evaluation file. */
#define PER_CLASS 6

/* What the tiny classifiers vote (tiny_votes_weights_write's order). */
#define CHAIR 4
#define LAMP 6
#define SOFA 9
static const int favoured[4] = { CHAIR /* resnet18-s */, SOFA /* resnet18-m */, LAMP /* mobilenet-s */,
                                 CHAIR /* mobilenet-m */ };

static DvWindow *
main_window (void)
{
  return DV_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static DvViewsPage *
views_page (void)
{
  return DV_VIEWS_PAGE (find_descendant (GTK_WIDGET (main_window ()), DV_TYPE_VIEWS_PAGE));
}

static DvVotesPage *
votes_page (void)
{
  return DV_VOTES_PAGE (find_descendant (GTK_WIDGET (main_window ()), DV_TYPE_VOTES_PAGE));
}

static gboolean
page_shows_text (gpointer text)
{
  return has_label_containing (GTK_WIDGET (votes_page ()), text);
}

static gboolean
has_buildable_id (GtkWidget *widget, gconstpointer id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

static GtkWidget *
page_widget (const char *id)
{
  return find_descendant_where (GTK_WIDGET (votes_page ()), has_buildable_id, id);
}

static gboolean
not_classifying (gpointer page)
{
  return !dv_votes_page_get_classifying (page);
}

static gboolean
not_generating (gpointer page)
{
  return !dv_views_page_get_generating (page);
}

static gboolean
not_loading_evaluation (gpointer page)
{
  return !dv_votes_page_get_loading_evaluation (page);
}

static void
wait_for_vote (void)
{
  wait_for (not_classifying, votes_page (), 60, "the vote to finish");
  wait_for (not_loading_evaluation, votes_page (), 60, "the evaluation to be read");
  spin (50);
}

static void
use_weights (const char *dir)
{
  g_setenv ("DIMVIDA_VOTES_WEIGHTS", dir, TRUE);
  dv_votes_page_refresh_weights (votes_page ());
  wait_for_vote ();
}

static guint
count_bars (void)
{
  guint n = 0;
  GtkWidget *box = page_widget ("votes_box");
  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += DV_IS_VOTE_BARS (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child)));
  return n;
}

static void
test_missing_weights (void)
{
  DvVotesPage *page = votes_page ();
  dv_window_set_page (main_window (), "votes");
  use_weights (no_weights_dir);
  g_assert_nonnull (dv_votes_page_get_missing_weights (page));
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, -1);
  wait_for (page_shows_text, (gpointer) "This classifier is not installed: resnet18-s.safetensors was not found", 10,
            "the missing weights' message");
  wait_for (page_shows_text, (gpointer) "Classifier Not Installed", 10, "the empty state's title");
  g_assert_false (gtk_widget_get_sensitive (page_widget ("regenerate_button")));
  /* The switches stay usable: another classifier may be there. */
  g_assert_true (gtk_widget_get_sensitive (page_widget ("arch_dropdown")));
}

static void
test_vote_on_sample (void)
{
  DvVotesPage *page = votes_page ();
  use_weights (votes_dir);
  g_assert_null (dv_votes_page_get_missing_weights (page));
  guint64 before = dv_votes_page_get_n_votes (page);
  /* Another object on the Views page is voted on by itself. */
  g_assert_true (dv_views_page_open_sample (views_page (), "lamp", NULL));
  g_assert_true (dv_votes_page_get_classifying (page));
  wait_for_vote ();
  g_assert_true (dv_views_page_open_sample (views_page (), "chair", NULL));
  wait_for_vote ();
  g_assert_cmpuint (dv_votes_page_get_n_votes (page), >=, before + 2);
  g_assert_cmpint (dv_views_page_get_true_class (views_page ()), ==, CHAIR);
  /* The sample's front is the one given view: it votes alone, ResNet-18 Ω_s says chair. */
  g_assert_cmpint (dv_votes_page_get_n_views (page), ==, 1);
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, CHAIR);
  float probs[DV_N_OBJECT_CLASSES];
  g_assert_true (dv_votes_page_get_probabilities (page, 0, probs, DV_N_OBJECT_CLASSES));
  const double top = exp (2.0) / (exp (2.0) + DV_N_OBJECT_CLASSES - 1);
  g_assert_cmpfloat_with_epsilon (probs[CHAIR], top, 1e-5);
  g_assert_cmpfloat_with_epsilon (probs[SOFA], (1 - top) / (DV_N_OBJECT_CLASSES - 1), 1e-5);
  g_assert_false (dv_votes_page_get_probabilities (page, 1, probs, DV_N_OBJECT_CLASSES));
  wait_for (page_shows_text, (gpointer) "Verdict: Chair (38 %)", 10, "the verdict");
  wait_for (page_shows_text, (gpointer) "True class: Chair — the vote is right", 10, "the true class");
  wait_for (page_shows_text, (gpointer) "Only the real views vote", 10, "the hint to generate");
  g_assert_true (page_shows_text ((gpointer) "Front · real"));
  g_assert_cmpuint (count_bars (), ==, 1);
  g_assert_false (gtk_widget_get_visible (page_widget ("disagree_label")));
  /* Table II from the files' metadata: ResNet-18 Ω_s e 10 %, ea 15 %; MobileNetV3 Ω_m 40 %, 45 %. */
  const char *table = gtk_label_get_text (GTK_LABEL (page_widget ("eval_label")));
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, " 10.0 %   15.0 %"));
  g_assert_nonnull (strstr (table, " 40.0 %   45.0 %"));
  g_assert_true (gtk_widget_get_sensitive (page_widget ("regenerate_button")));
}

static void
test_switch_models (void)
{
  DvVotesPage *page = votes_page ();
  dv_votes_page_set_model (page, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_M);
  g_assert_cmpint (gtk_drop_down_get_selected (GTK_DROP_DOWN (page_widget ("set_dropdown"))), ==, 1);
  wait_for_vote ();
  g_assert_cmpint (dv_votes_page_get_set (page), ==, DV_VOTES_SET_M);
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, SOFA);
  wait_for (page_shows_text, (gpointer) "True class: Chair — the vote is wrong", 10, "the wrong vote");
  wait_for (page_shows_text, (gpointer) "ResNet-18 trained on Ω_m", 10, "the model named");

  /* Through the drop-down, as a click does. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_widget ("arch_dropdown")), 1);
  wait_for_vote ();
  g_assert_cmpint (dv_votes_page_get_arch (page), ==, DV_CLASSIFIER_MOBILENET);
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, CHAIR);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_widget ("set_dropdown")), 0);
  wait_for_vote ();
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, LAMP);
  wait_for (page_shows_text, (gpointer) "Verdict: Lamp", 10, "MobileNet Ω_s's verdict");

  /* A classifier that is missing among those installed. */
  g_autofree char *partial = g_build_filename (tmp_dir, "partial", NULL);
  g_assert_true (tiny_votes_weights_write (partial, favoured, NULL));
  g_autofree char *gone = g_build_filename (partial, "mobilenet-s.safetensors", NULL);
  g_assert_cmpint (g_remove (gone), ==, 0);
  use_weights (partial);
  g_assert_nonnull (strstr (dv_votes_page_get_missing_weights (page), "mobilenet-s.safetensors"));
  dv_votes_page_set_model (page, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_S);
  wait_for_vote ();
  g_assert_null (dv_votes_page_get_missing_weights (page));
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, CHAIR);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (page_widget ("eval_label"))), "not installed"));
  use_weights (votes_dir);
}

static void
test_generate_and_vote (void)
{
  DvVotesPage *page = votes_page ();
  GtkSpinButton *steps = GTK_SPIN_BUTTON (find_descendant_where (GTK_WIDGET (views_page ()), has_buildable_id,
                                                                 "steps_spin"));
  gtk_spin_button_set_value (steps, 6);
  guint64 before = dv_votes_page_get_n_votes (page);
  g_signal_emit_by_name (page_widget ("regenerate_button"), "clicked");
  g_assert_true (dv_views_page_get_generating (views_page ()));
  wait_for (not_generating, views_page (), 60, "the generation to finish");
  wait_for_vote ();
  g_assert_cmpuint (dv_votes_page_get_n_votes (page), >, before);
  /* The real front and the three generated views, and their mean. */
  g_assert_cmpint (dv_votes_page_get_n_views (page), ==, 4);
  g_assert_cmpuint (count_bars (), ==, 5);
  wait_for (page_shows_text, (gpointer) "Back · generated", 10, "a generated view's vote");
  wait_for (page_shows_text, (gpointer) "Mean of 4 views", 10, "the mean");
  wait_for (page_shows_text, (gpointer) "The mean vote of 1 real and 3 generated views", 10, "the hint");
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, CHAIR);

  /* Random classifiers: the note shows exactly when a view's own top class is not the verdict. */
  use_weights (random_dir);
  g_assert_cmpint (dv_votes_page_get_n_views (page), ==, 4);
  int verdict = dv_votes_page_get_verdict (page);
  gboolean disagree = FALSE;
  double mean[DV_N_OBJECT_CLASSES] = { 0 };
  for (int k = 0; k < 4; k++)
    {
      float probs[DV_N_OBJECT_CLASSES];
      g_assert_true (dv_votes_page_get_probabilities (page, k, probs, DV_N_OBJECT_CLASSES));
      int top = 0;
      for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
        {
          top = probs[c] > probs[top] ? c : top;
          mean[c] += probs[c] / 4;
        }
      disagree |= top != verdict;
    }
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    g_assert_cmpfloat (mean[c], <=, mean[verdict] + 1e-6);
  g_test_message ("random classifiers: verdict %s, the views %s", dv_object_class_name (verdict),
                  disagree ? "disagree" : "agree");
  g_assert_cmpint (gtk_widget_get_visible (page_widget ("disagree_label")), ==, disagree);
  if (disagree)
    g_assert_true (page_shows_text ((gpointer) "The views disagree: "));

  /* A new object forgets the generated views: the real one votes alone again. */
  g_assert_true (dv_views_page_open_sample (views_page (), "chair", NULL));
  wait_for_vote ();
  g_assert_cmpint (dv_votes_page_get_n_views (page), ==, 1);
  use_weights (votes_dir);
}

static gboolean
count_iteration (gpointer counter)
{
  (*(guint *) counter)++;
  return G_SOURCE_CONTINUE;
}

/* A classifier of the shipped width (random weights): the vote runs on a
 * worker while the main loop keeps turning. Timing is reported, not asserted. */
static void
test_responsive (void)
{
  DvVotesPage *page = votes_page ();
  g_autofree char *full = g_build_filename (tmp_dir, "full", NULL);
  g_assert_cmpint (g_mkdir_with_parents (full, 0755), ==, 0);
  DvClassifierConfig config;
  dv_classifier_config_init (&config, DV_CLASSIFIER_RESNET18);
  g_autoptr (DvClassifier) net = dv_classifier_new (&config);
  dv_classifier_init_weights (net, 3);
  g_autofree char *path = g_build_filename (full, "resnet18-s.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_classifier_save (net, path, NULL, &error));
  g_assert_no_error (error);
  g_setenv ("DIMVIDA_VOTES_WEIGHTS", full, TRUE);
  guint iterations = 0;
  guint source = g_timeout_add (5, count_iteration, &iterations);
  gint64 start = g_get_monotonic_time ();
  dv_votes_page_refresh_weights (page);
  /* The request returns at once: the classifier runs on a worker. */
  g_assert_true (dv_votes_page_get_classifying (page));
  g_assert_cmpint (dv_votes_page_get_verdict (page), ==, -1);
  wait_for (not_classifying, page, 60, "the vote to finish");
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (source);
  g_test_message ("a shipped-width ResNet-18 voted in %.3f s, the main loop ran %u 5-ms timeouts meanwhile",
                  seconds, iterations);
  g_assert_cmpint (dv_votes_page_get_verdict (page), >=, 0);
  g_assert_cmpuint (iterations, >, 0);
  use_weights (votes_dir);
}

static DvConfusionMatrix *
matrix (void)
{
  return DV_CONFUSION_MATRIX (page_widget ("matrix"));
}

static guint
count_cell_children (void)
{
  guint n = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (page_widget ("cell_box")); c; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static const char *
status_text (void)
{
  return gtk_label_get_text (GTK_LABEL (page_widget ("matrix_status_label")));
}

/* Sends a key to the matrix's key controller, as a key press does. */
static void
press_key (guint keyval)
{
  GListModel *controllers = gtk_widget_observe_controllers (GTK_WIDGET (matrix ()));
  gboolean handled = FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  g_object_unref (controllers);
  g_assert_true (handled);
}

static void
test_evaluation_missing (void)
{
  DvVotesPage *page = votes_page ();
  use_weights (votes_dir);
  g_assert_false (dv_votes_page_get_evaluation_matches (page));
  g_assert_nonnull (strstr (status_text (), "No evaluation file: evaluation.json was not found"));
  g_assert_false (gtk_widget_get_visible (page_widget ("matrix")));
  g_assert_false (gtk_widget_get_sensitive (page_widget ("split_ea_button")));
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 0);
}

static gboolean
objects_rendered (gpointer data)
{
  if (dv_votes_page_get_loading_evaluation (votes_page ()))
    return FALSE;
  GtkWidget *child = gtk_widget_get_first_child (page_widget ("cell_box"));
  GtkWidget *picture = gtk_widget_get_first_child (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child)));
  return gtk_picture_get_paintable (GTK_PICTURE (picture)) != NULL;
}

static void
test_evaluation_matrix (void)
{
  DvVotesPage *page = votes_page ();
  dv_votes_page_set_model (page, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_S);
  use_weights (eval_dir);
  g_assert_true (dv_votes_page_get_evaluation_matches (page));
  g_assert_true (gtk_widget_get_visible (page_widget ("matrix")));
  g_assert_false (gtk_widget_get_visible (page_widget ("matrix_status_label")));
  DvConfusionMatrix *m = matrix ();
  g_assert_cmpint (dv_confusion_matrix_get_n_classes (m), ==, DV_N_OBJECT_CLASSES);
  /* ResNet-18 Ω_s (file 0) on e: objects 0, 2, 4 of each class taken for the next class. */
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 0), ==, 3);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 1), ==, 3);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 12, 0), ==, 3);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 2), ==, 0);
  /* Table II from these predictions where they match: 50 % on e, 4 of 6 on ea. */
  const char *table = gtk_label_get_text (GTK_LABEL (page_widget ("eval_label")));
  g_test_message ("%s", table);
  g_assert_nonnull (strstr (table, " 50.0 %   66.7 %"));
  wait_for (page_shows_text, (gpointer) "Confusion matrix of ResNet-18 Ω_s on split e: 50.0 % of 78 objects right", 10,
            "the matrix's title");

  /* A click on a cell lists exactly its objects, rendered. */
  gtk_widget_set_size_request (GTK_WIDGET (m), 600, 560);
  spin (200);
  double x, y;
  int t, p;
  g_assert_true (dv_confusion_matrix_cell_center (m, 0, 1, &x, &y));
  g_assert_true (dv_confusion_matrix_cell_at (m, x, y, &t, &p));
  g_assert_cmpint (t, ==, 0);
  g_assert_cmpint (p, ==, 1);
  dv_confusion_matrix_select (m, t, p);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 3);
  g_assert_cmpuint (count_cell_children (), ==, 3);
  g_assert_true (page_shows_text ((gpointer) "True: Airplane, predicted: Bench on split e — 3 objects"));
  g_assert_true (page_shows_text ((gpointer) "e: Bench\nea: Cabinet")); /* object 0: c + 2 on ea */
  wait_for (objects_rendered, NULL, 30, "the objects to be rendered");

  /* The e / ea toggle: the same cell on ea is empty; the matrix's counts change. */
  dv_votes_page_set_evaluation_split (page, TRUE);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 1), ==, 0);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 2), ==, 2);
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 0), ==, 4);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 0);
  g_assert_cmpuint (count_cell_children (), ==, 0);
  g_assert_true (page_shows_text ((gpointer) "True: Airplane, predicted: Bench on split ea — 0 objects"));

  /* By keys: one right of that cell, then Enter. */
  dv_confusion_matrix_select (m, -1, -1);
  g_assert_false (dv_confusion_matrix_get_selected (m, &t, &p));
  press_key (GDK_KEY_Right);
  press_key (GDK_KEY_Return);
  g_assert_true (dv_confusion_matrix_get_selected (m, &t, &p));
  g_assert_cmpint (t, ==, 0);
  g_assert_cmpint (p, ==, 2);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 2);
  press_key (GDK_KEY_Down);
  press_key (GDK_KEY_space);
  g_assert_true (dv_confusion_matrix_get_selected (m, &t, &p));
  g_assert_cmpint (t, ==, 1);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 0);
  press_key (GDK_KEY_Left);
  press_key (GDK_KEY_Return);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 4); /* bench taken for bench on ea */

  /* The architecture switch follows: MobileNetV3 Ω_s (file 2) on e errs on objects 0 and 4. */
  dv_votes_page_set_evaluation_split (page, FALSE);
  dv_votes_page_set_model (page, DV_CLASSIFIER_MOBILENET, DV_VOTES_SET_S);
  wait_for_vote ();
  g_assert_true (dv_votes_page_get_evaluation_matches (page));
  g_assert_cmpuint (dv_confusion_matrix_get_count (m, 0, 1), ==, 2);
  dv_confusion_matrix_select (m, 0, 1);
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 2);
  wait_for (objects_rendered, NULL, 30, "the objects to be rendered");

  /* An object activated opens on the Views page: its real view given, its class known; the page votes on it. */
  GtkWidget *first = gtk_widget_get_first_child (page_widget ("cell_box"));
  g_signal_emit_by_name (page_widget ("cell_box"), "child-activated", first);
  g_assert_cmpstr (dv_views_page_get_object_title (views_page ()), ==, "Airplane #0 (split e)");
  g_assert_cmpint (dv_views_page_get_true_class (views_page ()), ==, 0);
  guint real = 0, generated = 0;
  g_assert_true (dv_views_page_get_views (views_page (), NULL, &real, &generated));
  g_assert_cmpuint (real & (real - 1), ==, 0); /* one view given */
  g_assert_cmpuint (generated, ==, 0);
  wait_for_vote ();
  g_assert_cmpint (dv_votes_page_get_n_views (page), ==, 1);
  dv_window_set_page (main_window (), "votes");
  gtk_widget_set_size_request (GTK_WIDGET (m), -1, -1);
  dv_votes_page_set_model (page, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_S);
  wait_for_vote ();
}

static void
test_evaluation_mismatch (void)
{
  DvVotesPage *page = votes_page ();
  /* Other weights beside this evaluation file: it names other files. */
  g_autofree char *other = g_build_filename (tmp_dir, "other", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (tiny_votes_weights_write (other, NULL, &error));
  g_autofree char *from = g_build_filename (eval_dir, "evaluation.json", NULL);
  g_autofree char *to = g_build_filename (other, "evaluation.json", NULL);
  g_autofree char *json = NULL;
  g_assert_true (g_file_get_contents (from, &json, NULL, NULL));
  g_assert_true (g_file_set_contents (to, json, -1, NULL));
  use_weights (other);
  g_assert_false (dv_votes_page_get_evaluation_matches (page));
  g_test_message ("%s", status_text ());
  g_assert_nonnull (strstr (status_text (), "The evaluation does not match these weights: evaluation.json was made "
                                            "with resnet18-s.safetensors (SHA-256 "));
  g_assert_false (gtk_widget_get_visible (page_widget ("matrix")));
  g_assert_cmpuint (dv_votes_page_get_n_cell_objects (page), ==, 0);
  /* Table II falls back on the files' metadata. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (page_widget ("eval_label"))), " 10.0 %   15.0 %"));

  /* A damaged file: said so, nothing else lost. */
  g_assert_true (g_file_set_contents (to, "{\"format\": \"dimvida-votes-predictions-1\"", -1, NULL));
  use_weights (other);
  g_assert_nonnull (strstr (status_text (), "The evaluation file cannot be read: "));
  g_assert_cmpint (dv_votes_page_get_verdict (page), >=, 0);

  /* The same classifiers, their ea views made by other view models: split e's matrix, not ea's. */
  g_autofree char *stale = g_build_filename (tmp_dir, "stale", NULL), *old_views = g_build_filename (tmp_dir,
                                                                                                    "old-views", NULL);
  g_assert_cmpint (g_mkdir_with_parents (old_views, 0755), ==, 0);
  g_autofree char *old_score = g_build_filename (old_views, "score.safetensors", NULL);
  g_autofree char *old_ae = g_build_filename (old_views, "autoencoder.safetensors", NULL);
  g_assert_true (g_file_set_contents (old_score, "an older score model", -1, NULL));
  g_assert_true (g_file_set_contents (old_ae, "an older autoencoder", -1, NULL));
  g_assert_true (tiny_votes_weights_write (stale, favoured, &error));
  g_assert_true (tiny_votes_evaluation_write (stale, PER_CLASS, old_views, &error));
  use_weights (stale);
  dv_votes_page_set_evaluation_split (page, FALSE);
  g_assert_true (dv_votes_page_get_evaluation_matches (page));
  g_assert_cmpuint (dv_confusion_matrix_get_count (matrix (), 0, 1), ==, 3);
  dv_votes_page_set_evaluation_split (page, TRUE);
  g_assert_false (dv_votes_page_get_evaluation_matches (page));
  g_test_message ("%s", status_text ());
  g_assert_nonnull (strstr (status_text (), "The ea predictions do not match these weights: evaluation.json voted on "
                                            "views generated with a score model of SHA-256 "));
  g_assert_true (gtk_widget_get_sensitive (page_widget ("split_e_button")));
  /* Table II: e from the file, ea from the classifier's metadata (ResNet-18 Ω_s: 15 %). */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (page_widget ("eval_label"))), " 50.0 %   15.0 %"));
  dv_votes_page_set_evaluation_split (page, FALSE);

  /* Back to matching weights: the matrix again. */
  use_weights (eval_dir);
  g_assert_true (dv_votes_page_get_evaluation_matches (page));
  use_weights (votes_dir);
}

int
main (int argc, char **argv)
{
  tmp_dir = g_dir_make_tmp ("dv-votes-test-XXXXXX", NULL);
  votes_dir = g_build_filename (tmp_dir, "votes", NULL);
  random_dir = g_build_filename (tmp_dir, "random", NULL);
  no_weights_dir = g_build_filename (tmp_dir, "no-weights", NULL);
  views_dir = g_build_filename (tmp_dir, "views", NULL);
  eval_dir = g_build_filename (tmp_dir, "eval", NULL);
  g_autoptr (GError) error = NULL;
  if (!tiny_votes_weights_write (votes_dir, favoured, &error) || !tiny_votes_weights_write (random_dir, NULL, &error)
      || !tiny_views_weights_write (views_dir, FALSE, &error) || g_mkdir_with_parents (no_weights_dir, 0755) != 0
      || !tiny_votes_weights_write (eval_dir, favoured, &error)
      || !tiny_votes_evaluation_write (eval_dir, PER_CLASS, views_dir, &error))
    g_error ("tiny weights: %s", error ? error->message : "mkdir");
  g_setenv ("DIMVIDA_VIEWS_WEIGHTS", views_dir, TRUE);
  g_setenv ("DIMVIDA_VOTES_WEIGHTS", votes_dir, TRUE);
  gui_test_isolate ("memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  app = gui_test_start_app ();

  g_test_add_func ("/votes-page/missing-weights", test_missing_weights);
  g_test_add_func ("/votes-page/vote-on-sample", test_vote_on_sample);
  g_test_add_func ("/votes-page/switch-models", test_switch_models);
  g_test_add_func ("/votes-page/generate-and-vote", test_generate_and_vote);
  g_test_add_func ("/votes-page/responsive", test_responsive);
  g_test_add_func ("/votes-page/evaluation-missing", test_evaluation_missing);
  g_test_add_func ("/votes-page/evaluation-matrix", test_evaluation_matrix);
  g_test_add_func ("/votes-page/evaluation-mismatch", test_evaluation_mismatch);
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (main_window ()));
  spin (100);
  dv_test_remove_tree (tmp_dir);
  g_object_unref (app);
  return status;
}
