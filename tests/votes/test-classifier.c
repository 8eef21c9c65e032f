/* The view classifiers behind votes/classifier.h: configs and their JSON,
 * parameter names and counts, gradients of the whole network against finite
 * differences, train and eval modes, save/load and the files it refuses, and
 * a few Adam steps that fit a small batch. */
#include "votes/classifier.h"
#include "votes/mobilenet.h"
#include "io/safetensors.h"
#include "nn/adam.h"
#include "nn/conv2d.h"
#include "nn/softmax_xent.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const DvClassifierArch archs[] = { DV_CLASSIFIER_RESNET18, DV_CLASSIFIER_MOBILENET };

static DvClassifier *
tiny (DvClassifierArch arch, int n_classes, int image_size, guint64 seed)
{
  DvClassifierConfig config;
  dv_classifier_config_init (&config, arch);
  config.width = arch == DV_CLASSIFIER_RESNET18 ? 1.0 / 16 : 0.25;
  config.n_classes = n_classes;
  config.image_size = image_size;
  DvClassifier *c = dv_classifier_new (&config);
  dv_classifier_init_weights (c, seed);
  return c;
}

static float *
random_images (DvRng *rng, int B, int S)
{
  const size_t n = (size_t) B * 3 * S * S;
  float *x = g_new (float, n);
  dv_rng_fill_uniform (rng, x, n, 0.0f, 1.0f);
  return x;
}

