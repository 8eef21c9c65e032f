/* What the Playground shows, computed in the engine: the denoising field
 * against the x̂₀ formula, the discriminator heatmap against σ(D(x)), the
 * losses.csv.gz history (round trip, gzip, malformed files) and the one
 * sampler JSON schema (round trip, the old "ddim_steps" key, bad values). */
#include "diffusion/noise_schedule.h"
#include "toy/field.h"
#include "toy/heatmap.h"
#include "toy/loss_history.h"
#include "toy/sampler_config.h"
#include "toy/denoiser.h"
#include "toy/discriminator.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const DvBox2D box = { -2.0, 3.0, -1.5, 0.5 };

/* ---- field ---- */

static void
test_field_matches_formula (void)
{
  const int T = 20, grid = 5;
  DvToyDenoiserConfig cfg = { 16, 32, 2, T };
  DvRng rng;
  dv_rng_init (&rng, 3);
  DvToyDenoiser model;
  dv_toy_denoiser_init (&model, &cfg, &rng);
  DvNoiseSchedule sched;
  g_assert_true (dv_noise_schedule_init (&sched, DV_SCHEDULE_COSINE, T, 1e-4f, 0.02f, NULL));
  DvToyField field = { 0 };
  dv_toy_field_clear (&field); /* safe on a zeroed one */
  dv_toy_field_init (&field, &model, grid);
  float origins[2 * 25], vectors[2 * 25];

  const int ts[] = { 0, 7, T - 1 };
  for (guint k = 0; k < G_N_ELEMENTS (ts); k++)
    {
      const int t = ts[k];
      dv_toy_field_compute (&field, &model, model.params.data, &sched, t, &box, origins, vectors);
      /* Cell (row 1, col 3): x = x_min + 3.5·w/5, y = y_min + 1.5·h/5. */
      const int i = 1 * grid + 3;
      g_assert_cmpfloat_with_epsilon (origins[2 * i], -2.0 + 5.0 * 3.5 / grid, 1e-6);
      g_assert_cmpfloat_with_epsilon (origins[2 * i + 1], -1.5 + 2.0 * 1.5 / grid, 1e-6);
      /* ε̂ by the inference path, x̂₀ from ᾱ in double. */
      float eps[2];
      float *table = g_new (float, (size_t) T * 32);
      dv_toy_denoiser_time_table (&model, model.params.data, table);
      DvToyDenoiserWork work;
      dv_toy_denoiser_work_init_inference (&work, &model, 1);
      int tv = t;
      dv_toy_denoiser_forward (&model, model.params.data, table, &work, origins + 2 * i, &tv, 1, eps);
      dv_toy_denoiser_work_clear (&work);
      g_free (table);
      const double abar = sched.alphas_cumprod[t];
      for (int c = 0; c < 2; c++)
        {
          const double x = origins[2 * i + c];
          const double x0 = x / sqrt (abar) - sqrt (1.0 / abar - 1.0) * eps[c];
          g_assert_cmpfloat_with_epsilon (vectors[2 * i + c], x0 - x, 1e-3 * (1 + fabs (x0)));
        }
    }
  dv_toy_field_clear (&field);
  dv_toy_field_clear (&field);
  dv_noise_schedule_clear (&sched);
  dv_toy_denoiser_clear (&model);
}

/* ---- heatmap ---- */

