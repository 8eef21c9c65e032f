/* The Votes commands end to end with everything tiny: a dataset of a few
 * objects, a few steps of autoencoder and score model; votes generate-views
 * (a second run reads its cache; another score model regenerates), votes
 * train for Ω_s and Ω_m (provenance and e/ea scores in the file), votes table
 * (Table II's rows from both; --predictions writes the per-object file whose
 * confusion matrices give the same accuracies), votes classify (its first line is a class
 * name; augmented adds three generated views and their mean), views eval's
 * coherence table, and bad input refused with a clear message. DV_DIMVIDA
 * names the binary. */
#include "io/png.h"
#include "io/safetensors.h"
#include "test-util.h"
#include "views/objects/registry.h"
#include "votes/predictions.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmp_dir;

static char *
run_ok (const char *const *args)
{
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  if (r.status != 0)
    g_error ("dimvida %s %s failed: %s", args[0], args[1], r.err);
  char *out = g_strdup (r.out);
  dv_test_run_clear (&r);
  return out;
}

static void
expect_failure (const char *const *args, const char *words)
{
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  g_assert_cmpint (r.status, !=, 0);
  if (!strstr (r.err, words))
    g_error ("expected “%s” in the error of dimvida %s %s: %s", words, args[0], args[1], r.err);
  g_assert_null (strstr (r.err, "CRITICAL"));
  dv_test_run_clear (&r);
}

static char *
path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
test_setup_and_generate (void)
{
  const char *dataset[] = { "views", "dataset", "--out", "ds", "--per-class", "2,2,1", "--no-png", "--threads", "1",
                            NULL };
  g_free (run_ok (dataset));
  const char *ae[] = { "views", "train-ae", "--data", "ds", "--out", "ae", "--steps", "2", "--batch", "8",
                       "--threads", "1", NULL };
  g_free (run_ok (ae));
  const char *score[] = { "views", "train-score", "--data", "ds", "--ae", "ae/autoencoder.safetensors", "--out", "sc",
                          "--steps", "3", "--width", "32", "--batch", "16", "--threads", "1", NULL };
  g_free (run_ok (score));
  const char *score2[] = { "views", "train-score", "--data", "ds", "--ae", "ae/autoencoder.safetensors", "--out",
                           "sc2", "--steps", "3", "--width", "32", "--batch", "16", "--seed", "9", "--threads", "1",
                           NULL };
  g_free (run_ok (score2));
  const char *gen[] = { "votes", "generate-views", "--data", "ds", "--out", "gen", "--model", "sc/score.safetensors",
                        "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4", "--threads", "1", "--sheet",
                        "sheet.png", "--sheet-rows", "1", NULL };
  g_autofree char *out = run_ok (gen);
  g_assert_nonnull (strstr (out, "split c (26 objects): generated"));
  g_assert_nonnull (strstr (out, "split e (13 objects): generated"));
  g_autofree char *cache_c = path ("gen/generated-c.safetensors"), *cache_e = path ("gen/generated-e.safetensors");
  g_assert_true (g_file_test (cache_c, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (cache_e, G_FILE_TEST_IS_REGULAR));
  /* The sheet: one object per class, 4 views of 64 px. */
  g_autofree char *sheet = path ("sheet-e.png");
  DvImage img;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read (sheet, &img, &error));
  g_assert_cmpint (img.width, ==, 4 * 64);
  g_assert_cmpint (img.height, ==, DV_N_OBJECT_CLASSES * 64);
  dv_image_clear (&img);
  /* Again: read from the cache. */
  g_autofree char *again = run_ok (gen);
  g_assert_nonnull (strstr (again, "split c (26 objects): read from the cache"));
  /* Another score model: generated again. */
  const char *other[] = { "votes", "generate-views", "--data", "ds", "--out", "gen2", "--model",
                          "sc2/score.safetensors", "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4",
                          "--split", "e", "--threads", "1", NULL };
  g_autofree char *o1 = run_ok (other);
  g_assert_nonnull (strstr (o1, "split e (13 objects): generated"));
  g_assert_null (strstr (o1, "split c"));
  DvTestRun r;
  const char *swap[] = { "votes", "generate-views", "--data", "ds", "--out", "gen", "--model", "sc2/score.safetensors",
                         "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4", "--split", "e", "--threads", "1",
                         NULL };
  dv_test_run_dimvida (&r, tmp_dir, swap);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "split e (13 objects): generated"));
  g_assert_nonnull (strstr (r.err, "another score model"));
  dv_test_run_clear (&r);
  /* Back to the first model for what follows. */
  g_free (run_ok (gen));
}

