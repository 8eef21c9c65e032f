/* dimvida views train-score | generate | eval | bench-score: the masked multi-time score model over the four view
 * latents, its samplers, and the paper's Table I on our data. */
#include "commands.h"
#include "core/blas.h"
#include "core/data_file.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "metrics/image_quality.h"
#include "nn/conv2d.h"
#include "views/ae_image.h"
#include "views/ae_train.h"
#include "views/latents.h"
#include "views/rasterizer.h"
#include "views/score_train.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void
set_threads (int threads)
{
  dv_blas_set_threads (MAX (threads, 1));
  dv_conv2d_set_threads (MAX (threads, 1));
}

DvScoreModel *
dv_cli_load_score_model (const char *path, GError **error)
{
  g_autofree char *found = NULL;
  if (!path && !(found = dv_find_data_file ("weights/views/score.safetensors", error)))
    {
      g_prefix_error (error, "No score model given (--model FILE) and none shipped: ");
      return NULL;
    }
  return dv_score_model_load (path ? path : found, error);
}

static DvAutoencoder *
load_autoencoder (const char *path, GError **error)
{
  DvAutoencoder *ae = dv_cli_load_autoencoder (path, error);
  if (!ae && !path)
    g_prefix_error (error, "No autoencoder given (--ae FILE) and none shipped: ");
  return ae;
}

/* The score model must model the autoencoder's latents of the four views. */
static gboolean
check_pair (const DvScoreModel *model, const DvAutoencoder *ae, GError **error)
{
  if (model->net->config.n_views != DV_VIEW_COUNT || model->net->config.latent_dim != ae->config.latent_dim)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE,
                   "The score model models %d views of %d latent values; the autoencoder's latents have %d",
                   model->net->config.n_views, model->net->config.latent_dim, ae->config.latent_dim);
      return FALSE;
    }
  return TRUE;
}

/* "front,back" → bit mask (bit v = view v given). */
static gboolean
parse_given (const char *text, guint *mask, GError **error)
{
  *mask = 0;
  g_auto (GStrv) names = g_strsplit (text, ",", -1);
  for (int i = 0; names[i]; i++)
    {
      const char *name = g_strstrip (names[i]);
      int v = 0;
      while (v < DV_VIEW_COUNT && strcmp (name, dv_view_name (v)) != 0)
        v++;
      if (v == DV_VIEW_COUNT)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                       "--given: unknown view '%s' (the views are front, right, back, left)", name);
          return FALSE;
        }
      *mask |= 1u << v;
    }
  if (*mask == 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "--given names no view");
      return FALSE;
    }
  return TRUE;
}

/* ---- train-score ---- */

static void
print_score_progress (const DvScoreTrainProgress *p, gpointer user_data)
{
  gint64 *last = user_data;
  gint64 now = g_get_monotonic_time ();
  if (p->step != p->total && p->step > 1 && now - *last < 10 * G_USEC_PER_SEC)
    return;
  *last = now;
  printf ("step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.4f (avg %.4f)  lr %.2e  %.3f s/step  %.1f min\n",
          p->step, p->total, p->loss, p->loss_avg, p->lr, p->step_seconds, p->seconds / 60.0);
  fflush (stdout);
}

