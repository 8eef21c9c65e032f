/* votes/predictions: the per-object predictions file of `votes table
 * --predictions` — a round trip (JSON and file), the confusion matrices and
 * cells it gives, bad files refused by name, and the claim the app relies on:
 * an object of split e re-rendered from the dataset seed, its class, index
 * and given view is the very image of e.dvmv. */
#include "test-util.h"
#include "views/rasterizer.h"
#include "views/objects/registry.h"
#include "votes/predictions.h"

#include <string.h>

static char *tmp_dir;

/* A tiny split e (2 objects per class), written once. */
static DvMultiviewSet *
tiny_split_e (void)
{
  static DvMultiviewSet set;
  static gboolean loaded;
  if (!loaded)
    {
      DvMultiviewConfig config;
      dv_multiview_config_init (&config);
      config.seed = 7;
      config.per_class[DV_SPLIT_D] = 1;
      config.per_class[DV_SPLIT_C] = 1;
      config.per_class[DV_SPLIT_E] = 2;
      config.n_threads = 1;
      config.write_png = FALSE;
      g_autoptr (GError) error = NULL;
      g_assert_true (dv_multiview_dataset_write (&config, tmp_dir, NULL, NULL, NULL, &error));
      g_autofree char *path = g_build_filename (tmp_dir, "e.dvmv", NULL);
      g_assert_true (dv_multiview_set_load (path, &set, &error));
      g_assert_no_error (error);
      loaded = TRUE;
    }
  return &set;
}

static const char *const *
class_names (void)
{
  static const char *names[DV_N_OBJECT_CLASSES];
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    names[c] = dv_object_class_name (c);
  return names;
}

/* An evaluation of the set whose predictions are a known pattern. */
static void
fake_evaluation (const DvMultiviewSet *set, int shift, DvVotesEvaluation *ev)
{
  memset (ev, 0, sizeof *ev);
  ev->n_classes = DV_N_OBJECT_CLASSES;
  ev->n_views = 4;
  ev->n_objects = set->n_objects;
  ev->truth = g_new (int, set->n_objects);
  ev->predicted_e = g_new (int, set->n_objects);
  ev->predicted_ea = g_new (int, set->n_objects);
  for (guint o = 0; o < set->n_objects; o++)
    {
      ev->truth[o] = set->labels[o];
      /* e: every second object one class off; ea: all right but the first of each class. */
      ev->predicted_e[o] = (set->labels[o] + (o % 2 ? shift : 0)) % DV_N_OBJECT_CLASSES;
      ev->predicted_ea[o] = set->object_indices[o] == 0 ? (set->labels[o] + 1) % DV_N_OBJECT_CLASSES
                                                         : set->labels[o];
    }
}

