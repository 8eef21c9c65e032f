/* The masked multi-time score network: every parameter's gradient against
 * central finite differences (tiny widths, one and two levels), the zero
 * output of a freshly initialised network, the config's checks and JSON. */
#include "core/rng.h"
#include "test-util.h"
#include "io/safetensors.h"
#include "nn/linear_bf16.h"
#include "views/score_net.h"
#include "views/score_train.h"

#include <glib/gstdio.h>

#include <math.h>
#include <string.h>

typedef struct {
  DvScoreNet *net;
  DvScoreNetBuffers *buf;
  const float *x, *tau, *weights;
  float *eps_hat;
  size_t n_out;
} Ctx;

static double
objective (gpointer data)
{
  Ctx *c = data;
  dv_score_net_forward (c->net, c->net->params.data, c->buf, c->eps_hat, c->x, c->tau);
  return dv_test_weighted_sum (c->eps_hat, c->weights, c->n_out);
}

static void
check_gradients (int levels, int batch)
{
  DvScoreNetConfig cfg = { .n_views = 3, .latent_dim = 2, .width = 8, .time_dim = 4, .levels = levels, .groups = 2 };
  g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
  DvRng rng;
  dv_rng_init (&rng, 17 + levels);
  /* Random weights everywhere (the zero output layer would hide every other gradient). */
  dv_rng_fill_normal (&rng, net->params.data, net->params.count);
  for (size_t i = 0; i < net->params.count; i++)
    net->params.data[i] *= 0.4f;
  g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, batch);
  const int D = cfg.n_views * cfg.latent_dim;
  g_autofree float *x = g_new (float, (size_t) batch * D);
  g_autofree float *tau = g_new (float, (size_t) batch * cfg.n_views);
  g_autofree float *weights = g_new (float, (size_t) batch * D);
  g_autofree float *eps_hat = g_new (float, (size_t) batch * D);
  dv_rng_fill_normal (&rng, x, (size_t) batch * D);
  dv_rng_fill_uniform (&rng, tau, (size_t) batch * cfg.n_views, 0.0f, 1.0f);
  tau[0] = 0.0f;  /* a given view */
  dv_rng_fill_normal (&rng, weights, (size_t) batch * D);
  Ctx ctx = { net, buf, x, tau, weights, eps_hat, (size_t) batch * D };
  objective (&ctx);
  dv_params_zero_grad (&net->params);
  /* Accumulating: run the backward twice and halve, to catch an overwrite. */
  dv_score_net_backward (net, net->params.data, net->params.grad, buf, weights);
  dv_score_net_backward (net, net->params.data, net->params.grad, buf, weights);
  for (size_t i = 0; i < net->params.count; i++)
    net->params.grad[i] *= 0.5f;
  for (guint t = 0; t < dv_params_n_tensors (&net->params); t++)
    {
      const DvParamInfo *info = dv_params_info (&net->params, t);
      g_autofree char *what = g_strdup_printf ("levels %d: d/d %s", levels, info->name);
      dv_test_check_gradient (what, net->params.data + info->offset, info->numel, net->params.grad + info->offset,
                              objective, &ctx, 5e-3f, 2e-4, 2e-3);
      if (g_test_failed ())
        return;
    }
}

static void
test_gradients_one_level (void)
{
  check_gradients (1, 3);
}

static void
test_gradients_two_levels (void)
{
  check_gradients (2, 2);
}

