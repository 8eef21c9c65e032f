/* dimvida views bench-score: the speed figures that bench/score_torch.py sets against the PyTorch twin — a
 * training step, batch-1 and small-batch forwards and a generation in each precision (interleaved), and the
 * Linear layer's one-row products behind them (sgemm, sgemv, BF16). */
#include "commands.h"
#include "core/blas.h"
#include "core/rng.h"
#include "diffusion/masked_loss.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/linear_bf16.h"
#include "views/ae_train.h"
#include "views/score_train.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>

#define MAX_REPEATS 64
#define MAX_PRECISIONS 2

typedef struct {
  const DvScoreNet *net;
  DvScoreNetBuffers *buf;
  const DvBf16 *weights_bf16;  /* NULL: F32 */
} BenchCall;

static void
bench_score_fn (float *eps_hat, const float *x, const float *tau, int batch, gpointer user_data)
{
  BenchCall *c = user_data;
  DV_CHECK (batch == dv_score_net_buffers_batch (c->buf), "bench: batch %d", batch);
  if (c->weights_bf16 != NULL)
    dv_score_net_forward_bf16 (c->net, c->net->params.data, c->weights_bf16, c->buf, eps_hat, x, tau);
  else
    dv_score_net_forward (c->net, c->net->params.data, c->buf, eps_hat, x, tau);
}

static const char *
bf16_kernel_name (void)
{
  return dv_linear_bf16_fast () ? "avx512bf16" : "portable";
}

/* One Linear shape, B rows: enough distinct weight matrices to stream ~18 MB of F32 per round (the shipped
 * network's size), so the figures include the memory traffic a forward sees rather than an L2-resident matrix. */
static void
bench_linear (int B, int C, int OC, int repeats, DvRng *rng)
{
  const size_t per = (size_t) C * OC;
  const int n = (int) MAX (1, (18u << 20) / (per * sizeof (float)));
  float *w = dv_alloc_floats (per * n), *bias = dv_alloc_floats (OC), *x = dv_alloc_floats ((size_t) B * C);
  float *y = dv_alloc_floats ((size_t) B * OC);
  DvBf16 *wb = dv_bf16_alloc (per * n), *xb = dv_bf16_alloc ((size_t) B * C);
  dv_rng_fill_uniform (rng, w, per * n, -0.05f, 0.05f);
  dv_rng_fill_uniform (rng, x, (size_t) B * C, -1.0f, 1.0f);
  dv_bf16_from_floats (wb, w, per * n);
  double t[3][MAX_REPEATS];
  const int R = MIN (repeats, MAX_REPEATS), rounds = 20;
  for (int r = -1; r < R; r++)
    for (int m = 0; m < 3; m++)
      {
        if (m == 1 && B != 1)
          continue;
        const gint64 a = g_get_monotonic_time ();
        for (int k = 0; k < rounds; k++)
          for (int i = 0; i < n; i++)
            if (m == 0)
              dv_linear_forward (y, x, w + per * i, bias, B, C, OC);
            else if (m == 1)
              {
                memcpy (y, bias, sizeof (float) * OC);
                cblas_sgemv (CblasRowMajor, CblasNoTrans, OC, C, 1.0f, w + per * i, C, x, 1, 1.0f, y, 1);
              }
            else
              dv_linear_bf16_forward (y, x, xb, wb + per * i, bias, B, C, OC);
        if (r >= 0)
          t[m][r] = (g_get_monotonic_time () - a) / (double) (rounds * n);
      }
  char sgemv[32] = "-";
  if (B == 1)
    g_snprintf (sgemv, sizeof sgemv, "%.2f", dv_cli_median (t[1], R));
  printf ("linear B %d C %d OC %d matrices %d sgemm_us %.2f sgemv_us %s bf16_us %.2f bf16_kernel %s\n", B, C, OC, n,
          dv_cli_median (t[0], R), sgemv, dv_cli_median (t[2], R), bf16_kernel_name ());
  dv_free_floats (w), dv_free_floats (bias), dv_free_floats (x), dv_free_floats (y);
  dv_bf16_free (wb), dv_bf16_free (xb);
}

static int
parse_precisions (const char *list, DvPrecision *out, GError **error)
{
  g_auto (GStrv) names = g_strsplit (list, ",", -1);
  int n = 0;
  for (int i = 0; names[i] && n < MAX_PRECISIONS; i++)
    if (!dv_precision_from_string (names[i], &out[n++], error))
      return -1;
  return n;
}

