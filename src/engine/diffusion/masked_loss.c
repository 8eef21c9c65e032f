#include "diffusion/masked_loss.h"

void
dv_masked_loss_config_init (DvMaskedLossConfig *cfg)
{
  cfg->p_all_diffuse = 0.2;
  cfg->draw = DV_MASK_DRAW_PER_BATCH;
  cfg->t_min = 1e-3;
}

gboolean
dv_masked_loss_config_check (const DvMaskedLossConfig *cfg, GError **error)
{
  if (!(cfg->p_all_diffuse >= 0.0 && cfg->p_all_diffuse <= 1.0))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The share of unmasked batches must be 0 to 1, not %g",
                 cfg->p_all_diffuse);
  else if (cfg->draw != DV_MASK_DRAW_PER_BATCH && cfg->draw != DV_MASK_DRAW_PER_OBJECT)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown mask draw %d", (int) cfg->draw);
  else if (!(cfg->t_min > 0.0 && cfg->t_min < 0.5))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The smallest training time must lie in (0, 0.5), not %g",
                 cfg->t_min);
  else
    return TRUE;
  return FALSE;
}

int
dv_masked_loss_n_subsets (int n_parts)
{
  DV_CHECK (n_parts >= 2 && n_parts <= DV_MASKED_MAX_PARTS, "dv_masked_loss: %d parts", n_parts);
  return (1 << n_parts) - 2;
}

guint
dv_masked_loss_subset (int n_parts, int index)
{
  DV_CHECK (index >= 0 && index < dv_masked_loss_n_subsets (n_parts), "dv_masked_loss_subset: index %d", index);
  const guint full = (1u << n_parts) - 1u;
  for (int size = 1; size < n_parts; size++)
    for (guint m = 1; m < full; m++)
      if (__builtin_popcount (m) == size && index-- == 0)
        return m;
  g_assert_not_reached ();
}

static guint
draw_condition (const DvMaskedLossConfig *cfg, DvRng *rng, int n_parts)
{
  if (dv_rng_uniform_double (rng) < cfg->p_all_diffuse)
    return 0;
  return dv_masked_loss_subset (n_parts, (int) dv_rng_below (rng, (guint64) dv_masked_loss_n_subsets (n_parts)));
}

void
dv_masked_loss_prepare (const DvMaskedLossConfig *cfg, const DvVpSde *sde, DvRng *rng, const float *x0, int batch,
                        int n_parts, int dim, float *x_t, float *z, float *tau, guint *cond, float *weight)
{
  const size_t row = (size_t) n_parts * dim;
  guint batch_cond = cfg->draw == DV_MASK_DRAW_PER_BATCH ? draw_condition (cfg, rng, n_parts) : 0;
  for (int b = 0; b < batch; b++)
    {
      const guint c = cfg->draw == DV_MASK_DRAW_PER_BATCH ? batch_cond : draw_condition (cfg, rng, n_parts);
      const double t = cfg->t_min + (1.0 - cfg->t_min) * dv_rng_uniform_double (rng);
      const int n_cond = __builtin_popcount (c);
      cond[b] = c;
      weight[b] = (float) (1.0 + (double) n_cond / (n_parts - n_cond));
      dv_rng_fill_normal (rng, z + b * row, row);
      for (int v = 0; v < n_parts; v++)
        {
          const size_t off = b * row + (size_t) v * dim;
          if ((c >> v) & 1u)
            {
              tau[b * n_parts + v] = 0.0f;
              for (int d = 0; d < dim; d++)
                {
                  x_t[off + d] = x0[off + d];
                  z[off + d] = 0.0f;
                }
            }
          else
            {
              tau[b * n_parts + v] = (float) t;
              dv_vp_sde_perturb (sde, t, x_t + off, x0 + off, z + off, dim);
            }
        }
    }
}

double
dv_masked_loss_forward_backward (const float *eps_hat, const float *z, const guint *cond, const float *weight,
                                 int batch, int n_parts, int dim, float *deps_hat)
{
  const size_t row = (size_t) n_parts * dim;
  double loss = 0.0;
  for (int b = 0; b < batch; b++)
    for (int v = 0; v < n_parts; v++)
      {
        if ((cond[b] >> v) & 1u)
          continue;
        const size_t off = b * row + (size_t) v * dim;
        const double w = weight[b] / (double) batch;
        for (int d = 0; d < dim; d++)
          {
            const double r = (double) eps_hat[off + d] + z[off + d];
            loss += w * r * r;
            if (deps_hat != NULL)
              deps_hat[off + d] += (float) (2.0 * w * r);
          }
      }
  return loss;
}
