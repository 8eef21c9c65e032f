/* `dimvida toy`: train the 2D diffusion (+ GAN) Playground models headlessly,
 * run the seed's four-dataset table, score samples by kNN KL, and time it all. */
#include "core/blas.h"
#include "commands.h"
#include "metrics/knn_kl.h"
#include "scatter_png.h"
#include "toy/data.h"
#include "toy/loss_history.h"
#include "toy/sampler_config.h"
#include "toy/train.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_EVAL_SAMPLES 10000

/* Options shared by train, table and bench. */
typedef struct {
  char *schedule;
  char *fake;
  char *sampler;
  gint64 steps;
  gint64 seed;
  int T;
  int emb_dim, hidden, blocks, batch;
  double lr, lambda_adv, lambda_gp, d_lr;
  int d_layers;
  gboolean gan;
  int threads;
  int points;
  int sample_steps;
} ToyOptions;

static void
toy_options_init (ToyOptions *o)
{
  DvToyTrainConfig d;
  dv_toy_train_config_init (&d);
  memset (o, 0, sizeof *o);
  o->steps = d.steps;
  o->seed = (gint64) d.seed;
  o->T = d.T;
  o->emb_dim = d.emb_dim;
  o->hidden = d.hidden;
  o->blocks = d.blocks;
  o->batch = d.batch_size;
  o->lr = d.lr;
  o->lambda_adv = d.lambda_adv;
  o->lambda_gp = d.lambda_gp;
  o->d_lr = d.d_lr;
  o->d_layers = d.d_layers;
  o->points = DV_TOY_DEFAULT_POINTS;
}

static void
toy_options_clear (ToyOptions *o)
{
  g_free (o->schedule);
  g_free (o->fake);
  g_free (o->sampler);
}

static GOptionEntry *
model_entries (ToyOptions *o)
{
  GOptionEntry entries[] = {
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &o->schedule, "Noise schedule: linear (default), quadratic, cosine, sigmoid", "S" },
    { "steps", 0, 0, G_OPTION_ARG_INT64, &o->steps, "Training steps (default 10000)", "N" },
    { "timesteps", 'T', 0, G_OPTION_ARG_INT, &o->T, "Diffusion timesteps, 10..1000 (default 100)", "T" },
    { "gan", 0, 0, G_OPTION_ARG_NONE, &o->gan, "Train against a discriminator with gradient penalty", NULL },
    { "fake", 0, 0, G_OPTION_ARG_STRING, &o->fake, "The discriminator's fake: x0 (the denoiser's estimate, default) or noisy (x_t, the published code)", "KIND" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, "Random seed (default 42)", "N" },
    { "emb", 0, 0, G_OPTION_ARG_INT, &o->emb_dim, "Embedding size (default 128)", "N" },
    { "hidden", 0, 0, G_OPTION_ARG_INT, &o->hidden, "Hidden size (default 256)", "N" },
    { "blocks", 0, 0, G_OPTION_ARG_INT, &o->blocks, "Residual blocks (default 3)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &o->batch, "Batch size (default 256)", "N" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o->lr, "Learning rate (default 3e-4)", "LR" },
    { "lambda-adv", 0, 0, G_OPTION_ARG_DOUBLE, &o->lambda_adv, "Weight of the adversarial term (default 1)", "X" },
    { "lambda-gp", 0, 0, G_OPTION_ARG_DOUBLE, &o->lambda_gp, "Weight of the gradient penalty (default 10)", "X" },
    { "d-lr", 0, 0, G_OPTION_ARG_DOUBLE, &o->d_lr, "Discriminator learning rate (default 1.5e-4)", "LR" },
    { "disc-layers", 0, 0, G_OPTION_ARG_INT, &o->d_layers, "Discriminator layers (default 6)", "N" },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &o->sampler, "Sampler for the evaluation: ddpm (default) or ddim", "KIND" },
    { "sample-steps", 0, 0, G_OPTION_ARG_INT, &o->sample_steps, "DDIM steps (default T)", "N" },
    { "points", 0, 0, G_OPTION_ARG_INT, &o->points, "Points per generated dataset (default 100000)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, "OpenBLAS threads (default: OpenBLAS's choice)", "N" },
    { NULL },
  };
  return g_memdup2 (entries, sizeof entries);
}

/* The steps the sampler takes with T timesteps: --sample-steps for DDIM
 * (0: all T), always T for DDPM; final_info.json records this count. */
static gboolean
resolve_sampler_steps (const ToyOptions *o, DvToySamplerConfig *sampler, int T, GError **error)
{
  sampler->steps = sampler->kind == DV_SAMPLER_DDIM && o->sample_steps > 0 ? o->sample_steps : T;
  return dv_toy_sampler_config_check (sampler, T, error);
}

static gboolean
toy_options_to_config (const ToyOptions *o, DvToyTrainConfig *cfg, DvToySamplerConfig *sampler, GError **error)
{
  dv_toy_train_config_init (cfg);
  if (o->schedule != NULL && !dv_schedule_kind_from_string (o->schedule, &cfg->schedule, error))
    return FALSE;
  if (o->fake != NULL && !dv_toy_fake_from_string (o->fake, &cfg->fake, error))
    return FALSE;
  cfg->steps = o->steps;
  cfg->seed = (guint64) o->seed;
  cfg->T = o->T;
  cfg->emb_dim = o->emb_dim;
  cfg->hidden = o->hidden;
  cfg->blocks = o->blocks;
  cfg->batch_size = o->batch;
  cfg->lr = (float) o->lr;
  cfg->gan = o->gan;
  cfg->lambda_adv = (float) o->lambda_adv;
  cfg->lambda_gp = (float) o->lambda_gp;
  cfg->d_lr = (float) o->d_lr;
  cfg->d_layers = o->d_layers;
  if (sampler != NULL)
    {
      dv_toy_sampler_config_init (sampler);
      if (o->sampler != NULL && !dv_sampler_kind_from_string (o->sampler, &sampler->kind, error))
        return FALSE;
      sampler->seed = cfg->seed;
    }
  if (o->threads > 0)
    dv_blas_set_threads (o->threads);
  return dv_toy_train_config_check (cfg, error)
         && (sampler == NULL || resolve_sampler_steps (o, sampler, cfg->T, error));
}

static gboolean
parse_options (const char *usage, const char *summary, ToyOptions *o, GOptionEntry *extra, int *argc, char ***argv,
               GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (usage);
  g_option_context_set_summary (ctx, summary);
  g_autofree GOptionEntry *entries = o != NULL ? model_entries (o) : NULL;
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, NULL);
  if (extra != NULL)
    g_option_context_add_main_entries (ctx, extra, NULL);
  return g_option_context_parse (ctx, argc, argv, error);
}

