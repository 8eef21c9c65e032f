/* Generating, caching and decoding the missing views of splits c and e. */
#include "votes/generated_views.h"

#include "io/safetensors.h"
#include "views/ae_train.h"
#include "views/latents.h"

#include <math.h>
#include <string.h>

char *
dv_generated_views_score_model_id (const DvScoreModel *model)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *config = dv_score_net_config_to_json (&model->net->config);
  g_checksum_update (sum, (const guchar *) config, (gssize) strlen (config));
  g_checksum_update (sum, (const guchar *) model->weights, (gssize) (model->net->params.count * sizeof (float)));
  const size_t m = (size_t) model->stats.n_views * model->stats.latent_dim;
  g_checksum_update (sum, (const guchar *) model->stats.mean, (gssize) (m * sizeof (float)));
  g_checksum_update (sum, (const guchar *) model->stats.std, (gssize) (m * sizeof (float)));
  return g_strdup (g_checksum_get_string (sum));
}

guint64
dv_generated_views_batch_seed (guint64 seed, int view, guint first)
{
  return seed * 1000003u + (guint64) view * 4099u + first;
}

static gboolean
check_inputs (const DvScoreModel *model, const DvAutoencoder *ae, const DvMultiviewSet *set, GError **error)
{
  const int S = ae->config.image_size;
  if (set->split == DV_SPLIT_D)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                 "Split d has no given view per object: views are generated for splits c and e");
  else if (set->width != S || set->height != S || set->n_views != DV_VIEW_COUNT)
    g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "The split holds %d views of %d×%d; the autoencoder takes %d of %d×%d",
                 set->n_views, set->width, set->height, DV_VIEW_COUNT, S, S);
  else if (model && (model->net->config.n_views != DV_VIEW_COUNT ||
                     model->net->config.latent_dim != ae->config.latent_dim))
    g_set_error (error, DV_ERROR, DV_ERROR_SHAPE,
                 "The score model models %d views of %d latent values; the autoencoder's latents have %d",
                 model->net->config.n_views, model->net->config.latent_dim, ae->config.latent_dim);
  else
    {
      for (guint o = 0; o < set->n_objects; o++)
        if (set->given_views[o] >= DV_VIEW_COUNT)
          {
            g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "Object %u of split %s has no given view", o,
                         dv_multiview_split_name (set->split));
            return FALSE;
          }
      return TRUE;
    }
  return FALSE;
}

static void
report (DvProgressFunc progress, gpointer user_data, const char *what, gint64 done, gint64 total)
{
  if (progress)
    {
      DvProgress p = { what, done, total };
      progress (&p, user_data);
    }
}

