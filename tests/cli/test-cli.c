/* The headless command's outputs that bench/ and docs/results.md rely on:
 * `dimvida toy bench` (one `key value` line per figure) and `dimvida toy
 * table` (the seed's table, and with --out the per-dataset files), run with
 * tiny step counts; their structure and the values' sanity. DV_DIMVIDA names
 * the binary. */
#include "toy/data.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "test-util.h"


static double
parse_number (const char *text)
{
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    g_error ("“%s” is not a number", text);
  return v;
}

/* ---- toy bench ---- */

static void
test_toy_bench (void)
{
  DvTestRun r;
  const char *args[] = { "toy", "bench", "--steps", "3", "--gan-steps", "2", "--warmup", "1", "--repeats", "1",
                         "--sample-points", "300", "--batch", "32", "--threads", "1", NULL };
  dv_test_run_dimvida (&r, NULL, args);
  if (r.status != 0)
    g_error ("toy bench failed: %s", r.err);
  /* Every line is `key value`; each key once. */
  g_autoptr (GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_auto (GStrv) kv = g_strsplit (lines[i], " ", -1);
      if (g_strv_length (kv) != 2)
        g_error ("toy bench line “%s” is not `key value`", lines[i]);
      if (g_hash_table_contains (values, kv[0]))
        g_error ("toy bench printed %s twice", kv[0]);
      g_hash_table_insert (values, g_strdup (kv[0]), g_strdup (kv[1]));
    }
  /* What bench/run reads, each a positive time. */
  const char *times[] = { "train_ms_per_step_median", "train_gemm_floor_ms_median", "gan_train_ms_per_step_median",
                          "sample_seconds" };
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      const char *v = g_hash_table_lookup (values, times[i]);
      if (v == NULL)
        g_error ("toy bench printed no %s", times[i]);
      const double x = parse_number (v);
      g_assert_true (isfinite (x));
      g_assert_cmpfloat (x, >, 0.0);
    }
  /* The run's own settings, echoed. */
  g_assert_cmpfloat (parse_number (g_hash_table_lookup (values, "openblas_threads")), ==, 1);
  g_assert_cmpfloat (parse_number (g_hash_table_lookup (values, "batch")), ==, 32);
  g_assert_cmpfloat (parse_number (g_hash_table_lookup (values, "sample_points")), ==, 300);
  g_assert_cmpfloat (parse_number (g_hash_table_lookup (values, "sample_steps")), ==, 100);
  g_assert_nonnull (g_hash_table_lookup (values, "openblas_core"));
  g_assert_cmpuint (g_hash_table_size (values), ==, 9);
  /* With the discriminator a step does strictly more work. */
  g_assert_cmpfloat (parse_number (g_hash_table_lookup (values, "gan_train_ms_per_step_median")), >,
                     parse_number (g_hash_table_lookup (values, "train_ms_per_step_median")));
  dv_test_run_clear (&r);

  /* Bad counts: a clear message, a failing status and no figure. */
  const char *bad[] = { "toy", "bench", "--steps", "0", NULL };
  dv_test_run_dimvida (&r, NULL, bad);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "bad counts"));
  g_assert_null (strstr (r.out, "_median"));
  dv_test_run_clear (&r);
}

/* ---- toy table ---- */

#define TABLE_ARGS(steps)                                                                                          \
  "toy", "table", "--steps", steps, "--lr", "3e-3", "--points", "2000", "--emb", "16", "--hidden", "32",          \
    "--blocks", "1", "--batch", "64", "-T", "20", "--threads", "1"

/* The eval loss column of each dataset's row. */
static void
table_eval_losses (const char *out, double *losses)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 8);
  for (int i = 0; i < 4; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[4 + i], "|", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 7);
      losses[i] = parse_number (g_strstrip (cells[3]));
    }
}

