/* The denoising field of the 2D model: at the centre x of each cell of a
 * grid over a box, the arrow x̂₀(x, t) − x from the model's noise estimate,
 *   x̂₀ = √(1/ᾱₜ)·x − √(1/ᾱₜ − 1)·ε̂(x, t),
 * which the Playground draws to show where the model pulls each point. */
#pragma once

#include "metrics/grid_divergence.h"
#include "diffusion/noise_schedule.h"
#include "toy/denoiser.h"

G_BEGIN_DECLS

/* Scratch for one grid size, allocated once. */
typedef struct {
  int grid;
  DvToyDenoiserWork work;
  float *table;  /* [T][H] time table of the weights */
  int *t;        /* [grid²] */
  float *eps;    /* [grid²][2] */
} DvToyField;

void dv_toy_field_init (DvToyField *field, const DvToyDenoiser *model, int grid);
/* Safe on a zeroed DvToyField. */
void dv_toy_field_clear (DvToyField *field);

/* points[grid²][2]: the cell centres of a grid × grid partition of box, row
 * by row from (x_min, y_min). The heatmap uses the same points. */
void dv_toy_field_grid_points (const DvBox2D *box, int grid, float *points);

/* origins[grid²][2] = the grid points, vectors[grid²][2] = x̂₀ − x at
 * timestep t (0..T−1) with the given weights (laid out like model->params). */
void dv_toy_field_compute (DvToyField *field, const DvToyDenoiser *model, const float *weights,
                           const DvNoiseSchedule *sched, int t, const DvBox2D *box, float *origins, float *vectors);

G_END_DECLS
