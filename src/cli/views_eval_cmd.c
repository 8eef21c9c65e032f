/* dimvida views eval: the paper's Table I on our data (split e), with the autoencoder's reconstruction (ceiling)
 * and nearest-neighbour retrieval from split d (baseline). */
#include "commands.h"
#include "core/blas.h"
#include "core/rng.h"
#include "diffusion/masked_loss.h"
#include "metrics/image_quality.h"
#include "nn/conv2d.h"
#include "views/ae_train.h"
#include "views/latents.h"
#include "views/rasterizer.h"
#include "views/objects/registry.h"
#include "views/score_train.h"
#include "votes/evaluate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  double psnr, ssim;
  guint n;
  guint coherent, classified;  /* coherence: views the classifier gives the object's class, of those classified */
} Score;

/* Views waiting to be classified, each crediting its Score (DiMViDA's coherence, eq. 7). */
typedef struct {
  DvClassifier *net;  /* NULL: no coherence */
  DvClassifierBuffers *buf;
  int cap, n, n_classes;
  float *images, *probs;
  Score **who;
  int *label;
} Coherence;

static void
coherence_init (Coherence *c, DvClassifier *net, int cap, int size)
{
  memset (c, 0, sizeof *c);
  if (!net)
    return;
  c->net = net;
  c->cap = cap;
  c->n_classes = dv_classifier_get_config (net)->n_classes;
  c->buf = dv_classifier_buffers_new (net, cap);
  c->images = g_new (float, (size_t) cap * 3 * size * size);
  c->probs = g_new (float, (size_t) cap * c->n_classes);
  c->who = g_new (Score *, cap);
  c->label = g_new (int, cap);
}

static void
coherence_flush (Coherence *c)
{
  if (!c->net || c->n == 0)
    return;
  dv_votes_predict (c->net, c->buf, c->images, c->n, c->probs);
  for (int i = 0; i < c->n; i++)
    {
      c->who[i]->classified++;
      c->who[i]->coherent += dv_vote_argmax (c->probs + (size_t) i * c->n_classes, c->n_classes) == c->label[i];
    }
  c->n = 0;
}

/* img CHW in [0, 1] (clamped and rounded to bytes, as the generated views the classifiers vote on). */
static void
coherence_add (Coherence *c, const float *img, int size, Score *who, int label)
{
  if (!c->net)
    return;
  const size_t n = (size_t) 3 * size * size;
  float *dst = c->images + (size_t) c->n * n;
  for (size_t i = 0; i < n; i++)
    dst[i] = (float) (int) (CLAMP (img[i], 0.0f, 1.0f) * 255.0f + 0.5f) / 255.0f;
  c->who[c->n] = who;
  c->label[c->n] = label;
  if (++c->n == c->cap)
    coherence_flush (c);
}

static void
coherence_clear (Coherence *c)
{
  g_clear_pointer (&c->buf, dv_classifier_buffers_free);
  g_clear_pointer (&c->images, g_free);
  g_clear_pointer (&c->probs, g_free);
  g_clear_pointer (&c->who, g_free);
  g_clear_pointer (&c->label, g_free);
}