static void
test_toy_table (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cli-table-XXXXXX", NULL);
  DvTestRun r;
  /* One step first: the untrained eval losses, ε-MSE ≈ 1 as ε ~ N(0, I). */
  double untrained[4];
  const char *one_step[] = { TABLE_ARGS ("1"), NULL };
  dv_test_run_dimvida (&r, NULL, one_step);
  if (r.status != 0)
    g_error ("toy table failed: %s", r.err);
  table_eval_losses (r.out, untrained);
  dv_test_run_clear (&r);

  const char *args[] = { TABLE_ARGS ("300"), "--out", dir, NULL };
  dv_test_run_dimvida (&r, NULL, args);
  if (r.status != 0)
    g_error ("toy table failed: %s", r.err);
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 8);
  g_assert_cmpstr (lines[0], ==, "Schedule linear, T 20, 300 steps, baseline, sampler ddpm, seed 42");
  g_assert_cmpstr (lines[1], ==, "");
  g_assert_cmpstr (lines[2], ==, "| Dataset | Training time (s) | Eval loss | Inference time (s) | KL divergence (bits) |");
  g_assert_cmpstr (lines[3], ==, "|---|---|---|---|---|");

  g_autofree char *summary_path = g_build_filename (dir, "final_info.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  g_assert_true (json_parser_load_from_file (parser, summary_path, &error));
  g_assert_no_error (error);
  JsonObject *summary = json_node_get_object (json_parser_get_root (parser));

  const char *const *names = dv_toy_dataset_names ();
  int rows = 0;
  for (; names[rows] != NULL; rows++)
    {
      /* | name | training time | eval loss | inference time | KL | */
      g_auto (GStrv) cells = g_strsplit (lines[4 + rows], "|", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 7);
      g_assert_cmpstr (g_strstrip (cells[1]), ==, names[rows]);
      const double train_s = parse_number (g_strstrip (cells[2])), eval_loss = parse_number (g_strstrip (cells[3]));
      const double infer_s = parse_number (g_strstrip (cells[4])), kl = parse_number (g_strstrip (cells[5]));
      g_test_message ("%s: eval loss %.4f, KL %.3f bits", names[rows], eval_loss, kl);
      g_assert_cmpfloat (train_s, >=, 0.0);
      g_assert_cmpfloat (infer_s, >, 0.0);
      /* 300 steps bring the ε-MSE down from about 1 (measured: by 0.07 to 0.22). */
      g_test_message ("%s: eval loss %.4f after one step, %.4f after 300", names[rows], untrained[rows], eval_loss);
      g_assert_cmpfloat (untrained[rows], >, 0.9);
      g_assert_cmpfloat (untrained[rows], <, 1.2);
      g_assert_cmpfloat (eval_loss, >, 0.05);
      g_assert_cmpfloat (eval_loss, <, untrained[rows] - 0.03);
      g_assert_true (isfinite (kl));
      g_assert_cmpfloat (kl, >, -1.0);
      g_assert_cmpfloat (kl, <, 20.0);

      /* The summary holds the figures the table shows. */
      JsonObject *means = json_object_get_object_member (json_object_get_object_member (summary, names[rows]), "means");
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (means, "eval_loss"), eval_loss, 5.1e-5);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (means, "kl_divergence"), kl, 5.1e-5);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (means, "inference_time"), infer_s, 5.1e-4);

      /* Each dataset's folder: its final_info.json, the 10,000 samples and their plot. */
      g_autofree char *sub = g_build_filename (dir, names[rows], NULL);
      g_autofree char *csv = g_build_filename (sub, "samples.csv", NULL);
      g_autofree char *png = g_build_filename (sub, "samples.png", NULL);
      g_autofree char *info = g_build_filename (sub, "final_info.json", NULL);
      DvToyData samples;
      g_assert_true (dv_toy_data_load_csv (&samples, csv, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (samples.n, ==, 10000);
      for (size_t i = 0; i < 2 * samples.n; i++)
        g_assert_true (isfinite (samples.xy[i]));
      dv_toy_data_clear (&samples);
      g_autofree char *png_bytes = NULL;
      gsize png_len = 0;
      g_assert_true (g_file_get_contents (png, &png_bytes, &png_len, NULL));
      g_assert_cmpuint (png_len, >, 8);
      g_assert_cmpmem (png_bytes, 8, "\x89PNG\r\n\x1a\n", 8);
      g_autoptr (JsonParser) info_parser = json_parser_new ();
      g_assert_true (json_parser_load_from_file (info_parser, info, &error));
      g_assert_no_error (error);
      JsonObject *entry = json_object_get_object_member (json_node_get_object (json_parser_get_root (info_parser)),
                                                         names[rows]);
      g_assert_nonnull (entry);
      JsonObject *config = json_object_get_object_member (entry, "config");
      g_assert_cmpint (json_object_get_int_member (config, "T"), ==, 20);
      g_assert_cmpint (json_object_get_int_member (config, "steps"), ==, 300);
      g_assert_cmpint (json_object_get_int_member (config, "eval_samples"), ==, 10000);
    }
  g_assert_cmpint (rows, ==, 4);
  g_assert_cmpstr (lines[4 + rows], ==, "");
  g_assert_null (lines[5 + rows]);
  dv_test_run_clear (&r);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("DV_DIMVIDA"));
  g_test_add_func ("/cli/toy-bench", test_toy_bench);
  g_test_add_func ("/cli/toy-table", test_toy_table);
  return g_test_run ();
}
