#include "metrics/grid_divergence.h"

#include <math.h>

struct _DvGridDivergence {
  DvBox2D box;
  int grid;
  size_t n_cells;        /* grid² + 1: the last one is the overflow cell */
  double *real_smoothed; /* P per cell, renormalised */
};

static size_t
cell_of (const DvBox2D *box, int grid, const float *point)
{
  double u = ((double) point[0] - box->x_min) / (box->x_max - box->x_min);
  double v = ((double) point[1] - box->y_min) / (box->y_max - box->y_min);
  /* Written so that NaN also lands in the overflow cell. */
  if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1))
    return (size_t) grid * grid;
  int col = MIN ((int) (u * grid), grid - 1), row = MIN ((int) (v * grid), grid - 1);
  return (size_t) row * grid + col;
}

/* out[cell] = smoothed, renormalised fraction of the points in each cell. */
static void
smoothed_histogram (const DvBox2D *box, int grid, size_t n_cells, const float *points, size_t n, double *out)
{
  for (size_t c = 0; c < n_cells; c++)
    out[c] = 0;
  for (size_t i = 0; i < n; i++)
    out[cell_of (box, grid, points + 2 * i)] += 1;
  double norm = 1.0 + (double) n_cells * DV_GRID_DIVERGENCE_EPS;
  for (size_t c = 0; c < n_cells; c++)
    out[c] = (out[c] / (double) n + DV_GRID_DIVERGENCE_EPS) / norm;
}

DvGridDivergence *
dv_grid_divergence_new (const float *real, size_t n_real, const DvBox2D *box, int grid, GError **error)
{
  if (grid < 1 || grid > DV_GRID_DIVERGENCE_MAX_GRID)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "grid divergence: grid %d is outside 1..%d", grid,
                   DV_GRID_DIVERGENCE_MAX_GRID);
      return NULL;
    }
  if (!(isfinite (box->x_min) && isfinite (box->x_max) && isfinite (box->y_min) && isfinite (box->y_max)
        && box->x_max > box->x_min && box->y_max > box->y_min))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "grid divergence: empty or non-finite box [%g, %g] × [%g, %g]",
                   box->x_min, box->x_max, box->y_min, box->y_max);
      return NULL;
    }
  if (n_real == 0)
    {
      g_set_error_literal (error, DV_ERROR, DV_ERROR_INVALID, "grid divergence: no real points");
      return NULL;
    }
  DvGridDivergence *g = g_new0 (DvGridDivergence, 1);
  g->box = *box;
  g->grid = grid;
  g->n_cells = (size_t) grid * grid + 1;
  g->real_smoothed = g_new (double, g->n_cells);
  smoothed_histogram (box, grid, g->n_cells, real, n_real, g->real_smoothed);
  return g;
}

void
dv_grid_divergence_free (DvGridDivergence *g)
{
  if (g == NULL)
    return;
  g_free (g->real_smoothed);
  g_free (g);
}

void
dv_grid_divergence_measure (const DvGridDivergence *g, const float *sample, size_t n_sample, double *kl_bits,
                            double *js_bits)
{
  DV_CHECK (n_sample >= 1, "dv_grid_divergence_measure: no sample points");
  double *q = g_new (double, g->n_cells);
  smoothed_histogram (&g->box, g->grid, g->n_cells, sample, n_sample, q);
  double kl = 0, js = 0;
  for (size_t c = 0; c < g->n_cells; c++)
    {
      double p = g->real_smoothed[c], m = 0.5 * (p + q[c]);
      kl += p * log2 (p / q[c]);
      js += 0.5 * (p * log2 (p / m) + q[c] * log2 (q[c] / m));
    }
  g_free (q);
  if (kl_bits != NULL)
    *kl_bits = kl;
  if (js_bits != NULL)
    *js_bits = js;
}

gboolean
dv_grid_divergence (const float *real, size_t n_real, const float *sample, size_t n_sample, const DvBox2D *box,
                    int grid, double *kl_bits, double *js_bits, GError **error)
{
  if (n_sample == 0)
    {
      g_set_error_literal (error, DV_ERROR, DV_ERROR_INVALID, "grid divergence: no sample points");
      return FALSE;
    }
  g_autoptr (DvGridDivergence) g = dv_grid_divergence_new (real, n_real, box, grid, error);
  if (g == NULL)
    return FALSE;
  dv_grid_divergence_measure (g, sample, n_sample, kl_bits, js_bits);
  return TRUE;
}
