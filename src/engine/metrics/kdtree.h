/* A static kd-tree over float points of any small dimension, answering k-nearest-
 * neighbour queries under the max-norm (Chebyshev distance), as the kNN KL
 * estimator of the 2D-diffusion seed needs. Built once, then read-only: queries
 * from several threads at once are safe. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_KDTREE_MAX_DIM 32
#define DV_KDTREE_MAX_K 256
/* Pass as `skip` when no point is to be left out of a query. */
#define DV_KDTREE_NO_SKIP G_MAXSIZE

typedef struct _DvKdTree DvKdTree;

/* points[n][dim] is copied; 1 ≤ dim ≤ DV_KDTREE_MAX_DIM, n ≥ 1, n < 2^32. */
DvKdTree *dv_kdtree_new (const float *points, size_t n, int dim);
void dv_kdtree_free (DvKdTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvKdTree, dv_kdtree_free)

size_t dv_kdtree_size (const DvKdTree *tree);
int dv_kdtree_dim (const DvKdTree *tree);

/* The k nearest points to query[dim] under the max-norm, leaving out the point
 * whose caller index is `skip` (DV_KDTREE_NO_SKIP: none). Writes their
 * distances ascending to distances[k] and, if indices is not NULL, their
 * caller indices (the order among equal distances is unspecified). Returns how
 * many were found: k, or fewer when the tree holds fewer points. */
int dv_kdtree_nearest (const DvKdTree *tree, const float *query, int k, size_t skip,
                       double *distances, size_t *indices);

/* The stored points in the tree's own order (points[n][dim]) and, for each,
 * its caller index: querying the tree's points in this order walks memory
 * in order, which is faster than the caller's order. */
const float *dv_kdtree_ordered_points (const DvKdTree *tree);
const guint32 *dv_kdtree_ordered_index (const DvKdTree *tree);

G_END_DECLS
