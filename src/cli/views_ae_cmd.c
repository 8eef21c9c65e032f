/* dimvida views train-ae | reconstruct | encode | decode | eval-ae: the view autoencoder. */
#include "commands.h"
#include "views/multiview.h"
#include "nn/conv2d.h"
#include "core/blas.h"
#include "views/ae_train.h"
#include "io/safetensors.h"
#include "views/ae_image.h"
#include "metrics/image_quality.h"
#include "views/objects/registry.h"
#include "core/data_file.h"

#include <math.h>

#include <stdio.h>
#include <string.h>

static void
print_train_progress (const DvAeTrainProgress *p, gpointer user_data)
{
  gint64 *last = user_data;
  gint64 now = g_get_monotonic_time ();
  if (p->step != p->total && p->step > 1 && now - *last < 10 * G_USEC_PER_SEC)
    return;
  *last = now;
  printf ("step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  loss %.5f (avg %.5f)  lr %.2e  %.3f s/step  %.1f min\n",
          p->step, p->total, p->loss, p->loss_avg, p->lr, p->step_seconds, p->seconds / 60.0);
  fflush (stdout);
}

int
dv_cmd_views_train_ae (int argc, char **argv)
{
  char *out = NULL, *resume = NULL, *data = NULL;
  gint64 steps = 0, seed = 1;
  double minutes = 0, lr = 0;
  int threads = 2, batch = 0, checkpoint_seconds = 240;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory (from `dimvida views dataset`), with d.dvmv", "DIR" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory (ae-run)", "DIR" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &resume, "Continue from this checkpoint (its settings win)", "FILE" },
    { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes, "Stop after this wall-clock time, with a checkpoint", "M" },
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "Schedule length in steps (10000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size (64)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Peak learning rate (2e-3)", "LR" },
    { "checkpoint-seconds", 0, 0, G_OPTION_ARG_INT, &checkpoint_seconds, "Seconds between checkpoints (240)", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train the view autoencoder on split d");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out, *resume_owned = resume, *data_owned = data;
  if (!data)
    return dv_cli_fail ("views train-ae needs --data DIR (write one with `dimvida views dataset --out DIR`)");
  DvAeTrainConfig config;
  dv_ae_train_config_init (&config);
  if (steps > 0)
    config.steps = steps;
  if (seed < 0)
    return dv_cli_fail ("--seed must not be negative");
  config.seed = (guint64) seed;
  config.threads = threads;
  config.minutes = minutes;
  config.checkpoint_seconds = checkpoint_seconds;
  if (batch > 0)
    config.batch = batch;
  if (lr > 0)
    config.lr = (float) lr;
  if (!dv_ae_train_config_check (&config, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *cache = g_build_filename (data, "d.dvmv", NULL);
  DvMultiviewSet set;
  if (!dv_multiview_set_load (cache, &set, &error))
    return dv_cli_fail ("%s", error->message);
  printf ("Training the view autoencoder on %u objects × %d views of %s (seed %" G_GINT64_FORMAT ", %d threads, "
          "BLAS core %s)\n", set.n_objects, set.n_views, cache, seed, threads, dv_blas_core_name ());
  fflush (stdout);
  gint64 last = 0, start = g_get_monotonic_time ();
  const char *dir = out ? out : "ae-run";
  gboolean ok = dv_ae_train (&config, &set, dir, resume, print_train_progress, &last, NULL, &error);
  dv_multiview_set_clear (&set);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  printf ("Done in %.1f min: %s/autoencoder.safetensors, %s/checkpoint.safetensors\n",
          (g_get_monotonic_time () - start) / 6e7, dir, dir);
  return 0;
}
DvAutoencoder *
dv_cli_load_autoencoder (const char *path, GError **error)
{
  /* The shipped weights, looked up as the other data files are ($DIMVIDA_DATADIR, installed, source tree). */
  g_autofree char *found = NULL;
  if (!path && !(found = dv_find_data_file ("weights/views/autoencoder.safetensors", error)))
    return NULL;
  return dv_autoencoder_load (path ? path : found, error);
}

static gboolean
parse_layout (const char *text, DvAeLayout *layout)
{
  if (!text || strcmp (text, "auto") == 0)
    *layout = DV_AE_LAYOUT_AUTO;
  else if (strcmp (text, "single") == 0)
    *layout = DV_AE_LAYOUT_SINGLE;
  else if (strcmp (text, "strip") == 0)
    *layout = DV_AE_LAYOUT_STRIP;
  else
    return FALSE;
  return TRUE;
}

/* Reads IN.png into n autoencoder-sized views. */
static float *
read_views (const char *path, const char *layout_text, const DvAutoencoder *ae, int *n, GError **error)
{
  DvAeLayout layout;
  if (!parse_layout (layout_text, &layout))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "--layout is auto, single or strip, not '%s'", layout_text);
      return NULL;
    }
  DvImage img = { 0 };
  if (!dv_png_read (path, &img, error))
    return NULL;
  float *views = NULL;
  *n = dv_ae_image_to_views (&img, layout, ae->config.image_size, &views);
  dv_image_clear (&img);
  return views;
}