static void
test_fresh_network_outputs_zero (void)
{
  DvScoreNetConfig cfg;
  dv_score_net_config_init (&cfg);
  cfg.width = 64;
  cfg.time_dim = 16;
  cfg.groups = 8;
  g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
  dv_score_net_init_weights (net, 1);
  const DvParamInfo *norm = dv_params_find (&net->params, "mid.0.block1.norm.weight");
  g_assert_nonnull (norm);
  g_assert_cmpfloat (net->params.data[norm->offset], ==, 1.0f);
  const DvParamInfo *init = dv_params_find (&net->params, "init.weight");
  g_assert_nonnull (init);
  g_assert_cmpint (init->shape[0], ==, 64);
  g_assert_cmpint (init->shape[1], ==, 4 * 64);
  g_assert_cmpfloat (fabsf (net->params.data[init->offset]), <=, 1.0f / 16.0f);  /* U(±1/√256) */
  g_assert_nonnull (dv_params_find (&net->params, "ups.1.res.skip.weight"));  /* 2W → W */
  g_assert_null (dv_params_find (&net->params, "mid.0.skip.weight"));
  g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, 2);
  float x[2 * 256], tau[2 * 4] = { 0, 0.5f, 0.5f, 0.5f, 1, 1, 1, 0 }, eps[2 * 256];
  DvRng rng;
  dv_rng_init (&rng, 2);
  dv_rng_fill_normal (&rng, x, G_N_ELEMENTS (x));
  dv_score_net_forward (net, net->params.data, buf, eps, x, tau);
  for (guint i = 0; i < G_N_ELEMENTS (eps); i++)
    g_assert_cmpfloat (eps[i], ==, 0.0f);
}