gboolean
dv_generated_views_generate (DvScoreModel *model, const DvAutoencoder *ae, const DvMultiviewSet *set,
                             const DvMaskedSamplerConfig *sampler, int batch, float *latents, DvProgressFunc progress,
                             gpointer user_data, GCancellable *cancellable, GError **error)
{
  if (!check_inputs (model, ae, set, error) || !dv_masked_sampler_config_check (sampler, error))
    return FALSE;
  const int S = ae->config.image_size, L = ae->config.latent_dim, V = DV_VIEW_COUNT;
  const guint n = set->n_objects;
  if (batch <= 0)
    batch = 64;
  batch = (int) MIN ((guint) batch, MAX (n, 1u));
  const size_t P = (size_t) S * S, row = (size_t) V * L;
  memset (latents, 0, sizeof (float) * n * row);

  /* The given views' latents, batch views per encoder call. */
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, batch);
  g_autofree float *x = g_new0 (float, (size_t) batch * 3 * P), *z = g_new (float, (size_t) batch * L);
  for (guint start = 0; start < n; start += (guint) batch)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          dv_autoencoder_buffers_clear (&buf);
          return FALSE;
        }
      const int k = (int) MIN ((guint) batch, n - start);
      for (int i = 0; i < k; i++)
        dv_ae_view_to_chw (x + (size_t) i * 3 * P, dv_multiview_set_view (set, start + i, set->given_views[start + i]),
                           S);
      dv_autoencoder_encode (ae, ae->params.data, &buf, z, x);
      for (int i = 0; i < k; i++)
        memcpy (latents + (start + i) * row + (size_t) set->given_views[start + i] * L, z + (size_t) i * L,
                sizeof (float) * L);
    }
  dv_autoencoder_buffers_clear (&buf);

  /* The missing views, objects grouped by their given view. */
  g_autofree guint *members = g_new (guint, MAX (n, 1u));
  g_autofree float *given = g_new (float, (size_t) batch * row), *out = g_new (float, (size_t) batch * row);
  DvMaskedSamplerConfig sc = *sampler;
  guint done = 0;
  for (int v = 0; v < V; v++)
    {
      guint m = 0;
      for (guint o = 0; o < n; o++)
        if (set->given_views[o] == v)
          members[m++] = o;
      for (guint start = 0; start < m; start += (guint) batch)
        {
          const int k = (int) MIN ((guint) batch, m - start);
          for (int i = 0; i < k; i++)
            memcpy (given + (size_t) i * row, latents + members[start + i] * row, sizeof (float) * row);
          sc.seed = dv_generated_views_batch_seed (sampler->seed, v, start);
          if (!dv_score_model_generate_rows (model, &sc, given, 1u << v, k, NULL, NULL, out, cancellable, error))
            return FALSE;
          for (int i = 0; i < k; i++)
            memcpy (latents + members[start + i] * row, out + (size_t) i * row, sizeof (float) * row);
          done += (guint) k;
          report (progress, user_data, "generating views", done, n);
        }
    }
  return TRUE;
}

static char *
sampler_key (const DvMaskedSamplerConfig *s, int batch)
{
  /* Everything the latents depend on besides the models and the split (batching included: a row's noise
   * depends on its batch). */
  /* The precision that runs here, named only when BF16 so that F32 caches written before it existed still match. */
  const gboolean bf16 = dv_score_model_precision (NULL, s->precision) == DV_PRECISION_BF16;
  return g_strdup_printf ("{\"kind\":\"%s\",\"steps\":%d,\"t_min\":%.9g,\"jump_length\":%d,\"jump_n_sample\":%d,"
                          "\"seed\":%" G_GUINT64_FORMAT ",\"batch\":%d%s}",
                          dv_masked_sampler_kind_to_string (s->kind), s->steps, s->t_min, s->jump_length,
                          s->jump_n_sample, s->seed, batch > 0 ? batch : 64, bf16 ? ",\"precision\":\"bf16\"" : "");
}

