/* Writes the seed corpora of the fuzz harnesses, each file made by the
 * project's own writers (or, for the PNG variants our writer never makes —
 * grey, palette, 16-bit, interlaced — by libpng directly):
 *   make-corpus DIR  →  DIR/<harness>/<seed>
 * Small on purpose (a few kB each): libFuzzer mutates short inputs fastest. */
#include "io/png.h"
#include "io/safetensors.h"
#include "toy/data.h"
#include "toy/train.h"
#include "views/ae_train.h"
#include "views/autoencoder.h"
#include "views/multiview.h"
#include "views/objects/registry.h"
#include "views/score_model.h"
#include "votes/classifier.h"

#include <glib/gstdio.h>
#include "test-util.h"
#include <png.h>
#include <stdio.h>
#include <string.h>

static const char *root;

static void
put (const char *harness, const char *name, const void *data, gsize len)
{
  char *dir = g_build_filename (root, harness, NULL);
  g_mkdir_with_parents (dir, 0755);
  char *path = g_build_filename (dir, name, NULL);
  if (!g_file_set_contents (path, data, (gssize) len, NULL))
    g_error ("cannot write %s", path);
  g_free (path);
  g_free (dir);
}

static void
put_text (const char *harness, const char *name, const char *text)
{
  put (harness, name, text, strlen (text));
}

static void
copy_file (const char *harness, const char *name, const char *path)
{
  char *data;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL))
    g_error ("cannot read %s", path);
  put (harness, name, data, len);
  g_free (data);
}

/* ---- PNG: every colour type and depth libpng reads ---- */

static void
write_to_array (png_structp png, png_bytep data, size_t n)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) n);
}

static void
flush_nothing (png_structp png)
{
}

static void
png_variant (const char *name, int w, int h, int depth, int colour, int interlace)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    g_error ("libpng failed on %s", name);
  png_set_write_fn (png, out, write_to_array, flush_nothing);
  png_set_IHDR (png, info, w, h, depth, colour, interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (colour == PNG_COLOR_TYPE_PALETTE)
    {
      png_color palette[4] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 } };
      png_byte alpha[2] = { 0, 128 };
      png_set_PLTE (png, info, palette, 4);
      png_set_tRNS (png, info, alpha, 2, NULL);
    }
  png_set_text (png, info, &(png_text) { .compression = PNG_TEXT_COMPRESSION_zTXt, .key = "Comment",
                                         .text = "seed made by tests/fuzz/make-corpus.c" }, 1);
  png_write_info (png, info);
  int channels = colour == PNG_COLOR_TYPE_RGB ? 3 : colour == PNG_COLOR_TYPE_RGBA ? 4
                 : colour == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
  size_t row_bytes = ((size_t) w * channels * depth + 7) / 8;
  guint8 *row = g_malloc (row_bytes);
  int passes = png_set_interlace_handling (png);
  for (int p = 0; p < passes; p++)
    for (int y = 0; y < h; y++)
      {
        for (size_t i = 0; i < row_bytes; i++)
          row[i] = (guint8) (i * 37 + y * 11 + p);
        png_write_row (png, row);
      }
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  put ("png", name, out->data, out->len);
  g_free (row);
  g_byte_array_unref (out);
}