static void
test_train (void)
{
  const char *common[] = { "--data", "ds", "--arch", "resnet18", "--steps", "4", "--batch", "8", "--warmup", "1",
                           "--threads", "1", "--cache", "gen", "--model", "sc/score.safetensors", "--ae",
                           "ae/autoencoder.safetensors", "--gen-steps", "4", "--width", "0.125", NULL };
  for (int m = 0; m < 2; m++)
    {
      GPtrArray *args = g_ptr_array_new ();
      g_ptr_array_add (args, "votes");
      g_ptr_array_add (args, "train");
      for (int i = 0; common[i]; i++)
        g_ptr_array_add (args, (gpointer) common[i]);
      g_ptr_array_add (args, "--set");
      g_ptr_array_add (args, m ? "m" : "s");
      g_ptr_array_add (args, "--out");
      g_ptr_array_add (args, m ? "run-m" : "run-s");
      g_ptr_array_add (args, NULL);
      g_autofree char *out = run_ok ((const char *const *) args->pdata);
      g_ptr_array_unref (args);
      g_assert_nonnull (strstr (out, m ? "on split ca: 104 images of 26 objects" : "on split c: 26 images"));
      g_assert_nonnull (strstr (out, "step 4/4"));
      g_assert_nonnull (strstr (out, "Trained to step 4"));
      g_assert_nonnull (strstr (out, "Accuracy on 13 objects: split e"));
      g_autofree char *file = path (m ? "run-m/classifier.safetensors" : "run-s/classifier.safetensors");
      g_autoptr (GError) error = NULL;
      g_autoptr (DvSafetensors) st = dv_safetensors_open (file, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (dv_safetensors_metadata (st, "format"), ==, "dimvida-classifier-1");
      g_assert_cmpstr (dv_safetensors_metadata (st, "set"), ==, m ? "m" : "s");
      g_assert_cmpstr (dv_safetensors_metadata (st, "seed"), ==, "1");
      g_assert_cmpstr (dv_safetensors_metadata (st, "step"), ==, "4");
      g_assert_nonnull (strstr (dv_safetensors_metadata (st, "command"), "dimvida votes train --data ds"));
      g_assert_nonnull (dv_safetensors_metadata (st, "accuracy_e"));
      g_assert_nonnull (dv_safetensors_metadata (st, "accuracy_ea"));
      g_assert_nonnull (dv_safetensors_metadata (st, "train_minutes"));
      if (m)
        g_assert_cmpuint (strlen (dv_safetensors_metadata (st, "score_model_sha256")), ==, 64);
    }
}

static void
test_table (void)
{
  const char *table[] = { "votes", "table", "--data", "ds", "--cache", "gen", "--model", "sc/score.safetensors",
                          "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4", "--threads", "1", "--confusion",
                          "ea", "run-s/classifier.safetensors", "run-m/classifier.safetensors",
                          "run-s/classifier.safetensors", NULL };
  g_autofree char *out = run_ok (table);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "read from the cache"));
  g_assert_nonnull (strstr (out, "| resnet18 Ω_s seed 1 |"));
  g_assert_nonnull (strstr (out, "| resnet18 Ω_m seed 1 |"));
  g_assert_nonnull (strstr (out, "| architecture | Ω_s: e | Ω_s: ea | Ω_m: e | Ω_m: ea |"));
  g_assert_nonnull (strstr (out, "| ResNet-18 (paper) | 83.9 | 87.2 | 85.2 | 88.0 |"));
  /* Ω_s twice (the same file: standard deviation 0), Ω_m once. */
  const char *row = strstr (out, "| ResNet-18 (ours) |");
  g_assert_nonnull (row);
  g_autofree char *line = g_strndup (row, strcspn (row, "\n"));
  g_assert_nonnull (strstr (line, "± 0.0"));
  g_assert_nonnull (strstr (line, " 2, 1 |"));
  g_assert_nonnull (strstr (out, "Confusion matrix of resnet18 Ω_m seed 1 on split ea"));
  g_assert_nonnull (strstr (out, "airplane"));
  g_assert_null (strstr (out, "MobileNetV3-Small (ours)"));

  /* --predictions: every object of e with each classifier's predictions, the files named by their SHA-256. */
  const char *with[] = { "votes", "table", "--data", "ds", "--cache", "gen", "--model", "sc/score.safetensors",
                         "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4", "--threads", "1", "--predictions",
                         "predictions.json", "run-s/classifier.safetensors", "run-m/classifier.safetensors", NULL };
  g_autofree char *out2 = run_ok (with);
  g_assert_nonnull (strstr (out2, "Wrote the predictions of 2 classifiers on the 13 objects of e and ea"));
  g_autofree char *file = path ("predictions.json");
  DvVotesPredictions p;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_predictions_load (&p, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (p.n_objects, ==, DV_N_OBJECT_CLASSES);
  g_assert_cmpuint (p.dataset_seed, ==, 1);
  g_assert_cmpstr (p.class_names[4], ==, "chair");
  g_assert_nonnull (strstr (p.command, "dimvida votes table --data ds"));
  g_assert_cmpuint (p.classifiers->len, ==, 2);
  g_autofree char *score_file = path ("sc/score.safetensors"), *ae_file = path ("ae/autoencoder.safetensors");
  g_autofree char *score_sha = dv_votes_file_sha256 (score_file, NULL), *ae_sha = dv_votes_file_sha256 (ae_file, NULL);
  g_assert_cmpstr (p.score_model_sha256, ==, score_sha);
  g_assert_cmpstr (p.autoencoder_sha256, ==, ae_sha);
  for (int m = 0; m < 2; m++)
    {
      const DvVotesPredictionsEntry *entry = p.classifiers->pdata[m];
      g_autofree char *weights = path (m ? "run-m/classifier.safetensors" : "run-s/classifier.safetensors");
      g_autofree char *sha = dv_votes_file_sha256 (weights, NULL);
      g_assert_cmpstr (entry->sha256, ==, sha);
      g_assert_cmpstr (entry->file, ==, "classifier.safetensors");
      g_assert_cmpint (entry->arch, ==, DV_CLASSIFIER_RESNET18);
      g_assert_cmpint (entry->set, ==, m ? DV_VOTES_SET_M : DV_VOTES_SET_S);
      g_assert_cmpstr (entry->seed, ==, "1");
      /* Its confusion matrices give the accuracies the table printed. */
      DvVoteConfusion e, ea;
      dv_votes_predictions_confusion (&p, entry, FALSE, &e);
      dv_votes_predictions_confusion (&p, entry, TRUE, &ea);
      g_autofree char *row = g_strdup_printf ("| resnet18 Ω_%s seed 1 | %.2f | %.2f |", m ? "m" : "s",
                                              100 * dv_vote_confusion_accuracy (&e),
                                              100 * dv_vote_confusion_accuracy (&ea));
      g_assert_nonnull (strstr (out2, row));
      dv_vote_confusion_clear (&e);
      dv_vote_confusion_clear (&ea);
    }
  dv_votes_predictions_clear (&p);
  const char *nowhere[] = { "votes", "table", "--data", "ds", "--cache", "gen", "--model", "sc/score.safetensors",
                            "--ae", "ae/autoencoder.safetensors", "--gen-steps", "4", "--threads", "1",
                            "--predictions", "no/such/dir/p.json", "run-s/classifier.safetensors", NULL };
  expect_failure (nowhere, "Cannot write no/such/dir/p.json");
}

