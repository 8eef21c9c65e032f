/* dimvida votes train: a classifier on split c (Ω_s) or ca (Ω_m), then its accuracies on e and ea. */
#include "commands.h"
#include "core/blas.h"
#include "io/safetensors.h"
#include "votes/classifier_train.h"
#include "votes/evaluate.h"
#include "votes/generated_views.h"
#include "views/latents.h"

#include <stdio.h>
#include <string.h>

char *
dv_cli_command_line (const char *prefix, int argc, char **argv)
{
  GString *s = g_string_new (prefix);
  for (int i = 0; i < argc; i++)
    {
      /* Quoted only where a shell needs it. */
      gboolean plain = argv[i][0] != '\0';
      for (const char *c = argv[i]; *c && plain; c++)
        plain = g_ascii_isalnum (*c) || strchr ("_./=,:+-", *c) != NULL;
      g_autofree char *q = plain ? g_strdup (argv[i]) : g_shell_quote (argv[i]);
      g_string_append_printf (s, " %s", q);
    }
  return g_string_free (s, FALSE);
}

static void
print_progress (const DvClassifierTrainProgress *p, gpointer user_data)
{
  gint64 *last = user_data;
  const gint64 now = g_get_monotonic_time ();
  if (p->step != p->total && p->step > 1 && now - *last < 10 * G_USEC_PER_SEC)
    return;
  *last = now;
  printf ("step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f (avg %.4f)  train acc %.3f  lr %.2e  %.3f s/step"
          "  %.1f min\n", p->step, p->total, p->loss, p->loss_avg, p->accuracy_avg, p->lr, p->step_seconds,
          p->seconds / 60.0);
  fflush (stdout);
}