static void
make_predictions (DvVotesPredictions *p)
{
  const DvMultiviewSet *set = tiny_split_e ();
  dv_votes_predictions_init (p, set, class_names (), DV_N_OBJECT_CLASSES);
  p->command = g_strdup ("dimvida votes table --predictions p.json");
  p->score_model_sha256 = g_strdup ("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
  const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  for (int k = 0; k < 2; k++)
    {
      DvVotesEvaluation ev;
      fake_evaluation (set, k + 1, &ev);
      dv_votes_predictions_add (p, k ? "mobilenet-m.safetensors" : "resnet18-s.safetensors", sha,
                                k ? DV_CLASSIFIER_MOBILENET : DV_CLASSIFIER_RESNET18, k ? DV_VOTES_SET_M : DV_VOTES_SET_S,
                                k ? NULL : "3", &ev);
      dv_votes_evaluation_clear (&ev);
    }
}

static void
assert_equal (const DvVotesPredictions *a, const DvVotesPredictions *b)
{
  g_assert_cmpuint (a->dataset_seed, ==, b->dataset_seed);
  g_assert_cmpstr (a->command, ==, b->command);
  g_assert_cmpstr (a->score_model_sha256, ==, b->score_model_sha256);
  g_assert_cmpstr (a->autoencoder_sha256, ==, b->autoencoder_sha256);
  g_assert_cmpint (a->n_classes, ==, b->n_classes);
  g_assert_true (g_strv_equal ((const char *const *) a->class_names, (const char *const *) b->class_names));
  g_assert_cmpuint (a->n_objects, ==, b->n_objects);
  g_assert_cmpmem (a->labels, a->n_objects, b->labels, b->n_objects);
  g_assert_cmpmem (a->object_indices, 4 * a->n_objects, b->object_indices, 4 * b->n_objects);
  g_assert_cmpmem (a->given_views, a->n_objects, b->given_views, b->n_objects);
  g_assert_cmpuint (a->classifiers->len, ==, b->classifiers->len);
  for (guint i = 0; i < a->classifiers->len; i++)
    {
      const DvVotesPredictionsEntry *x = a->classifiers->pdata[i], *y = b->classifiers->pdata[i];
      g_assert_cmpstr (x->file, ==, y->file);
      g_assert_cmpstr (x->sha256, ==, y->sha256);
      g_assert_cmpint (x->arch, ==, y->arch);
      g_assert_cmpint (x->set, ==, y->set);
      g_assert_cmpstr (x->seed, ==, y->seed);
      g_assert_cmpmem (x->predicted_e, 4 * a->n_objects, y->predicted_e, 4 * b->n_objects);
      g_assert_cmpmem (x->predicted_ea, 4 * a->n_objects, y->predicted_ea, 4 * b->n_objects);
    }
}

static void
test_round_trip (void)
{
  DvVotesPredictions p, q, r;
  make_predictions (&p);
  g_autofree char *json = dv_votes_predictions_to_json (&p);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_predictions_from_json (&q, json, &error));
  g_assert_no_error (error);
  assert_equal (&p, &q);
  g_autofree char *path = g_build_filename (tmp_dir, "p.json", NULL);
  g_assert_true (dv_votes_predictions_save (&q, path, &error));
  g_assert_true (dv_votes_predictions_load (&r, path, &error));
  g_assert_no_error (error);
  assert_equal (&p, &r);
  g_assert_cmpuint (p.n_objects, ==, 2 * DV_N_OBJECT_CLASSES);
  g_assert_cmpuint (p.dataset_seed, ==, 7);

  /* Confusion and cells: e puts the odd objects one class off (resnet18-s) or two (mobilenet-m). */
  const DvVotesPredictionsEntry *rs = dv_votes_predictions_find (&r, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_S);
  const DvVotesPredictionsEntry *mm = dv_votes_predictions_find (&r, DV_CLASSIFIER_MOBILENET, DV_VOTES_SET_M);
  g_assert_nonnull (rs);
  g_assert_nonnull (mm);
  g_assert_null (dv_votes_predictions_find (&r, DV_CLASSIFIER_MOBILENET, DV_VOTES_SET_S));
  g_assert_cmpstr (mm->seed, ==, NULL);
  DvVoteConfusion e, ea;
  dv_votes_predictions_confusion (&r, rs, FALSE, &e);
  dv_votes_predictions_confusion (&r, rs, TRUE, &ea);
  g_assert_cmpuint (e.total, ==, r.n_objects);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_accuracy (&e), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_accuracy (&ea), 0.5, 1e-12);
  guint64 sum = 0;
  for (int t = 0; t < DV_N_OBJECT_CLASSES; t++)
    for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
      {
        g_autoptr (GArray) cell = dv_votes_predictions_cell (&r, rs, FALSE, t, c);
        g_assert_cmpuint (cell->len, ==, e.counts[t * DV_N_OBJECT_CLASSES + c]);
        for (guint i = 0; i < cell->len; i++)
          {
            guint o = g_array_index (cell, guint, i);
            g_assert_cmpint (r.labels[o], ==, t);
            g_assert_cmpint (rs->predicted_e[o], ==, c);
          }
        sum += cell->len;
      }
  g_assert_cmpuint (sum, ==, r.n_objects);
  g_autoptr (GArray) off = dv_votes_predictions_cell (&r, mm, FALSE, 0, 2);
  g_assert_cmpuint (off->len, ==, 1);
  dv_vote_confusion_clear (&e);
  dv_vote_confusion_clear (&ea);
  dv_votes_predictions_clear (&p);
  dv_votes_predictions_clear (&q);
  dv_votes_predictions_clear (&r);
}

/* Replaces the first `from` in json by `to`. */
static char *
edit (const char *json, const char *from, const char *to)
{
  const char *at = strstr (json, from);
  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - json), json, to, at + strlen (from));
}