/* ---- what one run produces ---- */

typedef struct {
  double training_time, eval_loss, inference_time, kl_divergence;
} ToyMetrics;

typedef struct {
  GArray *losses;        /* DvToyLossRecord for losses.csv.gz, NULL when not kept */
  gint64 print_every;    /* 0: quiet */
  gint64 start_us;
  const char *label;
} TrainProgress;

static void
on_step (const DvToyStepInfo *info, gpointer user_data)
{
  TrainProgress *p = user_data;
  if (p->losses != NULL)
    dv_toy_loss_history_append (p->losses, info);
  if (p->print_every > 0 && (info->step % p->print_every == 0 || info->step == info->total))
    {
      double elapsed = (g_get_monotonic_time () - p->start_us) / 1e6;
      if (info->d_loss != 0.0f)
        fprintf (stderr, "%s step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f  mse %.4f  adv %.4f  D %.4f  gp %.4f  lr %.2e  %.1f s\n",
                 p->label, info->step, info->total, info->loss, info->mse, info->adv, info->d_loss, info->gp, info->lr,
                 elapsed);
      else
        fprintf (stderr, "%s step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f  lr %.2e  %.1f s\n", p->label,
                 info->step, info->total, info->loss, info->lr, elapsed);
    }
}

static void
fill_noise (float *x, size_t n, guint64 seed)
{
  DvRng rng;
  dv_rng_init_stream (&rng, seed, 0x5a3b1e);
  dv_rng_fill_normal (&rng, x, 2 * n);
}

/* Steps between looks at the checkpoint clock. */
#define CHECKPOINT_CHUNK 50

/* Train (or finish training) and evaluate as the seed does. samples_out gets
 * N_EVAL_SAMPLES points (caller frees). With a checkpoint path, the trainer is
 * saved there (atomically) every checkpoint_seconds of training, so that a
 * killed run resumes from it; chunks do not change the result. */