int
dv_cmd_votes_train (int argc, char **argv)
{
  g_autofree char *command = dv_cli_command_line ("dimvida votes", argc, argv);
  char *data = NULL, *out = NULL, *arch_name = NULL, *set_name = NULL, *resume = NULL, *cache = NULL;
  char *model_path = NULL, *ae_path = NULL, *init_path = NULL;
  g_autofree char *precision = NULL;
  gint64 steps = 0, seed = 1, gen_seed = 0;
  double minutes = 0, lr = 0, width = 0;
  int threads = 2, batch = 0, warmup = -1, shift = -1, gen_steps = 0, checkpoint_seconds = 180, bn_batches = -1;
  gboolean no_flip = FALSE, no_eval = FALSE;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory with c.dvmv and e.dvmv", "DIR" },
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch_name, "resnet18 or mobilenet", "ARCH" },
    { "set", 0, 0, G_OPTION_ARG_STRING, &set_name, "s (Ω_s: split c) or m (Ω_m: split ca)", "s|m" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory (votes-run)", "RUN" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &resume, "Continue from this checkpoint (its settings win)", "FILE" },
    { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes, "Stop after this wall-clock time, with a checkpoint", "M" },
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "Schedule length in steps (3000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size (128)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Peak learning rate (2e-3)", "LR" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Warm-up steps (100)", "N" },
    { "width", 'w', 0, G_OPTION_ARG_DOUBLE, &width, "Width multiplier (the architecture's default)", "X" },
    { "shift", 0, 0, G_OPTION_ARG_INT, &shift, "Augmentation: random shifts up to ± this many pixels (4; 0 off)", "PX" },
    { "no-flip", 0, 0, G_OPTION_ARG_NONE, &no_flip, "Augmentation: no random mirroring", NULL },
    { "bn-batches", 0, 0, G_OPTION_ARG_INT, &bn_batches,
      "Batches recomputing BatchNorm's statistics for the saved classifier (16; 0 none)", "N" },
    { "checkpoint-seconds", 0, 0, G_OPTION_ARG_INT, &checkpoint_seconds, "Seconds between checkpoints (180)", "S" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache, "Generated views' cache directory (votes-generated)", "DIR" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path, "Score model generating the views (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder (the shipped one)", "FILE" },
    { "gen-steps", 0, 0, G_OPTION_ARG_INT, &gen_steps, "Euler–Maruyama steps of the generated views (250)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, "Precision of the score network while generating: bf16 (where the CPU runs it) or f32", "bf16|f32" },
    { "gen-seed", 0, 0, G_OPTION_ARG_INT64, &gen_seed, "Sampler seed of the generated views (0)", "S" },
    { "init", 0, 0, G_OPTION_ARG_FILENAME, &init_path,
      "Start from this classifier's weights (fine-tuning; its architecture and width)", "FILE" },
    { "no-eval", 0, 0, G_OPTION_ARG_NONE, &no_eval, "Do not evaluate on e and ea at the end", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train a view classifier (Ω_s or Ω_m)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *out_owned = out, *arch_owned = arch_name, *set_owned = set_name;
  g_autofree char *resume_owned = resume, *cache_owned = cache, *model_owned = model_path, *ae_owned = ae_path;
  g_autofree char *init_owned = init_path;
  if (argc > 1)
    return dv_cli_fail ("votes train: unexpected argument '%s'", argv[1]);
  if (!data)
    return dv_cli_fail ("votes train needs --data DIR (with c.dvmv and e.dvmv, from `dimvida views dataset`)");
  if (!arch_name || !set_name)
    return dv_cli_fail ("votes train needs --arch resnet18|mobilenet and --set s|m");
  DvClassifierArch arch;
  DvVotesSet which;
  if (!dv_classifier_arch_from_name (arch_name, &arch, &error) || !dv_votes_set_from_name (set_name, &which, &error))
    return dv_cli_fail ("%s", error->message);
  if (seed < 0 || gen_seed < 0 || steps < 0 || threads < 1 || minutes < 0)
    return dv_cli_fail ("--seed, --gen-seed, --steps, --threads and --minutes must be positive");
  DvClassifierTrainConfig config;
  dv_classifier_train_config_init (&config, arch);
  if (steps > 0)
    config.steps = steps;
  config.seed = (guint64) seed;
  config.minutes = minutes;
  config.checkpoint_seconds = checkpoint_seconds;
  if (batch > 0)
    config.batch = batch;
  if (lr > 0)
    config.lr = (float) lr;
  if (warmup >= 0)
    config.warmup_steps = warmup;
  if (width > 0)
    config.model.width = width;
  if (shift >= 0)
    config.augment.shift = shift;
  config.augment.flip = !no_flip;
  g_autoptr (DvClassifier) init = NULL;
  if (init_path)
    {
      if (!(init = dv_classifier_load (init_path, NULL, &error)))
        return dv_cli_fail ("%s", error->message);
      const DvClassifierArch init_arch = dv_classifier_get_config (init)->arch;
      if (init_arch != arch)
        return dv_cli_fail ("%s is a %s, not a %s", init_path, dv_classifier_arch_name (init_arch),
                            dv_classifier_arch_name (arch));
      config.model = *dv_classifier_get_config (init);
      config.init = init;
    }
  if (bn_batches >= 0)
    config.bn_batches = bn_batches;
  if (!dv_classifier_train_config_check (&config, &error))
    return dv_cli_fail ("%s", error->message);
  dv_cli_votes_set_threads (threads);

  /* Generated views are needed for Ω_m's training set and for split ea. */
  const gboolean need_generated = which == DV_VOTES_SET_M || !no_eval;
  g_autoptr (DvScoreModel) model = need_generated ? dv_cli_load_score_model (model_path, &error) : NULL;
  g_autoptr (DvAutoencoder) ae = need_generated && model ? dv_cli_load_autoencoder (ae_path, &error) : NULL;
  if (need_generated && (!model || !ae))
    return dv_cli_fail ("%s", error->message);
  DvMaskedSamplerConfig sampler;
  if (!dv_cli_votes_sampler_init (&sampler, gen_steps, gen_seed, precision, &error))
    return dv_cli_fail ("%s", error->message);
  const char *cache_dir = cache ? cache : "votes-generated";

  DvMultiviewSet c;
  g_autofree char *c_path = g_build_filename (data, "c.dvmv", NULL);
  if (!dv_multiview_set_load (c_path, &c, &error))
    return dv_cli_fail ("%s", error->message);
  DvVotesDataset train;
  gboolean ok;
  if (which == DV_VOTES_SET_M)
    {
      g_autofree guint8 *views4 = dv_cli_votes_generated_views (model, ae, &c, &sampler, cache_dir, &error);
      ok = views4 && dv_votes_dataset_init_augmented (&train, &c, views4, &error);
    }
  else
    ok = dv_votes_dataset_init_real (&train, &c, &error);
  const guint n_objects = c.n_objects;
  const guint64 data_seed = c.seed;
  dv_multiview_set_clear (&c);
  if (!ok)
    return dv_cli_fail ("%s", error->message);

  const char *dir = out ? out : "votes-run";
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_autoptr (GHashTable) extra = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (extra, "command", g_strdup (command));
  g_hash_table_insert (extra, "set", g_strdup (dv_votes_set_name (which)));
  g_hash_table_insert (extra, "seed", g_strdup_printf ("%" G_GINT64_FORMAT, seed));
  g_hash_table_insert (extra, "threads", g_strdup_printf ("%d", threads));
  g_hash_table_insert (extra, "blas_core", g_strdup (dv_blas_core_name ()));
  g_hash_table_insert (extra, "started_utc", g_strdup (started));
  g_hash_table_insert (extra, "dataset_seed", g_strdup_printf ("%" G_GUINT64_FORMAT, data_seed));
  g_hash_table_insert (extra, "train_images", g_strdup_printf ("%u", train.n));
  if (resume)
    g_hash_table_insert (extra, "resumed_from", g_strdup (resume));
  if (init_path)
    g_hash_table_insert (extra, "init", g_strdup (init_path));
  if (which == DV_VOTES_SET_M)
    {
      g_hash_table_insert (extra, "score_model_sha256", dv_generated_views_score_model_id (model));
      g_hash_table_insert (extra, "autoencoder_sha256", dv_view_latents_autoencoder_id (ae));
    }
  {
    g_autoptr (DvClassifier) probe = dv_classifier_new (&config.model);
    /* On resume the checkpoint's settings win; those printed are the command's. */
    printf ("%s %s (width %.3g, %zu parameters) on split %s: %u images of %u objects of %s (seed %" G_GINT64_FORMAT
            ", batch %d, lr %.2g, %" G_GINT64_FORMAT " steps, %d threads, BLAS core %s)\n",
            resume ? "Resuming" : "Training", dv_classifier_arch_name (arch), config.model.width,
            dv_classifier_params (probe)->count, which == DV_VOTES_SET_M ? "ca" : "c", train.n, n_objects, data,
            seed, config.batch, config.lr, config.steps, threads, dv_blas_core_name ());
    fflush (stdout);
  }
  gint64 last = 0, start = g_get_monotonic_time ();
  ok = dv_classifier_train (&config, &train, dir, resume, extra, print_progress, &last, NULL, &error);
  dv_votes_dataset_clear (&train);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  const double train_minutes = (g_get_monotonic_time () - start) / 6e7;
  g_autofree char *path = g_build_filename (dir, "classifier.safetensors", NULL);
  g_autofree char *ckpt = g_build_filename (dir, "checkpoint.safetensors", NULL);
  const gint64 step = dv_classifier_train_checkpoint_step (ckpt, NULL);
  printf ("Trained to step %" G_GINT64_FORMAT " in %.1f min: %s\n", step, train_minutes, path);
  fflush (stdout);
  g_hash_table_insert (extra, "train_minutes", g_strdup_printf ("%.2f", train_minutes));
  g_hash_table_insert (extra, "step", g_strdup_printf ("%" G_GINT64_FORMAT, step));
  g_autoptr (DvClassifier) classifier = dv_classifier_load (path, NULL, &error);
  if (!classifier)
    return dv_cli_fail ("%s", error->message);
  if (!no_eval)
    {
      DvMultiviewSet e;
      if (!dv_cli_load_split (data, DV_SPLIT_E, ae, &e, &error))
        return dv_cli_fail ("%s", error->message);
      g_autofree guint8 *views4 = dv_cli_votes_generated_views (model, ae, &e, &sampler, cache_dir, &error);
      DvVotesEvaluation ev;
      ok = views4 && dv_votes_evaluate (classifier, &e, views4, 0, &ev, NULL, NULL, NULL, &error);
      dv_multiview_set_clear (&e);
      if (!ok)
        return dv_cli_fail ("%s", error->message);
      const double acc_e = dv_vote_confusion_accuracy (&ev.e), acc_ea = dv_vote_confusion_accuracy (&ev.ea);
      g_hash_table_insert (extra, "accuracy_e", g_strdup_printf ("%.4f", acc_e));
      g_hash_table_insert (extra, "accuracy_ea", g_strdup_printf ("%.4f", acc_ea));
      printf ("Accuracy on %u objects: split e (real view) %.2f %%, split ea (mean vote of 4 views) %.2f %%\n",
              ev.n_objects, 100 * acc_e, 100 * acc_ea);
      dv_votes_evaluation_clear (&ev);
    }
  /* The record of the run joins the classifier file. */
  if (!dv_classifier_save (classifier, path, extra, &error))
    return dv_cli_fail ("%s", error->message);
  return 0;
}
