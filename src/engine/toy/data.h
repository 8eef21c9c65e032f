/* The 2D point sets of the Playground: the seed's four datasets, built as its
 * datasets.py does but from our own seeded generator, and points from a CSV. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_TOY_DEFAULT_POINTS 100000
#define DV_TOY_MIN_POINTS 10
#define DV_TOY_MAX_POINTS 1000000

typedef struct {
  float *xy;  /* [n][2] */
  size_t n;
} DvToyData;

/* "circle", "dino", "line", "moons"; NULL-terminated. */
const char *const *dv_toy_dataset_names (void);
gboolean dv_toy_dataset_is_known (const char *name);

/* n points of a named dataset; the same seed gives the same points. The dino
 * needs datasaurus-dino.tsv (see dv_find_data_file in core/data_file.h). */
gboolean dv_toy_data_generate (DvToyData *data, const char *name, size_t n, guint64 seed, GError **error);

/* x,y per line, comma-separated (spaces, tabs and a header line allowed; empty
 * lines and lines starting with '#' skipped). Errors name the line: malformed
 * rows, NaN/inf, fewer than DV_TOY_MIN_POINTS points, more than DV_TOY_MAX_POINTS rows. */
gboolean dv_toy_data_load_csv (DvToyData *data, const char *path, GError **error);
gboolean dv_toy_data_parse_csv (DvToyData *data, const char *text, gsize length, const char *what,
                                GError **error);
/* Writes "x,y" rows (with that header), atomically. */
gboolean dv_toy_points_save_csv (const float *xy, size_t n, const char *path, GError **error);

/* A few points (drawn by hand, imported) spread into n_target, as the dino's
 * 142 become 100,000: each drawn with replacement, plus N(0, σ²) jitter with
 * σ = half the median distance from a point to its nearest other point
 * (exact duplicates left out of that median). Without it a model trained on
 * a few hundred points learns the points themselves, and the kNN KL, which
 * measures the samples at those same points, comes out negative; exact
 * duplicates break its tie-free assumption too. Seeded; n ≥ 1, n_target ≥ 1. */
gboolean dv_toy_data_spread (DvToyData *out, const float *xy, size_t n, size_t n_target, guint64 seed,
                             GError **error);
/* The σ dv_toy_data_spread uses for these points. */
double dv_toy_data_spread_sigma (const float *xy, size_t n);

void dv_toy_data_clear (DvToyData *data);

/* The 142 Datasaurus dino points from a TSV (header "x<TAB>y", or the Dozen's
 * "dataset<TAB>x<TAB>y" filtered to "dino"). */
gboolean dv_toy_load_dino_points (const char *path, float **xy, size_t *n, GError **error);

G_END_DECLS