static void
print_coherence_row (const char *name, const Score s[3])
{
  printf ("| %s |", name);
  for (int k = 0; k < 3; k++)
    if (s[k].classified)
      printf (" %.1f |", 100.0 * s[k].coherent / s[k].classified);
    else
      printf (" – |");
  printf ("\n");
}

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
  char *data = NULL, *model_path = NULL, *ae_path = NULL, *sampler_name = NULL, *cache = NULL, *cls_path = NULL;
  char *precision_name = NULL;
  int objects = 0, steps = 0, threads = 2, batch = 64;
  gboolean no_coherence = FALSE;
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
    { "classifier", 0, 0, G_OPTION_ARG_FILENAME, &cls_path,
      "Classifier of the coherence column (the shipped ResNet-18, Ω_s)", "FILE" },
    { "no-coherence", 0, 0, G_OPTION_ARG_NONE, &no_coherence, "No coherence column", NULL },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precision_name,
      "The score network's Linear weights: bf16 (default where the CPU has AVX512-BF16, else f32) or f32", "P" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Table I: generated views against the true ones");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *model_owned = model_path, *ae_owned = ae_path, *sampler_owned = sampler_name;
  g_autofree char *cache_owned = cache, *cls_owned = cls_path, *precision_owned = precision_name;
  if (!data)
    return dv_cli_fail ("views eval needs --data DIR (with d.dvmv and e.dvmv)");
  if (objects < 0 || batch < 1 || batch > 4096 || seed < 0)
    return dv_cli_fail ("--objects, --batch and --seed must be positive");
  DvMaskedSamplerConfig sampler;
  dv_masked_sampler_config_init (&sampler);
  if (sampler_name && !dv_masked_sampler_kind_from_string (sampler_name, &sampler.kind, &error))
    return dv_cli_fail ("--sampler: %s", error->message);
  sampler.steps = steps > 0 ? steps : sampler.kind == DV_MASKED_SAMPLER_ODE ? 100 : 250;
  sampler.precision = DV_SCORE_MODEL_SAMPLING_PRECISION;
  if (precision_name && !dv_precision_from_string (precision_name, &sampler.precision, &error))
    return dv_cli_fail ("--precision: %s", error->message);
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
  /* The coherence column's classifier: the one named (required to load), else the shipped one when there is one. */
  g_autoptr (DvClassifier) classifier = NULL;
  g_autofree char *coherence_note = NULL;
  if (!no_coherence)
    {
      classifier = dv_cli_load_classifier (cls_path, DV_CLASSIFIER_RESNET18, DV_VOTES_SET_S, NULL, &error);
      if (!classifier && cls_path)
        return dv_cli_fail ("%s", error->message);
      if (!classifier)
        coherence_note = g_strdup_printf ("no coherence column: %s", error->message);
      else if (dv_classifier_get_config (classifier)->image_size != S ||
               dv_classifier_get_config (classifier)->n_classes != DV_N_OBJECT_CLASSES)
        return dv_cli_fail ("the classifier takes %d×%d views of %d classes; the views are %d×%d of %d classes",
                            dv_classifier_get_config (classifier)->image_size,
                            dv_classifier_get_config (classifier)->image_size,
                            dv_classifier_get_config (classifier)->n_classes, S, S, DV_N_OBJECT_CLASSES);
      g_clear_error (&error);
    }
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
  /* …and whether the classifier gives it the object's class (one Score per object and view). */
  g_autofree Score *ceil_cls = g_new0 (Score, (size_t) N * V);
  Coherence coh;
  coherence_init (&coh, classifier, B * V, S);
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
            coherence_add (&coh, imgs + ((size_t) i * V + v) * 3 * P, S, &ceil_cls[(size_t) (start + i) * V + v],
                           e.labels[pick[start + i]]);
          }
    }
  coherence_flush (&coh);

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
                  coherence_add (&coh, imgs + ((size_t) i * V + v) * 3 * P, S, &model_s[k], e.labels[o]);
                  ceil_s[k].psnr += ceil_psnr[(size_t) (start + i) * V + v];
                  ceil_s[k].ssim += ceil_ssim[(size_t) (start + i) * V + v];
                  ceil_s[k].n++;
                  ceil_s[k].coherent += ceil_cls[(size_t) (start + i) * V + v].coherent;
                  ceil_s[k].classified += ceil_cls[(size_t) (start + i) * V + v].classified;
                  /* The retrieved object's real view. */
                  const guint8 *px = dv_multiview_set_view (&d, best, v);
                  for (size_t p = 0; p < 3 * P; p++)
                    rec[(p % 3) * P + p / 3] = px[p] / 255.0f;
                  score_view (&nn_s[k], &e, o, v, rec, S, a, b);
                  coherence_add (&coh, rec, S, &nn_s[k], e.labels[o]);
                }
            }
        }
      fprintf (stderr, "\rsubset %d/%d", si + 1, n_subsets);
      fflush (stderr);
    }
  fputc ('\n', stderr);
  coherence_flush (&coh);
  coherence_clear (&coh);
  dv_autoencoder_buffers_clear (&buf);
  printf ("Table I on split e: %u of %u objects (evenly spaced), every one of the %d conditioning subsets; "
          "%s sampler, %d steps, seed %" G_GINT64_FORMAT ", %s; %.1f s\n", N, e.n_objects, n_subsets,
          dv_masked_sampler_kind_to_string (sampler.kind), sampler.steps, seed,
          dv_precision_to_string (dv_score_model_precision (model, sampler.precision)),
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
  if (classifier)
    {
      printf ("\nCoherence (DiMViDA eq. 7): %% of the views not given that the %s classifier%s assigns the object's "
              "class, the same views as above\n\n| method | 1 given | 2 given | 3 given |\n| --- | ---: | ---: | ---: |\n",
              dv_classifier_arch_name (dv_classifier_get_config (classifier)->arch),
              cls_path ? "" : " (shipped, Ω_s)");
      print_coherence_row ("score model", model_s);
      print_coherence_row ("autoencoder reconstruction (ceiling)", ceil_s);
      print_coherence_row ("nearest neighbour in latent space, split d (baseline)", nn_s);
    }
  else if (coherence_note)
    printf ("\n(%s)\n", coherence_note);
  dv_multiview_set_clear (&d), dv_multiview_set_clear (&e);
  return 0;
}
