/* dimvida votes table: DiMViDA's Table II on our data — architecture × {Ω_s, Ω_m} × {e, ea} — from trained
 * classifiers (the shipped four by default; several seeds of a cell are averaged). */
#include "commands.h"
#include "core/data_file.h"
#include "votes/evaluate.h"
#include "votes/predictions.h"
#include "views/objects/registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *
dv_cli_classifier_path (const char *path, DvClassifierArch arch, DvVotesSet set, GError **error)
{
  if (path)
    return g_strdup (path);
  g_autofree char *name = g_strdup_printf ("weights/votes/%s-%s.safetensors", dv_classifier_arch_name (arch),
                                           dv_votes_set_name (set));
  char *found = dv_find_data_file (name, error);
  if (!found)
    g_prefix_error (error, "No classifier given and none shipped for %s, Ω_%s: ", dv_classifier_arch_name (arch),
                    dv_votes_set_name (set));
  return found;
}

DvClassifier *
dv_cli_load_classifier (const char *path, DvClassifierArch arch, DvVotesSet set, GHashTable **metadata,
                        GError **error)
{
  g_autofree char *file = dv_cli_classifier_path (path, arch, set, error);
  return file ? dv_classifier_load (file, metadata, error) : NULL;
}

typedef struct {
  double sum[2], sum2[2];
  int n;
} Cell;

static void
print_cell (const Cell *c, int k)
{
  if (c->n == 0)
    {
      printf (" – |");
      return;
    }
  const double mean = c->sum[k] / c->n;
  if (c->n == 1)
    printf (" %.1f |", 100 * mean);
  else
    {
      const double var = MAX (c->sum2[k] / c->n - mean * mean, 0.0) * c->n / (c->n - 1);
      printf (" %.1f ± %.1f |", 100 * mean, 100 * sqrt (var));
    }
}

/* One classifier's predictions, named by its file's base name and SHA-256. */
static gboolean
add_predictions (DvVotesPredictions *predictions, const DvVotesEvaluation *ev, const char *path, const char *seed,
                 DvClassifierArch arch, DvVotesSet set, GError **error)
{
  if (ev->n_classes != predictions->n_classes || !ev->predicted_ea)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "%s has %d classes, not %d: no predictions file for it", path,
                   ev->n_classes, predictions->n_classes);
      return FALSE;
    }
  g_autofree char *sha = dv_votes_file_sha256 (path, error);
  if (!sha)
    return FALSE;
  g_autofree char *base = g_path_get_basename (path);
  dv_votes_predictions_add (predictions, base, sha, arch, set, seed, ev);
  return TRUE;
}

