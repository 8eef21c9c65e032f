/* `dimvida inspect FILE…`: each kind of file the app reads, made here (tiny),
 * is recognised and described; broken and poisoned ones are refused with the
 * reason, and the exit status says whether any was refused. DV_DIMVIDA names
 * the binary. */
#include "io/png.h"
#include "io/safetensors.h"
#include "toy/data.h"
#include "toy/train.h"
#include "views/ae_train.h"
#include "views/autoencoder.h"
#include "views/multiview.h"
#include "views/score_model.h"
#include "votes/classifier.h"

#include "gui/tiny-views-weights.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *dir;

static char *
path_in (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* Runs inspect on one file; returns its stdout (to g_free), the status in *status. */
static char *
inspect (const char *path, int *status)
{
  DvTestRun r;
  const char *args[] = { "inspect", path, NULL };
  dv_test_run_dimvida (&r, NULL, args);
  *status = r.status;
  g_test_message ("inspect %s: %s%s", path, r.out, r.err);
  char *out = g_steal_pointer (&r.out);
  dv_test_run_clear (&r);
  return out;
}

static void
assert_accepted (const char *name, const char *const *expected)
{
  g_autofree char *path = path_in (name);
  int status;
  g_autofree char *out = inspect (path, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "refused"));
  for (int i = 0; expected[i] != NULL; i++)
    if (strstr (out, expected[i]) == NULL)
      g_error ("inspect %s: “%s” not in\n%s", name, expected[i], out);
}

static void
assert_refused (const char *name, const char *reason)
{
  g_autofree char *path = path_in (name);
  int status;
  g_autofree char *out = inspect (path, &status);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "refused: "));
  if (strstr (out, reason) == NULL)
    g_error ("inspect %s: “%s” not in\n%s", name, reason, out);
}

static void
write_text (const char *name, const char *text)
{
  g_autofree char *path = path_in (name);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
small_toy_config (DvToyTrainConfig *cfg, gboolean gan)
{
  dv_toy_train_config_init (cfg);
  cfg->steps = 20;
  cfg->emb_dim = 8;
  cfg->hidden = 16;
  cfg->blocks = 1;
  cfg->batch_size = 16;
  cfg->T = 10;
  cfg->gan = gan;
  cfg->d_hidden = 8;
  cfg->d_layers = 2;
}

static void
test_png (void)
{
  guint8 rgb[64 * 16 * 3];
  for (gsize i = 0; i < sizeof rgb; i++)
    rgb[i] = (guint8) i;
  g_autofree char *strip = path_in ("strip.png");
  g_assert_true (dv_png_write_rgb8 (strip, rgb, 64, 16, NULL));
  const char *strip_says[] = { "PNG image, 64×16 pixels", "RGB, 8 bits", "strip of 4 views", NULL };
  assert_accepted ("strip.png", strip_says);
  guint8 rgba[8 * 8 * 4] = { 0 };
  g_autofree char *view = path_in ("view.png");
  g_assert_true (dv_png_write_rgba8 (view, rgba, 8, 8, NULL));
  const char *view_says[] = { "8×8 pixels", "RGBA", "square view", NULL };
  assert_accepted ("view.png", view_says);

  /* A JPEG named .png, and a PNG cut short. */
  write_text ("photo.png", "\xff\xd8\xff\xe0 not really");
  assert_refused ("photo.png", "not a PNG file (it looks like a JPEG)");
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (strip, &data, &len, NULL));
  g_autofree char *cut = path_in ("cut.png");
  g_assert_true (g_file_set_contents (cut, data, (gssize) len / 2, NULL));
  assert_refused ("cut.png", "truncated or corrupt");
}

static void
test_toy_checkpoints (void)
{
  for (int gan = 0; gan <= 1; gan++)
    {
      DvToyTrainConfig cfg;
      small_toy_config (&cfg, gan);
      DvToyData moons;
      g_assert_true (dv_toy_data_generate (&moons, "moons", 200, 1, NULL));
      g_autoptr (DvToyTrainer) tr = dv_toy_trainer_new (&cfg, moons.xy, moons.n, NULL);
      g_assert_true (dv_toy_trainer_train (tr, 3, NULL, NULL, NULL, NULL));
      const char *name = gan ? "gan.safetensors" : "plain.safetensors";
      g_autofree char *path = path_in (name);
      g_assert_true (dv_toy_trainer_save (tr, path, NULL));
      const char *plain_says[] = { "Playground checkpoint", "denoiser 1 × 16", "no discriminator", "step 3 of 20",
                                   "network.0.weight", "metadata:", NULL };
      const char *gan_says[] = { "Playground checkpoint", "GAN: discriminator 2 × 8", "train.disc.", NULL };
      assert_accepted (name, gan ? gan_says : plain_says);

      /* The same checkpoint with one NaN weight: refused, naming the tensor. */
      DvParams *p = &dv_toy_trainer_get_model (tr)->params;
      p->data[p->count - 1] = NAN;
      g_autofree char *poisoned = path_in ("poisoned.safetensors");
      g_assert_true (dv_toy_trainer_save (tr, poisoned, NULL));
      assert_refused ("poisoned.safetensors", "tensor 'train.online.");
      assert_refused ("poisoned.safetensors", "holds NaN at element");
      dv_toy_data_clear (&moons);
    }
}