/* Median ms of `calls` forwards at batch B, each precision in turn per repeat. */
static void
bench_forward (const DvScoreNet *net, const DvBf16 *weights_bf16, int B, const DvPrecision *prec, int n_prec,
               int repeats, DvRng *rng)
{
  g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, B);
  const int V = net->config.n_views, D = V * net->config.latent_dim, calls = 50;
  float *x = g_new (float, (size_t) B * D), *tau = g_new (float, (size_t) B * V), *eps = g_new (float, (size_t) B * D);
  dv_rng_fill_normal (rng, x, (size_t) B * D);
  dv_rng_fill_uniform (rng, tau, (size_t) B * V, 0.0f, 1.0f);
  double t[MAX_PRECISIONS][MAX_REPEATS];
  const int R = MIN (repeats, MAX_REPEATS);
  for (int r = -1; r < R; r++)
    for (int p = 0; p < n_prec; p++)
      {
        const gint64 a = g_get_monotonic_time ();
        for (int k = 0; k < calls; k++)
          if (prec[p] == DV_PRECISION_BF16)
            dv_score_net_forward_bf16 (net, net->params.data, weights_bf16, buf, eps, x, tau);
          else
            dv_score_net_forward (net, net->params.data, buf, eps, x, tau);
        if (r >= 0)
          t[p][r] = (g_get_monotonic_time () - a) / 1e3 / calls;
      }
  for (int p = 0; p < n_prec; p++)
    printf ("forward width %d batch %d precision %s ms %.3f\n", net->config.width, B,
            dv_precision_to_string (prec[p]), dv_cli_median (t[p], R));
  g_free (x), g_free (tau), g_free (eps);
}

