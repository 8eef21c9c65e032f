/* dimvida views latent-map: the 2D PCA map of split d's view latents that the Views page draws its paths on
 * (data/weights/views/latent-map.safetensors). */
#include "commands.h"
#include "views/latent_map.h"
#include "views/rasterizer.h"

#include <stdio.h>

#define DEFAULT_POINTS 4000

int
dv_cmd_views_latent_map (int argc, char **argv)
{
  char *data = NULL, *ae_path = NULL, *out = NULL, *cache = NULL;
  gint64 points = DEFAULT_POINTS;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset folder holding d.dvmv (views dataset)", "DIR" },
    { "ae", 0, 0, G_OPTION_ARG_FILENAME, &ae_path, "The autoencoder (the shipped one by default)", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "The map to write (safetensors)", "FILE" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache,
      "Split d's latents: read when written for this autoencoder, else encoded and written there", "FILE" },
    { "points", 'n', 0, G_OPTION_ARG_INT64, &points, "Latents kept as the cloud, every view of evenly spaced "
      "objects (4000)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the 2D PCA map of the training latents");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *data_owned = data, *ae_owned = ae_path, *out_owned = out, *cache_owned = cache;
  if (data == NULL || out == NULL)
    return dv_cli_fail ("views latent-map needs --data DIR and --out FILE");
  if (points < DV_VIEW_COUNT || points > 1000000)
    return dv_cli_fail ("--points must be between %d and 1000000", DV_VIEW_COUNT);

  g_autoptr (DvAutoencoder) ae = dv_cli_load_autoencoder (ae_path, &error);
  if (ae == NULL)
    return dv_cli_fail ("%s", error->message);
  DvMultiviewSet set;
  if (!dv_cli_load_split (data, DV_SPLIT_D, ae, &set, &error))
    return dv_cli_fail ("%s", error->message);
  gint64 start = g_get_monotonic_time ();
  g_autofree float *latents = dv_cli_split_latents (ae, &set, cache, &error);
  if (latents == NULL)
    {
      dv_multiview_set_clear (&set);
      return dv_cli_fail ("%s", error->message);
    }
  DvLatentMap map;
  dv_latent_map_init (&map);
  if (!dv_latent_map_compute (&map, latents, set.n_objects, set.n_views, ae->config.latent_dim, (int) points,
                              &error))
    {
      dv_multiview_set_clear (&set);
      return dv_cli_fail ("%s", error->message);
    }
  g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (meta, "autoencoder_sha256", dv_view_latents_autoencoder_id (ae));
  g_hash_table_insert (meta, "split", g_strdup (dv_multiview_split_name (set.split)));
  g_hash_table_insert (meta, "dataset_seed", g_strdup_printf ("%" G_GUINT64_FORMAT, set.seed));
  g_hash_table_insert (meta, "objects", g_strdup_printf ("%u", set.n_objects));
  g_hash_table_insert (meta, "command", g_strdup ("dimvida views latent-map"));
  gboolean saved = dv_latent_map_save (&map, out, meta, &error);
  if (saved)
    printf ("Wrote %s: PCA of %u objects × %d views of split %s (%d latent values); the two components explain "
            "%.1f %% and %.1f %% of the variance; %d points kept; %.1f s\n",
            out, set.n_objects, set.n_views, dv_multiview_split_name (set.split), map.latent_dim,
            100 * map.explained[0], 100 * map.explained[1], map.n_points, (g_get_monotonic_time () - start) / 1e6);
  dv_latent_map_clear (&map);
  dv_multiview_set_clear (&set);
  return saved ? 0 : dv_cli_fail ("%s", error->message);
}
