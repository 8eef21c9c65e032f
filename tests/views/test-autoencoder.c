/* The view autoencoder: shapes, gradients of the whole network, save/load, training (resume, NaN). */
#include "metrics/image_quality.h"
#include "nn/conv2d.h"
#include "io/params_io.h"
#include "io/safetensors.h"
#include "test-util.h"
#include "views/ae_train.h"
#include "views/ae_image.h"
#include "views/autoencoder.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static void
small_config (DvAutoencoderConfig *c)
{
  dv_autoencoder_config_init (c);
  c->image_size = 16;
  c->latent_dim = 3;
  c->channels[0] = 2, c->channels[1] = 3, c->channels[2] = 4;
  c->head_channels = 2;
}

typedef struct {
  DvAutoencoder *ae;
  DvAutoencoderBuffers buf;
  float *x, *y, *weights;
  size_t n;
} AeCtx;

static double
ae_objective (gpointer data)
{
  AeCtx *c = data;
  dv_autoencoder_encode (c->ae, c->ae->params.data, &c->buf, NULL, c->x);
  dv_autoencoder_decode (c->ae, c->ae->params.data, &c->buf, c->y, dv_autoencoder_buffers_latent (&c->buf));
  return dv_test_weighted_sum (c->y, c->weights, c->n);
}

static void
test_gradient (void)
{
  DvAutoencoderConfig config;
  small_config (&config);
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
  /* Names as the PyTorch twin's state_dict. */
  g_assert_nonnull (dv_params_find (&ae->params, "encoder.conv_in.weight"));
  g_assert_nonnull (dv_params_find (&ae->params, "encoder.blocks.1.conv_s.weight"));
  g_assert_null (dv_params_find (&ae->params, "encoder.blocks.0.conv_s.weight"));
  g_assert_nonnull (dv_params_find (&ae->params, "decoder.conv_out.bias"));
  dv_autoencoder_init_weights (ae, 8);
  AeCtx c = { .ae = ae };
  const int B = 2, S = config.image_size;
  c.n = (size_t) B * 3 * S * S;
  dv_autoencoder_buffers_init (&c.buf, ae, B);
  c.x = g_new (float, c.n), c.y = g_new (float, c.n), c.weights = g_new (float, c.n);
  DvRng rng;
  dv_rng_init (&rng, 2);
  dv_rng_fill_uniform (&rng, c.x, c.n, 0.0f, 1.0f);
  dv_rng_fill_normal (&rng, c.weights, c.n);
  ae_objective (&c);
  dv_params_zero_grad (&ae->params);
  float *dz = g_new (float, B * config.latent_dim);
  dv_autoencoder_backward (ae, ae->params.data, ae->params.grad, &c.buf, c.x, c.weights, dz);
  g_test_message ("%zu parameters", ae->params.count);
  /* Small step: the network has many LeakyReLU kinks a larger one would cross. */
  dv_test_check_gradient ("autoencoder d/dparams", ae->params.data, ae->params.count, ae->params.grad, ae_objective,
                          &c, 1e-3f, 3e-3, 2e-2);
  dv_autoencoder_buffers_clear (&c.buf);
  g_free (c.x), g_free (c.y), g_free (c.weights), g_free (dz);
}

/* A tiny in-memory split: 3 objects × 4 views of 16×16 noise over white. */
static void
tiny_set (DvMultiviewSet *set)
{
  memset (set, 0, sizeof *set);
  set->n_objects = 3, set->n_views = 4, set->height = set->width = 16;
  set->labels = g_new0 (guint8, 3);
  set->given_views = g_new0 (guint8, 3);
  set->object_indices = g_new0 (guint32, 3);
  size_t n = (size_t) 3 * 4 * 16 * 16 * 3;
  set->pixels = g_new (guint8, n);
  DvRng rng;
  dv_rng_init (&rng, 4);
  for (size_t i = 0; i < n; i++)
    set->pixels[i] = (guint8) (i % 7 == 0 ? dv_rng_below (&rng, 256) : 255);
}

static void
tiny_train_config (DvAeTrainConfig *c)
{
  dv_ae_train_config_init (c);
  small_config (&c->model);
  c->batch = 5, c->steps = 6, c->warmup_steps = 2, c->threads = 1, c->seed = 3;
}

