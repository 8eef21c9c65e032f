/* dimvida votes: the classifiers of DiMViDA's Votes — the generated views of splits c and e (here), training
 * (votes_train_cmd.c), Table II (votes_table_cmd.c) and classifying one image (votes_classify_cmd.c). */
#include "commands.h"
#include "core/blas.h"
#include "io/png.h"
#include "nn/conv2d.h"
#include "views/rasterizer.h"
#include "votes/generated_views.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const char votes_usage[] =
  "Usage: dimvida votes COMMAND [OPTIONS]\n\n"
  "Commands:\n"
  "  generate-views --data DIR --out DIR [--split c|e] [--model SCORE] [--ae AE] [--gen-steps N] [--gen-seed S]\n"
  "          The 3 missing views of every object of splits c and e, generated from its real view by the\n"
  "          score model (Euler–Maruyama) and cached as DIR/generated-c.safetensors, generated-e.safetensors\n"
  "  train --data DIR --arch resnet18|mobilenet --set s|m [--out RUN] [--minutes M] [--steps N] [--seed S]\n"
  "        [--threads T] [--resume RUN/checkpoint.safetensors] [--cache DIR]\n"
  "          Train a classifier on split c (Ω_s) or ca (Ω_m: c and its generated views), then score it on e and ea\n"
  "  table --data DIR [CLASSIFIER.safetensors…] [--confusion e|ea]\n"
  "          Table II: accuracy on e (the real view) and ea (the mean vote of it and its 3 generated views);\n"
  "          the shipped four classifiers by default, several seeds of a cell averaged\n"
  "  classify IN.png [--arch resnet18|mobilenet] [--model s|m] [--views real|augmented] [--view NAME]\n"
  "          The class of one view (first line), then each view's probabilities and their mean\n"
  "\nThe generated views are keyed by the SHA-256 of the score model and the autoencoder: a cache made with\n"
  "other models or sampler settings is generated again. Every command that generates takes --precision bf16|f32\n"
  "(BF16 where the CPU runs it, as views generate; caches written before BF16 existed are F32).\n";

void
dv_cli_votes_set_threads (int threads)
{
  dv_blas_set_threads (MAX (threads, 1));
  dv_conv2d_set_threads (MAX (threads, 1));
}

gboolean
dv_cli_votes_sampler_init (DvMaskedSamplerConfig *sampler, int steps, gint64 seed, const char *precision,
                           GError **error)
{
  dv_masked_sampler_config_init (sampler);
  sampler->kind = DV_MASKED_SAMPLER_EULER_MARUYAMA;
  if (steps > 0)
    sampler->steps = steps;
  sampler->seed = (guint64) MAX (seed, 0);
  DvPrecision requested = DV_SCORE_MODEL_SAMPLING_PRECISION;
  if (precision && !dv_precision_from_string (precision, &requested, error))
    return FALSE;
  /* Resolved here, so the cache's key names what ran. */
  sampler->precision = dv_score_model_precision (NULL, requested);
  return dv_masked_sampler_config_check (sampler, error);
}

static void
print_progress (const DvProgress *p, gpointer user_data)
{
  gint64 *last = user_data;
  const gint64 now = g_get_monotonic_time ();
  if (p->done < p->total && now - *last < 2 * G_USEC_PER_SEC)
    return;
  *last = now;
  fprintf (stderr, "\r%s: %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " objects", p->what, p->done, p->total);
  if (p->done == p->total)
    fputc ('\n', stderr);
  fflush (stderr);
}

guint8 *
dv_cli_votes_generated_views (DvScoreModel *model, const DvAutoencoder *ae, const DvMultiviewSet *set,
                              const DvMaskedSamplerConfig *sampler, const char *cache_dir, GError **error)
{
  g_autofree char *cache = NULL;
  if (cache_dir)
    {
      if (g_mkdir_with_parents (cache_dir, 0755) != 0)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot create %s", cache_dir);
          return NULL;
        }
      g_autofree char *name = g_strdup_printf ("generated-%s.safetensors", dv_multiview_split_name (set->split));
      cache = g_build_filename (cache_dir, name, NULL);
    }
  gboolean from_cache = FALSE;
  gint64 last = 0, start = g_get_monotonic_time ();
  guint8 *views = dv_generated_views_get (model, ae, set, sampler, DV_CLI_VOTES_GEN_BATCH, cache, &from_cache,
                                          print_progress, &last, NULL, error);
  if (views)
    printf ("Generated views of split %s (%u objects): %s in %.1f s\n", dv_multiview_split_name (set->split),
            set->n_objects, from_cache ? "read from the cache" : "generated", (g_get_monotonic_time () - start) / 1e6);
  fflush (stdout);
  return views;
}

