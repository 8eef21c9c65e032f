/* A cheap divergence between two 2D point sets for live display, after GAN
 * Lab's evaluator: both sets are binned on a grid × grid histogram of a box,
 * p and q are the fractions of real and sample points per cell, each is
 * smoothed by ε = 1e-4 per cell, and in bits
 *   KL = Σ P log2(P/Q),   JS = ½ Σ [P log2(P/M) + Q log2(Q/M)],   M = (P+Q)/2.
 * Two changes from GAN Lab, both so the figures mean what their names say:
 * points outside the box are counted in one extra overflow cell instead of
 * being lost (GAN Lab's box is the whole [0,1]² of its data), and the smoothed
 * P and Q are renormalised to sum to 1 (GAN Lab's sums are 1 + cells·ε, which
 * lets its JS exceed 1 on fine grids), so KL ≥ 0 and 0 ≤ JS ≤ 1. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_GRID_DIVERGENCE_EPS 1e-4
#define DV_GRID_DIVERGENCE_MAX_GRID 1024

typedef struct {
  double x_min, x_max, y_min, y_max;
} DvBox2D;

/* The real set's histogram, built once and compared against each new sample. */
typedef struct _DvGridDivergence DvGridDivergence;

/* real[n_real][2]; grid in 1..DV_GRID_DIVERGENCE_MAX_GRID, box non-empty and
 * finite, n_real ≥ 1: otherwise DV_ERROR_INVALID. Non-finite points fall in
 * the overflow cell. */
DvGridDivergence *dv_grid_divergence_new (const float *real, size_t n_real, const DvBox2D *box, int grid,
                                          GError **error);
void dv_grid_divergence_free (DvGridDivergence *grid);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvGridDivergence, dv_grid_divergence_free)

/* KL(real ‖ sample) and JS in bits; either output may be NULL. n_sample ≥ 1.
 * Safe to call from several threads on the same object. */
void dv_grid_divergence_measure (const DvGridDivergence *grid, const float *sample, size_t n_sample,
                                 double *kl_bits, double *js_bits);

/* One-shot form of the two above. */
gboolean dv_grid_divergence (const float *real, size_t n_real, const float *sample, size_t n_sample,
                             const DvBox2D *box, int grid, double *kl_bits, double *js_bits, GError **error);

G_END_DECLS