static gboolean
train_and_evaluate (DvToyTrainer *tr, const char *label, const DvToySamplerConfig *sampler, GArray *losses,
                    gint64 print_every, const char *checkpoint, double checkpoint_seconds, ToyMetrics *metrics,
                    float **samples_out, GError **error)
{
  TrainProgress progress = { losses, print_every, g_get_monotonic_time (), label };
  const gint64 t0 = g_get_monotonic_time ();
  gint64 last_save = t0;
  const gint64 total = dv_toy_trainer_get_config (tr)->steps;
  while (dv_toy_trainer_get_step (tr) < total)
    {
      if (!dv_toy_trainer_train (tr, checkpoint ? CHECKPOINT_CHUNK : G_MAXINT64, on_step, &progress, NULL, error))
        return FALSE;
      const gint64 now = g_get_monotonic_time ();
      if (checkpoint != NULL && dv_toy_trainer_get_step (tr) < total && (now - last_save) / 1e6 >= checkpoint_seconds)
        {
          if (!dv_toy_trainer_save (tr, checkpoint, error))
            return FALSE;
          last_save = now;
        }
    }
  metrics->training_time = (g_get_monotonic_time () - t0) / 1e6;

  if (!dv_toy_trainer_eval_loss (tr, &metrics->eval_loss, NULL, NULL, NULL, error))
    return FALSE;

  float *samples = g_new (float, 2 * N_EVAL_SAMPLES);
  fill_noise (samples, N_EVAL_SAMPLES, dv_toy_trainer_get_config (tr)->seed);
  const gint64 t1 = g_get_monotonic_time ();
  if (!dv_toy_trainer_sample (tr, TRUE, sampler, samples, N_EVAL_SAMPLES, NULL, NULL, NULL, NULL, error))
    {
      g_free (samples);
      return FALSE;
    }
  metrics->inference_time = (g_get_monotonic_time () - t1) / 1e6;

  size_t n_real = 0;
  const float *real = dv_toy_trainer_get_data (tr, &n_real);
  metrics->kl_divergence = dv_knn_kl_2d (real, n_real, samples, N_EVAL_SAMPLES, error);
  if (isnan (metrics->kl_divergence))
    {
      g_free (samples);
      return FALSE;
    }
  *samples_out = samples;
  return TRUE;
}

static gboolean
load_points (const char *dataset, const char *csv, int points, guint64 seed, DvToyData *data, GError **error)
{
  if (csv != NULL)
    return dv_toy_data_load_csv (data, csv, error);
  return dv_toy_data_generate (data, dataset, (size_t) points, seed, error);
}

/* The seed's "means" object: {training_time, eval_loss, inference_time, kl_divergence}. */
static void
add_means (JsonBuilder *b, const ToyMetrics *m)
{
  json_builder_set_member_name (b, "means");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "training_time");
  json_builder_add_double_value (b, m->training_time);
  json_builder_set_member_name (b, "eval_loss");
  json_builder_add_double_value (b, m->eval_loss);
  json_builder_set_member_name (b, "inference_time");
  json_builder_add_double_value (b, m->inference_time);
  json_builder_set_member_name (b, "kl_divergence");
  json_builder_add_double_value (b, m->kl_divergence);
  json_builder_end_object (b);
}

static gboolean
write_final_info (const char *path, const char *dataset, const ToyMetrics *m, const DvToyTrainConfig *cfg,
                  const DvToySamplerConfig *sampler, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, dataset);
  json_builder_begin_object (b);
  add_means (b, m);
  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  dv_toy_train_config_to_json (cfg, b);
  dv_toy_sampler_config_to_json (sampler, b);
  json_builder_set_member_name (b, "eval_samples");
  json_builder_add_int_value (b, N_EVAL_SAMPLES);
  json_builder_set_member_name (b, "openblas_core");
  json_builder_add_string_value (b, dv_blas_core_name ());
  json_builder_set_member_name (b, "openblas_threads");
  json_builder_add_int_value (b, dv_blas_get_threads ());
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, TRUE);
  return g_file_set_contents (path, text, -1, error);
}

/* ---- toy train ---- */

typedef struct {
  char *dataset, *csv, *out, *resume;
  gint64 print_every;
  double checkpoint_seconds;
} TrainArgs;

