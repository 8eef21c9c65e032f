/* A 2D map of the view latents: the two principal components (PCA) of a
 * split's latents, their mean, and a subsample of the latents projected on
 * them — the faint cloud the Views page draws under the paths that the
 * missing views' latents take during the reverse process. Computed once from
 * the training split (`dimvida views latent-map`) and shipped; it depends on
 * the autoencoder only.
 *
 * The file (safetensors): "mean" [L], "components" [2][L] (unit, orthogonal),
 * "points" [N][2] and "point_views" [N] (the view of each point, 0–3, as
 * floats); metadata "format" = DV_LATENT_MAP_FORMAT, "explained" (the two
 * components' fractions of the total variance, "a,b") and the caller's. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_LATENT_MAP_FORMAT "dimvida-latent-map-1"

typedef struct {
  int latent_dim;
  float *mean;          /* [L] */
  float *components;    /* [2][L] */
  double explained[2];  /* fraction of the total variance along each component */
  int n_points;
  float *points;        /* [n_points][2] */
  guint8 *point_views;  /* [n_points] */
  char *autoencoder_id; /* the file's "autoencoder_sha256" (see dv_view_latents_autoencoder_id), or NULL */
} DvLatentMap;

void dv_latent_map_init (DvLatentMap *map);
void dv_latent_map_clear (DvLatentMap *map);

/* From latents[n_objects][n_views][L]: the mean and the two leading
 * eigenvectors of their covariance (each with its largest entry positive, so
 * that the map does not flip between runs), and every view of max_points /
 * n_views objects evenly spaced over the set as the points. Fails on fewer
 * than 3 rows or a covariance without two directions of variance. */
gboolean dv_latent_map_compute (DvLatentMap *map, const float *latents, size_t n_objects, int n_views,
                                int latent_dim, int max_points, GError **error);

/* xy[n][2] = components · (z[n][L] − mean). */
void dv_latent_map_project (const DvLatentMap *map, const float *z, size_t n, float *xy);

/* Atomic; extra_metadata (may be NULL) joins the file's. Points in F16 (the map is a picture). */
gboolean dv_latent_map_save (const DvLatentMap *map, const char *path, GHashTable *extra_metadata, GError **error);
/* Refuses another format, missing tensors or shapes that disagree, naming them. */
gboolean dv_latent_map_load (DvLatentMap *map, const char *path, GError **error);

G_END_DECLS
