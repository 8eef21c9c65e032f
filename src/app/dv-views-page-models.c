/* The Views page's models: where the weights are, loading the autoencoder and
 * the score model together, and sharing them between runs (reference-counted,
 * since a worker may still hold them when the page lets go). */
#include "dv-views-page-private.h"

#include <glib/gi18n.h>

#include "core/data_file.h"
#include "views/latents.h"

static void
models_clear (gpointer data)
{
  DvViewsModels *models = data;
  g_clear_pointer (&models->ae, dv_autoencoder_free);
  g_clear_pointer (&models->score, dv_score_model_free);
  g_clear_pointer (&models->ae_id, g_free);
}

DvViewsModels *
_dv_views_models_ref (DvViewsModels *models)
{
  return g_atomic_rc_box_acquire (models);
}

void
_dv_views_models_unref (DvViewsModels *models)
{
  g_atomic_rc_box_release_full (models, models_clear);
}

/* The weights' paths: $DIMVIDA_VIEWS_WEIGHTS (a folder holding
 * autoencoder.safetensors and score.safetensors) when set, else the shipped
 * data/weights/views/ as dv_find_data_file finds it. */
gboolean
_dv_views_find_weights (char **ae_path, char **score_path, GError **error)
{
  const char *dir = g_getenv ("DIMVIDA_VIEWS_WEIGHTS");
  const char *names[2] = { "autoencoder.safetensors", "score.safetensors" };
  char **paths[2] = { ae_path, score_path };
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *relative = g_build_filename ("weights", "views", names[i], NULL);
      char *path = NULL;
      if (dir != NULL && dir[0] != '\0')
        {
          path = g_build_filename (dir, names[i], NULL);
          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_clear_pointer (&path, g_free);
        }
      else
        path = dv_find_data_file (relative, NULL);
      if (path == NULL)
        {
          /* Translators: %s is a file name such as weights/views/score.safetensors. */
          g_set_error (error, DV_ERROR, DV_ERROR_IO,
                       _("The view model is not installed: %s was not found. Generating needs the trained "
                         "autoencoder and score model (see data/weights/README.md)."),
                       dir != NULL && dir[0] != '\0' ? names[i] : relative);
          if (i == 1)
            g_clear_pointer (ae_path, g_free);
          return FALSE;
        }
      *paths[i] = path;
    }
  return TRUE;
}

DvViewsModels *
_dv_views_load_models (const char *ae_path, const char *score_path, GError **error)
{
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_load (ae_path, error);
  if (ae == NULL)
    return NULL;
  g_autoptr (DvScoreModel) score = dv_score_model_load (score_path, error);
  if (score == NULL)
    return NULL;
  if (ae->config.image_size != VIEW_SIDE || score->net->config.n_views != 4
      || score->net->config.latent_dim != ae->config.latent_dim)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE,
                   _("The view model's files do not fit together: the autoencoder makes %d×%d views with %d latent "
                     "values, the score model models %d views of %d"),
                   ae->config.image_size, ae->config.image_size, ae->config.latent_dim,
                   score->net->config.n_views, score->net->config.latent_dim);
      return NULL;
    }
  DvViewsModels *models = g_atomic_rc_box_new0 (DvViewsModels);
  models->ae = g_steal_pointer (&ae);
  models->score = g_steal_pointer (&score);
  models->ae_id = dv_view_latents_autoencoder_id (models->ae);
  return models;
}