static gboolean
run_train (const ToyOptions *o, TrainArgs *a, GError **error)
{
  if (a->out == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "--out DIR is required");
      return FALSE;
    }
  const char *dataset = a->dataset != NULL ? a->dataset : a->csv != NULL ? "csv" : "moons";
  DvToyTrainConfig cfg;
  DvToySamplerConfig sampler;
  if (!toy_options_to_config (o, &cfg, &sampler, error))
    return FALSE;
  if (g_mkdir_with_parents (a->out, 0755) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot create %s: %s", a->out, g_strerror (errno));
      return FALSE;
    }
  DvToyData data = { 0 };
  if (!load_points (dataset, a->csv, o->points, cfg.seed, &data, error))
    return FALSE;
  DvToyTrainer *tr = a->resume != NULL ? dv_toy_trainer_load (a->resume, data.xy, data.n, error)
                                       : dv_toy_trainer_new (&cfg, data.xy, data.n, error);
  if (tr == NULL)
    {
      dv_toy_data_clear (&data);
      return FALSE;
    }
  cfg = *dv_toy_trainer_get_config (tr);
  sampler.seed = cfg.seed;
  /* A resumed checkpoint brings its own T. */
  if (!resolve_sampler_steps (o, &sampler, cfg.T, error))
    {
      dv_toy_trainer_free (tr);
      dv_toy_data_clear (&data);
      return FALSE;
    }

  GArray *losses = dv_toy_loss_history_new ();
  char *label = g_strdup_printf ("%s%s", dataset, cfg.gan ? " (gan)" : "");
  ToyMetrics metrics;
  float *samples = NULL;
  /* Keep what was trained even when it stopped early (a NaN keeps the last good weights). */
  char *ckpt = g_build_filename (a->out, "model.safetensors", NULL);
  gboolean ok = train_and_evaluate (tr, label, &sampler, losses, a->print_every, ckpt, a->checkpoint_seconds,
                                    &metrics, &samples, error);
  char *losses_path = g_build_filename (a->out, "losses.csv.gz", NULL);
  ok = dv_toy_trainer_save (tr, ckpt, ok ? error : NULL) && ok;
  ok = dv_toy_loss_history_write ((const DvToyLossRecord *) losses->data, losses->len, losses_path, ok ? error : NULL)
       && ok;
  if (ok)
    {
      char *info = g_build_filename (a->out, "final_info.json", NULL);
      char *samples_csv = g_build_filename (a->out, "samples.csv", NULL);
      char *png = g_build_filename (a->out, "samples.png", NULL);
      char *title = g_strdup_printf ("%s: %s, %" G_GINT64_FORMAT " steps%s, KL %.3f bits", dataset,
                                     dv_schedule_kind_to_string (cfg.schedule), cfg.steps,
                                     cfg.gan ? (cfg.fake == DV_TOY_FAKE_X0 ? ", GAN (x̂₀)" : ", GAN (noisy)") : "",
                                     metrics.kl_divergence);
      DvScatterPngStyle style;
      dv_scatter_png_style_init (&style);
      style.title = title;
      ok = write_final_info (info, dataset, &metrics, &cfg, &sampler, error) &&
           dv_toy_points_save_csv (samples, N_EVAL_SAMPLES, samples_csv, error) &&
           dv_scatter_png_write (png, 800, 800, data.xy, data.n, samples, N_EVAL_SAMPLES, &style, error);
      if (ok)
        printf ("%s: training_time %.2f s, eval_loss %.4f, inference_time %.3f s, kl_divergence %.4f bits\n",
                dataset, metrics.training_time, metrics.eval_loss, metrics.inference_time, metrics.kl_divergence);
      g_free (title);
      g_free (png);
      g_free (samples_csv);
      g_free (info);
    }
  g_free (losses_path);
  g_free (ckpt);
  g_free (samples);
  g_free (label);
  g_array_unref (losses);
  dv_toy_trainer_free (tr);
  dv_toy_data_clear (&data);
  return ok;
}

