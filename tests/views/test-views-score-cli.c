/* The score model from the command line, end to end with everything tiny: a
 * dataset of a few objects, a few steps of train-ae and of train-score, then
 * generate with each sampler (the strip is written, the given views' pixels
 * are the input's, the same seed gives the same file and another seed
 * another, variations differ, frames are written), eval prints Table I's rows,
 * and bad input fails with a clear message and writes nothing. DV_DIMVIDA
 * names the binary. */
#include "core/data_file.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "nn/linear_bf16.h"
#include "views/latent_map.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <string.h>


static char *tmp_dir;

static void
run_ok (const char *const *args)
{
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  if (r.status != 0)
    g_error ("dimvida views %s failed: %s", args[1], r.err);
  dv_test_run_clear (&r);
}

static char *
path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *pa = path (a), *pb = path (b), *da = NULL, *db = NULL;
  gsize la = 0, lb = 0;
  g_assert_true (g_file_get_contents (pa, &da, &la, NULL));
  g_assert_true (g_file_get_contents (pb, &db, &lb, NULL));
  return la == lb && memcmp (da, db, la) == 0;
}

static void
read_png (const char *name, DvImage *img)
{
  g_autofree char *p = path (name);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read (p, img, &error));
  g_assert_no_error (error);
}

/* Pixels of view v in row k of an image of 64×64 views. */
static gboolean
same_view (const DvImage *a, int ka, int va, const DvImage *b, int kb, int vb)
{
  for (int y = 0; y < 64; y++)
    if (memcmp (a->rgb + 3 * ((size_t) (ka * 64 + y) * a->width + va * 64),
                b->rgb + 3 * ((size_t) (kb * 64 + y) * b->width + vb * 64), sizeof (float) * 3 * 64) != 0)
      return FALSE;
  return TRUE;
}

/* The tiny dataset, autoencoder and score model, made once. */
static void
test_train (void)
{
  const char *dataset[] = { "views", "dataset", "--out", "ds", "--per-class", "2,0,1", "--no-png", "--threads", "1",
                            NULL };
  run_ok (dataset);
  const char *train_ae[] = { "views", "train-ae", "--data", "ds", "--out", "ae", "--steps", "3", "--batch", "8",
                             "--threads", "1", NULL };
  run_ok (train_ae);
  const char *train[] = { "views", "train-score", "--data", "ds", "--ae", "ae/autoencoder.safetensors", "--out",
                          "sc", "--steps", "6", "--width", "32", "--batch", "16", "--seed", "7", "--threads", "1",
                          "--mask-draw", "object", NULL };
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, train);
  if (r.status != 0)
    g_error ("train-score failed: %s", r.err);
  g_assert_nonnull (strstr (r.out, "Encoded 26 objects × 4 views of split d"));
  g_assert_nonnull (strstr (r.out, "step 6/6"));
  g_assert_nonnull (strstr (r.out, "mask drawn per object"));
  dv_test_run_clear (&r);
  g_autofree char *model = path ("sc/score.safetensors"), *cache = path ("sc/latents-d.safetensors");
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_REGULAR));
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open (model, &error);
  g_assert_no_error (error);
  /* Provenance: the exact command, seed, BLAS core, time, schedule. */
  g_assert_cmpstr (dv_safetensors_metadata (st, "command"), ==,
                   "dimvida views train-score --data ds --ae ae/autoencoder.safetensors --out sc --steps 6 --width 32 "
                   "--batch 16 --seed 7 --threads 1 --mask-draw object");
  g_assert_cmpstr (dv_safetensors_metadata (st, "seed"), ==, "7");
  g_assert_cmpstr (dv_safetensors_metadata (st, "step"), ==, "6");
  g_assert_nonnull (dv_safetensors_metadata (st, "blas_core"));
  g_assert_nonnull (dv_safetensors_metadata (st, "train_minutes"));
  g_assert_nonnull (dv_safetensors_metadata (st, "started_utc"));
  g_assert_nonnull (strstr (dv_safetensors_metadata (st, "train_config"), "\"mask_draw\":\"object\""));
  g_assert_nonnull (strstr (dv_safetensors_metadata (st, "score_net_config"), "\"width\":32"));
  /* A second run reads the cache instead of encoding again. */
  dv_test_run_dimvida (&r, tmp_dir, train);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "read from sc/latents-d.safetensors"));
  dv_test_run_clear (&r);
  const char *render[] = { "views", "render", "--class", "chair", "--seed", "99", "--index", "3", "--out",
                           "strip.png", NULL };
  run_ok (render);
}