static void
test_config (void)
{
  DvScoreNetConfig cfg;
  dv_score_net_config_init (&cfg);
  g_assert_true (dv_score_net_config_check (&cfg, NULL));
  g_autofree char *json = dv_score_net_config_to_json (&cfg);
  DvScoreNetConfig back;
  memset (&back, 0, sizeof back);
  g_assert_true (dv_score_net_config_from_json (&back, json, NULL));
  g_assert_cmpmem (&back, sizeof back, &cfg, sizeof cfg);
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_score_net_config_from_json (&back, "{\"width\": 100, \"groups\": 32}", &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (dv_score_net_config_from_json (&back, "{\"width\": \"wide\"}", &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_false (dv_score_net_config_from_json (&back, "[1, 2]", &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
}

/* Latents with structure to learn: every view a fixed linear map of one
 * 2-d code per object, plus a little noise. */
static float *
structured_latents (int n, int V, int L, guint64 seed)
{
  DvRng rng;
  dv_rng_init (&rng, seed);
  float maps[8 * 8 * 2];
  dv_rng_fill_normal (&rng, maps, (size_t) V * L * 2);
  float *z = g_new (float, (size_t) n * V * L);
  for (int i = 0; i < n; i++)
    {
      const float c0 = dv_rng_normal (&rng), c1 = dv_rng_normal (&rng);
      for (int j = 0; j < V * L; j++)
        z[(size_t) i * V * L + j] = 3.0f + maps[2 * j] * c0 + maps[2 * j + 1] * c1 + 0.05f * dv_rng_normal (&rng);
    }
  return z;
}

static void
tiny_train_config (DvScoreTrainConfig *c)
{
  dv_score_train_config_init (c);
  c->model = (DvScoreNetConfig) { .n_views = 4, .latent_dim = 3, .width = 32, .time_dim = 16, .levels = 1,
                                  .groups = 4 };
  c->batch = 32;
  c->lr = 2e-3f;
  c->warmup_steps = 10;
  c->steps = 300;
  c->ema_beta = 0.99f;
  c->seed = 3;
}

typedef struct {
  double first, last;
  int n_first, n_last;
  gint64 steps;
} LossWatch;

static void
watch_loss (const DvScoreTrainProgress *p, gpointer user_data)
{
  LossWatch *w = user_data;
  w->steps = p->step;
  if (p->step <= 30)
    w->first += p->loss, w->n_first++;
  if (p->step > p->total - 50)
    w->last += p->loss, w->n_last++;
}

static void
test_training_lowers_the_loss_and_saves_a_model (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dv-score-XXXXXX", NULL);
  DvScoreTrainConfig c;
  tiny_train_config (&c);
  g_autofree float *z = structured_latents (96, 4, 3, 5);
  LossWatch w = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_score_train (&c, z, 96, dir, NULL, NULL, watch_loss, &w, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w.steps, ==, 300);
  const double first = w.first / w.n_first, last = w.last / w.n_last;
  g_test_message ("masked loss: first 30 steps %.4f, last 50 %.4f", first, last);
  g_assert_cmpfloat (last, <, 0.6 * first);

  /* The model file: statistics of the whole set, and generation keeps the given views. */
  g_autofree char *path = g_build_filename (dir, "score.safetensors", NULL);
  g_autoptr (DvScoreModel) model = dv_score_model_load (path, &error);
  g_assert_no_error (error);
  DvLatentStats want;
  dv_latent_stats_compute (&want, z, 96, 4, 3);
  g_assert_cmpmem (model->stats.mean, 12 * sizeof (float), want.mean, 12 * sizeof (float));
  g_assert_cmpmem (model->stats.std, 12 * sizeof (float), want.std, 12 * sizeof (float));
  dv_latent_stats_clear (&want);
  DvMaskedSamplerConfig sampler;
  dv_masked_sampler_config_init (&sampler);
  sampler.steps = 30;
  float out[3 * 12];
  g_assert_true (dv_score_model_generate (model, &sampler, z, 0x5, 3, NULL, NULL, out, NULL, &error));
  for (int k = 0; k < 3; k++)
    for (int v = 0; v < 4; v++)
      for (int d = 0; d < 3; d++)
        {
          const float got = out[(k * 4 + v) * 3 + d];
          g_assert_true (isfinite (got));
          if (v == 0 || v == 2)
            g_assert_cmpfloat (got, ==, z[v * 3 + d]);  /* given: exactly as passed */
        }
  /* All four given: returned unchanged. */
  g_assert_true (dv_score_model_generate (model, &sampler, z, 0xf, 2, NULL, NULL, out, NULL, &error));
  g_assert_cmpmem (out, 12 * sizeof (float), z, 12 * sizeof (float));
  g_assert_cmpmem (out + 12, 12 * sizeof (float), z, 12 * sizeof (float));

  /* BF16 (F32 where the CPU lacks the kernel): the same seed gives the same output, the given views come back
   * exactly, all four given are returned unchanged. */
  DvMaskedSamplerConfig bf16 = sampler;
  bf16.precision = DV_PRECISION_BF16;
  bf16.seed = 7;
  const gboolean runs_bf16 = dv_score_model_precision (model, DV_PRECISION_BF16) == DV_PRECISION_BF16;
  g_assert_cmpint (runs_bf16, ==, dv_linear_bf16_fast ());
  float again[3 * 12], f32[3 * 12];
  g_assert_true (dv_score_model_generate (model, &bf16, z, 0x5, 3, NULL, NULL, out, NULL, &error));
  g_assert_true (dv_score_model_generate (model, &bf16, z, 0x5, 3, NULL, NULL, again, NULL, &error));
  g_assert_cmpmem (out, sizeof out, again, sizeof again);
  for (int k = 0; k < 3; k++)
    for (int v = 0; v < 4; v++)
      for (int d = 0; d < 3; d++)
        {
          const float got = out[(k * 4 + v) * 3 + d];
          g_assert_true (isfinite (got));
          if (v == 0 || v == 2)
            g_assert_cmpfloat (got, ==, z[v * 3 + d]);
        }
  DvMaskedSamplerConfig exact = bf16;
  exact.precision = DV_PRECISION_F32;
  g_assert_true (dv_score_model_generate (model, &exact, z, 0x5, 3, NULL, NULL, f32, NULL, &error));
  /* The BF16 path really ran where it can: same seed, same noise, other weights' rounding. */
  if (runs_bf16)
    g_assert_true (memcmp (out, f32, sizeof out) != 0);
  else
    g_assert_cmpmem (out, sizeof out, f32, sizeof f32);
  g_assert_true (dv_score_model_generate (model, &bf16, z, 0xf, 2, NULL, NULL, out, NULL, &error));
  g_assert_cmpmem (out, 12 * sizeof (float), z, 12 * sizeof (float));
  g_assert_cmpmem (out + 12, 12 * sizeof (float), z, 12 * sizeof (float));
  dv_test_remove_tree (dir);
}

/* The shipped network's shape with random weights (every layer, the output too): the BF16 forward against the
 * F32 one. Each Linear rounds its weights and inputs to BF16 (relative ≤ 2^-8, ~2^-10 typical), which leaves
 * ~2.5e-3 relative L2 error per layer (test-linear-bf16); through 26 Linear layers, GroupNorm renormalising between
 * them and residual paths carrying much of the signal, the output's error measured 6.7e-3 (batch 1) and 7.5e-3
 * (batch 5) here — about three layers' worth, errors of independent roundings adding in quadrature. The bound,
 * 1e-2, is what truncating instead of rounding breaks (9.4e-3 / 1.16e-2: its errors all shrink magnitudes and add
 * up coherently). */
static void
test_bf16_forward_close_to_f32 (void)
{
  DvScoreNetConfig cfg;
  dv_score_net_config_init (&cfg);
  g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
  dv_score_net_init_weights (net, 5);
  DvRng rng;
  dv_rng_init (&rng, 9);
  const int D = cfg.n_views * cfg.latent_dim;
  const float bound = 1.0f / sqrtf ((float) cfg.width);
  dv_rng_fill_uniform (&rng, net->params.data + net->final_weight, (size_t) D * cfg.width, -bound, bound);
  DvBf16 *pb = dv_score_net_bf16_weights_new (net, net->params.data);
  for (int batch = 1; batch <= 5; batch += 4)
    {
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, batch);
      g_autofree float *x = g_new (float, (size_t) batch * D), *tau = g_new (float, (size_t) batch * cfg.n_views);
      g_autofree float *want = g_new (float, (size_t) batch * D), *got = g_new (float, (size_t) batch * D);
      g_autofree float *again = g_new (float, (size_t) batch * D);
      dv_rng_fill_normal (&rng, x, (size_t) batch * D);
      dv_rng_fill_uniform (&rng, tau, (size_t) batch * cfg.n_views, 0.0f, 1.0f);
      tau[0] = 0.0f;
      dv_score_net_forward (net, net->params.data, buf, want, x, tau);
      dv_score_net_forward_bf16 (net, net->params.data, pb, buf, got, x, tau);
      dv_score_net_forward_bf16 (net, net->params.data, pb, buf, again, x, tau);
      g_assert_cmpmem (got, sizeof (float) * batch * D, again, sizeof (float) * batch * D);
      double num = 0, den = 0;
      for (int i = 0; i < batch * D; i++)
        {
          g_assert_true (isfinite (got[i]));
          num += ((double) got[i] - want[i]) * ((double) got[i] - want[i]);
          den += (double) want[i] * want[i];
        }
      const double rel = sqrt (num / den);
      g_test_message ("width %d batch %d: BF16 forward's relative L2 error against F32 %.3g (%s)", cfg.width, batch,
                      rel, dv_linear_bf16_fast () ? "avx512bf16" : "portable");
      g_assert_cmpfloat (den, >, 0.0);
      g_assert_cmpfloat (rel, <, 1e-2);
      g_assert_cmpfloat (rel, >, 1e-5);  /* the weights really were BF16 */
    }
  dv_bf16_free (pb);
}

static void
cancel_at_20 (const DvScoreTrainProgress *p, gpointer user_data)
{
  if (p->step == 20)
    g_cancellable_cancel (user_data);
}

static void
test_training_resumes_exactly (void)
{
  g_autofree char *a = g_dir_make_tmp ("dv-score-a-XXXXXX", NULL), *b = g_dir_make_tmp ("dv-score-b-XXXXXX", NULL);
  DvScoreTrainConfig c;
  tiny_train_config (&c);
  c.steps = 40;
  g_autofree float *z = structured_latents (50, 4, 3, 6);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_score_train (&c, z, 50, a, NULL, NULL, NULL, NULL, NULL, &error));
  /* Cancelled after step 20, then the rest from its checkpoint. */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) cancelled = NULL;
  g_assert_false (dv_score_train (&c, z, 50, b, NULL, NULL, cancel_at_20, cancel, cancel, &cancelled));
  g_assert_error (cancelled, DV_ERROR, DV_ERROR_CANCELLED);
  g_autofree char *ckpt = g_build_filename (b, "checkpoint.safetensors", NULL);
  g_autofree char *model_a = g_build_filename (a, "score.safetensors", NULL);
  g_autofree char *model_b = g_build_filename (b, "score.safetensors", NULL);
  g_assert_true (dv_score_train (&c, z, 50, b, ckpt, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *bytes_a = NULL, *bytes_b = NULL;
  gsize len_a, len_b;
  g_assert_true (g_file_get_contents (model_a, &bytes_a, &len_a, NULL));
  g_assert_true (g_file_get_contents (model_b, &bytes_b, &len_b, NULL));
  g_assert_cmpmem (bytes_a, len_a, bytes_b, len_b);
  dv_test_remove_tree (a);
  dv_test_remove_tree (b);
}

static void
test_nan_stops_with_the_last_good_weights (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dv-score-nan-XXXXXX", NULL);
  DvScoreTrainConfig c;
  tiny_train_config (&c);
  g_autofree float *z = structured_latents (20, 4, 3, 7);
  z[5] = NAN;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_score_train (&c, z, 20, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_NAN);
  g_assert_nonnull (strstr (error->message, "step 1"));
  g_autofree char *ckpt = g_build_filename (dir, "checkpoint.safetensors", NULL);
  g_assert_true (g_file_test (ckpt, G_FILE_TEST_EXISTS));
  dv_test_remove_tree (dir);
}

static void
test_wrong_files_are_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dv-score-bad-XXXXXX", NULL);
  DvScoreNetConfig cfg = { .n_views = 4, .latent_dim = 3, .width = 16, .time_dim = 8, .levels = 1, .groups = 4 };
  g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
  dv_score_net_init_weights (net, 1);
  float mean[12] = { 0 }, std[12];
  for (int i = 0; i < 12; i++)
    std[i] = 1.0f;
  DvLatentStats stats = { 4, 3, mean, std };
  g_autoptr (DvScoreModel) model = dv_score_model_new (net, net->params.data, &stats);
  g_autofree char *good = g_build_filename (dir, "good.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_score_model_save (model, good, TRUE, NULL, &error));
  g_autoptr (DvScoreModel) back = dv_score_model_load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->net->params.count, ==, net->params.count);
  /* Another network's file: no score-model format. */
  g_autofree char *other = g_build_filename (dir, "other.safetensors", NULL);
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    const int shape[1] = { 3 };
    dv_safetensors_writer_add (w, "encoder.fc.bias", DV_DTYPE_F32, 1, shape, mean);
    g_assert_true (dv_safetensors_writer_save (w, other, NULL));
  }
  g_assert_null (dv_score_model_load (other, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not a DiMViDA score model"));
  g_clear_error (&error);
  /* A missing tensor is named. */
  g_autofree char *missing = g_build_filename (dir, "missing.safetensors", NULL);
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    for (guint i = 1; i < dv_params_n_tensors (&net->params); i++)
      {
        const DvParamInfo *info = dv_params_info (&net->params, i);
        dv_safetensors_writer_add (w, info->name, DV_DTYPE_F32, info->ndim, info->shape,
                                   net->params.data + info->offset);
      }
    g_autofree char *json = dv_score_net_config_to_json (&cfg);
    dv_safetensors_writer_set_metadata (w, "format", "dimvida-score-model-1");
    dv_safetensors_writer_set_metadata (w, "score_net_config", json);
    g_assert_true (dv_safetensors_writer_save (w, missing, NULL));
  }
  g_assert_null (dv_score_model_load (missing, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dv_params_info (&net->params, 0)->name));
  g_clear_error (&error);
  /* Weights that are not finite are refused. */
  net->params.data[3] = INFINITY;
  g_autoptr (DvScoreModel) inf_model = dv_score_model_new (net, net->params.data, &stats);
  g_autofree char *inf = g_build_filename (dir, "inf.safetensors", NULL);
  g_assert_true (dv_score_model_save (inf_model, inf, FALSE, NULL, &error));
  g_assert_null (dv_score_model_load (inf, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/score-net/gradients-one-level", test_gradients_one_level);
  g_test_add_func ("/views/score-net/gradients-two-levels", test_gradients_two_levels);
  g_test_add_func ("/views/score-net/fresh-outputs-zero", test_fresh_network_outputs_zero);
  g_test_add_func ("/views/score-net/config", test_config);
  g_test_add_func ("/views/score-net/bf16-forward-close-to-f32", test_bf16_forward_close_to_f32);
  g_test_add_func ("/views/score-train/lowers-loss", test_training_lowers_the_loss_and_saves_a_model);
  g_test_add_func ("/views/score-train/resumes-exactly", test_training_resumes_exactly);
  g_test_add_func ("/views/score-train/nan-stops", test_nan_stops_with_the_last_good_weights);
  g_test_add_func ("/views/score-model/wrong-files", test_wrong_files_are_refused);
  return g_test_run ();
}