static void
print_encode_progress (const DvProgress *p, gpointer user_data)
{
  gint64 *last = user_data;
  gint64 now = g_get_monotonic_time ();
  if (p->done < p->total && now - *last < G_USEC_PER_SEC)
    return;
  *last = now;
  fprintf (stderr, "\r%s: %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " objects", p->what, p->done, p->total);
  if (p->done == p->total)
    fputc ('\n', stderr);
  fflush (stderr);
}

/* Split latents from cache_path when it was written for this set and autoencoder, else encoded and cached. */
float *
dv_cli_split_latents (const DvAutoencoder *ae, const DvMultiviewSet *set, const char *cache_path, GError **error)
{
  g_autofree char *id = dv_view_latents_autoencoder_id (ae);
  const int L = ae->config.latent_dim;
  if (cache_path && g_file_test (cache_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GError) cache_error = NULL;
      float *latents = dv_view_latents_load (cache_path, set, L, id, &cache_error);
      if (latents)
        {
          printf ("Latents of split %s read from %s\n", dv_multiview_split_name (set->split), cache_path);
          return latents;
        }
      printf ("Encoding again: %s\n", cache_error->message);
    }
  float *latents = g_new (float, (size_t) set->n_objects * set->n_views * L);
  gint64 last = 0, start = g_get_monotonic_time ();
  if (!dv_view_latents_encode (ae, set, 64, latents, print_encode_progress, &last, NULL, error))
    {
      g_free (latents);
      return NULL;
    }
  printf ("Encoded %u objects × %d views of split %s in %.1f s\n", set->n_objects, set->n_views,
          dv_multiview_split_name (set->split), (g_get_monotonic_time () - start) / 1e6);
  if (cache_path && !dv_view_latents_save (cache_path, latents, set, L, id, error))
    {
      g_free (latents);
      return NULL;
    }
  return latents;
}

gboolean
dv_cli_load_split (const char *data, DvSplit split, const DvAutoencoder *ae, DvMultiviewSet *set, GError **error)
{
  g_autofree char *file = g_strdup_printf ("%s.dvmv", dv_multiview_split_name (split));
  g_autofree char *cache = g_build_filename (data, file, NULL);
  if (!dv_multiview_set_load (cache, set, error))
    return FALSE;
  const int S = ae->config.image_size;
  if (set->width != S || set->height != S || set->n_views != DV_VIEW_COUNT)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "%s holds %d views of %d×%d; the model takes %d of %d×%d", cache,
                   set->n_views, set->width, set->height, DV_VIEW_COUNT, S, S);
      dv_multiview_set_clear (set);
      return FALSE;
    }
  return TRUE;
}