static void
png_seeds (void)
{
  png_variant ("gray1.png", 5, 3, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
  png_variant ("gray4.png", 4, 4, 4, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
  png_variant ("gray16.png", 3, 3, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
  png_variant ("graya8.png", 4, 2, 8, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_NONE);
  png_variant ("rgb8.png", 8, 8, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE);
  png_variant ("rgb16-adam7.png", 9, 7, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7);
  png_variant ("rgba8-adam7.png", 8, 8, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_ADAM7);
  png_variant ("rgba16.png", 2, 2, 16, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE);
  png_variant ("palette2-trns.png", 6, 5, 2, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE);
  png_variant ("strip.png", 16, 4, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE);
}

/* ---- weights: tiny networks of each kind, and bare safetensors ---- */

static void
toy_seed (const char *dir, const char *name, gboolean gan)
{
  DvToyTrainConfig cfg;
  dv_toy_train_config_init (&cfg);
  cfg.steps = 10;
  cfg.emb_dim = 8;
  cfg.hidden = 8;
  cfg.blocks = 1;
  cfg.batch_size = 4;
  cfg.T = 10;
  cfg.gan = gan;
  cfg.d_hidden = 8;
  cfg.d_layers = 2;
  DvToyData data;
  if (!dv_toy_data_generate (&data, "moons", 20, 1, NULL))
    g_error ("moons");
  GError *error = NULL;
  DvToyTrainer *tr = dv_toy_trainer_new (&cfg, data.xy, data.n, &error);
  if (tr == NULL)
    g_error ("toy seed: %s", error->message);
  dv_toy_trainer_train (tr, 2, NULL, NULL, NULL, NULL);
  char *path = g_build_filename (dir, name, NULL);
  if (!dv_toy_trainer_save (tr, path, NULL))
    g_error ("toy save");
  copy_file ("weights", name, path);
  copy_file ("safetensors", name, path);
  g_free (path);
  dv_toy_trainer_free (tr);
  dv_toy_data_clear (&data);
}

static void
views_seeds (const char *dir)
{
  DvAutoencoderConfig ae_config;
  dv_autoencoder_config_init (&ae_config);
  ae_config.image_size = 8;
  ae_config.latent_dim = 2;
  ae_config.channels[0] = ae_config.channels[1] = ae_config.channels[2] = 2;
  ae_config.head_channels = 2;
  DvAutoencoder *ae = dv_autoencoder_new (&ae_config);
  dv_autoencoder_init_weights (ae, 1);
  char *ae_path = g_build_filename (dir, "ae.safetensors", NULL);
  if (!dv_autoencoder_save (ae, ae_path, TRUE, NULL, NULL))
    g_error ("ae save");
  copy_file ("weights", "autoencoder-f16.safetensors", ae_path);

  DvScoreNetConfig net_config;
  dv_score_net_config_init (&net_config);
  net_config.latent_dim = 2;
  net_config.width = 4;
  net_config.time_dim = 4;
  net_config.groups = 2;
  net_config.levels = 1;
  DvScoreNet *net = dv_score_net_new (&net_config);
  dv_score_net_init_weights (net, 2);
  float mean[8] = { 0 }, std[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
  DvLatentStats stats = { 4, 2, mean, std };
  DvScoreModel *model = dv_score_model_new (net, net->params.data, &stats);
  char *score_path = g_build_filename (dir, "score.safetensors", NULL);
  if (!dv_score_model_save (model, score_path, FALSE, NULL, NULL))
    g_error ("score save");
  copy_file ("weights", "score.safetensors", score_path);
  dv_score_model_free (model);
  dv_score_net_free (net);
  dv_autoencoder_free (ae);
  g_free (ae_path);
  g_free (score_path);
}

static void
classifier_seeds (const char *dir)
{
  for (int arch = 0; arch < DV_N_CLASSIFIER_ARCHS; arch++)
    {
      DvClassifierConfig config;
      dv_classifier_config_init (&config, arch);
      config.image_size = 8;
      config.n_classes = 3;
      config.width = arch == DV_CLASSIFIER_RESNET18 ? 0.03125 : 0.125;
      GError *error = NULL;
      if (!dv_classifier_config_check (&config, &error))
        g_error ("classifier seed: %s", error->message);
      DvClassifier *classifier = dv_classifier_new (&config);
      dv_classifier_init_weights (classifier, 1);
      char *name = g_strdup_printf ("%s.safetensors", dv_classifier_arch_name (arch));
      char *path = g_build_filename (dir, name, NULL);
      if (!dv_classifier_save (classifier, path, NULL, &error))
        g_error ("classifier save: %s", error->message);
      copy_file ("weights", name, path);
      dv_classifier_free (classifier);
      g_free (path);
      g_free (name);
    }
}

static void
safetensors_seeds (const char *dir)
{
  DvSafetensorsWriter *w = dv_safetensors_writer_new ();
  const float v[6] = { 1, -2, 0.5f, 65504, 1e-7f, 3 };
  const int s23[2] = { 2, 3 }, s6[1] = { 6 }, s0[2] = { 0, 4 };
  dv_safetensors_writer_add (w, "a", DV_DTYPE_F32, 2, s23, v);
  dv_safetensors_writer_add (w, "b.half", DV_DTYPE_F16, 1, s6, v);
  dv_safetensors_writer_add (w, "empty", DV_DTYPE_F32, 2, s0, NULL);
  dv_safetensors_writer_add (w, "scalar", DV_DTYPE_F32, 0, NULL, v);
  dv_safetensors_writer_set_metadata (w, "format", "seed");
  dv_safetensors_writer_set_metadata (w, "note", "{\"json\": [1, 2]}");
  char *path = g_build_filename (dir, "mixed.safetensors", NULL);
  if (!dv_safetensors_writer_save (w, path, NULL))
    g_error ("save");
  copy_file ("safetensors", "mixed.safetensors", path);
  dv_safetensors_writer_free (w);
  g_free (path);
}

/* ---- a dataset cache of 2 × 2 views, by the documented layout ---- */

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

static void
dvmv_seed (const char *name, guint32 split, guint32 n, guint8 given)
{
  const guint32 side = 2, views = 4;
  gsize len = DV_MULTIVIEW_HEADER_SIZE + 6 * n + (gsize) n * views * side * side * 3;
  guint8 *b = g_malloc0 (len);
  memcpy (b, "DVMVIEW1", 8);
  put_u32 (b + 8, 1);
  put_u32 (b + 12, split);
  put_u32 (b + 16, n);
  put_u32 (b + 20, views);
  put_u32 (b + 24, side);
  put_u32 (b + 28, side);
  put_u32 (b + 32, 3);
  put_u32 (b + 36, 13);
  put_u32 (b + 40, 7);
  for (int k = 0; k < 13; k++)
    g_strlcpy ((char *) b + 48 + 16 * k, dv_object_class_name (k), 16);
  guint8 *p = b + DV_MULTIVIEW_HEADER_SIZE;
  for (guint32 i = 0; i < n; i++)
    {
      p[i] = (guint8) (i % 13);
      p[n + i] = given;
      put_u32 (p + 2 * n + 4 * i, i);
    }
  for (gsize i = DV_MULTIVIEW_HEADER_SIZE + 6 * n; i < len; i++)
    b[i] = (guint8) i;
  put ("dvmv", name, b, len);
  g_free (b);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: make-corpus DIR\n");
      return 2;
    }
  root = argv[1];
  char *tmp = g_dir_make_tmp ("dv-corpus-XXXXXX", NULL);
  png_seeds ();
  toy_seed (tmp, "toy.safetensors", FALSE);
  toy_seed (tmp, "toy-gan.safetensors", TRUE);
  views_seeds (tmp);
  classifier_seeds (tmp);
  safetensors_seeds (tmp);
  dvmv_seed ("d.dvmv", 0, 2, DV_MULTIVIEW_ALL_VIEWS);
  dvmv_seed ("c.dvmv", 1, 3, 2);

  put_text ("csv", "header.csv", "x,y\n0.5,1\n-1,2e-3\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14\n15,16\n17,18\n");
  put_text ("csv", "tabs.csv", "# drawn\n1\t2\n  3 , 4\n\n5,6\n7,8\n9,10\n1,1\n2,2\n3,3\n4,4\n5,5\n");
  put_text ("csv", "losses.csv", "step,loss,mse,adv,d_loss,grad_norm,lr\n1,0.9,0.9,0,0,1.5,3e-4\n"
                                 "2,0.8,0.8,0,0,1.2,3e-4\n3,0.7,0.7,0.1,0.6,1.1,2e-4\n");
  put_text ("obj", "quad.obj", "# a square\no quad\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvn 0 0 1\n"
                               "usemtl red\nf 1//1 2//1 3//1 4//1\n");
  put_text ("obj", "tri.obj", "mtllib x.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n"
                              "usemtl wood\nf -3/1 -2/2 -1/3\ng part\ns off\nl 1 2\n");
  /* JSON: the first byte picks the parser (0 train, 1 sampler, 2 autoencoder, 3 score net, 4 classifier). */
  char *train = NULL;
  {
    DvToyTrainConfig cfg;
    dv_toy_train_config_init (&cfg);
    cfg.gan = TRUE;
    train = dv_toy_train_config_to_json_string (&cfg);
  }
  GString *train_seed = g_string_new (NULL);
  g_string_append_c (train_seed, 0);
  g_string_append (train_seed, train);
  put ("json", "train-gan.json", train_seed->str, train_seed->len);
  g_string_free (train_seed, TRUE);
  put_text ("json", "sampler.json", "\x01{\"sampler\": \"ddim\", \"ddim_steps\": 20, \"eta\": 0.5, \"use_ema\": true}");
  put_text ("json", "autoencoder.json",
            "\x02{\"image_size\":64,\"latent_dim\":64,\"channels\":[32,64,128],\"head_channels\":16}");
  {
    DvClassifierConfig config;
    dv_classifier_config_init (&config, DV_CLASSIFIER_MOBILENET);
    char *json = dv_classifier_config_to_json (&config);
    char *seed = g_strconcat ("\x04", json, NULL);
    put_text ("json", "classifier.json", seed);
    g_free (seed);
    g_free (json);
  }
  put_text ("json", "score.json", "\x03{\"n_views\":4,\"latent_dim\":64,\"width\":384,\"time_dim\":128,\"levels\":2,"
                                  "\"groups\":32}");
  put_text ("json", "predictions.json",
            "\x05{\"format\":\"dimvida-votes-predictions-1\",\"split\":\"e\",\"dataset_seed\":1,\"command\":null,"
            "\"score_model_sha256\":null,\"autoencoder_sha256\":null,\"class_names\":[\"a\",\"b\"],"
            "\"objects\":{\"class\":[0,1],\"index\":[0,0],\"view\":[2,3]},\"classifiers\":[{\"file\":\"r.safetensors\","
            "\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"arch\":\"resnet18\","
            "\"set\":\"s\",\"seed\":\"1\",\"predicted_e\":[0,0],\"predicted_ea\":[1,1]}]}");
  g_free (train);
  dv_test_remove_tree (tmp);
  g_free (tmp);
  return 0;
}