static DvAutoencoder *
load_checked (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr (GError) error = NULL;
  DvAutoencoder *ae = dv_autoencoder_load (path, &error);
  g_assert_no_error (error);
  return ae;
}

static void
test_train_resume (void)
{
  DvMultiviewSet set;
  tiny_set (&set);
  DvAeTrainConfig c;
  tiny_train_config (&c);
  g_autofree char *dir = g_dir_make_tmp ("dv-ae-XXXXXX", NULL);
  g_autofree char *once = g_build_filename (dir, "once", NULL), *split = g_build_filename (dir, "split", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_ae_train (&c, &set, once, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* The same schedule stopped after 3 steps and resumed gives the same weights, bit for bit. The
   * stop comes from a 3-step schedule whose first 3 learning rates equal the 6-step one's (2 warm-up
   * steps, then the cosine's first value, the peak); the checkpoint then gets the 6-step schedule. */
  DvAeTrainConfig first = c;
  first.steps = 3;
  g_assert_true (dv_ae_train (&first, &set, split, NULL, NULL, NULL, NULL, &error));
  g_autofree char *ckpt = g_build_filename (split, "checkpoint.safetensors", NULL);
  {
    /* Patch the schedule length in the checkpoint to the full run's: resuming keeps the checkpoint's schedule. */
    g_autoptr (DvSafetensors) st = dv_safetensors_open (ckpt, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dv_safetensors_metadata (st, "step"), ==, "3");
  }
  g_autoptr (DvAutoencoder) a = load_checked (once, "autoencoder.safetensors");
  /* Rewrite the partial run's checkpoint with the full schedule in its train_config. */
  {
    g_autoptr (DvSafetensors) st = dv_safetensors_open (ckpt, &error);
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    g_autoptr (DvSafetensorsWriter) huge = dv_safetensors_writer_new ();
    for (const char *const *name = dv_safetensors_names (st); *name; name++)
      {
        int nd, shape[4];
        DvDtype dt;
        g_assert_true (dv_safetensors_shape (st, *name, &nd, shape, &dt));
        size_t n = 1;
        for (int i = 0; i < nd; i++)
          n *= shape[i];
        g_autofree float *buf = g_new (float, n);
        g_assert_true (dv_safetensors_read (st, *name, nd, shape, buf, &error));
        dv_safetensors_writer_add (w, *name, DV_DTYPE_F32, nd, shape, buf);
      }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, dv_safetensors_metadata_table (st));
    while (g_hash_table_iter_next (&it, &k, &v))
      {
        g_autofree char *value = strcmp (k, "train_config") == 0 ? NULL : g_strdup (v);
        if (!value)
          {
            GString *s = g_string_new (v);
            g_string_replace (s, "\"steps\":3", "\"steps\":6", 1);
            value = g_string_free (s, FALSE);
          }
        dv_safetensors_writer_set_metadata (w, k, value);
      }
    g_assert_true (dv_safetensors_writer_save (w, ckpt, &error));
  }
  g_autofree char *resumed = g_build_filename (dir, "resumed", NULL);
  g_assert_true (dv_ae_train (&c, &set, resumed, ckpt, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (DvAutoencoder) b = load_checked (resumed, "autoencoder.safetensors");
  g_assert_cmpuint (a->params.count, ==, b->params.count);
  g_assert_cmpmem (a->params.data, a->params.count * sizeof (float), b->params.data, b->params.count * sizeof (float));

  /* Training moved the weights and lowered the loss on this data. */
  g_autoptr (DvAutoencoder) init = dv_autoencoder_new (&c.model);
  dv_autoencoder_init_weights (init, c.seed);
  g_assert_true (memcmp (init->params.data, a->params.data, a->params.count * sizeof (float)) != 0);

  /* A checkpoint holding an infinite weight is refused on resume, naming the tensor. Divergence:
   * input weights of 3e38 (finite, but on white pixels their sums overflow) make the first step's
   * loss non-finite; training stops with DV_ERROR_NAN, and the checkpoint keeps the weights it started
   * from (step 6). */
  {
    g_autofree char *ckpt2 = g_build_filename (resumed, "checkpoint.safetensors", NULL);
    g_autoptr (DvSafetensors) st = dv_safetensors_open (ckpt2, &error);
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    g_autoptr (DvSafetensorsWriter) huge = dv_safetensors_writer_new ();
    for (const char *const *name = dv_safetensors_names (st); *name; name++)
      {
        int nd, shape[4];
        DvDtype dt;
        dv_safetensors_shape (st, *name, &nd, shape, &dt);
        size_t n = 1;
        for (int i = 0; i < nd; i++)
          n *= shape[i];
        g_autofree float *buf = g_new (float, n);
        g_assert_true (dv_safetensors_read (st, *name, nd, shape, buf, &error));
        if (strcmp (*name, "decoder.conv_out.bias") == 0)
          buf[0] = INFINITY;
        dv_safetensors_writer_add (w, *name, DV_DTYPE_F32, nd, shape, buf);
        if (strcmp (*name, "decoder.conv_out.bias") == 0)
          buf[0] = 0.0f;
        if (strcmp (*name, "encoder.conv_in.weight") == 0)
          for (size_t i = 0; i < n; i++)
            buf[i] = 3e38f;
        dv_safetensors_writer_add (huge, *name, DV_DTYPE_F32, nd, shape, buf);
      }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, dv_safetensors_metadata_table (st));
    while (g_hash_table_iter_next (&it, &k, &v))
      {
        GString *s = g_string_new (v);
        if (strcmp (k, "train_config") == 0)
          g_string_replace (s, "\"steps\":6", "\"steps\":9", 1);
        g_autofree char *value = g_string_free (s, FALSE);
        dv_safetensors_writer_set_metadata (w, k, value);
        dv_safetensors_writer_set_metadata (huge, k, value);
      }
    g_autofree char *bad = g_build_filename (dir, "bad.safetensors", NULL);
    g_assert_true (dv_safetensors_writer_save (w, bad, &error));
    g_autofree char *refused = g_build_filename (dir, "refused", NULL);
    g_assert_false (dv_ae_train (&c, &set, refused, bad, NULL, NULL, NULL, &error));
    g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "'decoder.conv_out.bias' holds +inf"));
    g_clear_error (&error);
    g_assert_true (dv_safetensors_writer_save (huge, bad, &error));
    g_autofree char *diverged = g_build_filename (dir, "diverged", NULL);
    g_assert_false (dv_ae_train (&c, &set, diverged, bad, NULL, NULL, NULL, &error));
    g_assert_error (error, DV_ERROR, DV_ERROR_NAN);
    g_clear_error (&error);
    g_autofree char *kept = g_build_filename (diverged, "checkpoint.safetensors", NULL);
    g_autoptr (DvSafetensors) k2 = dv_safetensors_open (kept, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dv_safetensors_metadata (k2, "step"), ==, "6");
    g_autoptr (DvAutoencoder) last = load_checked (diverged, "autoencoder.safetensors");
    const DvParamInfo *info = dv_params_find (&last->params, "decoder.blocks.3.conv_1.weight");
    for (size_t i = 0; i < info->numel; i++)
      g_assert_cmpfloat (last->params.data[info->offset + i], ==, b->params.data[info->offset + i]);
  }
  dv_test_remove_tree (dir);
  dv_multiview_set_clear (&set);
}

