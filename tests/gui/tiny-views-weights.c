#include "tiny-views-weights.h"

#include "views/ae_train.h"
#include "views/autoencoder.h"
#include "views/score_model.h"

gboolean
tiny_views_weights_write (const char *dir, gboolean full_size, GError **error)
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
  dv_autoencoder_init_weights (ae, 1);
  g_autofree char *ae_path = g_build_filename (dir, "autoencoder.safetensors", NULL);
  if (!dv_autoencoder_save (ae, ae_path, FALSE, NULL, error))
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
