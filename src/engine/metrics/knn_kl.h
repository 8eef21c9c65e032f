/* The k-nearest-neighbour estimate of KL(p ‖ q), in bits, exactly as the 2D-
 * diffusion seed scores its samples (npeet's `kldiv`, after Wang, Kulkarni &
 * Verdú 2009): x = n points drawn from p (the real data), x' = m points from q
 * (the generated sample), d the dimension, and under the max-norm
 *   nn_i  = distance from x_i to its k-th nearest neighbour in x (x_i itself left out),
 *   nnp_i = distance from x_i to its k-th nearest neighbour in x',
 *   KL = [ln m − ln(n−1) + d·(mean ln nnp − mean ln nn)] / ln 2.
 * The seed uses k = 5, d = 2, n = 100,000 real points and m = 10,000 samples.
 *
 * Zero distances. npeet's kldiv takes ln 0 = −∞ when points repeat (k+1 copies
 * of a real point, or k copies of a real point among the samples) and returns
 * ±∞ or NaN; its other estimators add uniform noise of amplitude 1e-10 to break
 * such ties. We do the deterministic equivalent: every distance is floored at
 * 1e-10 × the extent of the data (the largest coordinate range over both sets;
 * 1e-10 if that is 0), the size that noise would have given the tie, scaled so
 * that the estimate stays invariant under translating and scaling both sets.
 * How many distances were floored is reported so that callers can warn. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_KNN_KL_DEFAULT_K 5
/* Relative size of the floor that stands in for npeet's 1e-10 tie-breaking noise. */
#define DV_KNN_KL_TIE_FLOOR 1e-10

typedef struct {
  double kl_bits;
  double mean_log_nn;      /* mean ln nn_i (natural log) */
  double mean_log_nnp;     /* mean ln nnp_i */
  double distance_floor;   /* the floor applied to both kinds of distance */
  size_t floored_nn;       /* how many nn_i were below the floor (ties among the real points) */
  size_t floored_nnp;      /* how many nnp_i were below it (samples on top of real points) */
} DvKnnKlResult;

/* real[n_real][dim], sample[n_sample][dim]; 1 ≤ k < min(n_real, n_sample) and
 * dim ≤ DV_KDTREE_MAX_DIM, else DV_ERROR_INVALID; a NaN or infinite coordinate
 * gives DV_ERROR_NAN. n_threads ≤ 0 means one per processor. The result does
 * not depend on n_threads: work is cut into fixed chunks whose sums are added
 * in a fixed order. Progress counts real points queried; cancelling returns
 * DV_ERROR_CANCELLED. */
gboolean dv_knn_kl (const float *real, size_t n_real, const float *sample, size_t n_sample, int dim, int k,
                    int n_threads, DvKnnKlResult *result,
                    DvProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error);

/* The same with the seed's k = 5 on 2D points, all processors, no progress; returns the bits or NaN with
 * error set. */
double dv_knn_kl_2d (const float *real, size_t n_real, const float *sample, size_t n_sample, GError **error);

G_END_DECLS