static void
run_autoencoder (const DvAutoencoder *ae, const float *views, int n, float *z, float *out)
{
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, n);
  if (views)
    dv_autoencoder_encode (ae, ae->params.data, &buf, z, views);
  if (out)
    dv_autoencoder_decode (ae, ae->params.data, &buf, out, z);
  dv_autoencoder_buffers_clear (&buf);
}

void
dv_cli_chw_to_hwc (float *dst, const float *src, int size)
{
  const size_t P = (size_t) size * size;
  for (size_t p = 0; p < P; p++)
    for (int c = 0; c < 3; c++)
      dst[3 * p + c] = CLAMP (src[c * P + p], 0.0f, 1.0f);
}

/* What reconstruct and encode share: IN.png --out FILE [--model FILE] [--layout L], the autoencoder and the
 * input's views. Returns 0, or the exit status of a failure it has reported. */
typedef struct {
  char *out, *model, *layout;
  DvAutoencoder *ae;
  float *views;
  int n;
} ViewsInput;

static void
views_input_clear (ViewsInput *in)
{
  g_free (in->out);
  g_free (in->model);
  g_free (in->layout);
  g_clear_pointer (&in->ae, dv_autoencoder_free);
  g_free (in->views);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ViewsInput, views_input_clear)

static int
views_input_parse (ViewsInput *in, int argc, char **argv, const char *command, const char *summary,
                   const char *out_help, const char *out_arg)
{
  memset (in, 0, sizeof *in);
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &in->out, out_help, out_arg },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &in->model, "Autoencoder weights (the shipped ones)", "FILE" },
    { "layout", 'l', 0, G_OPTION_ARG_STRING, &in->layout, "auto (a 4:1 image is a strip), single or strip", "L" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  if (argc != 2 || !in->out)
    return dv_cli_fail ("usage: dimvida views %s IN.png --out %s [--model FILE] [--layout L]", command, out_arg);
  in->ae = dv_cli_load_autoencoder (in->model, &error);
  if (!in->ae)
    return dv_cli_fail ("%s", error->message);
  in->views = read_views (argv[1], in->layout, in->ae, &in->n, &error);
  if (!in->views)
    return dv_cli_fail ("%s", error->message);
  return 0;
}

int
dv_cmd_views_reconstruct (int argc, char **argv)
{
  g_auto (ViewsInput) in = { 0 };
  int status = views_input_parse (&in, argc, argv, "reconstruct", "IN.png - encode and decode a view or a 4-view strip",
                                  "Output PNG: the reconstructed view(s) side by side", "OUT.png");
  if (status != 0)
    return status;
  const DvAutoencoder *ae = in.ae;
  const float *views = in.views;
  const char *out = in.out;
  const int n = in.n;
  g_autoptr (GError) error = NULL;
  const int S = ae->config.image_size;
  const size_t P = (size_t) S * S;
  g_autofree float *z = g_new (float, (size_t) n * ae->config.latent_dim);
  g_autofree float *rec = g_new (float, (size_t) n * 3 * P);
  run_autoencoder (ae, views, n, z, rec);
  DvImage img;
  dv_ae_views_to_image (&img, rec, n, S);
  gboolean ok = dv_png_write_image (out, &img, &error);
  dv_image_clear (&img);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  g_autofree float *a = g_new (float, 3 * P), *b = g_new (float, 3 * P);
  for (int v = 0; v < n; v++)
    {
      dv_cli_chw_to_hwc (a, views + (size_t) v * 3 * P, S);
      dv_cli_chw_to_hwc (b, rec + (size_t) v * 3 * P, S);
      printf ("view %d: PSNR %.2f dB, SSIM %.4f against the %d×%d input\n", v, dv_psnr (a, b, S, S),
              dv_ssim (a, b, S, S), S, S);
    }
  printf ("Wrote %s (%d view%s, %d×%d each)\n", out, n, n == 1 ? "" : "s", S, S);
  return 0;
}