static char *
u64_string (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

gboolean
dv_generated_views_save (const char *path, const float *latents, const DvMultiviewSet *set, int latent_dim,
                         const char *score_model_id, const char *autoencoder_id, const DvMaskedSamplerConfig *sampler,
                         int batch, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const int shape[3] = { (int) set->n_objects, DV_VIEW_COUNT, latent_dim };
  dv_safetensors_writer_add (w, "latents", DV_DTYPE_F32, 3, shape, latents);
  g_autofree char *seed = u64_string (set->seed), *key = sampler_key (sampler, batch);
  dv_safetensors_writer_set_metadata (w, "format", DV_GENERATED_VIEWS_FORMAT);
  dv_safetensors_writer_set_metadata (w, "score_model_sha256", score_model_id);
  dv_safetensors_writer_set_metadata (w, "autoencoder_sha256", autoencoder_id);
  dv_safetensors_writer_set_metadata (w, "sampler", key);
  dv_safetensors_writer_set_metadata (w, "dataset_seed", seed);
  dv_safetensors_writer_set_metadata (w, "split", dv_multiview_split_name (set->split));
  return dv_safetensors_writer_save (w, path, error);
}

float *
dv_generated_views_load (const char *path, const DvMultiviewSet *set, int latent_dim, const char *score_model_id,
                         const char *autoencoder_id, const DvMaskedSamplerConfig *sampler, int batch, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (!st)
    return NULL;
  const char *what = NULL;
  g_autofree char *seed = u64_string (set->seed), *key = sampler_key (sampler, batch);
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), DV_GENERATED_VIEWS_FORMAT) != 0)
    what = "is not a generated-views cache";
  else if (g_strcmp0 (dv_safetensors_metadata (st, "score_model_sha256"), score_model_id) != 0)
    what = "was generated by another score model";
  else if (g_strcmp0 (dv_safetensors_metadata (st, "autoencoder_sha256"), autoencoder_id) != 0)
    what = "was generated with another autoencoder";
  else if (g_strcmp0 (dv_safetensors_metadata (st, "sampler"), key) != 0)
    what = "was generated with other sampler settings";
  if (what)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s %s", path, what);
      return NULL;
    }
  if (g_strcmp0 (dv_safetensors_metadata (st, "dataset_seed"), seed) != 0 ||
      g_strcmp0 (dv_safetensors_metadata (st, "split"), dv_multiview_split_name (set->split)) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s holds split %s of dataset seed %s, not split %s of seed %s",
                   path, dv_safetensors_metadata (st, "split") ?: "?",
                   dv_safetensors_metadata (st, "dataset_seed") ?: "?", dv_multiview_split_name (set->split), seed);
      return NULL;
    }
  const int shape[3] = { (int) set->n_objects, DV_VIEW_COUNT, latent_dim };
  float *latents = g_new (float, (size_t) shape[0] * shape[1] * shape[2]);
  if (!dv_safetensors_read (st, "latents", 3, shape, latents, error))
    {
      g_prefix_error (error, "%s: ", path);
      g_free (latents);
      return NULL;
    }
  for (size_t i = 0; i < (size_t) shape[0] * shape[1] * shape[2]; i++)
    if (!isfinite (latents[i]))
      {
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: latent %zu is not finite", path, i);
        g_free (latents);
        return NULL;
      }
  return latents;
}

static guint8
to_byte (float v)
{
  const float x = v * 255.0f + 0.5f;
  return x <= 0.0f ? 0 : x >= 255.0f ? 255 : (guint8) x;
}

gboolean
dv_generated_views_decode (const DvAutoencoder *ae, const DvMultiviewSet *set, const float *latents, int batch,
                           guint8 *pixels, DvProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                           GError **error)
{
  if (!check_inputs (NULL, ae, set, error))
    return FALSE;
  const int S = ae->config.image_size, L = ae->config.latent_dim, V = DV_VIEW_COUNT;
  const size_t P = (size_t) S * S, view_bytes = 3 * P;
  const guint n = set->n_objects, total = n * (V - 1);
  if (batch <= 0)
    batch = 64;
  batch = (int) MIN ((guint) batch, MAX (total, 1u));
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, batch);
  g_autofree float *z = g_new0 (float, (size_t) batch * L), *y = g_new (float, (size_t) batch * 3 * P);
  g_autofree guint *slot = g_new (guint, batch);  /* object · V + view of each batch entry */
  gboolean ok = TRUE;
  for (guint o = 0; o < n; o++)
    memcpy (pixels + ((size_t) o * V + set->given_views[o]) * view_bytes,
            dv_multiview_set_view (set, o, set->given_views[o]), view_bytes);
  /* Missing views in object order: entry j is object j / 3, its (j % 3)-th view other than the given one. */
  for (guint start = 0; start < total && ok; start += (guint) batch)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      const int k = (int) MIN ((guint) batch, total - start);
      for (int i = 0; i < k; i++)
        {
          const guint j = start + (guint) i, o = j / (V - 1);
          int v = (int) (j % (V - 1));
          if (v >= set->given_views[o])
            v++;
          slot[i] = o * V + (guint) v;
          memcpy (z + (size_t) i * L, latents + (size_t) slot[i] * L, sizeof (float) * L);
        }
      /* A short last batch decodes its stale tail too: the buffers are of one batch size. */
      dv_autoencoder_decode (ae, ae->params.data, &buf, y, z);
      for (int i = 0; i < k; i++)
        {
          guint8 *dst = pixels + (size_t) slot[i] * view_bytes;
          const float *src = y + (size_t) i * 3 * P;
          for (size_t p = 0; p < P; p++)
            for (int c = 0; c < 3; c++)
              dst[3 * p + c] = to_byte (src[c * P + p]);
        }
      report (progress, user_data, "decoding views", (start + (guint) k) / (V - 1), n);
    }
  dv_autoencoder_buffers_clear (&buf);
  return ok;
}

