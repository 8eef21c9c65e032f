/* dimvida votes classify IN.png: the class of one view — alone (real) or by the mean vote of it and the 3 views
 * generated from it (augmented). The first line of the output is the class name. */
#include "commands.h"
#include "io/png.h"
#include "views/ae_image.h"
#include "views/objects/registry.h"
#include "views/rasterizer.h"
#include "votes/evaluate.h"

#include <stdio.h>
#include <string.h>

int
dv_cmd_votes_classify (int argc, char **argv)
{
  char *arch_name = NULL, *set_name = NULL, *views_name = NULL, *weights = NULL, *view_name = NULL;
  char *model_path = NULL, *ae_path = NULL;
  g_autofree char *precision = NULL;
  int gen_steps = 0, threads = 2;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch_name, "resnet18 (default) or mobilenet", "ARCH" },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &set_name, "s (Ω_s, default) or m (Ω_m): the shipped classifier", "s|m" },
    { "views", 0, 0, G_OPTION_ARG_STRING, &views_name,
      "real (the image alone, default) or augmented (its mean vote with the 3 views generated from it)", "KIND" },
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &weights, "A classifier file instead of the shipped one", "FILE" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view_name, "Which view the image shows: front (default), right, back, left",
      "NAME" },
    { "score", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "Score model generating the views (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder (the shipped one)", "FILE" },
    { "gen-steps", 0, 0, G_OPTION_ARG_INT, &gen_steps, "Euler–Maruyama steps (250)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, "Precision of the score network while generating: bf16 (where the CPU runs it) or f32", "bf16|f32" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Sampler seed of the generated views (0)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN.png - classify one view (first line: the class)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *arch_owned = arch_name, *set_owned = set_name, *views_owned = views_name, *w_owned = weights;
  g_autofree char *view_owned = view_name, *model_owned = model_path, *ae_owned = ae_path;
  if (argc != 2)
    return dv_cli_fail ("usage: dimvida votes classify IN.png [--arch resnet18|mobilenet] [--model s|m] "
                        "[--views real|augmented]");
  DvClassifierArch arch = DV_CLASSIFIER_RESNET18;
  DvVotesSet set = DV_VOTES_SET_S;
  if ((arch_name && !dv_classifier_arch_from_name (arch_name, &arch, &error)) ||
      (set_name && !dv_votes_set_from_name (set_name, &set, &error)))
    return dv_cli_fail ("%s", error->message);
  if (views_name && strcmp (views_name, "real") && strcmp (views_name, "augmented"))
    return dv_cli_fail ("--views is real or augmented, not '%s'", views_name);
  const gboolean augmented = views_name && strcmp (views_name, "augmented") == 0;
  int given = 0;
  if (view_name)
    {
      given = -1;
      for (int v = 0; v < DV_VIEW_COUNT; v++)
        if (strcmp (view_name, dv_view_name (v)) == 0)
          given = v;
      if (given < 0)
        return dv_cli_fail ("--view is front, right, back or left, not '%s'", view_name);
    }
  if (seed < 0 || gen_steps < 0 || threads < 1)
    return dv_cli_fail ("--seed, --gen-steps and --threads must be positive");
  dv_cli_votes_set_threads (threads);
  GHashTable *meta = NULL;
  g_autoptr (DvClassifier) net = dv_cli_load_classifier (weights, arch, set, &meta, &error);
  if (!net)
    return dv_cli_fail ("%s", error->message);
  g_autofree char *trained_on = g_strdup (meta && g_hash_table_lookup (meta, "set") ? g_hash_table_lookup (meta, "set")
                                                                                     : "?");
  g_clear_pointer (&meta, g_hash_table_unref);
  const DvClassifierConfig *cfg = dv_classifier_get_config (net);
  const int S = cfg->image_size, C = cfg->n_classes;
  const size_t P = (size_t) S * S;
  DvImage img;
  if (!dv_png_read (argv[1], &img, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree float *input = NULL;
  dv_ae_image_to_views (&img, DV_AE_LAYOUT_SINGLE, S, &input);
  dv_image_clear (&img);

  /* images[k]: the input first, then the generated views in view order. */
  const int K = augmented ? DV_VIEW_COUNT : 1;
  g_autofree float *images = g_new (float, (size_t) K * 3 * P);
  memcpy (images, input, sizeof (float) * 3 * P);
  int view_of[DV_VIEW_COUNT] = { given };
  if (augmented)
    {
      g_autoptr (DvScoreModel) model = dv_cli_load_score_model (model_path, &error);
      g_autoptr (DvAutoencoder) ae = model ? dv_cli_load_autoencoder (ae_path, &error) : NULL;
      if (!model || !ae)
        return dv_cli_fail ("%s", error->message);
      const int L = ae->config.latent_dim;
      if (ae->config.image_size != S || model->net->config.n_views != DV_VIEW_COUNT ||
          model->net->config.latent_dim != L)
        return dv_cli_fail ("the classifier takes %d×%d views; the autoencoder %d×%d with %d latents, the score "
                            "model %d views of %d", S, S, ae->config.image_size, ae->config.image_size, L,
                            model->net->config.n_views, model->net->config.latent_dim);
      DvMaskedSamplerConfig sampler;
      if (!dv_cli_votes_sampler_init (&sampler, gen_steps, seed, precision, &error))
        return dv_cli_fail ("%s", error->message);
      DvAutoencoderBuffers enc, dec;
      dv_autoencoder_buffers_init (&enc, ae, 1);
      dv_autoencoder_buffers_init (&dec, ae, 1);
      g_autofree float *given_z = g_new0 (float, (size_t) DV_VIEW_COUNT * L);
      g_autofree float *out = g_new (float, (size_t) DV_VIEW_COUNT * L);
      dv_autoencoder_encode (ae, ae->params.data, &enc, given_z + (size_t) given * L, input);
      gboolean ok = dv_score_model_generate (model, &sampler, given_z, 1u << given, 1, NULL, NULL, out, NULL, &error);
      for (int v = 0, k = 1; ok && v < DV_VIEW_COUNT; v++)
        if (v != given)
          {
            dv_autoencoder_decode (ae, ae->params.data, &dec, images + (size_t) k * 3 * P, out + (size_t) v * L);
            /* As the cached views are: bytes in [0, 1]. */
            for (size_t i = 0; i < 3 * P; i++)
              {
                float *x = images + (size_t) k * 3 * P + i;
                *x = (float) (int) (CLAMP (*x, 0.0f, 1.0f) * 255.0f + 0.5f) / 255.0f;
              }
            view_of[k++] = v;
          }
      dv_autoencoder_buffers_clear (&enc);
      dv_autoencoder_buffers_clear (&dec);
      if (!ok)
        return dv_cli_fail ("%s", error->message);
    }
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (net, K);
  g_autofree float *probs = g_new (float, (size_t) K * C), *mean = g_new (float, C);
  dv_votes_predict (net, buf, images, K, probs);
  const int vote = dv_vote_mean (mean, probs, K, C);
  const char *name = C == DV_N_OBJECT_CLASSES ? dv_object_class_name (vote) : NULL;
  if (name)
    printf ("%s\n", name);
  else
    printf ("class %d\n", vote);

  /* Classes by the mean probability, largest first. */
  g_autofree int *order = g_new (int, C);
  for (int c = 0; c < C; c++)
    order[c] = c;
  for (int i = 1; i < C; i++)
    for (int j = i; j > 0 && mean[order[j]] > mean[order[j - 1]]; j--)
      {
        const int t = order[j];
        order[j] = order[j - 1], order[j - 1] = t;
      }
  printf ("%-12s", "class");
  for (int k = 0; k < K; k++)
    {
      g_autofree char *head = g_strdup_printf ("%s:%s", k == 0 ? "real" : "generated", dv_view_name (view_of[k]));
      printf (" %15s", head);
    }
  if (K > 1)
    printf (" %8s", "mean");
  printf ("\n");
  for (int i = 0; i < C; i++)
    {
      const int c = order[i];
      if (C == DV_N_OBJECT_CLASSES)
        printf ("%-12s", dv_object_class_name (c));
      else
        printf ("%-12d", c);
      for (int k = 0; k < K; k++)
        printf (" %15.4f", probs[(size_t) k * C + c]);
      if (K > 1)
        printf (" %8.4f", mean[c]);
      printf ("\n");
    }
  printf ("%s, Ω_%s, %s\n", dv_classifier_arch_name (cfg->arch), trained_on,
          augmented ? "mean vote of the image and the 3 views generated from it" : "the image alone");
  return 0;
}
