#include "toy/sampler.h"

#include "core/enum_names.h"
#include "core/rng.h"
#include "diffusion/ddpm.h"
#include "core/common.h"

#include <math.h>
#include <string.h>

DV_ENUM_NAMES_DEFINE (dv_sampler_kind, DvSamplerKind, "sampler", "ddpm", "ddim")

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
              if (t > 0)
                dv_rng_fill_normal (&rng, noise, 2 * (size_t) rows);
              dv_ddpm_step (sched, t, xc, eps, noise, rows, 2);
            }
          else
            dv_ddim_step (sched, t, i > 0 ? timesteps[i - 1] : -1, xc, eps, rows, 2);
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