int
dv_cmd_votes_table (int argc, char **argv)
{
  g_autofree char *command = dv_cli_command_line ("dimvida votes", argc, argv);
  char *data = NULL, *model_path = NULL, *ae_path = NULL, *cache = NULL, *confusion = NULL, *predictions_path = NULL;
  int threads = 2, gen_steps = 0;
  g_autofree char *precision = NULL;
  gint64 gen_seed = 0;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory with e.dvmv", "DIR" },
    { "confusion", 0, 0, G_OPTION_ARG_STRING, &confusion, "Also print each classifier's confusion matrix", "e|ea" },
    { "predictions", 0, 0, G_OPTION_ARG_FILENAME, &predictions_path,
      "Write each classifier's predictions on every object of e and ea there (JSON; the Votes page's confusion "
      "matrix)", "FILE" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache, "Generated views' cache directory (votes-generated)", "DIR" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "Score model generating the views (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder (the shipped one)", "FILE" },
    { "gen-steps", 0, 0, G_OPTION_ARG_INT, &gen_steps, "Euler–Maruyama steps of the generated views (250)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, "Precision of the score network while generating: bf16 (where the CPU runs it) or f32", "bf16|f32" },
    { "gen-seed", 0, 0, G_OPTION_ARG_INT64, &gen_seed, "Sampler seed of the generated views (0)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx =
      g_option_context_new ("[CLASSIFIER.safetensors…] - Table II: accuracy on splits e and ea");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *model_owned = model_path, *ae_owned = ae_path, *cache_owned = cache;
  g_autofree char *confusion_owned = confusion, *predictions_owned = predictions_path;
  if (!data)
    return dv_cli_fail ("votes table needs --data DIR (with e.dvmv, from `dimvida views dataset`)");
  if (confusion && strcmp (confusion, "e") && strcmp (confusion, "ea"))
    return dv_cli_fail ("--confusion is e or ea, not '%s'", confusion);
  if (threads < 1 || gen_seed < 0 || gen_steps < 0)
    return dv_cli_fail ("--threads, --gen-steps and --gen-seed must be positive");
  dv_cli_votes_set_threads (threads);

  /* The classifiers: those named, else the shipped four. */
  GPtrArray *nets = g_ptr_array_new_with_free_func ((GDestroyNotify) dv_classifier_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) sets = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) seeds = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc || (argc == 1 && i <= 2 * DV_N_CLASSIFIER_ARCHS); i++)
    {
      GHashTable *meta = NULL;
      const DvClassifierArch arch = (DvClassifierArch) ((i - 1) / 2);
      const DvVotesSet set = (DvVotesSet) ((i - 1) % 2);
      char *file = dv_cli_classifier_path (argc > 1 ? argv[i] : NULL, arch, set, &error);
      DvClassifier *net = file ? dv_classifier_load (file, &meta, &error) : NULL;
      if (file)
        g_ptr_array_add (paths, file);
      if (!net)
        {
          g_ptr_array_unref (nets);
          return dv_cli_fail ("%s", error->message);
        }
      DvVotesSet which;
      const char *set_name = meta ? g_hash_table_lookup (meta, "set") : NULL;
      if (!set_name || !dv_votes_set_from_name (set_name, &which, NULL))
        {
          g_clear_pointer (&meta, g_hash_table_unref);
          dv_classifier_free (net);
          g_ptr_array_unref (nets);
          return dv_cli_fail ("%s does not say which set it was trained on (metadata “set”: s or m); train it with "
                              "`dimvida votes train`", argc > 1 ? argv[i] : "the shipped classifier");
        }
      const char *seed = g_hash_table_lookup (meta, "seed");
      g_ptr_array_add (nets, net);
      g_ptr_array_add (names, g_strdup_printf ("%s Ω_%s seed %s", dv_classifier_arch_name (
                                                   dv_classifier_get_config (net)->arch), set_name, seed ? seed : "?"));
      g_array_append_val (sets, which);
      g_ptr_array_add (seeds, g_strdup (seed));
      g_hash_table_unref (meta);
    }
  g_autoptr (DvScoreModel) model = dv_cli_load_score_model (model_path, &error);
  g_autoptr (DvAutoencoder) ae = model ? dv_cli_load_autoencoder (ae_path, &error) : NULL;
  DvMultiviewSet e;
  if (!model || !ae || !dv_cli_load_split (data, DV_SPLIT_E, ae, &e, &error))
    {
      g_ptr_array_unref (nets);
      return dv_cli_fail ("%s", error->message);
    }
  DvMaskedSamplerConfig sampler;
  if (!dv_cli_votes_sampler_init (&sampler, gen_steps, gen_seed, precision, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree guint8 *views4 =
      dv_cli_votes_generated_views (model, ae, &e, &sampler, cache ? cache : "votes-generated", &error);
  if (!views4)
    {
      dv_multiview_set_clear (&e);
      g_ptr_array_unref (nets);
      return dv_cli_fail ("%s", error->message);
    }
  Cell cells[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS] = { 0 };
  const char *class_names[DV_N_OBJECT_CLASSES];
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    class_names[c] = dv_object_class_name (c);
  DvVotesPredictions predictions;
  if (predictions_path)
    {
      dv_votes_predictions_init (&predictions, &e, class_names, DV_N_OBJECT_CLASSES);
      predictions.command = g_strdup (command);
      /* The files that generated ea's views, by their bytes (what the Votes page can check). */
      g_autofree char *score_file = model_path ? g_strdup (model_path)
                                               : dv_find_data_file ("weights/views/score.safetensors", NULL);
      g_autofree char *ae_file = ae_path ? g_strdup (ae_path)
                                         : dv_find_data_file ("weights/views/autoencoder.safetensors", NULL);
      predictions.score_model_sha256 = score_file ? dv_votes_file_sha256 (score_file, NULL) : NULL;
      predictions.autoencoder_sha256 = ae_file ? dv_votes_file_sha256 (ae_file, NULL) : NULL;
    }
  printf ("\n| classifier | e | ea |\n| --- | ---: | ---: |\n");
  for (guint i = 0; i < nets->len; i++)
    {
      DvClassifier *net = nets->pdata[i];
      DvVotesEvaluation ev;
      if (!dv_votes_evaluate (net, &e, views4, 0, &ev, NULL, NULL, NULL, &error)
          || (predictions_path && !add_predictions (&predictions, &ev, paths->pdata[i], seeds->pdata[i],
                                                    dv_classifier_get_config (net)->arch,
                                                    g_array_index (sets, int, i), &error)))
        {
          if (predictions_path)
            dv_votes_predictions_clear (&predictions);
          dv_multiview_set_clear (&e);
          g_ptr_array_unref (nets);
          return dv_cli_fail ("%s", error->message);
        }
      const double acc[2] = { dv_vote_confusion_accuracy (&ev.e), dv_vote_confusion_accuracy (&ev.ea) };
      printf ("| %s | %.2f | %.2f |\n", (const char *) names->pdata[i], 100 * acc[0], 100 * acc[1]);
      Cell *cell = &cells[dv_classifier_get_config (net)->arch][g_array_index (sets, int, i)];
      for (int k = 0; k < 2; k++)
        cell->sum[k] += acc[k], cell->sum2[k] += acc[k] * acc[k];
      cell->n++;
      if (confusion && ev.n_classes == DV_N_OBJECT_CLASSES)
        {
          g_autofree char *text = dv_vote_confusion_to_text (strcmp (confusion, "e") ? &ev.ea : &ev.e, class_names);
          printf ("\nConfusion matrix of %s on split %s:\n%s\n", (const char *) names->pdata[i], confusion, text);
        }
      dv_votes_evaluation_clear (&ev);
    }
  printf ("\nTable II on split e (%u objects, one real view each) and ea (that view and the 3 generated from it,"
          " the class of the mean of the 4 softmaxes); accuracy %%, mean ± sample standard deviation over the seeds"
          " given\n\n", e.n_objects);
  printf ("| architecture | Ω_s: e | Ω_s: ea | Ω_m: e | Ω_m: ea | seeds (Ω_s, Ω_m) |\n"
          "| --- | ---: | ---: | ---: | ---: | --- |\n");
  static const char *const paper[DV_N_CLASSIFIER_ARCHS] = { "83.9 | 87.2 | 85.2 | 88.0", "71.0 | 79.7 | 78.0 | 85.5" };
  static const char *const display[DV_N_CLASSIFIER_ARCHS] = { "ResNet-18", "MobileNetV3-Small" };
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    {
      if (cells[a][0].n + cells[a][1].n == 0)
        continue;
      printf ("| %s (ours) |", display[a]);
      for (int s = 0; s < DV_N_VOTES_SETS; s++)
        for (int k = 0; k < 2; k++)
          print_cell (&cells[a][s], k);
      printf (" %d, %d |\n| %s (paper) | %s | – |\n", cells[a][0].n, cells[a][1].n, display[a], paper[a]);
    }
  dv_multiview_set_clear (&e);
  g_ptr_array_unref (nets);
  if (predictions_path)
    {
      gboolean saved = dv_votes_predictions_save (&predictions, predictions_path, &error);
      if (saved)
        printf ("\nWrote the predictions of %u classifier%s on the %u objects of e and ea to %s\n",
                predictions.classifiers->len, predictions.classifiers->len == 1 ? "" : "s", predictions.n_objects,
                predictions_path);
      dv_votes_predictions_clear (&predictions);
      if (!saved)
        return dv_cli_fail ("%s", error->message);
    }
  return 0;
}