/* The first `rows` objects of every class, a row of 4 views each, the real one framed in red. */
static gboolean
write_sheet (const char *path, const DvMultiviewSet *set, const guint8 *views4, int rows, GError **error)
{
  const int S = set->width, V = DV_VIEW_COUNT, W = V * S;
  GArray *picked = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint o = 0, count = 0; o < set->n_objects; o++)
    {
      count = o > 0 && set->labels[o] == set->labels[o - 1] ? count + 1 : 0;
      if (count < (guint) rows)
        g_array_append_val (picked, o);
    }
  const int H = (int) picked->len * S;
  g_autofree guint8 *rgb = g_new (guint8, (size_t) W * H * 3);
  for (guint r = 0; r < picked->len; r++)
    {
      const guint o = g_array_index (picked, guint, r);
      dv_views_to_strip (views4 + (size_t) o * V * S * S * 3, V, S, S, rgb + (size_t) r * S * W * 3);
      const int g = set->given_views[o];
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
          if (x == 0 || y == 0 || x == S - 1 || y == S - 1)
            {
              guint8 *px = rgb + 3 * ((size_t) (r * S + y) * W + g * S + x);
              px[0] = 220, px[1] = 30, px[2] = 30;
            }
    }
  g_array_unref (picked);
  return dv_png_write_rgb8 (path, rgb, W, H, error);
}

static int
cmd_generate_views (int argc, char **argv)
{
  g_autofree char *precision = NULL;
  char *data = NULL, *out = NULL, *model_path = NULL, *ae_path = NULL, *split_name = NULL, *sheet = NULL;
  int steps = 0, threads = 2, sheet_rows = 2;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset directory with c.dvmv and e.dvmv", "DIR" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Cache directory (generated-c.safetensors, …)", "DIR" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split_name, "c or e (both)", "SPLIT" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Score model (the shipped one)", "FILE" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "Autoencoder (the shipped one)", "FILE" },
    { "gen-steps", 0, 0, G_OPTION_ARG_INT, &steps, "Euler–Maruyama steps (250)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, "Precision of the score network while generating: bf16 (where the CPU runs it) or f32", "bf16|f32" },
    { "gen-seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Sampler seed (0)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Threads (2)", "T" },
    { "sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet,
      "Also write a contact sheet: per split, objects of every class, one row each (front, right, back, left; "
      "the real view framed)", "FILE.png" },
    { "sheet-rows", 0, 0, G_OPTION_ARG_INT, &sheet_rows, "Objects per class on the sheet (2)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- generate the missing views of splits c and e");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *out_owned = out, *model_owned = model_path, *ae_owned = ae_path;
  g_autofree char *split_owned = split_name, *sheet_owned = sheet;
  if (!data || !out)
    return dv_cli_fail ("votes generate-views needs --data DIR (with c.dvmv and e.dvmv) and --out DIR");
  if (argc > 1)
    return dv_cli_fail ("votes generate-views: unexpected argument '%s'", argv[1]);
  if (steps < 0 || seed < 0 || threads < 1 || sheet_rows < 1 || sheet_rows > 50)
    return dv_cli_fail ("--gen-steps, --gen-seed and --threads must be positive");
  gboolean want[DV_N_SPLITS] = { FALSE, TRUE, TRUE };
  if (split_name)
    {
      if (strcmp (split_name, "c") && strcmp (split_name, "e"))
        return dv_cli_fail ("--split is c or e, not '%s' (split d has all four views already)", split_name);
      want[DV_SPLIT_C] = split_name[0] == 'c';
      want[DV_SPLIT_E] = split_name[0] == 'e';
    }
  dv_cli_votes_set_threads (threads);
  g_autoptr (DvScoreModel) model = dv_cli_load_score_model (model_path, &error);
  g_autoptr (DvAutoencoder) ae = model ? dv_cli_load_autoencoder (ae_path, &error) : NULL;
  if (!model || !ae)
    return dv_cli_fail ("%s", error->message);
  DvMaskedSamplerConfig sampler;
  if (!dv_cli_votes_sampler_init (&sampler, steps, seed, precision, &error))
    return dv_cli_fail ("%s", error->message);
  for (int s = DV_SPLIT_C; s <= DV_SPLIT_E; s++)
    {
      if (!want[s])
        continue;
      DvMultiviewSet set;
      if (!dv_cli_load_split (data, (DvSplit) s, ae, &set, &error))
        return dv_cli_fail ("%s", error->message);
      g_autofree guint8 *views = dv_cli_votes_generated_views (model, ae, &set, &sampler, out, &error);
      if (views && sheet)
        {
          g_autofree char *base = g_strndup (sheet, strlen (sheet) - (g_str_has_suffix (sheet, ".png") ? 4 : 0));
          g_autofree char *file = g_strdup_printf ("%s-%s.png", base, dv_multiview_split_name (set.split));
          if (!write_sheet (file, &set, views, sheet_rows, &error))
            g_clear_pointer (&views, g_free);
          else
            printf ("Wrote %s\n", file);
        }
      dv_multiview_set_clear (&set);
      if (!views)
        return dv_cli_fail ("%s", error->message);
    }
  return 0;
}

int
dv_cmd_votes (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (votes_usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (strcmp (argv[1], "generate-views") == 0)
    return cmd_generate_views (argc - 1, argv + 1);
  if (strcmp (argv[1], "train") == 0)
    return dv_cmd_votes_train (argc - 1, argv + 1);
  if (strcmp (argv[1], "table") == 0)
    return dv_cmd_votes_table (argc - 1, argv + 1);
  if (strcmp (argv[1], "classify") == 0)
    return dv_cmd_votes_classify (argc - 1, argv + 1);

  fprintf (stderr, "dimvida votes: unknown command '%s'\n\n%s", argv[1], votes_usage);
  return 2;
}
