/* The views' latent map: PCA of a split's latents, projected points, its file. */
#include "views/latent_map.h"

#include "io/safetensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define POWER_ITERATIONS 5000

void
dv_latent_map_init (DvLatentMap *map)
{
  memset (map, 0, sizeof *map);
}

void
dv_latent_map_clear (DvLatentMap *map)
{
  g_free (map->mean);
  g_free (map->components);
  g_free (map->points);
  g_free (map->point_views);
  g_free (map->autoencoder_id);
  dv_latent_map_init (map);
}

/* The leading eigenvector of the symmetric cov[L][L] by power iteration
 * (the covariance is positive semi-definite, so the dominant eigenvalue is
 * the largest); returns its eigenvalue. */
static double
leading_eigenvector (const double *cov, int L, double *v)
{
  g_autofree double *w = g_new (double, L);
  /* A start with a part along every direction. */
  for (int i = 0; i < L; i++)
    v[i] = 1.0 + 0.01 * i;
  double lambda = 0;
  for (int it = 0; it < POWER_ITERATIONS; it++)
    {
      double norm = 0;
      for (int i = 0; i < L; i++)
        {
          double s = 0;
          for (int j = 0; j < L; j++)
            s += cov[(size_t) i * L + j] * v[j];
          w[i] = s;
          norm += s * s;
        }
      norm = sqrt (norm);
      if (!(norm > 0))
        return 0;
      double change = 0;
      for (int i = 0; i < L; i++)
        {
          double next = w[i] / norm;
          change = MAX (change, fabs (next - v[i]));
          v[i] = next;
        }
      lambda = norm;
      if (change < 1e-12)
        break;
    }
  /* The largest entry positive. */
  int biggest = 0;
  for (int i = 1; i < L; i++)
    if (fabs (v[i]) > fabs (v[biggest]))
      biggest = i;
  if (v[biggest] < 0)
    for (int i = 0; i < L; i++)
      v[i] = -v[i];
  return lambda;
}

gboolean
dv_latent_map_compute (DvLatentMap *map, const float *latents, size_t n_objects, int n_views, int latent_dim,
                       int max_points, GError **error)
{
  DV_CHECK (n_views >= 1 && n_views <= 255 && latent_dim >= 2 && max_points >= 0,
            "dv_latent_map_compute: %d views, %d latent values, %d points", n_views, latent_dim, max_points);
  const int L = latent_dim;
  const size_t rows = n_objects * (size_t) n_views;
  if (rows < 3)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "A latent map needs at least 3 latents, not %zu", rows);
      return FALSE;
    }
  g_autofree double *mean = g_new0 (double, L);
  for (size_t r = 0; r < rows; r++)
    for (int i = 0; i < L; i++)
      mean[i] += latents[r * L + i];
  for (int i = 0; i < L; i++)
    mean[i] /= (double) rows;
  g_autofree double *cov = g_new0 (double, (size_t) L * L);
  g_autofree double *d = g_new (double, L);
  for (size_t r = 0; r < rows; r++)
    {
      for (int i = 0; i < L; i++)
        d[i] = latents[r * L + i] - mean[i];
      for (int i = 0; i < L; i++)
        for (int j = i; j < L; j++)
          cov[(size_t) i * L + j] += d[i] * d[j];
    }
  double trace = 0;
  for (int i = 0; i < L; i++)
    for (int j = i; j < L; j++)
      {
        cov[(size_t) i * L + j] /= (double) (rows - 1);
        cov[(size_t) j * L + i] = cov[(size_t) i * L + j];
        if (i == j)
          trace += cov[(size_t) i * L + i];
      }
  if (!(trace > 0) || !isfinite (trace))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The latents do not vary: no map can be drawn of them");
      return FALSE;
    }
  g_autofree double *v = g_new (double, 2 * L);
  double lambda[2];
  for (int k = 0; k < 2; k++)
    {
      lambda[k] = leading_eigenvector (cov, L, v + (size_t) k * L);
      /* Deflation: what is left has the next direction as its leading one. */
      for (int i = 0; i < L; i++)
        for (int j = 0; j < L; j++)
          cov[(size_t) i * L + j] -= lambda[k] * v[(size_t) k * L + i] * v[(size_t) k * L + j];
    }
  if (!(lambda[1] > 1e-12 * trace))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The latents vary along fewer than two directions");
      return FALSE;
    }

  dv_latent_map_clear (map);
  map->latent_dim = L;
  map->mean = g_new (float, L);
  map->components = g_new (float, 2 * L);
  for (int i = 0; i < L; i++)
    map->mean[i] = (float) mean[i];
  for (int i = 0; i < 2 * L; i++)
    map->components[i] = (float) v[i];
  map->explained[0] = lambda[0] / trace;
  map->explained[1] = lambda[1] / trace;
  size_t objects = MIN (n_objects, (size_t) (max_points / n_views));
  map->n_points = (int) (objects * n_views);
  map->points = g_new (float, (size_t) map->n_points * 2 + 1);
  map->point_views = g_new (guint8, (size_t) map->n_points + 1);
  for (size_t o = 0; o < objects; o++)
    {
      /* Evenly over the set, whose objects come class by class. */
      size_t object = o * n_objects / objects;
      for (int view = 0; view < n_views; view++)
        {
          size_t p = o * n_views + view;
          dv_latent_map_project (map, latents + (object * n_views + view) * L, 1, map->points + 2 * p);
          map->point_views[p] = (guint8) view;
        }
    }
  return TRUE;
}