static void
test_views_weights (void)
{
  g_autofree char *weights = path_in ("weights");
  g_assert_true (tiny_views_weights_write (weights, FALSE, NULL));
  const char *ae_says[] = { "view autoencoder: {\"image_size\":64,\"latent_dim\":8", "parameters", NULL };
  assert_accepted ("weights/autoencoder.safetensors", ae_says);
  const char *score_says[] = { "masked score model (dimvida-score-model-1)", "\"width\":16", "latent_std", NULL };
  assert_accepted ("weights/score.safetensors", score_says);

  /* An autoencoder with an infinite weight. */
  g_autofree char *ae_path = path_in ("weights/autoencoder.safetensors");
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_load (ae_path, NULL);
  g_assert_nonnull (ae);
  ae->params.data[0] = INFINITY;
  g_autofree char *bad = path_in ("weights/bad-ae.safetensors");
  g_assert_true (dv_autoencoder_save (ae, bad, FALSE, NULL, NULL));
  assert_refused ("weights/bad-ae.safetensors", "+inf at element 0");

  /* A safetensors file of nobody's, and one cut short. */
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const float v[2] = { 1, 2 };
  const int shape[1] = { 2 };
  dv_safetensors_writer_add (w, "x", DV_DTYPE_F32, 1, shape, v);
  g_autofree char *other = path_in ("other.safetensors");
  g_assert_true (dv_safetensors_writer_save (w, other, NULL));
  assert_refused ("other.safetensors", "no DiMViDA network");
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (ae_path, &data, &len, NULL));
  g_autofree char *cut = path_in ("cut.safetensors");
  g_assert_true (g_file_set_contents (cut, data, (gssize) len - 100, NULL));
  assert_refused ("cut.safetensors", "refused: ");
}

static void
test_classifier (void)
{
  DvClassifierConfig config;
  dv_classifier_config_init (&config, DV_CLASSIFIER_MOBILENET);
  config.width = 0.125;
  config.image_size = 16;
  g_autoptr (DvClassifier) classifier = dv_classifier_new (&config);
  dv_classifier_init_weights (classifier, 1);
  g_autofree char *path = path_in ("classifier.safetensors");
  g_assert_true (dv_classifier_save (classifier, path, NULL, NULL));
  const char *says[] = { "view classifier (dimvida-classifier-1): mobilenet × 0.125, 13 classes, 16×16 images",
                         "running statistics", "classifier_config", NULL };
  assert_accepted ("classifier.safetensors", says);
  DvParams *p = dv_classifier_params (classifier);
  p->data[p->count / 3] = -INFINITY;
  g_autofree char *bad = path_in ("bad-classifier.safetensors");
  g_assert_true (dv_classifier_save (classifier, bad, NULL, NULL));
  assert_refused ("bad-classifier.safetensors", "-inf");
}

static void
test_points_csv (void)
{
  write_text ("points.csv", "x,y\n" "0,1\n1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n7,8\n8,9\n-9,10\n");
  const char *says[] = { "Playground points (CSV): 10 points", "x [-9, 8]", "y [1, 10]", NULL };
  assert_accepted ("points.csv", says);
  write_text ("nan.csv", "x,y\n0,1\n1,nan\n2,3\n");
  assert_refused ("nan.csv", "line 3");
}

static void
test_obj (void)
{
  write_text ("quad.obj", "# a square\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n");
  const char *says[] = { "Wavefront OBJ mesh: 4 vertices, 2 triangles", "x [0, 1]", NULL };
  assert_accepted ("quad.obj", says);
  write_text ("bad.obj", "v 0 0 0\nv 1 0 0\nf 1 2 9\n");
  assert_refused ("bad.obj", "bad.obj:3: vertex index 9 out of range");
}

static void
test_multiview_cache (void)
{
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.per_class[DV_SPLIT_D] = config.per_class[DV_SPLIT_C] = config.per_class[DV_SPLIT_E] = 1;
  config.write_png = FALSE;
  config.n_threads = 1;
  g_autofree char *data = path_in ("data");
  g_assert_true (dv_multiview_dataset_write (&config, data, NULL, NULL, NULL, NULL));
  const char *says[] = { "multi-view dataset cache: split e", "13 objects of 13 classes", "4 views of 64×64", NULL };
  assert_accepted ("data/e.dvmv", says);
  g_autofree char *e = path_in ("data/e.dvmv");
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (e, &bytes, &len, NULL));
  g_autofree char *cut = path_in ("cut.dvmv");
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) len - 1, NULL));
  assert_refused ("cut.dvmv", "refused: ");
}