static void
test_heatmap_is_sigmoid_of_d (void)
{
  const int grid = 4;
  DvToyDiscriminatorConfig cfg = { 16, 3 };
  DvRng rng;
  dv_rng_init (&rng, 5);
  DvToyDiscriminator disc;
  dv_toy_discriminator_init (&disc, &cfg, &rng);
  DvToyHeatmap heatmap = { 0 };
  dv_toy_heatmap_init (&heatmap, &disc, grid);
  float values[16];
  dv_toy_heatmap_compute (&heatmap, &disc, disc.params.data, &box, values);

  float points[2 * 16];
  dv_toy_field_grid_points (&box, grid, points);
  DvToyDiscriminatorWork work;
  dv_toy_discriminator_work_init (&work, &disc, 16);
  float logits[16];
  dv_toy_discriminator_forward (&disc, disc.params.data, &work, points, 16, logits);
  for (int i = 0; i < 16; i++)
    {
      g_assert_cmpfloat (values[i], >, 0);
      g_assert_cmpfloat (values[i], <, 1);
      g_assert_cmpfloat_with_epsilon (values[i], 1.0 / (1.0 + exp (-(double) logits[i])), 1e-6);
    }
  /* Row 0 is at y_min. */
  g_assert_cmpfloat_with_epsilon (points[1], -1.5 + 2.0 * 0.5 / grid, 1e-6);
  dv_toy_discriminator_work_clear (&work);
  dv_toy_heatmap_clear (&heatmap);
  dv_toy_discriminator_clear (&disc);
}

/* ---- loss history ---- */

static char *
temp_path (const char *name)
{
  static char *dir = NULL;
  if (dir == NULL)
    dir = g_dir_make_tmp ("dv-test-toy-parts-XXXXXX", NULL);
  return g_build_filename (dir, name, NULL);
}

static void
test_loss_history_round_trip (void)
{
  g_autoptr (GArray) records = dv_toy_loss_history_new ();
  for (int i = 1; i <= 300; i++)
    {
      /* Values with at most 6 significant digits survive %.6g exactly. */
      DvToyStepInfo info = { i, 300, 1.0f / i, 0.5f, 0.125f * (i % 3), 0.25f, 0.0625f, 3e-4f, 9.0f };
      dv_toy_loss_history_append (records, &info);
    }
  g_autofree char *path = temp_path ("losses.csv.gz");
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_toy_loss_history_write ((DvToyLossRecord *) records->data, records->len, path, &error));
  g_assert_no_error (error);

  /* gzip on disk, the CSV with its header inside. */
  g_autofree char *bytes = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (path, &bytes, &length, NULL));
  g_assert_cmpuint (length, >, 2);
  g_assert_cmpint ((guchar) bytes[0], ==, 0x1f);
  g_assert_cmpint ((guchar) bytes[1], ==, 0x8b);

  g_autoptr (GArray) back = dv_toy_loss_history_read (path, 300, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 300);
  for (guint i = 0; i < back->len; i++)
    {
      const DvToyLossRecord *a = &g_array_index (records, DvToyLossRecord, i);
      const DvToyLossRecord *b = &g_array_index (back, DvToyLossRecord, i);
      g_assert_cmpint (b->step, ==, a->step);
      g_assert_cmpfloat_with_epsilon (b->loss, a->loss, 5e-6 * a->loss);
      g_assert_cmpfloat (b->mse, ==, a->mse);
      g_assert_cmpfloat (b->adv, ==, a->adv);
      g_assert_cmpfloat (b->d_loss, ==, a->d_loss);
      g_assert_cmpfloat (b->gp, ==, a->gp);
      g_assert_cmpfloat_with_epsilon (b->lr, a->lr, 1e-9);
    }

  /* More steps than the checkpoint has: malformed. */
  g_autoptr (GArray) too_many = dv_toy_loss_history_read (path, 299, &error);
  g_assert_null (too_many);
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  g_unlink (path);
}