/* The decoded views beside the latent cache (path + ".pixels"): a header naming the latents (their SHA-256) and
 * the autoencoder, then the bytes [n][V][S][S][3]. Decoding is cheap next to generating, but not free on two
 * shared cores, and every training and evaluation run needs it. */
#define PIXELS_MAGIC "DVGVPIX1"

static char *
pixels_header (const float *latents, size_t n_latents, const char *ae_id, size_t bytes)
{
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) latents,
                                                       n_latents * sizeof (float));
  return g_strdup_printf ("%s %s %s %zu\n", PIXELS_MAGIC, sum, ae_id, bytes);
}

static guint8 *
read_pixels (const char *path, const char *header, size_t bytes)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  const size_t h = strlen (header);
  if (!g_file_get_contents (path, &data, &len, NULL) || len != h + bytes || memcmp (data, header, h) != 0)
    return NULL;
  return g_memdup2 (data + h, bytes);
}

static void
write_pixels (const char *path, const char *header, const guint8 *pixels, size_t bytes)
{
  const size_t h = strlen (header);
  g_autofree char *data = g_malloc (h + bytes);
  memcpy (data, header, h);
  memcpy (data + h, pixels, bytes);
  /* Only a speed-up: a failure to write it costs a decode next time, nothing else. */
  if (!g_file_set_contents (path, data, (gssize) (h + bytes), NULL))
    g_message ("Could not write %s", path);
}

guint8 *
dv_generated_views_get (DvScoreModel *model, const DvAutoencoder *ae, const DvMultiviewSet *set,
                        const DvMaskedSamplerConfig *sampler, int batch, const char *cache_path, gboolean *from_cache,
                        DvProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
  if (!check_inputs (model, ae, set, error))
    return NULL;
  const int L = ae->config.latent_dim;
  g_autofree char *model_id = dv_generated_views_score_model_id (model);
  g_autofree char *ae_id = dv_view_latents_autoencoder_id (ae);
  g_autofree float *latents = NULL;
  if (from_cache)
    *from_cache = FALSE;
  if (cache_path && g_file_test (cache_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GError) cache_error = NULL;
      latents = dv_generated_views_load (cache_path, set, L, model_id, ae_id, sampler, batch, &cache_error);
      if (latents && from_cache)
        *from_cache = TRUE;
      if (!latents)
        g_message ("Generating the views again: %s", cache_error->message);
    }
  if (!latents)
    {
      latents = g_new (float, (size_t) set->n_objects * DV_VIEW_COUNT * L);
      if (!dv_generated_views_generate (model, ae, set, sampler, batch, latents, progress, user_data, cancellable,
                                        error))
        return NULL;
      if (cache_path && !dv_generated_views_save (cache_path, latents, set, L, model_id, ae_id, sampler, batch, error))
        return NULL;
    }
  const size_t bytes = (size_t) set->n_objects * DV_VIEW_COUNT * set->height * set->width * 3;
  g_autofree char *pixels_path = cache_path ? g_strconcat (cache_path, ".pixels", NULL) : NULL;
  g_autofree char *header = cache_path ? pixels_header (latents, (size_t) set->n_objects * DV_VIEW_COUNT * L, ae_id,
                                                        bytes) : NULL;
  guint8 *pixels = pixels_path ? read_pixels (pixels_path, header, bytes) : NULL;
  if (pixels)
    return pixels;
  pixels = g_new (guint8, bytes);
  if (!dv_generated_views_decode (ae, set, latents, batch, pixels, progress, user_data, cancellable, error))
    {
      g_free (pixels);
      return NULL;
    }
  if (pixels_path)
    write_pixels (pixels_path, header, pixels, bytes);
  return pixels;
}
