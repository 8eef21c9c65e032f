#include "diffusion/masked_sampler.h"

#include "core/rng.h"

#include <string.h>

void
dv_masked_sampler_config_init (DvMaskedSamplerConfig *cfg)
{
  cfg->kind = DV_MASKED_SAMPLER_EULER_MARUYAMA;
  cfg->steps = 250;
  cfg->t_min = 1e-3;
  cfg->jump_length = 10;
  cfg->jump_n_sample = 10;
  cfg->seed = 0;
  cfg->precision = DV_PRECISION_F32;
}

gboolean
dv_masked_sampler_config_check (const DvMaskedSamplerConfig *cfg, GError **error)
{
  if (cfg->kind > DV_MASKED_SAMPLER_REPAINT)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown sampler %d", (int) cfg->kind);
  else if (cfg->precision != DV_PRECISION_F32 && cfg->precision != DV_PRECISION_BF16)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown precision %d", (int) cfg->precision);
  else if (cfg->steps < 1 || cfg->steps > 100000)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The sampler needs 1 to 100000 steps, not %d", cfg->steps);
  else if (!(cfg->t_min > 0.0 && cfg->t_min < 0.5))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The last sampling time must lie in (0, 0.5), not %g",
                 cfg->t_min);
  else if (cfg->kind == DV_MASKED_SAMPLER_REPAINT
           && (cfg->jump_length < 1 || cfg->jump_length > cfg->steps || cfg->jump_n_sample < 1
               || cfg->jump_n_sample > 100))
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                 "RePaint needs a jump length of 1 to %d steps and 1 to 100 resamplings, not %d and %d",
                 cfg->steps, cfg->jump_length, cfg->jump_n_sample);
  else
    return TRUE;
  return FALSE;
}

static const char *const kind_names[] = { "em", "ode", "repaint" };

const char *
dv_masked_sampler_kind_to_string (DvMaskedSamplerKind kind)
{
  DV_CHECK (kind <= DV_MASKED_SAMPLER_REPAINT, "dv_masked_sampler_kind_to_string: bad kind %d", (int) kind);
  return kind_names[kind];
}

gboolean
dv_masked_sampler_kind_from_string (const char *name, DvMaskedSamplerKind *kind, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        *kind = (DvMaskedSamplerKind) i;
        return TRUE;
      }
  g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown sampler “%s” (expected em, ode or repaint)",
               name ? name : "");
  return FALSE;
}

int *
dv_masked_sampler_repaint_schedule (int steps, int jump_length, int jump_n_sample, int *n_out)
{
  /* Lugmayr et al. 2022, as MLD walks it: from every multiple of jump_length
   * below N − jump_length, jump back up jump_n_sample − 1 times. */
  g_autofree int *jumps = g_new0 (int, steps + 1);
  for (int j = 0; j < steps - jump_length; j += jump_length)
    jumps[j] = jump_n_sample - 1;
  GArray *walk = g_array_new (FALSE, FALSE, sizeof (int));
  int t = steps;
  g_array_append_val (walk, t);
  while (t >= 1)
    {
      t--;
      g_array_append_val (walk, t);
      if (jumps[t] > 0)
        {
          jumps[t]--;
          for (int i = 0; i < jump_length; i++)
            {
              t++;
              g_array_append_val (walk, t);
            }
        }
    }
  *n_out = (int) walk->len;
  return (int *) g_array_free (walk, FALSE);
}

int
dv_masked_sampler_count_steps (const DvMaskedSamplerConfig *cfg)
{
  if (cfg->kind != DV_MASKED_SAMPLER_REPAINT)
    return cfg->steps;
  int n;
  g_free (dv_masked_sampler_repaint_schedule (cfg->steps, cfg->jump_length, cfg->jump_n_sample, &n));
  return n - 1;
}

typedef struct {
  const DvMaskedSamplerConfig *cfg;
  const DvVpSde *sde;
  int V, D, K;
  guint given_mask;
  const float *given;
  size_t given_stride;  /* 0: one given set for all rows; V·D: one per row */
  float *x, *x0_hat, *eps_hat, *tau, *z;
  DvRng rng;
} Run;

static double
time_at (const Run *r, int k)
{
  return r->cfg->t_min + (1.0 - r->cfg->t_min) * (double) k / r->cfg->steps;
}

static gboolean
is_given (const Run *r, int v)
{
  return (r->given_mask >> v) & 1u;
}

/* Given parts: the clean latents (their x̂₀ too) and time 0. */
static void
clamp_given (Run *r)
{
  for (int k = 0; k < r->K; k++)
    for (int v = 0; v < r->V; v++)
      if (is_given (r, v))
        {
          const size_t off = ((size_t) k * r->V + v) * r->D;
          const float *g = r->given + (size_t) k * r->given_stride + (size_t) v * r->D;
          memcpy (r->x + off, g, sizeof (float) * r->D);
          memcpy (r->x0_hat + off, g, sizeof (float) * r->D);
        }
}