static void
test_json (void)
{
  write_text ("config.json", "{\"format\": \"dimvida-playground-config\", \"version\": 1, \"runs\": ["
                             "{\"train\": {\"steps\": 500}}, {\"train\": {\"gan\": true}, \"sampler\": \"ddim\"}]}");
  const char *says[] = { "Playground configuration (version 1)", "run 1: linear, 3 × 256, 500 steps",
                         "run 2: linear, 3 × 256, 10000 steps, GAN", NULL };
  assert_accepted ("config.json", says);
  write_text ("bad-config.json", "{\"format\": \"dimvida-playground-config\", \"runs\": ["
                                 "{\"train\": {\"steps\": -5}}, {\"train\": {}}]}");
  assert_refused ("bad-config.json", "run 1: ");
  write_text ("broken.json", "{\"format\": ");
  assert_refused ("broken.json", "not valid JSON");
  /* The Votes page's evaluation file: 2 objects, one classifier right on e for one of them, on ea for both. */
  const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autofree char *predictions = g_strdup_printf (
    "{\"format\": \"dimvida-votes-predictions-1\", \"split\": \"e\", \"dataset_seed\": 1, \"command\": null,"
    " \"class_names\": [\"a\", \"b\"], \"objects\": {\"class\": [0, 1], \"index\": [0, 0], \"view\": [2, 3]},"
    " \"classifiers\": [{\"file\": \"r.safetensors\", \"sha256\": \"%s\", \"arch\": \"resnet18\","
    " \"set\": \"m\", \"seed\": \"1\", \"predicted_e\": [0, 0], \"predicted_ea\": [0, 1]}]}", sha);
  write_text ("evaluation.json", predictions);
  const char *predictions_say[] = { "votes predictions (dimvida-votes-predictions-1) on split e: 2 objects of 2 classes",
                                    "resnet18 Ω_m (r.safetensors, SHA-256 0123456789ab…): e 50.00 %, ea 100.00 %",
                                    NULL };
  assert_accepted ("evaluation.json", predictions_say);
  g_autofree char *bad = g_strdup_printf ("{\"format\": \"dimvida-votes-predictions-1\", \"split\": \"e\", "
                                          "\"dataset_seed\": 1, \"class_names\": [\"a\"], \"objects\": "
                                          "{\"class\": [0], \"index\": [0], \"view\": [9]}, \"classifiers\": []}");
  write_text ("bad-evaluation.json", bad);
  assert_refused ("bad-evaluation.json", "“view”[0] is not an integer in 0…3");
  write_text ("other.json", "{\"a\": 1, \"format\": \"x\"}");
  const char *other_says[] = { "JSON object of format “x”, 2 members", NULL };
  assert_accepted ("other.json", other_says);
}

static void
test_many_files_and_status (void)
{
  /* Every file is reported, in order; one refusal makes the status 1. */
  write_text ("a.csv", "0,0\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n8,8\n9,9\n");
  write_text ("unknown.bin", "\x01\x02\x03");
  g_autofree char *a = path_in ("a.csv"), *unknown = path_in ("unknown.bin"), *missing = path_in ("missing.png");
  DvTestRun r;
  const char *args[] = { "inspect", a, unknown, missing, a, NULL };
  dv_test_run_dimvida (&r, NULL, args);
  g_assert_cmpint (r.status, ==, 1);
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], a) && strstr (lines[0], "10 points"));
  g_assert_true (g_str_has_prefix (lines[1], unknown) && strstr (lines[1], "refused: unknown kind of file"));
  g_assert_true (g_str_has_prefix (lines[2], missing) && strstr (lines[2], "refused: "));
  g_assert_true (g_str_has_prefix (lines[3], a) && strstr (lines[3], "10 points"));
  g_assert_nonnull (strstr (r.err, "2 of 4 files refused"));
  dv_test_run_clear (&r);

  const char *none[] = { "inspect", NULL };
  dv_test_run_dimvida (&r, NULL, none);
  g_assert_cmpint (r.status, ==, 1);
  dv_test_run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("dv-inspect-XXXXXX", NULL);
  g_test_add_func ("/cli/inspect/png", test_png);
  g_test_add_func ("/cli/inspect/toy-checkpoints", test_toy_checkpoints);
  g_test_add_func ("/cli/inspect/views-weights", test_views_weights);
  g_test_add_func ("/cli/inspect/classifier", test_classifier);
  g_test_add_func ("/cli/inspect/points-csv", test_points_csv);
  g_test_add_func ("/cli/inspect/obj", test_obj);
  g_test_add_func ("/cli/inspect/multiview-cache", test_multiview_cache);
  g_test_add_func ("/cli/inspect/json", test_json);
  g_test_add_func ("/cli/inspect/many-files", test_many_files_and_status);
  int status = g_test_run ();
  dv_test_remove_tree (dir);
  g_free (dir);
  return status;
}