int
dv_cmd_views_encode (int argc, char **argv)
{
  g_auto (ViewsInput) in = { 0 };
  int status = views_input_parse (&in, argc, argv, "encode", "IN.png - the latent of each view, as CSV",
                                  "Output CSV: one row of latents per view", "LATENT.csv");
  if (status != 0)
    return status;
  const DvAutoencoder *ae = in.ae;
  const float *views = in.views;
  const char *out = in.out;
  const int n = in.n;
  g_autoptr (GError) error = NULL;
  const int L = ae->config.latent_dim;
  g_autofree float *z = g_new (float, (size_t) n * L);
  run_autoencoder (ae, views, n, z, NULL);
  GString *csv = g_string_new ("view");
  for (int k = 0; k < L; k++)
    g_string_append_printf (csv, ",z%d", k);
  g_string_append_c (csv, '\n');
  for (int v = 0; v < n; v++)
    {
      g_string_append_printf (csv, "%d", v);
      for (int k = 0; k < L; k++)
        g_string_append_printf (csv, ",%.9g", z[(size_t) v * L + k]);
      g_string_append_c (csv, '\n');
    }
  gboolean ok = g_file_set_contents (out, csv->str, (gssize) csv->len, &error);  /* atomic: temp + rename */
  g_string_free (csv, TRUE);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  printf ("Wrote %s: %d latent%s of %d values\n", out, n, n == 1 ? "" : "s", L);
  return 0;
}

int
dv_cmd_views_decode (int argc, char **argv)
{
  char *out = NULL, *model = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output PNG: the decoded views side by side", "OUT.png" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Autoencoder weights (the shipped ones)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("LATENT.csv - decode latents (as `views encode` writes them)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out, *model_owned = model;
  if (argc != 2 || !out)
    return dv_cli_fail ("usage: dimvida views decode LATENT.csv --out OUT.png [--model FILE]");
  g_autoptr (DvAutoencoder) ae = dv_cli_load_autoencoder (model, &error);
  if (!ae)
    return dv_cli_fail ("%s", error->message);
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents (argv[1], &text, &len, &error))
    return dv_cli_fail ("%s", error->message);
  const int L = ae->config.latent_dim;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GArray *z = g_array_new (FALSE, FALSE, sizeof (float));
  int n = 0;
  for (int i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (!*line || g_ascii_isalpha (line[0]))
        continue; /* blank lines and the header */
      g_auto (GStrv) cells = g_strsplit (line, ",", -1);
      guint cols = g_strv_length (cells);
      /* "view,z0,…" as encode writes it, or just the L values. */
      guint first = cols == (guint) L + 1 ? 1 : 0;
      if (cols - first != (guint) L)
        {
          g_array_free (z, TRUE);
          return dv_cli_fail ("%s, line %d: %u values, expected %d latent values", argv[1], i + 1, cols - first, L);
        }
      for (guint c = first; c < cols; c++)
        {
          char *end = NULL;
          double v = g_ascii_strtod (cells[c], &end);
          if (end == cells[c] || *g_strstrip (end) != '\0' || !isfinite (v))
            {
              g_array_free (z, TRUE);
              return dv_cli_fail ("%s, line %d: '%s' is not a finite number", argv[1], i + 1, cells[c]);
            }
          float f = (float) v;
          g_array_append_val (z, f);
        }
      if (++n > 64)
        {
          g_array_free (z, TRUE);
          return dv_cli_fail ("%s: more than 64 latents", argv[1]);
        }
    }
  if (n == 0)
    {
      g_array_free (z, TRUE);
      return dv_cli_fail ("%s holds no latent rows", argv[1]);
    }
  const int S = ae->config.image_size;
  g_autofree float *rec = g_new (float, (size_t) n * 3 * S * S);
  run_autoencoder (ae, NULL, n, (float *) z->data, rec);
  g_array_free (z, TRUE);
  DvImage img;
  dv_ae_views_to_image (&img, rec, n, S);
  gboolean ok = dv_png_write_image (out, &img, &error);
  dv_image_clear (&img);
  if (!ok)
    return dv_cli_fail ("%s", error->message);
  printf ("Wrote %s (%d view%s)\n", out, n, n == 1 ? "" : "s");
  return 0;
}