int
dv_cmd_views_bench_score (int argc, char **argv)
{
  int threads = 2, repeats = 5, batch = 256, gen_steps = 250, small_batch = 8;
  char *widths = NULL, *precisions = NULL;
  gboolean linears = FALSE;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "Timed repeats, median reported (5)", "N" },
    { "widths", 'w', 0, G_OPTION_ARG_STRING, &widths, "Network widths to time (256,384,512)", "LIST" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Training batch (256; 0 skips the training step)", "B" },
    { "generate-steps", 0, 0, G_OPTION_ARG_INT, &gen_steps,
      "Euler–Maruyama steps of the timed generation (250; 0 skips)", "N" },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precisions,
      "Precisions of the timed forwards and generation, interleaved (f32,bf16)", "LIST" },
    { "small-batch", 0, 0, G_OPTION_ARG_INT, &small_batch, "The small batch of the timed forwards (8; 0 skips)",
      "K" },
    { "linears", 0, 0, G_OPTION_ARG_NONE, &linears,
      "Also time the Linear layer's one-row products of the network's shapes (sgemm, sgemv, BF16)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time score-net training steps and a generation");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *widths_owned = widths, *precisions_owned = precisions;
  if (repeats < 1 || threads < 1 || batch < 0 || gen_steps < 0 || small_batch < 0)
    return dv_cli_fail ("--repeats and --threads must be positive, --batch, --generate-steps and --small-batch not "
                        "negative");
  DvPrecision prec[MAX_PRECISIONS];
  const int n_prec = parse_precisions (precisions ? precisions : "f32,bf16", prec, &error);
  if (n_prec < 0)
    return dv_cli_fail ("%s", error->message);
  dv_blas_set_threads (threads);
  dv_conv2d_set_threads (threads);
  printf ("threads %d blas_core %s bf16_kernel %s\n", threads, dv_blas_core_name (), bf16_kernel_name ());
  g_auto (GStrv) list = g_strsplit (widths ? widths : "256,384,512", ",", -1);
  DvRng rng;
  dv_rng_init (&rng, 1);
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedLossConfig mask;
  dv_masked_loss_config_init (&mask);
  if (linears)
    {
      /* The network's Linear shapes (C → OC) at width 384, and wider ones up to 1536. */
      static const int shapes[][2] = { { 128, 384 }, { 256, 384 }, { 384, 256 }, { 384, 384 },
                                       { 768, 384 }, { 384, 768 }, { 384, 1536 }, { 768, 1536 } };
      for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
        bench_linear (1, shapes[i][0], shapes[i][1], repeats, &rng);
      if (small_batch > 1)
        for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
          bench_linear (small_batch, shapes[i][0], shapes[i][1], repeats, &rng);
    }
  int last_width = 0;
  for (int i = 0; list[i]; i++)
    {
      DvScoreNetConfig cfg;
      dv_score_net_config_init (&cfg);
      guint64 w;
      if (!g_ascii_string_to_unsigned (list[i], 10, 8, 8192, &w, NULL) || w % cfg.groups)
        return dv_cli_fail ("bad width '%s' (8 to 8192, a multiple of %d)", list[i], cfg.groups);
      cfg.width = (int) w;
      last_width = cfg.width;
      if (batch == 0)
        continue;
      g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
      dv_score_net_init_weights (net, 1);
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, batch);
      const int V = cfg.n_views, L = cfg.latent_dim;
      const size_t n = (size_t) batch * V * L;
      float *x0 = g_new (float, n), *xt = g_new (float, n), *z = g_new (float, n), *eps = g_new (float, n);
      float *deps = g_new (float, n), *tau = g_new (float, (size_t) batch * V), *weight = g_new (float, batch);
      guint *cond = g_new (guint, batch);
      dv_rng_fill_normal (&rng, x0, n);
      double t[MAX_REPEATS];
      const int R = MIN (repeats, MAX_REPEATS);
      for (int r = -2; r < R; r++)
        {
          const gint64 a = g_get_monotonic_time ();
          dv_masked_loss_prepare (&mask, &sde, &rng, x0, batch, V, L, xt, z, tau, cond, weight);
          dv_score_net_forward (net, net->params.data, buf, eps, xt, tau);
          memset (deps, 0, sizeof (float) * n);
          dv_masked_loss_forward_backward (eps, z, cond, weight, batch, V, L, deps);
          dv_params_zero_grad (&net->params);
          dv_score_net_backward (net, net->params.data, net->params.grad, buf, deps);
          if (r >= 0)
            t[r] = (g_get_monotonic_time () - a) / 1e3;
        }
      printf ("score width %d batch %d params %zu step_ms %.1f\n", cfg.width, batch, net->params.count,
              dv_cli_median (t, R));
      g_free (x0), g_free (xt), g_free (z), g_free (eps), g_free (deps), g_free (tau), g_free (weight), g_free (cond);
    }
  if (gen_steps > 0 && last_width > 0)
    {
      /* 3 missing views from 1 given, as views generate runs it: encode the given view, gen_steps Euler–Maruyama
       * steps, decode the 3 others; random weights (the cost does not depend on their values), the last width
       * above; the output layer made non-zero so that the sampler's arithmetic sees real values. */
      DvScoreNetConfig cfg;
      dv_score_net_config_init (&cfg);
      cfg.width = last_width;
      g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
      dv_score_net_init_weights (net, 1);
      const int S_OUT = cfg.n_views * cfg.latent_dim;
      dv_rng_fill_uniform (&rng, net->params.data + net->final_weight, (size_t) S_OUT * cfg.width, -0.01f, 0.01f);
      DvBf16 *weights_bf16 = dv_score_net_bf16_weights_new (net, net->params.data);
      dv_conv2d_set_threads (1);  /* as views generate does for fewer than 16 views */
      bench_forward (net, weights_bf16, 1, prec, n_prec, repeats, &rng);
      if (small_batch > 1)
        bench_forward (net, weights_bf16, small_batch, prec, n_prec, repeats, &rng);
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, 1);
      DvAutoencoderConfig ac;
      dv_autoencoder_config_init (&ac);
      g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&ac);
      dv_autoencoder_init_weights (ae, 1);
      DvAutoencoderBuffers enc, dec;
      dv_autoencoder_buffers_init (&enc, ae, 1);
      dv_autoencoder_buffers_init (&dec, ae, 3);
      const int S = ac.image_size, L = cfg.latent_dim, V = cfg.n_views;
      float *img = g_new (float, 3 * S * S), *out = g_new (float, 3 * 3 * S * S);
      float *given = g_new0 (float, V * L), *res = g_new (float, V * L);
      dv_rng_fill_uniform (&rng, img, 3 * S * S, 0, 1);
      DvMaskedSamplerConfig sc;
      dv_masked_sampler_config_init (&sc);
      sc.steps = gen_steps;
      double t[MAX_PRECISIONS][MAX_REPEATS];
      const int R = MIN (repeats, MAX_REPEATS);
      for (int r = -1; r < R; r++)
        for (int p = 0; p < n_prec; p++)
          {
            BenchCall call = { net, buf, prec[p] == DV_PRECISION_BF16 ? weights_bf16 : NULL };
            const gint64 a = g_get_monotonic_time ();
            dv_autoencoder_encode (ae, ae->params.data, &enc, given, img);
            if (!dv_masked_sampler_run (&sc, &sde, V, L, given, 0x1, 1, bench_score_fn, &call, NULL, NULL, res,
                                        NULL, &error))
              return dv_cli_fail ("%s", error->message);
            dv_autoencoder_decode (ae, ae->params.data, &dec, out, res + L);
            if (r >= 0)
              t[p][r] = (g_get_monotonic_time () - a) / 1e3;
          }
      for (int p = 0; p < n_prec; p++)
        printf ("generate width %d em_steps %d missing 3 precision %s ms %.1f\n", cfg.width, gen_steps,
                dv_precision_to_string (prec[p]), dv_cli_median (t[p], R));
      dv_autoencoder_buffers_clear (&enc);
      dv_autoencoder_buffers_clear (&dec);
      dv_bf16_free (weights_bf16);
      g_free (img), g_free (out), g_free (given), g_free (res);
    }
  return 0;
}