static void
expect_refused (const char *json, const char *words)
{
  DvVotesPredictions p;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_votes_predictions_from_json (&p, json, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  if (!strstr (error->message, words))
    g_error ("expected “%s” in: %s", words, error->message);
  g_assert_null (p.classifiers);
  g_assert_null (p.labels);
}

static void
test_bad_files (void)
{
  DvVotesPredictions p;
  make_predictions (&p);
  g_autofree char *json = dv_votes_predictions_to_json (&p);
  dv_votes_predictions_clear (&p);
  expect_refused ("{", "Not a votes predictions file");
  expect_refused ("[1, 2]", "not a JSON object");
  g_autofree char *format = edit (json, DV_VOTES_PREDICTIONS_FORMAT, "dimvida-classifier-1");
  expect_refused (format, "not dimvida-votes-predictions-1");
  g_autofree char *split = edit (json, "\"split\":\"e\"", "\"split\":\"c\"");
  expect_refused (split, "its split is “c”");
  g_autofree char *no_objects = edit (json, "\"objects\"", "\"things\"");
  expect_refused (no_objects, "“objects” is missing");
  g_autofree char *short_view = edit (json, "\"view\":[", "\"view\":[0,");
  expect_refused (short_view, "“view” has 27 values, not 26");
  /* Values out of range, the lengths right. */
  make_predictions (&p);
  p.given_views[3] = 4;
  g_autofree char *bad_view = dv_votes_predictions_to_json (&p);
  p.given_views[3] = 0;
  ((DvVotesPredictionsEntry *) p.classifiers->pdata[1])->predicted_ea[5] = DV_N_OBJECT_CLASSES;
  g_autofree char *bad_class = dv_votes_predictions_to_json (&p);
  dv_votes_predictions_clear (&p);
  expect_refused (bad_view, "“view”[3] is not an integer in 0…3");
  expect_refused (bad_class, "“predicted_ea”[5] is not an integer in 0…12");
  g_autofree char *bad_arch = edit (json, "\"arch\":\"resnet18\"", "\"arch\":\"vgg\"");
  expect_refused (bad_arch, "vgg");
  g_autofree char *bad_sha = edit (json, "\"sha256\":\"0123", "\"sha256\":\"X123");
  expect_refused (bad_sha, "64 hexadecimal digits");
  g_autofree char *bad_score = edit (json, "\"score_model_sha256\":\"fedc", "\"score_model_sha256\":\"fedX");
  expect_refused (bad_score, "“score_model_sha256” is not 64 hexadecimal digits");
  g_autofree char *string_class = edit (json, "\"class\":[0", "\"class\":[\"0\"");
  expect_refused (string_class, "“class”[0] is not an integer in 0…12");
  g_autofree char *path = g_build_filename (tmp_dir, "absent.json", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_votes_predictions_load (&p, path, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "absent.json"));
  g_clear_error (&error);
  g_autofree char *bad_path = g_build_filename (tmp_dir, "bad.json", NULL);
  g_assert_true (g_file_set_contents (bad_path, format, -1, NULL));
  g_assert_false (dv_votes_predictions_load (&p, bad_path, &error));
  g_assert_nonnull (strstr (error->message, "bad.json: Not a votes predictions file"));
  g_assert_null (dv_votes_file_sha256 (path, NULL));
}

static void
test_sha256 (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "abc.txt", NULL);
  g_assert_true (g_file_set_contents (path, "abc", 3, NULL));
  g_autofree char *sha = dv_votes_file_sha256 (path, NULL);
  g_assert_cmpstr (sha, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The app shows an object of split e from the predictions file alone: render it again, byte for byte. */
static void
test_rerender (void)
{
  const DvMultiviewSet *set = tiny_split_e ();
  DvVotesPredictions p;
  dv_votes_predictions_init (&p, set, class_names (), DV_N_OBJECT_CLASSES);
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (NULL);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autofree guint8 *rgb = g_new (guint8, DV_VIEW_SIZE * DV_VIEW_SIZE * 3);
  for (guint o = 0; o < p.n_objects; o++)
    {
      int given;
      dv_multiview_object (p.dataset_seed, DV_SPLIT_E, p.labels[o], p.object_indices[o], &mesh, &given);
      g_assert_cmpint (given, ==, p.given_views[o]);
      dv_rasterizer_render (rasterizer, &mesh, dv_view_azimuth_deg (given), rgb);
      g_assert_cmpmem (rgb, DV_VIEW_SIZE * DV_VIEW_SIZE * 3, dv_multiview_set_view (set, o, given),
                       DV_VIEW_SIZE * DV_VIEW_SIZE * 3);
    }
  dv_mesh_clear (&mesh);
  dv_votes_predictions_clear (&p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("dv-predictions-XXXXXX", NULL);
  g_test_add_func ("/votes/predictions/round-trip", test_round_trip);
  g_test_add_func ("/votes/predictions/bad-files", test_bad_files);
  g_test_add_func ("/votes/predictions/sha256", test_sha256);
  g_test_add_func ("/votes/predictions/rerender", test_rerender);
  int status = g_test_run ();
  dv_multiview_set_clear (tiny_split_e ());
  dv_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