int
dv_cmd_views_export_ae (int argc, char **argv)
{
  char *out = NULL;
  gboolean f16 = FALSE;
  char **meta = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output weights file", "FILE" },
    { "f16", 0, 0, G_OPTION_ARG_NONE, &f16, "Store the weights as F16 (half the size)", NULL },
    { "meta", 0, 0, G_OPTION_ARG_STRING_ARRAY, &meta, "Metadata to record, KEY=VALUE (repeatable)", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("CHECKPOINT - the weights alone, from a train-ae checkpoint");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out;
  g_auto (GStrv) meta_owned = meta;
  if (argc != 2 || !out)
    return dv_cli_fail ("usage: dimvida views export-ae CHECKPOINT --out FILE [--f16] [--meta KEY=VALUE …]");
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_load (argv[1], &error);
  if (!ae)
    return dv_cli_fail ("%s", error->message);
  g_autoptr (GHashTable) extra = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    /* Keep the checkpoint's training record (its config and step). */
    g_autoptr (DvSafetensors) st = dv_safetensors_open (argv[1], NULL);
    const char *keys[] = { "train_config", "step" };
    for (guint i = 0; st && i < G_N_ELEMENTS (keys); i++)
      if (dv_safetensors_metadata (st, keys[i]))
        g_hash_table_insert (extra, g_strdup (keys[i]), g_strdup (dv_safetensors_metadata (st, keys[i])));
  }
  for (int i = 0; meta && meta[i]; i++)
    {
      const char *eq = strchr (meta[i], '=');
      if (!eq || eq == meta[i])
        return dv_cli_fail ("--meta wants KEY=VALUE, not '%s'", meta[i]);
      g_hash_table_insert (extra, g_strndup (meta[i], eq - meta[i]), g_strdup (eq + 1));
    }
  if (!dv_autoencoder_save (ae, out, f16, extra, &error))
    return dv_cli_fail ("%s", error->message);
  printf ("Wrote %s (%zu parameters, %s)\n", out, ae->params.count, f16 ? "F16" : "F32");
  return 0;
}

