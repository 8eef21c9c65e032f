/* Encoding a split's views to latents, and the latent cache. */
#include "views/latents.h"

#include "views/ae_train.h"
#include "io/safetensors.h"

#include <string.h>

char *
dv_view_latents_autoencoder_id (const DvAutoencoder *ae)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *config = dv_autoencoder_config_to_json (&ae->config);
  g_checksum_update (sum, (const guchar *) config, (gssize) strlen (config));
  g_checksum_update (sum, (const guchar *) ae->params.data, (gssize) (ae->params.count * sizeof (float)));
  return g_strdup (g_checksum_get_string (sum));
}

gboolean
dv_view_latents_encode (const DvAutoencoder *ae, const DvMultiviewSet *set, int batch, float *latents,
                        DvProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
  const int S = ae->config.image_size, L = ae->config.latent_dim;
  if (set->width != S || set->height != S)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "the dataset holds %d×%d views; the autoencoder takes %d×%d",
                   set->width, set->height, S, S);
      return FALSE;
    }
  if (batch <= 0)
    batch = 64;
  const guint total = set->n_objects * (guint) set->n_views;
  batch = (int) MIN ((guint) batch, MAX (total, 1u));
  const size_t P = (size_t) S * S;
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, batch);
  float *x = g_new0 (float, (size_t) batch * 3 * P);
  float *z = g_new (float, (size_t) batch * L);
  gboolean ok = TRUE;
  for (guint start = 0; start < total; start += (guint) batch)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      const int n = (int) MIN ((guint) batch, total - start);
      for (int i = 0; i < n; i++)
        {
          const guint k = start + (guint) i;
          dv_ae_view_to_chw (x + (size_t) i * 3 * P, dv_multiview_set_view (set, k / set->n_views, k % set->n_views),
                             S);
        }
      /* The last, short batch runs at full size on the stale tail: the buffers are of one batch size. */
      dv_autoencoder_encode (ae, ae->params.data, &buf, z, x);
      memcpy (latents + (size_t) start * L, z, sizeof (float) * (size_t) n * L);
      if (progress)
        {
          DvProgress p = { "encoding views", (start + (guint) n) / set->n_views, set->n_objects };
          progress (&p, user_data);
        }
    }
  g_free (x);
  g_free (z);
  dv_autoencoder_buffers_clear (&buf);
  return ok;
}

static char *
u64_string (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

gboolean
dv_view_latents_save (const char *path, const float *latents, const DvMultiviewSet *set, int latent_dim,
                      const char *autoencoder_id, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const int shape[3] = { (int) set->n_objects, set->n_views, latent_dim };
  dv_safetensors_writer_add (w, "latents", DV_DTYPE_F32, 3, shape, latents);
  g_autofree char *seed = u64_string (set->seed);
  dv_safetensors_writer_set_metadata (w, "format", DV_VIEW_LATENTS_FORMAT);
  dv_safetensors_writer_set_metadata (w, "autoencoder_sha256", autoencoder_id);
  dv_safetensors_writer_set_metadata (w, "dataset_seed", seed);
  dv_safetensors_writer_set_metadata (w, "split", dv_multiview_split_name (set->split));
  return dv_safetensors_writer_save (w, path, error);
}

float *
dv_view_latents_load (const char *path, const DvMultiviewSet *set, int latent_dim, const char *autoencoder_id,
                      GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (!st)
    return NULL;
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), DV_VIEW_LATENTS_FORMAT) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a latent cache (no format “%s”)", path,
                   DV_VIEW_LATENTS_FORMAT);
      return NULL;
    }
  if (g_strcmp0 (dv_safetensors_metadata (st, "autoencoder_sha256"), autoencoder_id) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s was encoded by another autoencoder", path);
      return NULL;
    }
  g_autofree char *seed = u64_string (set->seed);
  if (g_strcmp0 (dv_safetensors_metadata (st, "dataset_seed"), seed) != 0 ||
      g_strcmp0 (dv_safetensors_metadata (st, "split"), dv_multiview_split_name (set->split)) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s holds split %s of dataset seed %s, not split %s of seed %s",
                   path, dv_safetensors_metadata (st, "split") ?: "?",
                   dv_safetensors_metadata (st, "dataset_seed") ?: "?", dv_multiview_split_name (set->split), seed);
      return NULL;
    }
  const int shape[3] = { (int) set->n_objects, set->n_views, latent_dim };
  float *latents = g_new (float, (size_t) shape[0] * shape[1] * shape[2]);
  if (!dv_safetensors_read (st, "latents", 3, shape, latents, error))
    {
      g_prefix_error (error, "%s: ", path);
      g_free (latents);
      return NULL;
    }
  return latents;
}