int
dv_cmd_views_train_score (int argc, char **argv)
{
  g_autofree char *command = NULL;
  {
    GString *s = g_string_new ("dimvida views");
    for (int i = 0; i < argc; i++)
      {
        /* Quoted only where a shell needs it. */
        gboolean plain = argv[i][0] != '\0';
        for (const char *c = argv[i]; *c && plain; c++)
          plain = g_ascii_isalnum (*c) || strchr ("_./=,:+-", *c) != NULL;
        g_autofree char *q = plain ? g_strdup (argv[i]) : g_shell_quote (argv[i]);
        g_string_append_printf (s, " %s", q);
      }
    command = g_string_free (s, FALSE);
  }
  char *out = NULL, *resume = NULL, *data = NULL, *ae_path = NULL, *mask_draw = NULL;
  gint64 steps = 0, seed = 1;
  double minutes = 0, lr = 0;
  int threads = 2, batch = 0, width = 0, checkpoint_seconds = 240;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory (from `dimvida views dataset`), with d.dvmv", "DIR" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder weights (the shipped ones)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory (score-run)", "DIR" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &resume, "Continue from this checkpoint (its settings win)", "FILE" },
    { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes, "Stop after this wall-clock time, with a checkpoint", "M" },
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "Schedule length in steps", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "width", 'w', 0, G_OPTION_ARG_INT, &width, "Width of the score network", "W" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size (256)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Peak learning rate (3e-4)", "LR" },
    { "mask-draw", 0, 0, G_OPTION_ARG_STRING, &mask_draw, "Conditioning set drawn per batch (MLD) or per object",
      "batch|object" },
    { "checkpoint-seconds", 0, 0, G_OPTION_ARG_INT, &checkpoint_seconds, "Seconds between checkpoints (240)", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train the masked score model on split d's latents");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out, *resume_owned = resume, *data_owned = data, *ae_owned = ae_path;
  g_autofree char *mask_draw_owned = mask_draw;
  if (!data)
    return dv_cli_fail ("views train-score needs --data DIR (write one with `dimvida views dataset --out DIR`)");
  if (seed < 0)
    return dv_cli_fail ("--seed must not be negative");
  DvScoreTrainConfig config;
  dv_score_train_config_init (&config);
  if (steps > 0)
    config.steps = steps;
  config.seed = (guint64) seed;
  config.minutes = minutes;
  config.checkpoint_seconds = checkpoint_seconds;
  if (batch > 0)
    config.batch = batch;
  if (lr > 0)
    config.lr = (float) lr;
  if (width > 0)
    config.model.width = width;
  if (mask_draw && strcmp (mask_draw, "batch") == 0)
    config.mask.draw = DV_MASK_DRAW_PER_BATCH;
  else if (mask_draw && strcmp (mask_draw, "object") == 0)
    config.mask.draw = DV_MASK_DRAW_PER_OBJECT;
  else if (mask_draw)
    return dv_cli_fail ("--mask-draw is batch or object, not '%s'", mask_draw);
  set_threads (threads);
  g_autoptr (DvAutoencoder) ae = load_autoencoder (ae_path, &error);
  if (!ae)
    return dv_cli_fail ("%s", error->message);
  config.model.n_views = DV_VIEW_COUNT;
  config.model.latent_dim = ae->config.latent_dim;
  if (!dv_score_train_config_check (&config, &error))
    return dv_cli_fail ("%s", error->message);
  DvMultiviewSet set;
  if (!dv_cli_load_split (data, DV_SPLIT_D, ae, &set, &error))
    return dv_cli_fail ("%s", error->message);
  const char *dir = out ? out : "score-run";
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      dv_multiview_set_clear (&set);
      return dv_cli_fail ("cannot create %s", dir);
    }
  g_autofree char *cache = g_build_filename (dir, "latents-d.safetensors", NULL);
  g_autofree float *latents = dv_cli_split_latents (ae, &set, cache, &error);
  const guint n_objects = set.n_objects;
  const guint64 data_seed = set.seed;
  dv_multiview_set_clear (&set);
  if (!latents)
    return dv_cli_fail ("%s", error->message);

  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_autoptr (GHashTable) extra = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (extra, "command", g_strdup (command));
  g_hash_table_insert (extra, "seed", g_strdup_printf ("%" G_GINT64_FORMAT, seed));
  g_hash_table_insert (extra, "threads", g_strdup_printf ("%d", threads));
  g_hash_table_insert (extra, "blas_core", g_strdup (dv_blas_core_name ()));
  g_hash_table_insert (extra, "started_utc", g_strdup (started));
  g_hash_table_insert (extra, "autoencoder_sha256", dv_view_latents_autoencoder_id (ae));
  g_hash_table_insert (extra, "dataset_seed", g_strdup_printf ("%" G_GUINT64_FORMAT, data_seed));
  g_hash_table_insert (extra, "objects", g_strdup_printf ("%u", n_objects));
  if (resume)
    printf ("Resuming from %s (its settings win) on %u objects of %s/d.dvmv (%d threads, BLAS core %s)\n", resume,
            n_objects, data, threads, dv_blas_core_name ());
  else
    printf ("Training the score model (width %d, batch %d, mask drawn per %s) on %u objects of %s/d.dvmv (seed %"
            G_GINT64_FORMAT ", %d threads, BLAS core %s)\n", config.model.width, config.batch,
            config.mask.draw == DV_MASK_DRAW_PER_BATCH ? "batch" : "object", n_objects, data, seed, threads,
            dv_blas_core_name ());
  fflush (stdout);
  gint64 last = 0, start = g_get_monotonic_time ();
  if (!dv_score_train (&config, latents, n_objects, dir, resume, extra, print_score_progress, &last, NULL, &error))
    return dv_cli_fail ("%s", error->message);
  const double train_minutes = (g_get_monotonic_time () - start) / 6e7;
  /* The record of the run joins the model file: the time it took, its schedule and step. */
  g_autofree char *model_path = g_build_filename (dir, "score.safetensors", NULL);
  g_autofree char *ckpt_path = g_build_filename (dir, "checkpoint.safetensors", NULL);
  g_hash_table_insert (extra, "train_minutes", g_strdup_printf ("%.2f", train_minutes));
  {
    g_autoptr (DvSafetensors) st = dv_safetensors_open (ckpt_path, NULL);
    const char *keys[] = { "train_config", "step" };
    for (guint i = 0; st && i < G_N_ELEMENTS (keys); i++)
      if (dv_safetensors_metadata (st, keys[i]))
        g_hash_table_insert (extra, (gpointer) keys[i], g_strdup (dv_safetensors_metadata (st, keys[i])));
    g_autoptr (DvScoreModel) model = dv_score_model_load (model_path, &error);
    if (!model || !dv_score_model_save (model, model_path, FALSE, extra, &error))
      return dv_cli_fail ("%s", error->message);
  }
  printf ("Done in %.1f min: %s, %s\n", train_minutes, model_path, ckpt_path);
  return 0;
}