/* One move of the missing parts from time index a to b = a ± 1. */
static void
step (Run *r, int a, int b, gboolean last, DvMaskedScoreFunc score, gpointer score_data)
{
  const double t = time_at (r, a), dt = (1.0 - r->cfg->t_min) / r->cfg->steps;
  const size_t n = (size_t) r->K * r->V * r->D;
  const gboolean noisy = r->cfg->kind != DV_MASKED_SAMPLER_ODE && !last;
  if (noisy)
    dv_rng_fill_normal (&r->rng, r->z, n);
  if (b < a)
    {
      for (int k = 0; k < r->K; k++)
        for (int v = 0; v < r->V; v++)
          r->tau[k * r->V + v] = is_given (r, v) ? 0.0f : (float) t;
      score (r->eps_hat, r->x, r->tau, r->K, score_data);
    }
  for (int k = 0; k < r->K; k++)
    for (int v = 0; v < r->V; v++)
      {
        if (is_given (r, v))
          continue;
        const size_t off = ((size_t) k * r->V + v) * r->D;
        float *x = r->x + off;
        if (b > a)
          dv_vp_sde_forward_step (r->sde, t, dt, x, r->z + off, r->D);
        else
          {
            dv_vp_sde_predict_x0 (r->sde, t, r->x0_hat + off, x, r->eps_hat + off, r->D);
            if (r->cfg->kind == DV_MASKED_SAMPLER_ODE)
              dv_vp_sde_ode_step (r->sde, t, dt, x, r->eps_hat + off, r->D);
            else
              dv_vp_sde_reverse_step (r->sde, t, dt, x, r->eps_hat + off, noisy ? r->z + off : NULL, r->D);
          }
      }
}

static gboolean
run_sampler (const DvMaskedSamplerConfig *cfg, const DvVpSde *sde, int n_parts, int dim, const float *given,
             gboolean given_per_row, guint given_mask, int variations, DvMaskedScoreFunc score,
             gpointer score_data, DvMaskedSamplerStepFunc on_step, gpointer step_data, float *out,
             GCancellable *cancellable, GError **error)
{
  DV_CHECK (n_parts >= 1 && n_parts <= 16 && dim >= 1 && variations >= 1,
            "dv_masked_sampler_run: bad shape V %d, D %d, K %d", n_parts, dim, variations);
  if (!dv_masked_sampler_config_check (cfg, error) || !dv_vp_sde_check (sde, error))
    return FALSE;
  const guint all = (1u << n_parts) - 1u;
  given_mask &= all;
  const size_t n = (size_t) variations * n_parts * dim;
  Run r = { .cfg = cfg, .sde = sde, .V = n_parts, .D = dim, .K = variations, .given_mask = given_mask,
            .given = given, .given_stride = given_per_row ? (size_t) n_parts * dim : 0, .x = out };
  if (given_mask == all)
    {
      memset (out, 0, sizeof (float) * n);
      r.x0_hat = out;  /* clamp_given writes both; they are the same buffer here */
      clamp_given (&r);
      return TRUE;
    }
  r.x0_hat = g_new0 (float, n);
  r.eps_hat = g_new0 (float, n);
  r.tau = g_new0 (float, (size_t) variations * n_parts);
  r.z = g_new0 (float, n);
  dv_rng_init (&r.rng, cfg->seed);
  /* Missing parts start from the prior N(0, I) at t = 1; their x̂₀ reads 0
   * (the standardised latents' mean) until the network has been asked. */
  dv_rng_fill_normal (&r.rng, r.x, n);
  clamp_given (&r);

  int n_walk;
  int *walk;
  if (cfg->kind == DV_MASKED_SAMPLER_REPAINT)
    walk = dv_masked_sampler_repaint_schedule (cfg->steps, cfg->jump_length, cfg->jump_n_sample, &n_walk);
  else
    {
      n_walk = cfg->steps + 1;
      walk = g_new (int, n_walk);
      for (int i = 0; i < n_walk; i++)
        walk[i] = cfg->steps - i;
    }

  gboolean ok = TRUE;
  DvMaskedSamplerStep report = { .step = 0, .n_steps = n_walk - 1, .t = 1.0, .x = r.x, .x0_hat = r.x0_hat };
  if (on_step != NULL)
    on_step (&report, step_data);
  for (int i = 1; i < n_walk && ok; i++)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      step (&r, walk[i - 1], walk[i], i == n_walk - 1, score, score_data);
      clamp_given (&r);
      report.step = i;
      report.t = time_at (&r, walk[i]);
      report.renoising = walk[i] > walk[i - 1];
      if (on_step != NULL)
        on_step (&report, step_data);
    }
  g_free (walk);
  g_free (r.x0_hat);
  g_free (r.eps_hat);
  g_free (r.tau);
  g_free (r.z);
  return ok;
}

gboolean
dv_masked_sampler_run (const DvMaskedSamplerConfig *cfg, const DvVpSde *sde, int n_parts, int dim,
                       const float *given, guint given_mask, int variations, DvMaskedScoreFunc score,
                       gpointer score_data, DvMaskedSamplerStepFunc on_step, gpointer step_data, float *out,
                       GCancellable *cancellable, GError **error)
{
  return run_sampler (cfg, sde, n_parts, dim, given, FALSE, given_mask, variations, score, score_data, on_step,
                      step_data, out, cancellable, error);
}

gboolean
dv_masked_sampler_run_rows (const DvMaskedSamplerConfig *cfg, const DvVpSde *sde, int n_parts, int dim,
                            const float *given, guint given_mask, int rows, DvMaskedScoreFunc score,
                            gpointer score_data, DvMaskedSamplerStepFunc on_step, gpointer step_data, float *out,
                            GCancellable *cancellable, GError **error)
{
  return run_sampler (cfg, sde, n_parts, dim, given, TRUE, given_mask, rows, score, score_data, on_step, step_data,
                      out, cancellable, error);
}
