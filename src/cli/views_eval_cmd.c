/* dimvida views eval: the paper's Table I on our data (split e), with the autoencoder's reconstruction (ceiling)
 * and nearest-neighbour retrieval from split d (baseline); views bench-score: the speed figures that
 * bench/score_torch.py sets against the PyTorch twin. */
#include "commands.h"
#include "core/blas.h"
#include "core/rng.h"
#include "diffusion/masked_loss.h"
#include "metrics/image_quality.h"
#include "nn/conv2d.h"
#include "views/ae_train.h"
#include "views/latents.h"
#include "views/rasterizer.h"
#include "views/score_train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  double psnr, ssim;
  guint n;
} Score;

static void
score_add (Score *s, const float *a, const float *b, int size)
{
  s->psnr += dv_psnr (a, b, size, size);
  s->ssim += dv_ssim (a, b, size, size);
  s->n++;
}

/* Score of view v of object o against the true view: img CHW in [0, 1]. */
static void
score_view (Score *s, const DvMultiviewSet *set, guint o, int v, const float *img, int size, float *a, float *b)
{
  const size_t P = (size_t) size * size;
  const guint8 *px = dv_multiview_set_view (set, o, v);
  for (size_t i = 0; i < 3 * P; i++)
    a[i] = px[i] / 255.0f;
  dv_cli_chw_to_hwc (b, img, size);
  score_add (s, a, b, size);
}

static void
print_row (const char *name, const Score s[3])
{
  printf ("| %s |", name);
  for (int k = 0; k < 3; k++)
    if (s[k].n)
      printf (" %.2f | %.3f |", s[k].psnr / s[k].n, s[k].ssim / s[k].n);
    else
      printf (" – | – |");
  printf ("\n");
}