static void
test_classify (void)
{
  /* A view of split e's kind: render one. */
  const char *render[] = { "views", "render", "--class", "chair", "--seed", "5", "--out", "strip.png", NULL };
  g_free (run_ok (render));
  g_autofree char *strip = path ("strip.png"), *single = path ("chair.png");
  DvImage img;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read (strip, &img, &error));
  const int S = img.height;
  g_autofree guint8 *rgb = g_new (guint8, (size_t) S * S * 3);
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      for (int c = 0; c < 3; c++)
        rgb[((size_t) y * S + x) * 3 + c] = (guint8) (img.rgb[((size_t) y * img.width + x) * 3 + c] * 255.0f + 0.5f);
  dv_image_clear (&img);
  g_assert_true (dv_png_write_rgb8 (single, rgb, S, S, &error));

  const char *real[] = { "votes", "classify", "chair.png", "--weights", "run-s/classifier.safetensors", "--threads",
                         "1", NULL };
  g_autofree char *out = run_ok (real);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_assert_cmpint (dv_object_class_index (lines[0]), >=, 0);
  g_assert_nonnull (strstr (lines[1], "real:front"));
  g_assert_null (strstr (lines[1], "mean"));
  /* 13 class rows, the first the predicted class. */
  g_assert_true (g_str_has_prefix (lines[2], lines[0]));
  g_assert_cmpuint (g_strv_length (lines), >=, 2 + DV_N_OBJECT_CLASSES);

  const char *aug[] = { "votes", "classify", "chair.png", "--weights", "run-m/classifier.safetensors", "--views",
                        "augmented", "--view", "right", "--score", "sc/score.safetensors", "--ae",
                        "ae/autoencoder.safetensors", "--gen-steps", "4", "--threads", "1", NULL };
  g_autofree char *out2 = run_ok (aug);
  g_auto (GStrv) l2 = g_strsplit (out2, "\n", -1);
  g_assert_cmpint (dv_object_class_index (l2[0]), >=, 0);
  const char *heads[] = { "real:right", "generated:front", "generated:back", "generated:left", "mean" };
  for (guint i = 0; i < G_N_ELEMENTS (heads); i++)
    g_assert_nonnull (strstr (l2[1], heads[i]));
  g_assert_true (g_str_has_prefix (l2[2], l2[0]));
  g_assert_nonnull (strstr (out2, "resnet18, Ω_m, mean vote"));
  /* The same seed: the same output. */
  g_autofree char *out3 = run_ok (aug);
  g_assert_cmpstr (out2, ==, out3);
}