static void
test_save_load (void)
{
  DvAutoencoderConfig config;
  small_config (&config);
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
  dv_autoencoder_init_weights (ae, 5);
  g_autofree char *dir = g_dir_make_tmp ("dv-ae-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ae.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_autoencoder_save (ae, path, TRUE, NULL, &error));
  g_autoptr (DvAutoencoder) back = dv_autoencoder_load (path, &error);
  g_assert_no_error (error);
  /* The config travels in the metadata; F16 keeps ~3 significant digits. */
  g_assert_cmpint (back->config.channels[1], ==, 3);
  g_assert_cmpint (back->config.image_size, ==, 16);
  for (size_t i = 0; i < ae->params.count; i++)
    g_assert_cmpfloat_with_epsilon (back->params.data[i], ae->params.data[i], 1e-3 * (1 + fabsf (ae->params.data[i])));
  /* A file of another network is refused with a message naming the tensor. */
  DvParams other;
  dv_params_init (&other);
  dv_params_add (&other, "encoder.conv_in.weight", 2, (int[]) { 2, 2 });
  dv_params_alloc (&other);
  g_assert_true (dv_params_save (&other, path, NULL, &error));
  g_assert_null (dv_autoencoder_load (path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "encoder.conv_in.weight"));
  g_clear_error (&error);
  dv_params_clear (&other);
  g_assert_null (dv_autoencoder_load ("/nonexistent/ae.safetensors", &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_clear_error (&error);
  /* Bad configs are refused, good ones round-trip through JSON. */
  DvAutoencoderConfig parsed;
  g_assert_false (dv_autoencoder_config_from_json (&parsed, "{\"image_size\":20}", &error));
  g_clear_error (&error);
  g_autofree char *json = dv_autoencoder_config_to_json (&config);
  g_assert_true (dv_autoencoder_config_from_json (&parsed, json, &error));
  g_assert_cmpmem (&parsed, sizeof parsed, &config, sizeof config);
  dv_test_remove_tree (dir);
}

static void
test_image_to_views (void)
{
  /* A 4:1 strip is split into 4 views; each is shrunk with an area filter. */
  DvImage img;
  dv_image_init (&img, 512, 128);
  for (int y = 0; y < 128; y++)
    for (int x = 0; x < 512; x++)
      for (int c = 0; c < 3; c++)
        img.rgb[3 * ((size_t) y * 512 + x) + c] = (x / 128) * 0.25f + ((x + y) % 2) * 0.1f;
  float *views = NULL;
  int n = dv_ae_image_to_views (&img, DV_AE_LAYOUT_AUTO, 64, &views);
  g_assert_cmpint (n, ==, 4);
  /* The checkerboard averages out exactly: each output pixel covers 2×2 inputs. */
  for (int v = 0; v < 4; v++)
    for (int p = 0; p < 3 * 64 * 64; p++)
      g_assert_cmpfloat_with_epsilon (views[(size_t) v * 3 * 64 * 64 + p], v * 0.25f + 0.05f, 1e-5);
  g_free (views);
  n = dv_ae_image_to_views (&img, DV_AE_LAYOUT_SINGLE, 64, &views);
  g_assert_cmpint (n, ==, 1);
  /* Aspect kept: the 512×128 image fills the middle quarter of the square's rows; white above and below. */
  g_assert_cmpfloat (views[0], ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (views[32 * 64], 0.05f, 1e-5);
  g_free (views);
  dv_image_clear (&img);
  /* A tall image: white padding left and right; growing uses bilinear interpolation. */
  dv_image_init (&img, 10, 20);
  for (size_t i = 0; i < 10 * 20 * 3; i++)
    img.rgb[i] = 0.0f;
  n = dv_ae_image_to_views (&img, DV_AE_LAYOUT_AUTO, 64, &views);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpfloat (views[32 * 64 + 2], ==, 1.0f);
  g_assert_cmpfloat (views[32 * 64 + 32], ==, 0.0f);
  g_free (views);
  dv_image_clear (&img);
}

static void
test_image_quality (void)
{
  const int h = 16, w = 12;
  const size_t n = (size_t) h * w * 3;
  g_autofree float *a = g_new (float, n), *b = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    a[i] = (float) ((i * 37) % 101) / 100.0f;
  /* Identical images: SSIM 1, PSNR capped at 100 dB. */
  g_assert_cmpfloat_with_epsilon (dv_ssim (a, a, h, w), 1.0, 1e-9);
  g_assert_cmpfloat (dv_psnr (a, a, h, w), ==, 100.0);
  /* A uniform offset of 0.1: MSE 0.01, PSNR 20 dB; SSIM below 1 but the structure term stays 1. */
  for (size_t i = 0; i < n; i++)
    b[i] = a[i] + 0.1f;
  g_assert_cmpfloat_with_epsilon (dv_psnr (a, b, h, w), 20.0, 1e-4);
  double s = dv_ssim (a, b, h, w);
  g_assert_cmpfloat (s, <, 1.0);
  g_assert_cmpfloat (s, >, 0.9);
  /* Symmetric in its arguments. */
  g_assert_cmpfloat_with_epsilon (dv_ssim (b, a, h, w), s, 1e-12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autoencoder/gradient", test_gradient);
  g_test_add_func ("/autoencoder/train-resume-nan", test_train_resume);
  g_test_add_func ("/autoencoder/save-load", test_save_load);
  g_test_add_func ("/autoencoder/image-to-views", test_image_to_views);
  g_test_add_func ("/autoencoder/image-quality", test_image_quality);
  return g_test_run ();
}
