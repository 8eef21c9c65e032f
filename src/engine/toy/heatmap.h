/* The discriminator's verdict over the plane: D(x) = σ(logit(x)) at the
 * centre of each cell of a grid over a box (the field's grid points), which
 * the Playground paints under the samples when it trains with a GAN. */
#pragma once

#include "metrics/grid_divergence.h"
#include "toy/discriminator.h"

G_BEGIN_DECLS

/* Scratch for one grid size, allocated once. */
typedef struct {
  int grid;
  DvToyDiscriminatorWork work;
  float *points;  /* [grid²][2] */
} DvToyHeatmap;

void dv_toy_heatmap_init (DvToyHeatmap *heatmap, const DvToyDiscriminator *disc, int grid);
/* Safe on a zeroed DvToyHeatmap. */
void dv_toy_heatmap_clear (DvToyHeatmap *heatmap);

/* values[grid²] = D(x) in (0, 1), row by row from (x_min, y_min), with the
 * given weights (laid out like disc->params). */
void dv_toy_heatmap_compute (DvToyHeatmap *heatmap, const DvToyDiscriminator *disc, const float *weights,
                             const DvBox2D *box, float *values);

G_END_DECLS
