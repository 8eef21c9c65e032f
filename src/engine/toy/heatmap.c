#include "toy/heatmap.h"

#include "toy/field.h"

#include <math.h>
#include <string.h>

void
dv_toy_heatmap_init (DvToyHeatmap *heatmap, const DvToyDiscriminator *disc, int grid)
{
  DV_CHECK (grid > 0, "dv_toy_heatmap_init: bad grid %d", grid);
  heatmap->grid = grid;
  dv_toy_discriminator_work_init (&heatmap->work, disc, grid * grid);
  heatmap->points = g_new (float, 2 * (size_t) grid * grid);
}

void
dv_toy_heatmap_clear (DvToyHeatmap *heatmap)
{
  if (heatmap->grid > 0)
    dv_toy_discriminator_work_clear (&heatmap->work);
  g_free (heatmap->points);
  memset (heatmap, 0, sizeof *heatmap);
}

void
dv_toy_heatmap_compute (DvToyHeatmap *heatmap, const DvToyDiscriminator *disc, const float *weights,
                        const DvBox2D *box, float *values)
{
  const int n = heatmap->grid * heatmap->grid;
  dv_toy_field_grid_points (box, heatmap->grid, heatmap->points);
  dv_toy_discriminator_forward (disc, weights, &heatmap->work, heatmap->points, n, values);
  for (int i = 0; i < n; i++)
    values[i] = 1.0f / (1.0f + expf (-values[i]));
}