static int
cmd_train (int argc, char **argv)
{
  ToyOptions o;
  toy_options_init (&o);
  TrainArgs a = { NULL, NULL, NULL, NULL, 1000, 60 };
  GOptionEntry extra[] = {
    { "dataset", 0, 0, G_OPTION_ARG_STRING, &a.dataset, "circle, dino, line or moons (default moons)", "NAME" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &a.csv, "Train on x,y points from a CSV file instead", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &a.out, "Output folder (required)", "DIR" },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &a.resume, "Continue from a checkpoint (its config wins)", "FILE" },
    { "print-every", 0, 0, G_OPTION_ARG_INT64, &a.print_every, "Print progress every N steps (0: quiet)", "N" },
    { "checkpoint-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &a.checkpoint_seconds,
      "Save DIR/model.safetensors every S seconds of training, to --resume after a crash (default 60)", "S" },
    { NULL },
  };
  GError *error = NULL;
  gboolean ok = parse_options ("- train one model",
                               "Writes DIR/final_info.json, losses.csv.gz, samples.csv, samples.png and model.safetensors.",
                               &o, extra, &argc, &argv, &error) &&
                run_train (&o, &a, &error);
  int status = ok ? 0 : dv_cli_fail ("toy train: %s", error ? error->message : "failed");
  g_clear_error (&error);
  g_free (a.dataset);
  g_free (a.csv);
  g_free (a.out);
  g_free (a.resume);
  toy_options_clear (&o);
  return status;
}

/* ---- toy table ---- */

static gboolean
write_dataset_outputs (const char *out, const char *name, const ToyMetrics *m, const DvToyTrainConfig *cfg,
                       const DvToySamplerConfig *sampler, const DvToyData *data, const float *samples, GError **error)
{
  g_autofree char *dir = g_build_filename (out, name, NULL);
  g_autofree char *samples_csv = g_build_filename (dir, "samples.csv", NULL);
  g_autofree char *png = g_build_filename (dir, "samples.png", NULL);
  g_autofree char *info = g_build_filename (dir, "final_info.json", NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot create %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  g_autofree char *title = g_strdup_printf ("%s: KL %.3f bits", name, m->kl_divergence);
  DvScatterPngStyle style;
  dv_scatter_png_style_init (&style);
  style.title = title;
  return write_final_info (info, name, m, cfg, sampler, error) &&
         dv_toy_points_save_csv (samples, N_EVAL_SAMPLES, samples_csv, error) &&
         dv_scatter_png_write (png, 800, 800, data->xy, data->n, samples, N_EVAL_SAMPLES, &style, error);
}

static gboolean
run_table (const ToyOptions *o, const char *out, GError **error)
{
  DvToyTrainConfig cfg;
  DvToySamplerConfig sampler;
  if (!toy_options_to_config (o, &cfg, &sampler, error))
    return FALSE;
  const char *const *names = dv_toy_dataset_names ();
  ToyMetrics results[8];
  g_autoptr (JsonBuilder) all = json_builder_new ();
  json_builder_begin_object (all);
  int done = 0;
  for (; names[done] != NULL; done++)
    {
      DvToyData data = { 0 };
      if (!dv_toy_data_generate (&data, names[done], (size_t) o->points, cfg.seed, error))
        return FALSE;
      DvToyTrainer *tr = dv_toy_trainer_new (&cfg, data.xy, data.n, error);
      float *samples = NULL;
      gboolean ok = tr != NULL &&
                    train_and_evaluate (tr, names[done], &sampler, NULL, 0, NULL, 0, &results[done], &samples,
                                        error) &&
                    (out == NULL ||
                     write_dataset_outputs (out, names[done], &results[done], &cfg, &sampler, &data, samples, error));
      g_free (samples);
      dv_toy_trainer_free (tr);
      dv_toy_data_clear (&data);
      if (!ok)
        return FALSE;
      const ToyMetrics *m = &results[done];
      json_builder_set_member_name (all, names[done]);
      json_builder_begin_object (all);
      add_means (all, m);
      json_builder_end_object (all);
      fprintf (stderr, "%s: trained in %.1f s, KL %.3f bits\n", names[done], m->training_time, m->kl_divergence);
    }
  json_builder_end_object (all);

  printf ("Schedule %s, T %d, %" G_GINT64_FORMAT " steps, %s, sampler %s, seed %" G_GUINT64_FORMAT "\n\n",
          dv_schedule_kind_to_string (cfg.schedule), cfg.T, cfg.steps,
          cfg.gan ? (cfg.fake == DV_TOY_FAKE_X0 ? "GAN (fake = x̂₀)" : "GAN (fake = x_t, as published)") : "baseline",
          dv_sampler_kind_to_string (sampler.kind), cfg.seed);
  printf ("| Dataset | Training time (s) | Eval loss | Inference time (s) | KL divergence (bits) |\n");
  printf ("|---|---|---|---|---|\n");
  for (int i = 0; i < done; i++)
    printf ("| %s | %.2f | %.4f | %.3f | %.4f |\n", names[i], results[i].training_time, results[i].eval_loss,
            results[i].inference_time, results[i].kl_divergence);
  if (out != NULL)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (all);
      g_autofree char *text = json_to_string (root, TRUE);
      g_autofree char *path = g_build_filename (out, "final_info.json", NULL);
      if (!g_file_set_contents (path, text, -1, error))
        return FALSE;
    }
  return TRUE;
}