static void
generate_in (const char *given, const char *in, const char *out, const char *sampler, const char *seed,
             const char *k, const char *frames, const char *precision)
{
  const char *args[] = { "views", "generate", "--given", given, in, "--out", out, "--sampler", sampler, "--seed",
                         seed, "--steps", "20", "--variations", k, "--model", "sc/score.safetensors", "--ae",
                         "ae/autoencoder.safetensors", "--threads", "1", "--precision",
                         precision ? precision : "bf16", frames ? "--frames" : NULL, frames, NULL };
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  if (r.status != 0)
    g_error ("generate %s failed: %s", sampler, r.err);
  g_autofree char *wrote = g_strdup_printf ("Wrote %s: %s variation", out, k);
  g_assert_nonnull (strstr (r.out, wrote));
  /* The precision that ran: BF16 only where the CPU has AVX512-BF16. */
  g_assert_nonnull (strstr (r.out, precision && g_str_equal (precision, "f32") ? ", f32," : dv_linear_bf16_fast ()
                                                                                           ? ", bf16,"
                                                                                           : ", f32,"));
  dv_test_run_clear (&r);
}

static void
generate (const char *given, const char *in, const char *out, const char *sampler, const char *seed, const char *k,
          const char *frames)
{
  generate_in (given, in, out, sampler, seed, k, frames, NULL);
}

static void
test_generate (void)
{
  DvImage strip = { 0 };
  read_png ("strip.png", &strip);
  g_assert_cmpint (strip.width, ==, 256);
  const char *samplers[] = { "em", "ode", "repaint" };
  for (int s = 0; s < 3; s++)
    {
      g_autofree char *a = g_strdup_printf ("%s-a.png", samplers[s]), *b = g_strdup_printf ("%s-b.png", samplers[s]);
      g_autofree char *c = g_strdup_printf ("%s-c.png", samplers[s]);
      generate ("front,back", "strip.png", a, samplers[s], "3", "2", NULL);
      generate ("front,back", "strip.png", b, samplers[s], "3", "2", NULL);
      generate ("front,back", "strip.png", c, samplers[s], "4", "2", NULL);
      DvImage img = { 0 }, other = { 0 };
      read_png (a, &img);
      g_assert_cmpint (img.width, ==, 256);
      g_assert_cmpint (img.height, ==, 128);  /* two variations, a row each */
      for (int k = 0; k < 2; k++)
        {
          g_assert_true (same_view (&img, k, 0, &strip, 0, 0));  /* front and back kept, pixel for pixel */
          g_assert_true (same_view (&img, k, 2, &strip, 0, 2));
        }
      /* The variations differ in a generated view; the same seed gives the same file, another seed another. */
      g_assert_false (same_view (&img, 0, 1, &img, 1, 1));
      g_assert_true (same_file (a, b));
      g_assert_false (same_file (a, c));
      read_png (c, &other);
      g_assert_false (same_view (&img, 0, 1, &other, 0, 1));
      dv_image_clear (&img), dv_image_clear (&other);
    }
  /* F32 too: deterministic, the given views kept (whether the 8-bit PNG differs from BF16's depends on the
   * weights: tests/views/test-score-net checks that the BF16 path runs). */
  generate_in ("front,back", "strip.png", "f32-a.png", "em", "3", "2", NULL, "f32");
  generate_in ("front,back", "strip.png", "f32-b.png", "em", "3", "2", NULL, "f32");
  g_assert_true (same_file ("f32-a.png", "f32-b.png"));
  {
    DvImage img = { 0 };
    read_png ("f32-a.png", &img);
    g_assert_true (same_view (&img, 1, 0, &strip, 0, 0));
    g_assert_true (same_view (&img, 1, 2, &strip, 0, 2));
    dv_image_clear (&img);
  }
  /* One view in: assigned to the single given slot (right). */
  DvImage one;
  dv_image_init (&one, 64, 64);
  for (int y = 0; y < 64; y++)
    memcpy (one.rgb + 3 * (size_t) y * 64, strip.rgb + 3 * ((size_t) y * 256 + 64), sizeof (float) * 3 * 64);
  g_autofree char *one_path = path ("right.png");
  g_assert_true (dv_png_write_image (one_path, &one, NULL));
  dv_image_clear (&one);
  generate ("right", "right.png", "one.png", "em", "0", "1", "frames");
  DvImage img = { 0 };
  read_png ("one.png", &img);
  g_assert_cmpint (img.width, ==, 256);
  g_assert_cmpint (img.height, ==, 64);
  g_assert_true (same_view (&img, 0, 1, &strip, 0, 1));
  dv_image_clear (&img);
  /* Every step's x_t and x̂₀, 0 … 20. */
  const char *frames[] = { "frames/xt-0000.png", "frames/xt-0020.png", "frames/x0-0000.png", "frames/x0-0020.png" };
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autofree char *p = path (frames[i]);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
  g_autofree char *beyond = path ("frames/xt-0021.png");
  g_assert_false (g_file_test (beyond, G_FILE_TEST_EXISTS));
  dv_image_clear (&strip);
}