static void
test_views_eval_coherence (void)
{
  const char *args[] = { "views", "eval", "--data", "ds", "--model", "sc/score.safetensors", "--ae",
                         "ae/autoencoder.safetensors", "--objects", "4", "--steps", "3", "--threads", "1",
                         "--classifier", "run-s/classifier.safetensors", NULL };
  g_autofree char *out = run_ok (args);
  g_assert_nonnull (strstr (out, "Coherence (DiMViDA eq. 7)"));
  const char *row = strstr (out, "| score model |");
  g_assert_nonnull (row);
  row = strstr (row + 1, "| score model |");  /* the coherence table's row, after Table I's */
  g_assert_nonnull (row);
  g_autofree char *line = g_strndup (row, strcspn (row, "\n"));
  g_auto (GStrv) cells = g_strsplit (line, "|", -1);
  g_assert_cmpuint (g_strv_length (cells), ==, 6);
  for (int c = 2; c < 5; c++)
    {
      char *end = NULL;
      const double v = g_ascii_strtod (g_strstrip (cells[c]), &end);
      g_assert_true (*end == '\0');
      g_assert_cmpfloat (v, >=, 0.0);
      g_assert_cmpfloat (v, <=, 100.0);
    }
  const char *none[] = { "views", "eval", "--data", "ds", "--model", "sc/score.safetensors", "--ae",
                         "ae/autoencoder.safetensors", "--objects", "2", "--steps", "2", "--threads", "1",
                         "--classifier", "nowhere.safetensors", NULL };
  expect_failure (none, "nowhere.safetensors");
}