static int
cmd_table (int argc, char **argv)
{
  ToyOptions o;
  toy_options_init (&o);
  char *out = NULL;
  GOptionEntry extra[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Also write each dataset's outputs to DIR/<dataset>/ and DIR/final_info.json", "DIR" },
    { NULL },
  };
  GError *error = NULL;
  gboolean ok = parse_options ("- the seed's four datasets", "Trains a fresh model per dataset and prints the table.",
                               &o, extra, &argc, &argv, &error) &&
                run_table (&o, out, &error);
  int status = ok ? 0 : dv_cli_fail ("toy table: %s", error ? error->message : "failed");
  g_clear_error (&error);
  g_free (out);
  toy_options_clear (&o);
  return status;
}

/* ---- toy kl ---- */

static int
cmd_kl (int argc, char **argv)
{
  int k = DV_KNN_KL_DEFAULT_K;
  GOptionEntry extra[] = {
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, "Neighbour rank (default 5)", "K" },
    { NULL },
  };
  GError *error = NULL;
  int status = 1;
  DvToyData real = { 0 }, sample = { 0 };
  if (!parse_options ("REAL.csv SAMPLE.csv - kNN KL divergence in bits",
                      "KL(real ‖ sample) by the seed's estimator (max-norm, kd-tree).", NULL, extra, &argc, &argv,
                      &error))
    goto out;
  if (argc != 3)
    {
      status = dv_cli_fail ("toy kl: expected REAL.csv SAMPLE.csv");
      goto out;
    }
  if (!dv_toy_data_load_csv (&real, argv[1], &error) || !dv_toy_data_load_csv (&sample, argv[2], &error))
    goto out;
  DvKnnKlResult result;
  if (!dv_knn_kl (real.xy, real.n, sample.xy, sample.n, 2, k, 0, &result, NULL, NULL, NULL, &error))
    goto out;
  printf ("%.6f\n", result.kl_bits);
  status = 0;

out:
  if (error != NULL)
    status = dv_cli_fail ("toy kl: %s", error->message);
  g_clear_error (&error);
  dv_toy_data_clear (&real);
  dv_toy_data_clear (&sample);
  return status;
}