int
dv_cmd_views_eval (int argc, char **argv)
{
  char *data = NULL, *model_path = NULL, *ae_path = NULL, *sampler_name = NULL, *cache = NULL;
  int objects = 0, steps = 0, threads = 2, batch = 64;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory with d.dvmv and e.dvmv", "DIR" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Score model (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder weights (the shipped ones)", "FILE" },
    { "objects", 'n', 0, G_OPTION_ARG_INT, &objects, "Objects of split e, evenly spaced (all)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Sampler steps (250; ode 100)", "N" },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler_name, "em (default), ode or repaint", "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (0)", "S" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Objects generated together (64)", "B" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache,
      "Split d's latent cache (train-score's latents-d.safetensors): read if it fits, else written", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Table I: generated views against the true ones");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *model_owned = model_path, *ae_owned = ae_path, *sampler_owned = sampler_name;
  g_autofree char *cache_owned = cache;
  if (!data)
    return dv_cli_fail ("views eval needs --data DIR (with d.dvmv and e.dvmv)");
  if (objects < 0 || batch < 1 || batch > 4096 || seed < 0)
    return dv_cli_fail ("--objects, --batch and --seed must be positive");
  DvMaskedSamplerConfig sampler;
  dv_masked_sampler_config_init (&sampler);
  if (sampler_name && !dv_masked_sampler_kind_from_string (sampler_name, &sampler.kind, &error))
    return dv_cli_fail ("--sampler: %s", error->message);
  sampler.steps = steps > 0 ? steps : sampler.kind == DV_MASKED_SAMPLER_ODE ? 100 : 250;
  if (!dv_masked_sampler_config_check (&sampler, &error))
    return dv_cli_fail ("%s", error->message);
  dv_blas_set_threads (MAX (threads, 1));
  dv_conv2d_set_threads (MAX (threads, 1));
  g_autoptr (DvScoreModel) model = dv_cli_load_score_model (model_path, &error);
  g_autoptr (DvAutoencoder) ae = model ? dv_cli_load_autoencoder (ae_path, &error) : NULL;
  if (!model || !ae)
    return dv_cli_fail ("%s", error->message);
  const int S = ae->config.image_size, L = ae->config.latent_dim, V = DV_VIEW_COUNT;
  if (model->net->config.n_views != V || model->net->config.latent_dim != L)
    return dv_cli_fail ("the score model models %d views of %d values; the autoencoder's latents have %d",
                        model->net->config.n_views, model->net->config.latent_dim, L);
  DvMultiviewSet d, e;
  if (!dv_cli_load_split (data, DV_SPLIT_D, ae, &d, &error))
    return dv_cli_fail ("%s", error->message);
  if (!dv_cli_load_split (data, DV_SPLIT_E, ae, &e, &error))
    {
      dv_multiview_set_clear (&d);
      return dv_cli_fail ("%s", error->message);
    }
  const gint64 t0 = g_get_monotonic_time ();
  g_autofree float *zd = dv_cli_split_latents (ae, &d, cache, &error);
  g_autofree float *ze = zd ? dv_cli_split_latents (ae, &e, NULL, &error) : NULL;
  if (!zd || !ze)
    {
      dv_multiview_set_clear (&d), dv_multiview_set_clear (&e);
      return dv_cli_fail ("%s", error->message);
    }
  /* The objects: all of split e, or N evenly spaced (e is stored class by class, so every class is sampled). */
  const guint N = objects > 0 ? MIN ((guint) objects, e.n_objects) : e.n_objects;
  g_autofree guint *pick = g_new (guint, N);
  for (guint i = 0; i < N; i++)
    pick[i] = (guint) ((guint64) i * e.n_objects / N);

  /* Retrieval compares latents standardised with the model's statistics: every dimension counts alike. */
  g_autofree float *zd_std = g_memdup2 (zd, sizeof (float) * d.n_objects * V * L);
  g_autofree float *ze_std = g_memdup2 (ze, sizeof (float) * e.n_objects * V * L);
  dv_latent_stats_standardize (&model->stats, zd_std, d.n_objects);
  dv_latent_stats_standardize (&model->stats, ze_std, e.n_objects);

  const size_t P = (size_t) S * S;
  const int B = (int) MIN ((guint) batch, N);
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, B * V);
  g_autofree float *given = g_new0 (float, (size_t) B * V * L), *gen = g_new (float, (size_t) B * V * L);
  g_autofree float *imgs = g_new (float, (size_t) B * V * 3 * P);
  g_autofree float *a = g_new (float, 3 * P), *b = g_new (float, 3 * P), *rec = g_new (float, 3 * P);
  /* The ceiling, per object and view: the autoencoder's reconstruction of the true view. */
  g_autofree double *ceil_psnr = g_new (double, (size_t) N * V), *ceil_ssim = g_new (double, (size_t) N * V);
  for (guint start = 0; start < N; start += (guint) B)
    {
      const int n = (int) MIN ((guint) B, N - start);
      memset (gen, 0, sizeof (float) * B * V * L);
      for (int i = 0; i < n; i++)
        memcpy (gen + (size_t) i * V * L, ze + (size_t) pick[start + i] * V * L, sizeof (float) * V * L);
      dv_autoencoder_decode (ae, ae->params.data, &buf, imgs, gen);
      for (int i = 0; i < n; i++)
        for (int v = 0; v < V; v++)
          {
            Score s = { 0 };
            score_view (&s, &e, pick[start + i], v, imgs + ((size_t) i * V + v) * 3 * P, S, a, b);
            ceil_psnr[(size_t) (start + i) * V + v] = s.psnr;
            ceil_ssim[(size_t) (start + i) * V + v] = s.ssim;
          }
    }

  Score model_s[3] = { 0 }, ceil_s[3] = { 0 }, nn_s[3] = { 0 };
  const int n_subsets = dv_masked_loss_n_subsets (V);
  for (int si = 0; si < n_subsets; si++)
    {
      const guint mask = dv_masked_loss_subset (V, si);
      const int k = __builtin_popcount (mask) - 1;
      for (guint start = 0; start < N; start += (guint) B)
        {
          const int n = (int) MIN ((guint) B, N - start);
          memset (given, 0, sizeof (float) * B * V * L);
          for (int i = 0; i < n; i++)
            memcpy (given + (size_t) i * V * L, ze + (size_t) pick[start + i] * V * L, sizeof (float) * V * L);
          /* Unused rows of a short last batch repeat row 0 (one buffer size); their results are dropped. */
          for (int i = n; i < B; i++)
            memcpy (given + (size_t) i * V * L, given, sizeof (float) * V * L);
          sampler.seed = (guint64) seed * 1000003u + (guint64) si * 4099u + start;
          if (!dv_score_model_generate_rows (model, &sampler, given, mask, B, NULL, NULL, gen, NULL, &error))
            {
              dv_autoencoder_buffers_clear (&buf);
              dv_multiview_set_clear (&d), dv_multiview_set_clear (&e);
              return dv_cli_fail ("%s", error->message);
            }
          dv_autoencoder_decode (ae, ae->params.data, &buf, imgs, gen);
          for (int i = 0; i < n; i++)
            {
              const guint o = pick[start + i];
              /* Nearest split-d object on the given views' latents. */
              guint best = 0;
              double best_d = INFINITY;
              for (guint j = 0; j < d.n_objects; j++)
                {
                  double dist = 0;
                  for (int v = 0; v < V; v++)
                    if ((mask >> v) & 1u)
                      {
                        const float *p = ze_std + ((size_t) o * V + v) * L, *q = zd_std + ((size_t) j * V + v) * L;
                        for (int c = 0; c < L; c++)
                          dist += (double) (p[c] - q[c]) * (p[c] - q[c]);
                      }
                  if (dist < best_d)
                    best_d = dist, best = j;
                }
              for (int v = 0; v < V; v++)
                {
                  if ((mask >> v) & 1u)
                    continue;
                  score_view (&model_s[k], &e, o, v, imgs + ((size_t) i * V + v) * 3 * P, S, a, b);
                  ceil_s[k].psnr += ceil_psnr[(size_t) (start + i) * V + v];
                  ceil_s[k].ssim += ceil_ssim[(size_t) (start + i) * V + v];
                  ceil_s[k].n++;
                  /* The retrieved object's real view. */
                  const guint8 *px = dv_multiview_set_view (&d, best, v);
                  for (size_t p = 0; p < 3 * P; p++)
                    rec[(p % 3) * P + p / 3] = px[p] / 255.0f;
                  score_view (&nn_s[k], &e, o, v, rec, S, a, b);
                }
            }
        }
      fprintf (stderr, "\rsubset %d/%d", si + 1, n_subsets);
      fflush (stderr);
    }
  fputc ('\n', stderr);
  dv_autoencoder_buffers_clear (&buf);
  printf ("Table I on split e: %u of %u objects (evenly spaced), every one of the %d conditioning subsets; "
          "%s sampler, %d steps, seed %" G_GINT64_FORMAT "; %.1f s\n", N, e.n_objects, n_subsets,
          dv_masked_sampler_kind_to_string (sampler.kind), sampler.steps, seed,
          (g_get_monotonic_time () - t0) / 1e6);
  printf ("PSNR (dB) and SSIM (Gaussian 11, σ 1.5, data range 1, as scikit-image with gaussian_weights) of each "
          "generated view against the true one, averaged over the views not given\n\n");
  printf ("| method | 1 given: PSNR | SSIM | 2 given: PSNR | SSIM | 3 given: PSNR | SSIM |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  print_row ("score model", model_s);
  print_row ("autoencoder reconstruction (ceiling)", ceil_s);
  print_row ("nearest neighbour in latent space, split d (baseline)", nn_s);
  printf ("| DiMViDA paper (NMR) | 24.0 | 0.832 | 26.8 | 0.884 | 28.5 | 0.912 |\n");
  printf ("\nviews scored: %u, %u, %u (1, 2, 3 given)\n", model_s[0].n, model_s[1].n, model_s[2].n);
  dv_multiview_set_clear (&d), dv_multiview_set_clear (&e);
  return 0;
}

