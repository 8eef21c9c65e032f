/* Samplers of a masked multi-time score model over V jointly modelled parts
 * (DiMViDA's four view latents): the given parts stay clean at time 0, the
 * missing ones start from N(0, I) at t = 1 and follow the reverse VP-SDE.
 *
 * Shapes: a state is [K][V][D] — K variations (one batched network call), V
 * parts, D latent dimensions per part; the multi-time vector is [K][V] with
 * τ_v = t for a missing part and 0 for a given one. */
#pragma once

#include "core/bf16.h"
#include "diffusion/vp_sde.h"

G_BEGIN_DECLS

typedef enum {
  DV_MASKED_SAMPLER_EULER_MARUYAMA,  /* the reverse SDE, N steps, no noise on the last */
  DV_MASKED_SAMPLER_ODE,             /* the probability-flow ODE: deterministic given the start */
  DV_MASKED_SAMPLER_REPAINT,         /* Euler–Maruyama with RePaint's re-noising jumps (MLD's default) */
} DvMaskedSamplerKind;

typedef struct {
  DvMaskedSamplerKind kind;
  int steps;          /* N: the time grid t_k = ε + (1 − ε)·k/N, k = N … 0 */
  double t_min;       /* ε, the last time the network is asked about (1e-3) */
  int jump_length;    /* RePaint: steps re-noised per jump (10) */
  int jump_n_sample;  /* RePaint: times each jump's span is walked (10) */
  guint64 seed;
  DvPrecision precision;  /* what the score function is asked to run in: the sampler passes it on, its own
                           * arithmetic stays F32/F64 (views/score_model.c honours it); F32 by default */
} DvMaskedSamplerConfig;

/* Euler–Maruyama, 250 steps (MLD's N_inpaint), ε 1e-3, jumps 10 × 10, seed 0, F32. */
void dv_masked_sampler_config_init (DvMaskedSamplerConfig *cfg);
gboolean dv_masked_sampler_config_check (const DvMaskedSamplerConfig *cfg, GError **error);

const char *dv_masked_sampler_kind_to_string (DvMaskedSamplerKind kind);
/* "em", "ode", "repaint". */
gboolean dv_masked_sampler_kind_from_string (const char *name, DvMaskedSamplerKind *kind, GError **error);

/* The network: eps_hat[B][V·D] ≈ −z for x[B][V·D] at multi-times tau[B][V]. */
typedef void (*DvMaskedScoreFunc) (float *eps_hat, const float *x, const float *tau, int batch, gpointer user_data);

typedef struct {
  int step;             /* 1 … n_steps: network calls made so far */
  int n_steps;
  double t;             /* the time x is at now */
  gboolean renoising;   /* TRUE when this step was one of RePaint's forward jumps */
  const float *x;       /* [K][V][D]: the state, given parts clamped */
  const float *x0_hat;  /* [K][V][D]: the model's latest estimate of the clean parts */
} DvMaskedSamplerStep;

/* Called on the sampler's thread after every step (and once at step 0). */
typedef void (*DvMaskedSamplerStepFunc) (const DvMaskedSamplerStep *step, gpointer user_data);

/* How many steps a run takes: N for EM and ODE; for RePaint the reverse and
 * forward steps of its jump schedule together. */
int dv_masked_sampler_count_steps (const DvMaskedSamplerConfig *cfg);

/* RePaint's walk over time indices, N … 0: consecutive entries differ by one;
 * a decrease is a reverse step, an increase a re-noising jump. *n_out entries. */
int *dv_masked_sampler_repaint_schedule (int steps, int jump_length, int jump_n_sample, int *n_out);

/* Fills out[K][V][D]: given parts (bit i of given_mask = part i given, read
 * from given[V][D]) copied, the others sampled. Needs at least one missing
 * part; all parts given returns them unchanged. Deterministic for a seed. */
gboolean dv_masked_sampler_run (const DvMaskedSamplerConfig *cfg, const DvVpSde *sde, int n_parts, int dim,
                                const float *given, guint given_mask, int variations, DvMaskedScoreFunc score,
                                gpointer score_data, DvMaskedSamplerStepFunc on_step, gpointer step_data,
                                float *out, GCancellable *cancellable, GError **error);

/* The same with one given set per row, given[K][V][D] (several objects with the
 * same given views in one batched call: an evaluation). Row k's output depends
 * on the whole batch's noise draws, so only on (seed, rows, their order). */
gboolean dv_masked_sampler_run_rows (const DvMaskedSamplerConfig *cfg, const DvVpSde *sde, int n_parts, int dim,
                                     const float *given, guint given_mask, int rows, DvMaskedScoreFunc score,
                                     gpointer score_data, DvMaskedSamplerStepFunc on_step, gpointer step_data,
                                     float *out, GCancellable *cancellable, GError **error);

G_END_DECLS
