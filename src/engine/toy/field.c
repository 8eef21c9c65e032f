#include "toy/field.h"

#include "diffusion/ddpm.h"

#include <string.h>

void
dv_toy_field_init (DvToyField *field, const DvToyDenoiser *model, int grid)
{
  DV_CHECK (grid > 0, "dv_toy_field_init: bad grid %d", grid);
  const int n = grid * grid;
  field->grid = grid;
  dv_toy_denoiser_work_init_inference (&field->work, model, n);
  field->table = g_new (float, (size_t) model->cfg.T * model->cfg.hidden);
  field->t = g_new (int, n);
  field->eps = g_new (float, 2 * (size_t) n);
}

void
dv_toy_field_clear (DvToyField *field)
{
  if (field->grid > 0)
    dv_toy_denoiser_work_clear (&field->work);
  g_free (field->table);
  g_free (field->t);
  g_free (field->eps);
  memset (field, 0, sizeof *field);
}

void
dv_toy_field_grid_points (const DvBox2D *box, int grid, float *points)
{
  for (int row = 0; row < grid; row++)
    for (int col = 0; col < grid; col++)
      {
        float *p = points + 2 * (size_t) (row * grid + col);
        p[0] = (float) (box->x_min + (box->x_max - box->x_min) * (col + 0.5) / grid);
        p[1] = (float) (box->y_min + (box->y_max - box->y_min) * (row + 0.5) / grid);
      }
}

void
dv_toy_field_compute (DvToyField *field, const DvToyDenoiser *model, const float *weights,
                      const DvNoiseSchedule *sched, int t, const DvBox2D *box, float *origins, float *vectors)
{
  DV_CHECK (t >= 0 && t < sched->T, "dv_toy_field_compute: bad timestep %d", t);
  const int n = field->grid * field->grid;
  dv_toy_denoiser_time_table (model, weights, field->table);
  dv_toy_field_grid_points (box, field->grid, origins);
  for (int i = 0; i < n; i++)
    field->t[i] = t;
  dv_toy_denoiser_forward (model, weights, field->table, &field->work, origins, field->t, n, field->eps);
  dv_ddpm_predict_x0 (sched, field->t, origins, field->eps, n, 2, vectors);
  for (int i = 0; i < 2 * n; i++)
    vectors[i] -= origins[i];
}