static void
test_loss_history_malformed (void)
{
  g_autofree char *path = temp_path ("gap.csv.gz");
  g_autoptr (GError) error = NULL;
  /* Steps 1, 2, 4: a gap. */
  const DvToyLossRecord gap[] = { { 1, 1, 1, 0, 0, 0, 1e-3f }, { 2, 1, 1, 0, 0, 0, 1e-3f },
                                  { 4, 1, 1, 0, 0, 0, 1e-3f } };
  g_assert_true (dv_toy_loss_history_write (gap, G_N_ELEMENTS (gap), path, &error));
  g_assert_null (dv_toy_loss_history_read (path, G_MAXINT64, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "line 4"));
  g_clear_error (&error);

  /* Not gzip. */
  g_assert_true (g_file_set_contents (path, "step,loss,mse,adv,d_loss,gp,lr\n1,1,1,0,0,0,0\n", -1, NULL));
  g_assert_null (dv_toy_loss_history_read (path, G_MAXINT64, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  g_unlink (path);

  /* Missing. */
  g_assert_null (dv_toy_loss_history_read (path, G_MAXINT64, &error));
  g_assert_nonnull (error);
}

/* ---- sampler config ---- */

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_sampler_config_json (void)
{
  DvToySamplerConfig cfg, back;
  dv_toy_sampler_config_init (&cfg);
  g_assert_cmpint (cfg.kind, ==, DV_SAMPLER_DDPM);
  g_assert_true (dv_toy_sampler_config_check (&cfg, 100, NULL));
  cfg.kind = DV_SAMPLER_DDIM;
  cfg.steps = 25;

  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  dv_toy_sampler_config_to_json (&cfg, builder);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  g_assert_cmpstr (text, ==, "{\"sampler\":\"ddim\",\"sampler_steps\":25}");

  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  dv_toy_sampler_config_init (&back);
  g_assert_true (dv_toy_sampler_config_from_json (&back, parse_object (parser, text), &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.kind, ==, DV_SAMPLER_DDIM);
  g_assert_cmpint (back.steps, ==, 25);

  /* Files the Playground wrote before the one schema. */
  dv_toy_sampler_config_init (&back);
  g_assert_true (dv_toy_sampler_config_from_json (&back, parse_object (parser, "{\"sampler\": \"ddim\", "
                                                                               "\"ddim_steps\": 12}"), &error));
  g_assert_cmpint (back.kind, ==, DV_SAMPLER_DDIM);
  g_assert_cmpint (back.steps, ==, 12);
  /* The new key wins over the old one; missing members keep their value. */
  g_assert_true (dv_toy_sampler_config_from_json (&back, parse_object (parser, "{\"ddim_steps\": 3, "
                                                                               "\"sampler_steps\": 7}"), &error));
  g_assert_cmpint (back.steps, ==, 7);
  g_assert_true (dv_toy_sampler_config_from_json (&back, parse_object (parser, "{}"), &error));
  g_assert_cmpint (back.kind, ==, DV_SAMPLER_DDIM);
  g_assert_cmpint (back.steps, ==, 7);

  /* Wrong types and values. */
  const char *bad[] = { "{\"sampler\": \"euler\"}", "{\"sampler\": 1}", "{\"sampler_steps\": \"ten\"}",
                        "{\"sampler_steps\": -1}", "{\"ddim_steps\": 2.5}" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dv_toy_sampler_config_from_json (&back, parse_object (parser, bad[i]), &error));
      g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
      g_clear_error (&error);
    }

  /* DDIM visits 1..T steps; DDPM ignores the count. */
  cfg.steps = 0;
  g_assert_false (dv_toy_sampler_config_check (&cfg, 100, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  cfg.steps = 101;
  g_assert_false (dv_toy_sampler_config_check (&cfg, 100, NULL));
  cfg.steps = 100;
  g_assert_true (dv_toy_sampler_config_check (&cfg, 100, NULL));
  cfg.kind = DV_SAMPLER_DDPM;
  cfg.steps = 0;
  g_assert_true (dv_toy_sampler_config_check (&cfg, 100, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/toy-parts/field/formula", test_field_matches_formula);
  g_test_add_func ("/toy-parts/heatmap/sigmoid", test_heatmap_is_sigmoid_of_d);
  g_test_add_func ("/toy-parts/loss-history/round-trip", test_loss_history_round_trip);
  g_test_add_func ("/toy-parts/loss-history/malformed", test_loss_history_malformed);
  g_test_add_func ("/toy-parts/sampler-config/json", test_sampler_config_json);
  int status = g_test_run ();
  g_autofree char *dir = temp_path ("");
  g_rmdir (dir);
  return status;
}