/* ---- generate ---- */

typedef struct {
  const DvScoreModel *model;
  const DvAutoencoder *ae;
  DvAutoencoderBuffers buf;
  const char *dir;
  int rows;
  float *z, *views;
  GError *error;
} Frames;

/* rows × 4 latents decoded into one image, a strip per row. */
static void
latents_to_image (DvImage *img, const DvAutoencoder *ae, DvAutoencoderBuffers *buf, const float *z, int rows,
                  float *views)
{
  const int S = ae->config.image_size;
  dv_autoencoder_decode (ae, ae->params.data, buf, views, z);
  dv_image_init (img, DV_VIEW_COUNT * S, rows * S);
  for (int k = 0; k < rows; k++)
    {
      DvImage strip;
      dv_ae_views_to_image (&strip, views + (size_t) k * DV_VIEW_COUNT * 3 * S * S, DV_VIEW_COUNT, S);
      memcpy (img->rgb + (size_t) k * S * DV_VIEW_COUNT * S * 3, strip.rgb,
              sizeof (float) * (size_t) DV_VIEW_COUNT * S * S * 3);
      dv_image_clear (&strip);
    }
}

static void
write_frame (const DvMaskedSamplerStep *step, gpointer user_data)
{
  Frames *f = user_data;
  if (f->error)
    return;
  const int L = f->ae->config.latent_dim;
  const size_t n = (size_t) f->rows * DV_VIEW_COUNT * L;
  const char *names[2] = { "xt", "x0" };
  const float *src[2] = { step->x, step->x0_hat };
  for (int i = 0; i < 2 && !f->error; i++)
    {
      memcpy (f->z, src[i], sizeof (float) * n);
      dv_latent_stats_unstandardize (&f->model->stats, f->z, (size_t) f->rows);
      DvImage img;
      latents_to_image (&img, f->ae, &f->buf, f->z, f->rows, f->views);
      g_autofree char *file = g_strdup_printf ("%s-%04d.png", names[i], step->step);
      g_autofree char *path = g_build_filename (f->dir, file, NULL);
      dv_png_write_image (path, &img, &f->error);
      dv_image_clear (&img);
    }
}

