#include "toy/sampler.h"

#include "core/rng.h"
#include "core/tensor.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[] = { "ddpm", "ddim" };

const char *
dv_sampler_kind_to_string (DvSamplerKind kind)
{
  DV_CHECK ((unsigned) kind < G_N_ELEMENTS (kind_names), "dv_sampler_kind_to_string: bad kind %d", kind);
  return kind_names[kind];
}

gboolean
dv_sampler_kind_from_string (const char *name, DvSamplerKind *kind, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      {
        *kind = (DvSamplerKind) i;
        return TRUE;
      }
  g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown sampler “%s” (expected ddpm or ddim)", name ? name : "");
  return FALSE;
}

int
dv_toy_sampler_n_steps (const DvToySamplerConfig *cfg, const DvNoiseSchedule *sched)
{
  if (cfg->kind == DV_SAMPLER_DDPM || cfg->steps <= 0)
    return sched->T;
  return MIN (cfg->steps, sched->T);
}

gboolean
dv_toy_sample (const DvToyDenoiser *model, const float *weights, const DvNoiseSchedule *sched,
               const DvToySamplerConfig *cfg, float *x, int n, float *snapshots, DvProgressFunc progress,
               gpointer progress_data, GCancellable *cancellable, GError **error)
{
  DV_CHECK (sched->T == model->cfg.T, "dv_toy_sample: schedule has T = %d, model %d", sched->T, model->cfg.T);
  DV_CHECK (n > 0, "dv_toy_sample: bad n %d", n);
  const int T = sched->T, H = model->cfg.hidden;
  const int n_steps = dv_toy_sampler_n_steps (cfg, sched);
  /* DDIM visits t_i = ⌊i·T/S⌋, i = S−1..0 (evenly spaced, ending at 0). */
  int *timesteps = g_new (int, n_steps);
  for (int i = 0; i < n_steps; i++)
    timesteps[i] = cfg->kind == DV_SAMPLER_DDPM ? i : (int) ((gint64) i * T / n_steps);

  const int chunk = MIN (n, DV_TOY_SAMPLE_CHUNK);
  DvToyDenoiserWork work;
  dv_toy_denoiser_work_init_inference (&work, model, chunk);
  float *table = dv_alloc_floats ((size_t) T * H);
  float *eps = dv_alloc_floats ((size_t) chunk * 2);
  float *noise = dv_alloc_floats ((size_t) chunk * 2);
  int *tvec = g_new (int, chunk);
  dv_toy_denoiser_time_table (model, weights, table);

  const int n_chunks = (n + chunk - 1) / chunk;
  gboolean ok = TRUE;
  if (snapshots != NULL)
    memcpy (snapshots, x, sizeof (float) * 2 * (size_t) n);
  for (int c = 0; c < n_chunks && ok; c++)
    {
      const int first = c * chunk;
      const int rows = MIN (chunk, n - first);
      float *restrict xc = x + 2 * (size_t) first;
      DvRng rng;
      dv_rng_init_stream (&rng, cfg->seed, (guint64) c);
      for (int i = n_steps - 1; i >= 0; i--)
        {
          if (dv_check_cancelled (cancellable, error))
            {
              ok = FALSE;
              break;
            }
          const int t = timesteps[i];
          for (int b = 0; b < rows; b++)
            tvec[b] = t;
          dv_toy_denoiser_forward (model, weights, table, &work, xc, tvec, rows, eps);
          if (cfg->kind == DV_SAMPLER_DDPM)
            {
              const float s1 = sched->sqrt_inv_alphas_cumprod[t];
              const float s2 = sched->sqrt_inv_alphas_cumprod_minus_one[t];
              const float c1 = sched->posterior_mean_coef1[t];
              const float c2 = sched->posterior_mean_coef2[t];
              const float sigma = sqrtf (sched->posterior_variance[t]);
              if (t > 0)
                dv_rng_fill_normal (&rng, noise, 2 * (size_t) rows);
              for (int k = 0; k < 2 * rows; k++)
                {
                  const float x0 = s1 * xc[k] - s2 * eps[k];
                  const float mean = c1 * x0 + c2 * xc[k];
                  xc[k] = t > 0 ? mean + sigma * noise[k] : mean;
                }
            }
          else
            {
              const float ab = sched->alphas_cumprod[t];
              const float ab_prev = i > 0 ? sched->alphas_cumprod[timesteps[i - 1]] : 1.0f;
              const float sqrt_ab = sqrtf (ab), sqrt_1mab = sqrtf (1.0f - ab);
              const float sqrt_ab_prev = sqrtf (ab_prev), sqrt_1mab_prev = sqrtf (1.0f - ab_prev);
              for (int k = 0; k < 2 * rows; k++)
                {
                  const float x0 = (xc[k] - sqrt_1mab * eps[k]) / sqrt_ab;
                  xc[k] = sqrt_ab_prev * x0 + sqrt_1mab_prev * eps[k];
                }
            }
          if (snapshots != NULL)
            memcpy (snapshots + ((size_t) (n_steps - i) * n + first) * 2, xc, sizeof (float) * 2 * (size_t) rows);
        }
      if (progress != NULL)
        {
          DvProgress p = { "sample", (gint64) (c + 1) * n_steps, (gint64) n_chunks * n_steps };
          progress (&p, progress_data);
        }
    }

  g_free (tvec);
  dv_free_floats (noise);
  dv_free_floats (eps);
  dv_free_floats (table);
  dv_toy_denoiser_work_clear (&work);
  g_free (timesteps);
  return ok;
}