/* ---- toy bench ---- */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values, int n)
{
  qsort (values, (size_t) n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static gboolean
time_training (const DvToyTrainConfig *cfg, const DvToyData *data, int warmup, int steps, double *ms,
               DvToyTrainer **keep, GError **error)
{
  DvToyTrainConfig c = *cfg;
  c.steps = MAX (c.steps, (gint64) (warmup + steps));
  DvToyTrainer *tr = dv_toy_trainer_new (&c, data->xy, data->n, error);
  if (tr == NULL)
    return FALSE;
  if (!dv_toy_trainer_train (tr, warmup, NULL, NULL, NULL, error))
    {
      dv_toy_trainer_free (tr);
      return FALSE;
    }
  double *times = g_new (double, steps);
  for (int i = 0; i < steps; i++)
    {
      const gint64 t0 = g_get_monotonic_time ();
      if (!dv_toy_trainer_train (tr, 1, NULL, NULL, NULL, error))
        {
          g_free (times);
          dv_toy_trainer_free (tr);
          return FALSE;
        }
      times[i] = (g_get_monotonic_time () - t0) / 1e3;
    }
  *ms = median (times, steps);
  g_free (times);
  if (keep != NULL)
    *keep = tr;
  else
    dv_toy_trainer_free (tr);
  return TRUE;
}

/* The floor under one training step: the same sgemm calls (shapes of the
 * denoiser's forward and backward, and the per-timestep table) with nothing
 * else, so the bench can say how much of a step is overhead. */
static double
time_gemm_floor (const DvToyTrainConfig *cfg, int reps)
{
  const int B = cfg->batch_size, E = cfg->emb_dim, H = cfg->hidden, L = cfg->blocks, T = cfg->T;
  const size_t big = (size_t) MAX (MAX (B, H), MAX (2 * E, T)) * (size_t) MAX (MAX (B, H), 2 * E);
  float *a = dv_alloc_floats (big), *b = dv_alloc_floats (big), *c = dv_alloc_floats (big);
  for (size_t i = 0; i < big; i++)
    a[i] = b[i] = (float) (i % 7) * 0.01f;
  double *times = g_new (double, reps);
  for (int r = 0; r < reps; r++)
    {
      const gint64 t0 = g_get_monotonic_time ();
      dv_gemm (FALSE, TRUE, T, H, E, 1.0f, a, b, 0.0f, c);          /* t-embedding table */
      dv_gemm (FALSE, TRUE, B, H, 2 * E, 1.0f, a, b, 1.0f, c);      /* first layer, x part */
      for (int l = 0; l < L; l++)
        dv_gemm (FALSE, TRUE, B, H, H, 1.0f, a, b, 1.0f, c);        /* residual blocks */
      dv_gemm (FALSE, TRUE, B, 2, H, 1.0f, a, b, 1.0f, c);          /* output */
      dv_gemm (TRUE, FALSE, 2, H, B, 1.0f, a, b, 1.0f, c);          /* output dW */
      dv_gemm (FALSE, FALSE, B, H, 2, 1.0f, a, b, 0.0f, c);         /* output din */
      for (int l = 0; l < L; l++)
        {
          dv_gemm (TRUE, FALSE, H, H, B, 1.0f, a, b, 1.0f, c);      /* block dW */
          dv_gemm (FALSE, FALSE, B, H, H, 1.0f, a, b, 0.0f, c);     /* block din */
        }
      dv_gemm (TRUE, FALSE, H, 2 * E, B, 1.0f, a, b, 1.0f, c);      /* first layer dW, x part */
      dv_gemm (TRUE, FALSE, H, E, T, 1.0f, a, b, 1.0f, c);          /* first layer dW, t part */
      times[r] = (g_get_monotonic_time () - t0) / 1e3;
    }
  double ms = median (times, reps);
  g_free (times);
  dv_free_floats (a);
  dv_free_floats (b);
  dv_free_floats (c);
  return ms;
}

static int
cmd_bench (int argc, char **argv)
{
  int steps = 200, gan_steps = 0, warmup = 20, batch = 256, timesteps = 100, disc_layers = 6;
  int sample_points = N_EVAL_SAMPLES, threads = 0, repeats = 3;
  gint64 seed = 0;
  double lambda_gp = 10.0, lambda_adv = 1.0;
  g_autofree char *schedule = NULL;
  gboolean skip_gan = FALSE;
  GOptionEntry entries[] = {
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Timed training steps (median taken; default 200)", "N" },
    { "gan-steps", 0, 0, G_OPTION_ARG_INT, &gan_steps, "Timed steps with the discriminator (default: --steps)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed steps first (default 20)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size (default 256)", "N" },
    { "timesteps", 0, 0, G_OPTION_ARG_INT, &timesteps, "Diffusion timesteps (default 100)", "T" },
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &schedule, "Noise schedule (default quadratic)", "S" },
    { "disc-layers", 0, 0, G_OPTION_ARG_INT, &disc_layers, "Discriminator layers (default 6)", "N" },
    { "lambda-gp", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_gp, "Gradient-penalty weight (default 10)", "X" },
    { "lambda-adv", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_adv, "Adversarial weight (default 1)", "X" },
    { "sample-points", 0, 0, G_OPTION_ARG_INT, &sample_points, "Points to sample (default 10000)", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Sampling runs (median taken; default 3)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "OpenBLAS threads (default: OpenBLAS's choice)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "skip-gan", 0, 0, G_OPTION_ARG_NONE, &skip_gan, "Do not time the discriminator", NULL },
    { NULL },
  };
  GError *error = NULL;
  int status = 1;
  DvToyData data = { 0 };
  DvToyTrainer *tr = NULL;
  if (!parse_options ("- time training steps and sampling",
                      "Prints one `key value` line per figure (as bench/toy2d_torch.py does).", NULL, entries, &argc,
                      &argv, &error))
    goto out;
  if (steps < 1 || warmup < 0 || sample_points < 1 || repeats < 1)
    {
      status = dv_cli_fail ("toy bench: bad counts");
      goto out;
    }
  if (threads > 0)
    dv_blas_set_threads (threads);
  DvToyTrainConfig cfg;
  dv_toy_train_config_init (&cfg);
  cfg.schedule = DV_SCHEDULE_QUADRATIC;
  if (schedule != NULL && !dv_schedule_kind_from_string (schedule, &cfg.schedule, &error))
    goto out;
  cfg.batch_size = batch;
  cfg.T = timesteps;
  cfg.d_layers = disc_layers;
  cfg.lambda_gp = (float) lambda_gp;
  cfg.lambda_adv = (float) lambda_adv;
  cfg.seed = (guint64) seed;
  if (!dv_toy_train_config_check (&cfg, &error) || !dv_toy_data_generate (&data, "moons", 100000, 42, &error))
    goto out;

  printf ("openblas_core %s\nopenblas_threads %d\nbatch %d\n", dv_blas_core_name (), dv_blas_get_threads (), batch);
  fflush (stdout);
  double ms;
  if (!time_training (&cfg, &data, warmup, steps, &ms, &tr, &error))
    goto out;
  printf ("train_ms_per_step_median %.3f\n", ms);
  printf ("train_gemm_floor_ms_median %.3f\n", time_gemm_floor (&cfg, steps));
  fflush (stdout);
  if (!skip_gan)
    {
      DvToyTrainConfig gan = cfg;
      gan.gan = TRUE;
      gan.fake = DV_TOY_FAKE_X0;
      if (!time_training (&gan, &data, warmup, gan_steps > 0 ? gan_steps : steps, &ms, NULL, &error))
        goto out;
      printf ("gan_train_ms_per_step_median %.3f\n", ms);
      fflush (stdout);
    }
  float *x = g_new (float, 2 * (size_t) sample_points);
  double *times = g_new (double, repeats);
  DvToySamplerConfig sampler = { DV_SAMPLER_DDPM, 0, cfg.seed };
  for (int r = 0; r < repeats; r++)
    {
      fill_noise (x, (size_t) sample_points, cfg.seed + (guint64) r);
      const gint64 t0 = g_get_monotonic_time ();
      dv_toy_trainer_sample (tr, TRUE, &sampler, x, sample_points, NULL, NULL, NULL, NULL, NULL);
      times[r] = (g_get_monotonic_time () - t0) / 1e6;
    }
  printf ("sample_seconds %.3f\nsample_points %d\nsample_steps %d\n", median (times, repeats), sample_points, cfg.T);
  g_free (times);
  g_free (x);
  status = 0;

out:
  if (error != NULL)
    status = dv_cli_fail ("toy bench: %s", error->message);
  g_clear_error (&error);
  dv_toy_trainer_free (tr);
  dv_toy_data_clear (&data);
  return status;
}

/* ---- dispatch ---- */

static void
print_toy_usage (FILE *out)
{
  fprintf (out, "Usage: dimvida toy COMMAND [OPTIONS]\n\n"
                "The 2D diffusion (+ GAN) Playground, headless.\n\n"
                "Commands:\n"
                "  train   Train one model: --dataset NAME | --csv FILE, --out DIR [--gan] [--fake x0|noisy] ...\n"
                "  table   Train the four datasets and print the seed's table\n"
                "  kl      REAL.csv SAMPLE.csv: kNN KL divergence in bits\n"
                "  bench   Median ms per training step (with and without --gan) and sampling time\n\n"
                "Run 'dimvida toy COMMAND --help' for its options.\n");
}

int
dv_cmd_toy (int argc, char **argv)
{
  if (argc < 2)
    {
      print_toy_usage (stderr);
      return 2;
    }
  const char *sub = argv[1];
  if (strcmp (sub, "--help") == 0 || strcmp (sub, "-h") == 0 || strcmp (sub, "help") == 0)
    {
      print_toy_usage (stdout);
      return 0;
    }
  if (strcmp (sub, "train") == 0)
    return cmd_train (argc - 1, argv + 1);
  if (strcmp (sub, "table") == 0)
    return cmd_table (argc - 1, argv + 1);
  if (strcmp (sub, "kl") == 0)
    return cmd_kl (argc - 1, argv + 1);
  if (strcmp (sub, "bench") == 0)
    return cmd_bench (argc - 1, argv + 1);
  fprintf (stderr, "dimvida toy: unknown command '%s'\n\n", sub);
  print_toy_usage (stderr);
  return 2;
}