static void
test_eval (void)
{
  const char *args[] = { "views", "eval", "--data", "ds", "--model", "sc/score.safetensors", "--ae",
                         "ae/autoencoder.safetensors", "--objects", "4", "--steps", "5", "--cache",
                         "sc/latents-d.safetensors", "--threads", "1", NULL };
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  if (r.status != 0)
    g_error ("eval failed: %s", r.err);
  g_test_message ("%s", r.out);
  g_assert_nonnull (strstr (r.out, "read from sc/latents-d.safetensors"));
  g_assert_nonnull (strstr (r.out, "4 of 13 objects"));
  /* 4 objects: 1 given, 4 subsets × 3 missing; 2 given, 6 × 2; 3 given, 4 × 1. */
  g_assert_nonnull (strstr (r.out, "views scored: 48, 48, 16"));
  const char *rows[] = { "| score model |", "| autoencoder reconstruction (ceiling) |",
                         "| nearest neighbour in latent space, split d (baseline) |", "| DiMViDA paper (NMR) |" };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *row = strstr (r.out, rows[i]);
      g_assert_nonnull (row);
      /* Six numbers, PSNR and SSIM for 1, 2, 3 given, none missing. */
      g_autofree char *line = g_strndup (row, strcspn (row, "\n"));
      g_auto (GStrv) cells = g_strsplit (line, "|", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 9);
      for (int c = 2; c < 8; c++)
        {
          char *end = NULL;
          double v = g_ascii_strtod (g_strstrip (cells[c]), &end);
          g_assert_true (end != cells[c] && *end == '\0');
          g_assert_cmpfloat (v, >, 0.0);
        }
    }
  dv_test_run_clear (&r);
}