int
dv_cmd_views_eval_ae (int argc, char **argv)
{
  char *data = NULL, *model = NULL, *split = NULL;
  int threads = 2;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory (from `dimvida views dataset`)", "DIR" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "Split to evaluate: e (default), c or d", "S" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Autoencoder weights (the shipped ones)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- PSNR and SSIM of reconstructions, per class");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *model_owned = model, *split_owned = split;
  if (!data)
    return dv_cli_fail ("views eval-ae needs --data DIR");
  const char *split_name = split ? split : "e";
  if (strcmp (split_name, "d") && strcmp (split_name, "c") && strcmp (split_name, "e"))
    return dv_cli_fail ("--split is d, c or e");
  dv_blas_set_threads (MAX (threads, 1));
  dv_conv2d_set_threads (MAX (threads, 1));
  g_autoptr (DvAutoencoder) ae = dv_cli_load_autoencoder (model, &error);
  if (!ae)
    return dv_cli_fail ("%s", error->message);
  g_autofree char *file = g_strdup_printf ("%s.dvmv", split_name);
  g_autofree char *cache = g_build_filename (data, file, NULL);
  DvMultiviewSet set;
  if (!dv_multiview_set_load (cache, &set, &error))
    return dv_cli_fail ("%s", error->message);
  const int S = ae->config.image_size;
  if (set.width != S || set.height != S)
    {
      dv_multiview_set_clear (&set);
      return dv_cli_fail ("%s holds %d×%d views; the autoencoder takes %d×%d", cache, set.width, set.height, S, S);
    }
  /* Every view of every object of the split. */
  const int B = 64;
  const size_t P = (size_t) S * S;
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, B);
  g_autofree float *x = g_new0 (float, B * 3 * P), *y = g_new (float, B * 3 * P);
  g_autofree float *a = g_new (float, 3 * P), *b = g_new (float, 3 * P);
  double psnr_sum[256] = { 0 }, ssim_sum[256] = { 0 }, psnr_view[8] = { 0 };
  guint count[256] = { 0 }, count_view[8] = { 0 };
  const guint total = set.n_objects * set.n_views;
  for (guint start = 0; start < total; start += B)
    {
      int n = (int) MIN ((guint) B, total - start);
      for (int i = 0; i < n; i++)
        {
          guint k = start + i;
          dv_ae_view_to_chw (x + (size_t) i * 3 * P, dv_multiview_set_view (&set, k / set.n_views, k % set.n_views), S);
        }
      dv_autoencoder_encode (ae, ae->params.data, &buf, NULL, x);
      dv_autoencoder_decode (ae, ae->params.data, &buf, y, dv_autoencoder_buffers_latent (&buf));
      for (int i = 0; i < n; i++)
        {
          guint k = start + i, label = set.labels[k / set.n_views], view = k % set.n_views;
          dv_cli_chw_to_hwc (a, x + (size_t) i * 3 * P, S);
          dv_cli_chw_to_hwc (b, y + (size_t) i * 3 * P, S);
          double p = dv_psnr (a, b, S, S);
          psnr_sum[label] += p;
          ssim_sum[label] += dv_ssim (a, b, S, S);
          count[label]++;
          if (view < 8)
            psnr_view[view] += p, count_view[view]++;
        }
    }
  dv_autoencoder_buffers_clear (&buf);
  printf ("| class | views | PSNR (dB) | SSIM |\n| --- | ---: | ---: | ---: |\n");
  double all_p = 0, all_s = 0;
  guint all_n = 0;
  for (int c = 0; c < 256; c++)
    if (count[c])
      {
        printf ("| %s | %u | %.2f | %.4f |\n", c < DV_N_OBJECT_CLASSES ? dv_object_class_name (c) : "?", count[c],
                psnr_sum[c] / count[c], ssim_sum[c] / count[c]);
        all_p += psnr_sum[c], all_s += ssim_sum[c], all_n += count[c];
      }
  printf ("| **all** | %u | **%.2f** | **%.4f** |\n", all_n, all_p / all_n, all_s / all_n);
  printf ("\nPSNR by view:");
  const char *names[] = { "front", "right", "back", "left" };
  for (int v = 0; v < MIN (set.n_views, 8); v++)
    printf (" %s %.2f", v < 4 ? names[v] : "?", psnr_view[v] / MAX (count_view[v], 1u));
  printf ("\n");
  dv_multiview_set_clear (&set);
  return 0;
}

/* ---- bench-conv: the speed figures bench/conv_torch.py sets against PyTorch ---- */