/* ---- bench-score ---- */

static void
bench_score_fn (float *eps_hat, const float *x, const float *tau, int batch, gpointer user_data)
{
  gpointer *p = user_data;
  const DvScoreNet *net = p[0];
  DvScoreNetBuffers *buf = p[1];
  DV_CHECK (batch == dv_score_net_buffers_batch (buf), "bench: batch %d", batch);
  dv_score_net_forward (net, net->params.data, buf, eps_hat, x, tau);
}

int
dv_cmd_views_bench_score (int argc, char **argv)
{
  int threads = 2, repeats = 5, batch = 256, gen_steps = 250;
  char *widths = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "Timed repeats, median reported (5)", "N" },
    { "widths", 'w', 0, G_OPTION_ARG_STRING, &widths, "Network widths to time (256,384,512)", "LIST" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Training batch (256)", "B" },
    { "generate-steps", 0, 0, G_OPTION_ARG_INT, &gen_steps,
      "Euler–Maruyama steps of the timed generation (250; 0 skips)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time score-net training steps and a generation");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *widths_owned = widths;
  if (repeats < 1 || threads < 1 || batch < 1 || gen_steps < 0)
    return dv_cli_fail ("--repeats, --threads and --batch must be positive");
  dv_blas_set_threads (threads);
  dv_conv2d_set_threads (threads);
  printf ("threads %d blas_core %s\n", threads, dv_blas_core_name ());
  g_auto (GStrv) list = g_strsplit (widths ? widths : "256,384,512", ",", -1);
  DvRng rng;
  dv_rng_init (&rng, 1);
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedLossConfig mask;
  dv_masked_loss_config_init (&mask);
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
      g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
      dv_score_net_init_weights (net, 1);
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, batch);
      const int V = cfg.n_views, L = cfg.latent_dim;
      const size_t n = (size_t) batch * V * L;
      float *x0 = g_new (float, n), *xt = g_new (float, n), *z = g_new (float, n), *eps = g_new (float, n);
      float *deps = g_new (float, n), *tau = g_new (float, (size_t) batch * V), *weight = g_new (float, batch);
      guint *cond = g_new (guint, batch);
      dv_rng_fill_normal (&rng, x0, n);
      double t[64];
      const int R = MIN (repeats, 64);
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
       * above. */
      DvScoreNetConfig cfg;
      dv_score_net_config_init (&cfg);
      cfg.width = last_width;
      g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
      dv_score_net_init_weights (net, 1);
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
      gpointer call[2] = { net, buf };
      dv_conv2d_set_threads (1);  /* as views generate does for fewer than 16 views */
      double t[64];
      const int R = MIN (repeats, 64);
      for (int r = -1; r < R; r++)
        {
          const gint64 a = g_get_monotonic_time ();
          dv_autoencoder_encode (ae, ae->params.data, &enc, given, img);
          if (!dv_masked_sampler_run (&sc, &sde, V, L, given, 0x1, 1, bench_score_fn, call, NULL, NULL, res, NULL,
                                      &error))
            return dv_cli_fail ("%s", error->message);
          dv_autoencoder_decode (ae, ae->params.data, &dec, out, res + L);
          if (r >= 0)
            t[r] = (g_get_monotonic_time () - a) / 1e3;
        }
      printf ("generate width %d em_steps %d missing 3 ms %.1f\n", cfg.width, gen_steps, dv_cli_median (t, R));
      dv_autoencoder_buffers_clear (&enc);
      dv_autoencoder_buffers_clear (&dec);
      g_free (img), g_free (out), g_free (given), g_free (res);
    }
  return 0;
}