static void
test_bad_input (void)
{
  const char *no_data[] = { "votes", "train", "--arch", "resnet18", "--set", "s", NULL };
  expect_failure (no_data, "needs --data DIR");
  const char *arch[] = { "votes", "train", "--data", "ds", "--arch", "vgg", "--set", "s", NULL };
  expect_failure (arch, "vgg");
  const char *set[] = { "votes", "train", "--data", "ds", "--arch", "resnet18", "--set", "x", NULL };
  expect_failure (set, "Ω_s");
  const char *no_set[] = { "votes", "train", "--data", "ds", "--arch", "resnet18", NULL };
  expect_failure (no_set, "--set s|m");
  const char *missing[] = { "votes", "train", "--data", "nowhere", "--arch", "resnet18", "--set", "s", "--no-eval",
                            NULL };
  expect_failure (missing, "nowhere");
  const char *resume[] = { "votes", "train", "--data", "ds", "--arch", "resnet18", "--set", "s", "--no-eval",
                           "--out", "run-x", "--resume", "sc/score.safetensors", NULL };
  expect_failure (resume, "not a classifier training checkpoint");
  const char *no_png[] = { "votes", "classify", "absent.png", "--weights", "run-s/classifier.safetensors", NULL };
  expect_failure (no_png, "absent.png");
  const char *not_png[] = { "votes", "classify", "ds/c.dvmv", "--weights", "run-s/classifier.safetensors", NULL };
  expect_failure (not_png, "c.dvmv");
  const char *no_in[] = { "votes", "classify", NULL };
  expect_failure (no_in, "usage: dimvida votes classify IN.png");
  const char *views[] = { "votes", "classify", "chair.png", "--views", "all", NULL };
  expect_failure (views, "--views is real or augmented");
  const char *view[] = { "votes", "classify", "chair.png", "--view", "top", NULL };
  expect_failure (view, "--view is front, right, back or left");
  const char *not_cls[] = { "votes", "classify", "chair.png", "--weights", "sc/score.safetensors", NULL };
  expect_failure (not_cls, "not a classifier file");
  const char *table[] = { "votes", "table", "--data", "ds", "ae/autoencoder.safetensors", NULL };
  expect_failure (table, "not a classifier file");
  const char *gen_d[] = { "votes", "generate-views", "--data", "ds", "--out", "g", "--split", "d", NULL };
  expect_failure (gen_d, "--split is c or e");
  const char *init[] = { "votes", "train", "--data", "ds", "--arch", "mobilenet", "--set", "m", "--no-eval", "--out",
                         "run-x", "--init", "run-s/classifier.safetensors", NULL };
  expect_failure (init, "is a resnet18, not a mobilenet");
  const char *unknown[] = { "votes", "vote", NULL };
  expect_failure (unknown, "unknown command 'vote'");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!g_getenv ("DV_DIMVIDA"))
    g_error ("DV_DIMVIDA must name the dimvida binary");
  tmp_dir = g_dir_make_tmp ("dv-votes-cli-XXXXXX", NULL);
  /* In order: each uses what the one before made. */
  g_test_add_func ("/votes/cli/generate-views", test_setup_and_generate);
  g_test_add_func ("/votes/cli/train", test_train);
  g_test_add_func ("/votes/cli/table", test_table);
  g_test_add_func ("/votes/cli/classify", test_classify);
  g_test_add_func ("/votes/cli/views-eval-coherence", test_views_eval_coherence);
  g_test_add_func ("/votes/cli/bad-input", test_bad_input);
  int status = g_test_run ();
  dv_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
