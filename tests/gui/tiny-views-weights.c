#include "tiny-views-weights.h"

#include "core/data_file.h"
#include "views/ae_image.h"
#include "views/ae_train.h"
#include "views/autoencoder.h"
#include "views/latent_map.h"
#include "views/latents.h"
#include "views/objects/registry.h"
#include "views/score_model.h"

/* The latent map of this autoencoder: the PCA of its latents of the sample objects' views. */
static gboolean
write_latent_map (const DvAutoencoder *ae, const char *dir, GError **error)
{
  const int L = ae->config.latent_dim;
  g_autoptr (GArray) latents = g_array_new (FALSE, FALSE, sizeof (float));
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, 4);
  g_autofree float *z = g_new (float, 4 * L);
  size_t objects = 0;
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    {
      g_autofree char *relative = g_strdup_printf ("samples/%s.png", dv_object_class_name (c));
      g_autofree char *path = dv_find_data_file (relative, NULL);
      DvImage strip = { 0 };
      g_autofree float *views = NULL;
      if (path == NULL || !dv_png_read (path, &strip, NULL))
        continue;
      if (dv_ae_image_to_views (&strip, DV_AE_LAYOUT_STRIP, ae->config.image_size, &views) == 4)
        {
          dv_autoencoder_encode (ae, ae->params.data, &buf, z, views);
          g_array_append_vals (latents, z, 4 * L);
          objects++;
        }
      dv_image_clear (&strip);
    }
  dv_autoencoder_buffers_clear (&buf);
  DvLatentMap map;
  dv_latent_map_init (&map);
  if (!dv_latent_map_compute (&map, (const float *) latents->data, objects, 4, L, 4000, error))
    return FALSE;
  g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (meta, "autoencoder_sha256", dv_view_latents_autoencoder_id (ae));
  g_autofree char *map_path = g_build_filename (dir, "latent-map.safetensors", NULL);
  gboolean saved = dv_latent_map_save (&map, map_path, meta, error);
  dv_latent_map_clear (&map);
  return saved;
}

static gboolean
write_weights (const char *dir, gboolean full_size, guint64 seed, GError **error);

gboolean
tiny_views_weights_write (const char *dir, gboolean full_size, GError **error)
{
  return write_weights (dir, full_size, 1, error);
}

gboolean
tiny_views_weights_write_seeded (const char *dir, guint64 seed, GError **error)
{
  return write_weights (dir, FALSE, seed, error);
}

static gboolean
write_weights (const char *dir, gboolean full_size, guint64 seed, GError **error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", dir);
      return FALSE;
    }
  DvAutoencoderConfig ae_config;
  dv_autoencoder_config_init (&ae_config);
  if (!full_size)
    {
      ae_config.latent_dim = 8;
      ae_config.channels[0] = ae_config.channels[1] = ae_config.channels[2] = 8;
      ae_config.head_channels = 4;
    }
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&ae_config);
  dv_autoencoder_init_weights (ae, seed);
  g_autofree char *ae_path = g_build_filename (dir, "autoencoder.safetensors", NULL);
  if (!dv_autoencoder_save (ae, ae_path, FALSE, NULL, error) || !write_latent_map (ae, dir, error))
    return FALSE;

  DvScoreNetConfig net_config;
  dv_score_net_config_init (&net_config);
  net_config.latent_dim = ae_config.latent_dim;
  if (!full_size)
    {
      net_config.width = 16;
      net_config.time_dim = 16;
      net_config.groups = 4;
    }
  const int L = ae_config.latent_dim;
  g_autoptr (DvScoreNet) net = dv_score_net_new (&net_config);
  dv_score_net_init_weights (net, 2);
  g_autofree float *mean = g_new0 (float, 4 * L), *std = g_new (float, 4 * L);
  for (int i = 0; i < 4 * L; i++)
    std[i] = 1.0f;
  DvLatentStats stats = { 4, L, mean, std };
  g_autoptr (DvScoreModel) model = dv_score_model_new (net, net->params.data, &stats);
  g_autofree char *score_path = g_build_filename (dir, "score.safetensors", NULL);
  return dv_score_model_save (model, score_path, FALSE, NULL, error);
}