static void
expect_failure (const char *const *args, const char *message, const char *not_written)
{
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  g_assert_cmpint (r.status, !=, 0);
  if (!strstr (r.err, message))
    g_error ("expected “%s” in the message, got: %s", message, r.err);
  g_assert_nonnull (strstr (r.err, "dimvida:"));
  if (not_written)
    {
      g_autofree char *p = path (not_written);
      g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  dv_test_run_clear (&r);
}

/* latent-map: the PCA of split d's latents, from the cache train-score wrote, with its provenance; bad input. */
static void
test_latent_map (void)
{
  const char *args[] = { "views", "latent-map", "--data", "ds", "--ae", "ae/autoencoder.safetensors", "--cache",
                         "sc/latents-d.safetensors", "--points", "40", "--out", "map.safetensors", NULL };
  DvTestRun r;
  dv_test_run_dimvida (&r, tmp_dir, args);
  if (r.status != 0)
    g_error ("latent-map failed: %s", r.err);
  g_assert_nonnull (strstr (r.out, "read from sc/latents-d.safetensors"));
  g_assert_nonnull (strstr (r.out, "PCA of 26 objects × 4 views of split d"));
  g_assert_nonnull (strstr (r.out, "40 points kept"));
  dv_test_run_clear (&r);
  g_autofree char *file = path ("map.safetensors");
  DvLatentMap map;
  dv_latent_map_init (&map);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_latent_map_load (&map, file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (map.n_points, ==, 40);
  g_assert_cmpfloat (map.explained[0], >=, map.explained[1]);
  g_assert_cmpfloat (map.explained[1], >, 0);
  g_assert_cmpfloat (map.explained[0] + map.explained[1], <=, 1 + 1e-9);
  dv_latent_map_clear (&map);
  g_autoptr (DvSafetensors) st = dv_safetensors_open (file, &error);
  g_assert_cmpint (strlen (dv_safetensors_metadata (st, "autoencoder_sha256")), ==, 64);
  g_assert_cmpstr (dv_safetensors_metadata (st, "split"), ==, "d");
  g_assert_cmpstr (dv_safetensors_metadata (st, "objects"), ==, "26");

  const char *no_out[] = { "views", "latent-map", "--data", "ds", NULL };
  expect_failure (no_out, "needs --data DIR and --out FILE", NULL);
  const char *few[] = { "views", "latent-map", "--data", "ds", "--points", "2", "--out", "few.safetensors", NULL };
  expect_failure (few, "--points must be between", "few.safetensors");
  const char *no_data[] = { "views", "latent-map", "--data", "nowhere", "--ae", "ae/autoencoder.safetensors",
                            "--out", "none.safetensors", NULL };
  expect_failure (no_data, "nowhere", "none.safetensors");
}

static void
test_bad_input (void)
{
  /* The usage lists the commands. */
  {
    const char *usage[] = { "views", "--help", NULL };
    DvTestRun r;
    dv_test_run_dimvida (&r, tmp_dir, usage);
    g_autofree char *both = g_strconcat (r.out, r.err, NULL);
    const char *commands[] = { "train-score --data DIR", "generate --given", "eval --data DIR", "bench-score" };
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_nonnull (strstr (both, commands[i]));
    dv_test_run_clear (&r);
  }
  const char *no_given[] = { "views", "generate", "strip.png", "--out", "x.png", "--model", "sc/score.safetensors",
                             "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (no_given, "usage: dimvida views generate --given", "x.png");
  const char *unknown[] = { "views", "generate", "--given", "front,up", "strip.png", "--out", "x.png", "--model",
                            "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (unknown, "unknown view 'up'", "x.png");
  const char *all[] = { "views", "generate", "--given", "front,right,back,left", "strip.png", "--out", "x.png",
                        "--model", "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (all, "nothing to generate", "x.png");
  g_autofree char *bad = path ("bad.png");
  g_assert_true (g_file_set_contents (bad, "not a png", -1, NULL));
  const char *not_png[] = { "views", "generate", "--given", "front", "bad.png", "--out", "x.png", "--model",
                            "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (not_png, "bad.png", "x.png");
  const char *two_for_one[] = { "views", "generate", "--given", "front,back", "right.png", "--out", "x.png",
                                "--model", "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (two_for_one, "is one view, but --given names 2 views", "x.png");
  const char *sampler[] = { "views", "generate", "--given", "front", "strip.png", "--out", "x.png", "--sampler",
                            "heun", "--model", "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (sampler, "heun", "x.png");
  const char *precision[] = { "views", "generate", "--given", "front", "strip.png", "--out", "x.png", "--precision",
                              "f16", "--model", "sc/score.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (precision, "Unknown precision “f16” (expected f32 or bf16)", "x.png");
  /* A model file of another kind (the autoencoder) is refused. */
  const char *wrong[] = { "views", "generate", "--given", "front", "strip.png", "--out", "x.png", "--model",
                          "ae/autoencoder.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (wrong, "is not a DiMViDA score model", "x.png");
  const char *missing[] = { "views", "generate", "--given", "front", "strip.png", "--out", "x.png", "--model",
                            "nowhere.safetensors", "--ae", "ae/autoencoder.safetensors", NULL };
  expect_failure (missing, "nowhere.safetensors", "x.png");
  /* Without --model: the shipped file, or a message saying there is none. */
  g_autofree char *shipped = dv_find_data_file ("weights/views/score.safetensors", NULL);
  if (!shipped)
    {
      const char *none[] = { "views", "generate", "--given", "front", "strip.png", "--out", "x.png", NULL };
      expect_failure (none, "none shipped", "x.png");
    }
  const char *no_data[] = { "views", "train-score", "--out", "sc2", NULL };
  expect_failure (no_data, "needs --data DIR", "sc2");
  const char *draw[] = { "views", "train-score", "--data", "ds", "--mask-draw", "sometimes", "--out", "sc2", NULL };
  expect_failure (draw, "--mask-draw is batch or object", "sc2");
  const char *no_split[] = { "views", "eval", "--data", "nowhere", "--model", "sc/score.safetensors", "--ae",
                             "ae/autoencoder.safetensors", NULL };
  expect_failure (no_split, "nowhere", NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!g_getenv ("DV_DIMVIDA"))
    g_error ("DV_DIMVIDA must name the dimvida binary");
  tmp_dir = g_dir_make_tmp ("dv-score-cli-XXXXXX", NULL);
  /* In order: each uses what the one before made. */
  g_test_add_func ("/views/score-cli/train", test_train);
  g_test_add_func ("/views/score-cli/generate", test_generate);
  g_test_add_func ("/views/score-cli/eval", test_eval);
  g_test_add_func ("/views/score-cli/latent-map", test_latent_map);
  g_test_add_func ("/views/score-cli/bad-input", test_bad_input);
  int status = g_test_run ();
  dv_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
