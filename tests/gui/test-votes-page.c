/* In-process GUI tests of the Votes page, under Xvfb, with tiny classifiers
 * whose votes are known: voting on a sample's real view, switching the
 * architecture and the training set, missing weights, generating the missing
 * views from the page and voting with all four, the disagreement note, and
 * the main loop turning while a shipped-size classifier runs. */
#include "dv-config.h"

#include "gui-util.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dv-application.h"
#include "dv-vote-bars.h"
#include "dv-views-page.h"
#include "dv-votes-page.h"
#include "dv-window.h"
#include "tiny-views-weights.h"
#include "tiny-votes-weights.h"
#include "views/objects/registry.h"
#include "test-util.h"

static DvApplication *app;
static char *tmp_dir, *votes_dir, *random_dir, *no_weights_dir, *views_dir;

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

static void
wait_for_vote (void)
{
  wait_for (not_classifying, votes_page (), 60, "the vote to finish");
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

int
main (int argc, char **argv)
{
  tmp_dir = g_dir_make_tmp ("dv-votes-test-XXXXXX", NULL);
  votes_dir = g_build_filename (tmp_dir, "votes", NULL);
  random_dir = g_build_filename (tmp_dir, "random", NULL);
  no_weights_dir = g_build_filename (tmp_dir, "no-weights", NULL);
  views_dir = g_build_filename (tmp_dir, "views", NULL);
  g_autoptr (GError) error = NULL;
  if (!tiny_votes_weights_write (votes_dir, favoured, &error) || !tiny_votes_weights_write (random_dir, NULL, &error)
      || !tiny_views_weights_write (views_dir, FALSE, &error) || g_mkdir_with_parents (no_weights_dir, 0755) != 0)
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
  int status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (main_window ()));
  spin (100);
  dv_test_remove_tree (tmp_dir);
  g_object_unref (app);
  return status;
}