void
dv_latent_map_project (const DvLatentMap *map, const float *z, size_t n, float *xy)
{
  const int L = map->latent_dim;
  for (size_t r = 0; r < n; r++)
    for (int k = 0; k < 2; k++)
      {
        double s = 0;
        for (int i = 0; i < L; i++)
          s += (double) map->components[(size_t) k * L + i] * (z[r * L + i] - map->mean[i]);
        xy[2 * r + k] = (float) s;
      }
}

gboolean
dv_latent_map_save (const DvLatentMap *map, const char *path, GHashTable *extra_metadata, GError **error)
{
  DV_CHECK (map->latent_dim > 0 && map->mean != NULL, "dv_latent_map_save: an empty map");
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  const int L = map->latent_dim, N = map->n_points;
  dv_safetensors_writer_add (w, "mean", DV_DTYPE_F32, 1, (int[]){ L }, map->mean);
  dv_safetensors_writer_add (w, "components", DV_DTYPE_F32, 2, (int[]){ 2, L }, map->components);
  dv_safetensors_writer_add (w, "points", DV_DTYPE_F16, 2, (int[]){ N, 2 }, map->points);
  g_autofree float *views = g_new (float, (size_t) N + 1);
  for (int p = 0; p < N; p++)
    views[p] = map->point_views[p];
  dv_safetensors_writer_add (w, "point_views", DV_DTYPE_F16, 1, (int[]){ N }, views);
  if (extra_metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, extra_metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        dv_safetensors_writer_set_metadata (w, key, value);
    }
  dv_safetensors_writer_set_metadata (w, "format", DV_LATENT_MAP_FORMAT);
  char explained[64];
  g_snprintf (explained, sizeof explained, "%.6f,%.6f", map->explained[0], map->explained[1]);
  dv_safetensors_writer_set_metadata (w, "explained", explained);
  return dv_safetensors_writer_save (w, path, error);
}

gboolean
dv_latent_map_load (DvLatentMap *map, const char *path, GError **error)
{
  dv_latent_map_clear (map);
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return FALSE;
  if (g_strcmp0 (dv_safetensors_metadata (st, "format"), DV_LATENT_MAP_FORMAT) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a latent map (no format “%s”)", path,
                   DV_LATENT_MAP_FORMAT);
      return FALSE;
    }
  int ndim, shape[4], pshape[4];
  DvDtype dtype;
  if (!dv_safetensors_shape (st, "mean", &ndim, shape, &dtype) || ndim != 1 || shape[0] < 2
      || !dv_safetensors_shape (st, "points", &ndim, pshape, &dtype) || ndim != 2 || pshape[1] != 2)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: the latent map needs a tensor “mean” [L] and “points” [N][2]",
                   path);
      return FALSE;
    }
  const int L = shape[0], N = pshape[0];
  DvLatentMap m;
  dv_latent_map_init (&m);
  m.latent_dim = L;
  m.n_points = N;
  m.mean = g_new (float, L);
  m.components = g_new (float, 2 * L);
  m.points = g_new (float, (size_t) N * 2 + 1);
  m.point_views = g_new0 (guint8, (size_t) N + 1);
  g_autofree float *views = g_new (float, (size_t) N + 1);
  if (!dv_safetensors_read (st, "mean", 1, (int[]){ L }, m.mean, error)
      || !dv_safetensors_read (st, "components", 2, (int[]){ 2, L }, m.components, error)
      || !dv_safetensors_read (st, "points", 2, (int[]){ N, 2 }, m.points, error)
      || !dv_safetensors_read (st, "point_views", 1, (int[]){ N }, views, error))
    {
      g_prefix_error (error, "%s: ", path);
      dv_latent_map_clear (&m);
      return FALSE;
    }
  for (int p = 0; p < N; p++)
    {
      if (!(views[p] >= 0 && views[p] < 256) || !isfinite (m.points[2 * p]) || !isfinite (m.points[2 * p + 1]))
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: point %d is not a view's finite point", path, p);
          dv_latent_map_clear (&m);
          return FALSE;
        }
      m.point_views[p] = (guint8) views[p];
    }
  m.autoencoder_id = g_strdup (dv_safetensors_metadata (st, "autoencoder_sha256"));
  const char *explained = dv_safetensors_metadata (st, "explained");
  if (explained != NULL)
    {
      char *end = NULL;
      m.explained[0] = g_ascii_strtod (explained, &end);
      if (end != NULL && *end == ',')
        m.explained[1] = g_ascii_strtod (end + 1, NULL);
    }
  *map = m;
  return TRUE;
}
