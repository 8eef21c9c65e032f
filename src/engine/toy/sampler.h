/* Reverse processes for the 2D denoiser: DDPM ancestral sampling as the seed
 * (x̂₀ unclipped, posterior mean, √var·z for t > 0) and deterministic DDIM
 * (η = 0) over a subsequence of the timesteps. Points are processed in
 * independent chunks through all steps, so the activations stay in cache. */
#pragma once

#include "diffusion/noise_schedule.h"
#include "toy/denoiser.h"

G_BEGIN_DECLS

typedef enum { DV_SAMPLER_DDPM, DV_SAMPLER_DDIM } DvSamplerKind;

/* Points per chunk; the DDPM noise of chunk c comes from stream c of the seed,
 * so the result depends only on the seed and the initial points. */
#define DV_TOY_SAMPLE_CHUNK 512

typedef struct {
  DvSamplerKind kind;
  int steps;      /* DDIM: how many of the T timesteps to visit (1..T); DDPM: always T (0 = T) */
  guint64 seed;   /* DDPM's per-step noise */
} DvToySamplerConfig;

const char *dv_sampler_kind_to_string (DvSamplerKind kind);
gboolean dv_sampler_kind_from_string (const char *name, DvSamplerKind *kind, GError **error);

/* The number of reverse steps the config will take with this schedule. */
int dv_toy_sampler_n_steps (const DvToySamplerConfig *cfg, const DvNoiseSchedule *sched);

/* Runs the reverse process from x[n][2] (in: x_T, typically N(0, I); out: the
 * samples) with the given weights. snapshots, when not NULL, receives
 * [n_steps + 1][n][2]: the points before the first step and after each one.
 * Fails only on cancel (x then holds a partly denoised state). */
gboolean dv_toy_sample (const DvToyDenoiser *model, const float *weights, const DvNoiseSchedule *sched,
                        const DvToySamplerConfig *cfg, float *x, int n, float *snapshots,
                        DvProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                        GError **error);

G_END_DECLS