double
dv_cli_median (double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int
dv_cmd_views_bench_conv (int argc, char **argv)
{
  int threads = 2, repeats = 10, ae_batch = 64;
  char *shapes = NULL, *backend = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "Timed repeats, median reported (10)", "N" },
    { "shapes", 0, 0, G_OPTION_ARG_STRING, &shapes,
      "Conv shapes B:CIN:COUT:H:K:S:P;... (digest section F)", "LIST" },
    { "ae-batch", 0, 0, G_OPTION_ARG_INT, &ae_batch, "Autoencoder batch (64; 0 skips)", "B" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, "Convolutions: onednn (default) or im2col", "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time conv forward+backward and an autoencoder step");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *shapes_owned = shapes, *backend_owned = backend;
  if (repeats < 1 || threads < 1)
    return dv_cli_fail ("--repeats and --threads must be positive");
  if (backend && strcmp (backend, "im2col") && strcmp (backend, "onednn"))
    return dv_cli_fail ("--backend is onednn or im2col");
  if (backend && !dv_conv2d_set_backend (strcmp (backend, "im2col") == 0 ? DV_CONV2D_IM2COL : DV_CONV2D_ONEDNN))
    return dv_cli_fail ("this build has no oneDNN");
  printf ("backend %s\n", dv_conv2d_backend_name ());
  dv_blas_set_threads (threads);
  dv_conv2d_set_threads (threads);
  g_auto (GStrv) list = g_strsplit (shapes ? shapes : "32:32:32:64:3:1:1;32:64:64:32:3:1:1;32:128:128:16:3:1:1;32:3:32:64:3:1:1", ";", -1);
  DvRng rng;
  dv_rng_init (&rng, 1);
  for (int i = 0; list[i]; i++)
    {
      int B, ci, co, H, K, St, P;
      if (sscanf (list[i], "%d:%d:%d:%d:%d:%d:%d", &B, &ci, &co, &H, &K, &St, &P) != 7 || B < 1 || ci < 1 ||
          co < 1 || H < K || K < 1 || St < 1 || P < 0 || B * (gint64) ci * H * H > 100000000)
        return dv_cli_fail ("bad shape '%s' (B:CIN:COUT:H:K:S:P)", list[i]);
      DvConv2dShape s;
      dv_conv2d_shape_init (&s, B, ci, H, H, co, K, St, P);
      size_t n_in = (size_t) B * ci * H * H, n_out = (size_t) B * co * dv_conv2d_out_h (&s) * dv_conv2d_out_w (&s);
      size_t n_w = dv_conv2d_weight_size (&s);
      float *x = g_new (float, n_in), *dx = g_new0 (float, n_in), *w = g_new (float, n_w), *dw = g_new0 (float, n_w);
      float *b = g_new0 (float, co), *db = g_new0 (float, co), *y = g_new (float, n_out), *dy = g_new (float, n_out);
      float *work = g_new (float, dv_conv2d_workspace_size (&s));
      dv_rng_fill_normal (&rng, x, n_in);
      dv_rng_fill_normal (&rng, w, n_w);
      dv_rng_fill_normal (&rng, dy, n_out);
      double t[64], tf[64];
      int n = MIN (repeats, 64);
      for (int r = -2; r < n; r++)
        {
          gint64 t0 = g_get_monotonic_time ();
          dv_conv2d_forward (y, x, w, b, &s, work);
          gint64 t1 = g_get_monotonic_time ();
          dv_conv2d_backward (dx, dw, db, dy, x, w, &s, work);
          gint64 t2 = g_get_monotonic_time ();
          if (r >= 0)
            t[r] = (t2 - t0) / 1e3, tf[r] = (t1 - t0) / 1e3;
        }
      double flops = 3.0 * 2.0 * n_out * n_w / co;
      double ms = dv_cli_median (t, n);
      printf ("conv %s fwd+bwd_ms %.2f fwd_ms %.2f gflops %.0f\n", list[i], ms, dv_cli_median (tf, n), flops / ms / 1e6);
      g_free (x), g_free (dx), g_free (w), g_free (dw), g_free (b), g_free (db), g_free (y), g_free (dy), g_free (work);
    }
  if (ae_batch > 0)
    {
      DvAutoencoderConfig config;
      dv_autoencoder_config_init (&config);
      g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
      dv_autoencoder_init_weights (ae, 1);
      DvAutoencoderBuffers buf;
      dv_autoencoder_buffers_init (&buf, ae, ae_batch);
      const int S = config.image_size;
      size_t n_img = (size_t) ae_batch * 3 * S * S;
      float *x = g_new (float, n_img), *y = g_new (float, n_img), *dy = g_new (float, n_img);
      dv_rng_fill_uniform (&rng, x, n_img, 0, 1);
      double t[64];
      int n = MIN (repeats, 64);
      for (int r = -2; r < n; r++)
        {
          gint64 t0 = g_get_monotonic_time ();
          dv_autoencoder_encode (ae, ae->params.data, &buf, NULL, x);
          dv_autoencoder_decode (ae, ae->params.data, &buf, y, dv_autoencoder_buffers_latent (&buf));
          for (size_t k = 0; k < n_img; k++)
            dy[k] = (y[k] > x[k] ? 1.0f : -1.0f) / (float) n_img;
          dv_params_zero_grad (&ae->params);
          dv_autoencoder_backward (ae, ae->params.data, ae->params.grad, &buf, x, dy, NULL);
          if (r >= 0)
            t[r] = (g_get_monotonic_time () - t0) / 1e3;
        }
      printf ("ae batch %d params %zu step_ms %.1f\n", ae_batch, ae->params.count, dv_cli_median (t, n));
      dv_autoencoder_buffers_clear (&buf);
      g_free (x), g_free (y), g_free (dy);
    }
  return 0;
}