static void
test_config (void)
{
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    {
      DvClassifierConfig c, back;
      dv_classifier_config_init (&c, (DvClassifierArch) a);
      g_assert_cmpint (c.n_classes, ==, 13);
      g_assert_cmpint (c.image_size, ==, 64);
      g_assert_cmpfloat (c.width, >, 0.0);
      DvClassifierArch parsed;
      g_assert_true (dv_classifier_arch_from_name (dv_classifier_arch_name (c.arch), &parsed, NULL));
      g_assert_cmpint (parsed, ==, a);
      g_autoptr (GError) error = NULL;
      g_assert_true (dv_classifier_config_check (&c, &error));
      c.width = 0.375, c.n_classes = 7, c.dropout = 0.1f;
      g_autofree char *json = dv_classifier_config_to_json (&c);
      g_assert_true (dv_classifier_config_from_json (&back, json, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back.arch, ==, c.arch);
      g_assert_cmpfloat (back.width, ==, c.width);
      g_assert_cmpint (back.n_classes, ==, 7);
      g_assert_cmpfloat (back.dropout, ==, c.dropout);
    }
  g_autoptr (GError) error = NULL;
  DvClassifierArch arch;
  g_assert_false (dv_classifier_arch_from_name ("vgg", &arch, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  DvClassifierConfig c;
  dv_classifier_config_init (&c, DV_CLASSIFIER_RESNET18);
  const char *bad[] = { "[]", "{}", "{\"arch\":\"vgg\"}", "{\"arch\":\"resnet18\",\"width\":0}",
                        "{\"arch\":\"resnet18\",\"width\":\"wide\"}", "{\"arch\":\"resnet18\",\"n_classes\":1}",
                        "{\"arch\":\"resnet18\",\"n_classes\":2.5}", "{\"arch\":\"resnet18\",\"image_size\":60}",
                        "{\"arch\":\"resnet18\",\"dropout\":1}", "not json" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dv_classifier_config_from_json (&c, bad[i], &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  g_assert_cmpint (c.arch, ==, DV_CLASSIFIER_RESNET18); /* untouched */
}

/* Parameters (the store pads between tensors). */
static size_t
n_parameters (const DvParams *p)
{
  size_t n = 0;
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    n += dv_params_info (p, i)->numel;
  return n;
}

static void
test_resnet_names (void)
{
  DvClassifierConfig config;
  dv_classifier_config_init (&config, DV_CLASSIFIER_RESNET18);
  config.width = 1.0;
  g_autoptr (DvClassifier) c = dv_classifier_new (&config);
  DvParams *p = dv_classifier_params (c), *r = dv_classifier_running_stats (c);
  /* The CIFAR-style ResNet-18 has 11,173,962 parameters at 10 classes; 3 more classes add 3 × 513. */
  g_assert_cmpuint (n_parameters (p), ==, 11173962 + 3 * 513);
  const DvParamInfo *info = dv_params_find (p, "conv1.weight");
  g_assert_nonnull (info);
  g_assert_cmpint (info->shape[0], ==, 64);
  g_assert_cmpint (info->shape[1], ==, 3);
  g_assert_cmpint (info->shape[2], ==, 3);
  g_assert_nonnull (dv_params_find (p, "layer2.0.downsample.0.weight"));
  g_assert_nonnull (dv_params_find (p, "layer4.1.bn2.bias"));
  g_assert_null (dv_params_find (p, "layer1.0.downsample.0.weight"));
  g_assert_null (dv_params_find (p, "layer2.1.downsample.0.weight"));
  info = dv_params_find (p, "fc.weight");
  g_assert_cmpint (info->shape[0], ==, 13);
  g_assert_cmpint (info->shape[1], ==, 512);
  g_assert_nonnull (dv_params_find (r, "layer3.0.downsample.1.running_var"));
  g_assert_null (dv_params_find (p, "bn1.running_mean"));
  /* 20 norms (1 + 8·2 + 3 shortcuts), two statistics each. */
  g_assert_cmpuint (dv_params_n_tensors (r), ==, 40);
  dv_classifier_init_weights (c, 1);
  const DvParamInfo *rv = dv_params_find (r, "bn1.running_var"), *bw = dv_params_find (p, "layer1.0.bn2.weight");
  g_assert_cmpfloat (r->data[rv->offset], ==, 1.0f);
  g_assert_cmpfloat (p->data[bw->offset], ==, 1.0f);
  /* Kaiming normal, fan_out: layer3's 3×3 convs have std √(2/(256·9)). */
  const DvParamInfo *w = dv_params_find (p, "layer3.1.conv1.weight");
  double ss = 0;
  for (size_t i = 0; i < w->numel; i++)
    ss += (double) p->data[w->offset + i] * p->data[w->offset + i];
  g_assert_cmpfloat (fabs (sqrt (ss / w->numel) / sqrt (2.0 / (256 * 9)) - 1), <, 0.01);
}

static void
test_mobilenet_names (void)
{
  DvClassifierConfig config;
  dv_classifier_config_init (&config, DV_CLASSIFIER_MOBILENET);
  config.width = 1.0, config.n_classes = 1000, config.image_size = 224;
  g_autoptr (DvClassifier) c = dv_classifier_new (&config);
  DvParams *p = dv_classifier_params (c), *r = dv_classifier_running_stats (c);
  /* torchvision's mobilenet_v3_small: 2,542,856 parameters at 1000 classes. */
  g_assert_cmpuint (n_parameters (p), ==, 2542856);
  const DvParamInfo *info = dv_params_find (p, "features.1.block.0.0.weight"); /* block 1: no expand */
  g_assert_cmpint (info->shape[0], ==, 16);
  g_assert_cmpint (info->shape[1], ==, 1);
  g_assert_cmpint (info->shape[2], ==, 3);
  info = dv_params_find (p, "features.1.block.1.fc1.weight");
  g_assert_cmpint (info->shape[0], ==, 8);
  info = dv_params_find (p, "features.4.block.1.0.weight"); /* 5×5 depthwise on 96 */
  g_assert_cmpint (info->shape[0], ==, 96);
  g_assert_cmpint (info->shape[3], ==, 5);
  g_assert_nonnull (dv_params_find (p, "features.4.block.2.fc2.bias"));
  g_assert_nonnull (dv_params_find (p, "features.4.block.3.1.weight"));
  g_assert_null (dv_params_find (p, "features.2.block.3.0.weight")); /* block 2 has no SE */
  info = dv_params_find (p, "features.12.0.weight");
  g_assert_cmpint (info->shape[0], ==, 576);
  info = dv_params_find (p, "classifier.0.weight");
  g_assert_cmpint (info->shape[0], ==, 1024);
  g_assert_nonnull (dv_params_find (r, "features.12.1.running_mean"));
  /* Widths through make_divisible: × 0.5 gives 8 (not 4) and 1024 → 512. */
  g_assert_cmpint (dv_mobilenet_make_divisible (16 * 0.5), ==, 8);
  g_assert_cmpint (dv_mobilenet_make_divisible (88 * 0.75), ==, 64);
  g_assert_cmpint (dv_mobilenet_make_divisible (20), ==, 24);
  g_assert_cmpint (dv_mobilenet_make_divisible (4), ==, 8);
}

typedef struct {
  DvClassifier *c;
  DvClassifierBuffers *buf;
  const float *images, *weights;
  float *logits;
  int B;
} NetObjective;

static double
net_objective (gpointer data)
{
  NetObjective *o = data;
  DvRng rng; /* the same dropout mask every time */
  dv_rng_init (&rng, 99);
  dv_classifier_forward (o->c, dv_classifier_params (o->c)->data, o->buf, o->logits, o->images, o->B, TRUE, &rng);
  return dv_test_weighted_sum (o->logits, o->weights, (size_t) o->B * dv_classifier_get_config (o->c)->n_classes);
}

static void
test_gradients (gconstpointer data)
{
  const DvClassifierArch arch = *(const DvClassifierArch *) data;
  const int B = 4, K = 4, S = arch == DV_CLASSIFIER_RESNET18 ? 16 : 32;
  g_autoptr (DvClassifier) c = tiny (arch, K, S, 7);
  DvParams *p = dv_classifier_params (c);
  DvRng rng;
  dv_rng_init (&rng, 8);
  /* Non-trivial norms: the affine weights and biases drawn too. */
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      if (strstr (info->name, "bn") || strstr (info->name, "downsample.1") || strstr (info->name, "features"))
        for (size_t k = 0; k < info->numel; k++)
          p->data[info->offset + k] += 0.3f * dv_rng_normal (&rng);
    }
  g_autofree float *images = random_images (&rng, B, S);
  g_autofree float *weights = g_new (float, B * K), *logits = g_new (float, B * K);
  dv_rng_fill_normal (&rng, weights, B * K);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, B);
  NetObjective o = { c, buf, images, weights, logits, B };
  net_objective (&o);
  dv_params_zero_grad (p);
  dv_classifier_backward (c, p->data, p->grad, buf, weights, B);
  /* Entry by entry, the first entries of the later half of the tensors. Upstream of the early layers lie
   * thousands of ReLUs, and a step moves every batch statistic after it: there the difference quotient
   * wanders by ±20 % with the step (kinks above 1e-3, float noise below), so the early layers are
   * checked all at once along the gradient below, and to 1e-4 against PyTorch (nn-parity-classifiers). */
  const guint n_tensors = dv_params_n_tensors (p);
  for (guint i = n_tensors / 2; i < n_tensors; i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      const size_t n = MIN (info->numel, 6);
      dv_test_check_gradient (info->name, p->data + info->offset, n, p->grad + info->offset, net_objective, &o,
                              4e-4f, 2e-2, 3e-2);
      if (g_test_failed ())
        return;
    }
  /* All parameters at once: along the gradient the derivative is ‖g‖², a large signal against the noise. */
  double g2 = 0.0;
  for (size_t i = 0; i < p->count; i++)
    g2 += (double) p->grad[i] * p->grad[i];
  g_autofree float *saved = g_memdup2 (p->data, sizeof (float) * p->count);
  const double eps = 1e-3 / sqrt (g2);
  for (size_t i = 0; i < p->count; i++)
    p->data[i] = saved[i] + (float) (eps * p->grad[i]);
  double f_plus = net_objective (&o);
  for (size_t i = 0; i < p->count; i++)
    p->data[i] = saved[i] - (float) (eps * p->grad[i]);
  double f_minus = net_objective (&o);
  memcpy (p->data, saved, sizeof (float) * p->count);
  const double directional = (f_plus - f_minus) / (2 * eps);
  g_test_message ("directional derivative %.6g, ‖g‖² %.6g", directional, g2);
  g_assert_cmpfloat (fabs (directional - g2), <, 0.02 * g2);
}

static void
test_modes (gconstpointer data)
{
  const DvClassifierArch arch = *(const DvClassifierArch *) data;
  const int B = 4, K = 5, S = 32;
  g_autoptr (DvClassifier) c = tiny (arch, K, S, 3);
  DvParams *p = dv_classifier_params (c), *r = dv_classifier_running_stats (c);
  DvRng rng;
  dv_rng_init (&rng, 4);
  g_autofree float *images = random_images (&rng, B, S);
  g_autofree float *la = g_new (float, B * K), *lb = g_new (float, B * K);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, B);
  g_autofree float *running0 = g_memdup2 (r->data, sizeof (float) * r->count);
  /* Eval: the running statistics, untouched; each image's logits do not depend on the others. */
  dv_classifier_forward (c, p->data, buf, la, images, B, FALSE, NULL);
  g_assert_cmpmem (running0, sizeof (float) * r->count, r->data, sizeof (float) * r->count);
  dv_classifier_forward (c, p->data, buf, lb, images + 3 * S * S, 1, FALSE, NULL);
  for (int k = 0; k < K; k++)
    g_assert_cmpfloat_with_epsilon (lb[k], la[K + k], 1e-5 * (1 + fabsf (la[K + k])));
  /* Training: batch statistics (other logits), running statistics moved. */
  dv_classifier_forward (c, p->data, buf, lb, images, B, TRUE, &rng);
  gboolean moved = FALSE, differs = FALSE;
  for (size_t i = 0; i < r->count; i++)
    moved |= r->data[i] != running0[i];
  for (int i = 0; i < B * K; i++)
    differs |= fabsf (la[i] - lb[i]) > 1e-4f;
  g_assert_true (moved);
  g_assert_true (differs);
  for (size_t i = 0; i < r->count; i++)
    g_assert_true (isfinite (r->data[i]));
}

/* Writes c's tensors to path, with one tensor changed: dropped (mode 0), reshaped (1) or NaN (2). */
static void
write_tampered (DvClassifier *c, const char *path, const char *victim, int mode, const char *format)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  DvParams *stores[2] = { dv_classifier_params (c), dv_classifier_running_stats (c) };
  for (int s = 0; s < 2; s++)
    for (guint i = 0; i < dv_params_n_tensors (stores[s]); i++)
      {
        const DvParamInfo *info = dv_params_info (stores[s], i);
        float *data = g_memdup2 (stores[s]->data + info->offset, sizeof (float) * MAX (info->numel, 1));
        int shape[4];
        memcpy (shape, info->shape, sizeof shape);
        int ndim = info->ndim;
        if (g_strcmp0 (info->name, victim) == 0)
          {
            if (mode == 0)
              {
                g_free (data);
                continue;
              }
            if (mode == 1)
              shape[0] = 1, ndim = 2, shape[1] = (int) info->numel; /* same floats, other shape */
            if (mode == 2)
              data[info->numel - 1] = NAN;
          }
        dv_safetensors_writer_add (w, info->name, DV_DTYPE_F32, ndim, shape, data);
        g_free (data);
      }
  if (format)
    dv_safetensors_writer_set_metadata (w, "format", format);
  g_autofree char *json = dv_classifier_config_to_json (dv_classifier_get_config (c));
  dv_safetensors_writer_set_metadata (w, "classifier_config", json);
  g_assert_true (dv_safetensors_writer_save (w, path, NULL));
}

static void
test_save_load (gconstpointer data)
{
  const DvClassifierArch arch = *(const DvClassifierArch *) data;
  const int B = 2, K = 6, S = 32;
  g_autoptr (DvClassifier) c = tiny (arch, K, S, 5);
  DvRng rng;
  dv_rng_init (&rng, 6);
  g_autofree float *images = random_images (&rng, B, S);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, B);
  g_autofree float *la = g_new (float, B * K), *lb = g_new (float, B * K);
  /* Moved running statistics, so that saving them is checked too. */
  dv_classifier_forward (c, dv_classifier_params (c)->data, buf, la, images, B, TRUE, &rng);
  dv_classifier_forward (c, dv_classifier_params (c)->data, buf, la, images, B, FALSE, NULL);
  g_autofree char *dir = g_dir_make_tmp ("dv-classifier-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "c.safetensors", NULL);
  g_autoptr (GHashTable) extra = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (extra, "split", "c");
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_classifier_save (c, path, extra, &error));
  g_assert_no_error (error);
  g_autoptr (GHashTable) meta = NULL;
  g_autoptr (DvClassifier) back = dv_classifier_load (path, &meta, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (meta, "split"), ==, "c");
  g_assert_cmpstr (g_hash_table_lookup (meta, "format"), ==, "dimvida-classifier-1");
  g_assert_cmpint (dv_classifier_get_config (back)->arch, ==, arch);
  g_autoptr (DvClassifierBuffers) buf2 = dv_classifier_buffers_new (back, B);
  dv_classifier_forward (back, dv_classifier_params (back)->data, buf2, lb, images, B, FALSE, NULL);
  g_assert_cmpmem (la, sizeof (float) * B * K, lb, sizeof (float) * B * K);

  /* Refused: another format, and each tensor fault, naming the tensor. */
  write_tampered (c, path, NULL, 0, "dimvida-views-1");
  g_assert_null (dv_classifier_load (path, NULL, &error));
  g_assert_nonnull (strstr (error->message, "not a classifier file"));
  g_clear_error (&error);
  write_tampered (c, path, NULL, 0, NULL);
  g_assert_null (dv_classifier_load (path, NULL, &error));
  g_assert_nonnull (strstr (error->message, "format"));
  g_clear_error (&error);
  const char *resnet_victims[] = { "fc.weight", "bn1.running_var", "conv1.weight" };
  const char *mobilenet_victims[] = { "classifier.3.weight", "features.0.1.running_var", "features.4.block.2.fc1.bias" };
  const char **victims = arch == DV_CLASSIFIER_RESNET18 ? resnet_victims : mobilenet_victims;
  for (int mode = 0; mode < 3; mode++)
    for (guint v = 0; v < 3; v++)
      {
        write_tampered (c, path, victims[v], mode, "dimvida-classifier-1");
        DvClassifier *bad = dv_classifier_load (path, NULL, &error);
        g_assert_null (bad);
        g_assert_nonnull (error);
        g_test_message ("mode %d, %s: %s", mode, victims[v], error->message);
        g_assert_nonnull (strstr (error->message, victims[v]));
        g_clear_error (&error);
      }
  g_assert_null (dv_classifier_load ("/nonexistent/c.safetensors", NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  dv_test_remove_tree (dir);
}

static void
test_fits_batch (gconstpointer data)
{
  /* A few Adam steps on 8 fixed images with arbitrary labels: the training loss falls well below ln K. */
  const DvClassifierArch arch = *(const DvClassifierArch *) data;
  const int B = 8, K = 4, S = 32;
  g_autoptr (DvClassifier) c = tiny (arch, K, S, 9);
  DvParams *p = dv_classifier_params (c);
  DvRng rng;
  dv_rng_init (&rng, 10);
  g_autofree float *images = random_images (&rng, B, S);
  int labels[8] = { 0, 1, 2, 3, 3, 2, 1, 0 };
  g_autofree float *logits = g_new (float, B * K), *probs = g_new (float, B * K), *dlogits = g_new (float, B * K);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, B);
  DvAdam adam;
  dv_adam_init (&adam, p->count, 3e-3f);
  float first = 0, loss = 0;
  for (int step = 0; step < 40; step++)
    {
      dv_classifier_forward (c, p->data, buf, logits, images, B, TRUE, &rng);
      loss = dv_softmax_xent_forward (probs, logits, labels, B, K);
      if (step == 0)
        first = loss;
      memset (dlogits, 0, sizeof (float) * B * K);
      dv_softmax_xent_backward (dlogits, probs, labels, B, K, 1.0f);
      dv_params_zero_grad (p);
      dv_classifier_backward (c, p->data, p->grad, buf, dlogits, B);
      dv_adam_step (&adam, p->data, p->grad, adam.lr);
    }
  g_test_message ("loss %.3f → %.3f", first, loss);
  g_assert_cmpfloat (loss, <, 0.3f);
  g_assert_cmpfloat (first, >, 0.8f);
  dv_adam_clear (&adam);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* DV_CONV2D_BACKEND=im2col runs the other convolution backend. */
  if (g_strcmp0 (g_getenv ("DV_CONV2D_BACKEND"), "im2col") == 0)
    dv_conv2d_set_backend (DV_CONV2D_IM2COL);
  g_test_add_func ("/votes/classifier/config", test_config);
  g_test_add_func ("/votes/classifier/resnet18/names", test_resnet_names);
  g_test_add_func ("/votes/classifier/mobilenet/names", test_mobilenet_names);
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      const char *name = dv_classifier_arch_name (archs[i]);
      g_autofree char *p1 = g_strdup_printf ("/votes/classifier/%s/gradients", name);
      g_autofree char *p2 = g_strdup_printf ("/votes/classifier/%s/modes", name);
      g_autofree char *p3 = g_strdup_printf ("/votes/classifier/%s/save-load", name);
      g_autofree char *p4 = g_strdup_printf ("/votes/classifier/%s/fits-batch", name);
      g_test_add_data_func (p1, &archs[i], test_gradients);
      g_test_add_data_func (p2, &archs[i], test_modes);
      g_test_add_data_func (p3, &archs[i], test_save_load);
      g_test_add_data_func (p4, &archs[i], test_fits_batch);
    }
  return g_test_run ();
}