int
dv_cmd_views_generate (int argc, char **argv)
{
  char *given_text = NULL, *out = NULL, *sampler_name = NULL, *frames = NULL, *model_path = NULL, *ae_path = NULL;
  char *precision_name = NULL;
  int steps = 0, variations = 1, threads = 2;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "given", 'g', 0, G_OPTION_ARG_STRING, &given_text, "The given views: front[,right,back,left]", "VIEWS" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output PNG: the 4-view strip, one row per variation", "OUT.png" },
    { "steps", 'n', 0, G_OPTION_ARG_INT, &steps, "Sampler steps (250; ode 100)", "N" },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler_name, "em (Euler–Maruyama), ode or repaint", "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (0)", "S" },
    { "variations", 'k', 0, G_OPTION_ARG_INT, &variations, "Samples for the same given views (1)", "K" },
    { "frames", 0, 0, G_OPTION_ARG_FILENAME, &frames, "Write every step's decoded x_t and x̂₀ here", "DIR" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Score model (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder weights (the shipped ones)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "precision", 'p', 0, G_OPTION_ARG_STRING, &precision_name,
      "The score network's Linear weights: bf16 (default where the CPU has AVX512-BF16, else f32) or f32", "P" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN.png - generate the missing views from the given ones");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *given_owned = given_text, *out_owned = out, *sampler_owned = sampler_name;
  g_autofree char *frames_owned = frames, *model_owned = model_path, *ae_owned = ae_path;
  g_autofree char *precision_owned = precision_name;
  if (argc != 2 || !out || !given_text)
    return dv_cli_fail ("usage: dimvida views generate --given front[,right,back,left] IN.png --out OUT.png "
                        "[--steps N] [--sampler em|ode|repaint] [--seed S] [--variations K] [--frames DIR] "
                        "[--precision bf16|f32]");
  guint mask;
  if (!parse_given (given_text, &mask, &error))
    return dv_cli_fail ("%s", error->message);
  if (mask == (1u << DV_VIEW_COUNT) - 1u)
    return dv_cli_fail ("--given names all four views: nothing to generate");
  if (variations < 1 || variations > 64)
    return dv_cli_fail ("--variations must be 1 to 64");
  if (seed < 0)
    return dv_cli_fail ("--seed must not be negative");
  DvMaskedSamplerConfig sampler;
  dv_masked_sampler_config_init (&sampler);
  if (sampler_name && !dv_masked_sampler_kind_from_string (sampler_name, &sampler.kind, &error))
    return dv_cli_fail ("--sampler: %s", error->message);
  sampler.steps = steps > 0 ? steps : sampler.kind == DV_MASKED_SAMPLER_ODE ? 100 : 250;
  sampler.seed = (guint64) seed;
  sampler.precision = DV_SCORE_MODEL_SAMPLING_PRECISION;
  if (precision_name && !dv_precision_from_string (precision_name, &sampler.precision, &error))
    return dv_cli_fail ("--precision: %s", error->message);
  if (!dv_masked_sampler_config_check (&sampler, &error))
    return dv_cli_fail ("%s", error->message);
  set_threads (threads);
  /* A few 64×64 images are too little work to share: with the other core busy, a second conv thread made the
   * 4-view encode and decode 4× slower here (bench-score). The sampler's BLAS keeps the threads asked for. */
  if (variations * DV_VIEW_COUNT < 16)
    dv_conv2d_set_threads (1);
  const gint64 t_start = g_get_monotonic_time ();

  DvImage input = { 0 };
  if (!dv_png_read (argv[1], &input, &error))
    return dv_cli_fail ("%s", error->message);
  g_autoptr (DvScoreModel) model = dv_cli_load_score_model (model_path, &error);
  g_autoptr (DvAutoencoder) ae = model ? load_autoencoder (ae_path, &error) : NULL;
  if (!model || !ae || !check_pair (model, ae, &error))
    {
      dv_image_clear (&input);
      return dv_cli_fail ("%s", error->message);
    }
  const int S = ae->config.image_size, L = ae->config.latent_dim, V = DV_VIEW_COUNT;
  const size_t P = (size_t) S * S;
  g_autofree float *in_views = NULL;
  const int n_in = dv_ae_image_to_views (&input, DV_AE_LAYOUT_AUTO, S, &in_views);
  dv_image_clear (&input);
  /* The given slots' views: one view for a single given slot, or those slots of a strip. */
  g_autofree float *given_views = g_new0 (float, V * 3 * P);
  if (n_in == 1)
    {
      if (__builtin_popcount (mask) != 1)
        return dv_cli_fail ("%s is one view, but --given names %d views: give a 4-view strip", argv[1],
                            __builtin_popcount (mask));
      for (int v = 0; v < V; v++)
        if ((mask >> v) & 1u)
          memcpy (given_views + v * 3 * P, in_views, sizeof (float) * 3 * P);
    }
  else
    memcpy (given_views, in_views, sizeof (float) * V * 3 * P);

  const int K = variations;
  g_autofree float *given_z = g_new0 (float, V * L);
  {
    DvAutoencoderBuffers buf;
    dv_autoencoder_buffers_init (&buf, ae, V);
    dv_autoencoder_encode (ae, ae->params.data, &buf, given_z, given_views);
    dv_autoencoder_buffers_clear (&buf);
  }
  Frames f = { .model = model, .ae = ae, .dir = frames, .rows = K };
  if (frames)
    {
      if (g_mkdir_with_parents (frames, 0755) != 0)
        return dv_cli_fail ("cannot create %s", frames);
      dv_autoencoder_buffers_init (&f.buf, ae, K * V);
      f.z = g_new (float, (size_t) K * V * L);
      f.views = g_new (float, (size_t) K * V * 3 * P);
    }
  g_autofree float *out_z = g_new (float, (size_t) K * V * L);
  const gint64 t_sample = g_get_monotonic_time ();
  gboolean ok = dv_score_model_generate (model, &sampler, given_z, mask, K, frames ? write_frame : NULL, &f, out_z,
                                         NULL, &error);
  const double sample_s = (g_get_monotonic_time () - t_sample) / 1e6;
  if (frames)
    {
      dv_autoencoder_buffers_clear (&f.buf);
      g_free (f.z);
      g_free (f.views);
      if (ok && f.error)
        {
          ok = FALSE;
          g_propagate_error (&error, f.error);
        }
      else
        g_clear_error (&f.error);
    }
  if (!ok)
    return dv_cli_fail ("%s", error->message);

  /* Decoded strips, the given views kept as they came in (not through the autoencoder). */
  g_autofree float *views = g_new (float, (size_t) K * V * 3 * P);
  {
    DvAutoencoderBuffers buf;
    dv_autoencoder_buffers_init (&buf, ae, K * V);
    dv_autoencoder_decode (ae, ae->params.data, &buf, views, out_z);
    dv_autoencoder_buffers_clear (&buf);
  }
  for (int k = 0; k < K; k++)
    for (int v = 0; v < V; v++)
      if ((mask >> v) & 1u)
        memcpy (views + ((size_t) k * V + v) * 3 * P, given_views + v * 3 * P, sizeof (float) * 3 * P);
  DvImage img;
  dv_image_init (&img, V * S, K * S);
  for (int k = 0; k < K; k++)
    {
      DvImage strip;
      dv_ae_views_to_image (&strip, views + (size_t) k * V * 3 * P, V, S);
      memcpy (img.rgb + (size_t) k * V * P * 3, strip.rgb, sizeof (float) * V * P * 3);
      dv_image_clear (&strip);
    }
  ok = dv_png_write_image (out, &img, &error);
  dv_image_clear (&img);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  printf ("Wrote %s: %d variation%s of 4 views (given %s), %s sampler, %d steps, %s, %.2f s sampling, %.2f s in "
          "all\n", out, K, K == 1 ? "" : "s", given_text, dv_masked_sampler_kind_to_string (sampler.kind),
          dv_masked_sampler_count_steps (&sampler),
          dv_precision_to_string (dv_score_model_precision (model, sampler.precision)), sample_s,
          (g_get_monotonic_time () - t_start) / 1e6);
  if (frames)
    printf ("Frames: %s/xt-NNNN.png and %s/x0-NNNN.png, steps 0 to %d\n", frames, frames,
            dv_masked_sampler_count_steps (&sampler));
  return 0;
}
