/* Masked multi-time training of a score model over V parts (DiMViDA's four
 * view latents), after the DiMViDA paper: with probability d all parts
 * diffuse; otherwise a conditioning set C, uniform over the 2^V − 2 proper
 * non-empty subsets, is frozen — clean latents, time 0, no noise, no loss —
 * and the rest diffuse, the loss weighted by λ = 1 + |C|/|M|.
 *
 * The paper and the MLD code disagree on which branch d selects: MLD's code
 * masks with probability d; we follow DiMViDA's text (all parts diffuse with
 * probability d, masked with 1 − d). MLD draws one mask per batch; per-object
 * draws are offered too (DvMaskDraw).
 *
 * Shapes: latents [B][V][D]; multi-time vector τ [B][V], τ_v = t · 1[v ∉ C]. */
#pragma once

#include "diffusion/vp_sde.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_MASKED_MAX_PARTS 8

typedef enum {
  DV_MASK_DRAW_PER_BATCH,   /* one draw for the whole batch, as MLD's code */
  DV_MASK_DRAW_PER_OBJECT,  /* one draw per row */
} DvMaskDraw;

typedef struct {
  double p_all_diffuse;  /* d: 0.2 */
  DvMaskDraw draw;
  double t_min;          /* t ~ U(t_min, 1): 1e-3 */
} DvMaskedLossConfig;

void dv_masked_loss_config_init (DvMaskedLossConfig *cfg);
gboolean dv_masked_loss_config_check (const DvMaskedLossConfig *cfg, GError **error);

/* The proper non-empty subsets of n_parts parts as bit masks, ordered by size,
 * then by value (MLD's power-set order without the full set). */
int dv_masked_loss_n_subsets (int n_parts);
guint dv_masked_loss_subset (int n_parts, int index);

/* One batch's diffusion: t per row (shared by its parts), the conditioning set
 * cond[b] (0 when all parts diffuse), x_t (given parts: x0), z (given: 0),
 * τ and the row's weight λ_b. */
void dv_masked_loss_prepare (const DvMaskedLossConfig *cfg, const DvVpSde *sde, DvRng *rng, const float *x0,
                             int batch, int n_parts, int dim, float *x_t, float *z, float *tau, guint *cond,
                             float *weight);

/* loss = (1/B) Σ_b λ_b Σ_{v ∉ C_b} Σ_d (ε̂ + z)²; deps_hat += its gradient
 * (0 on the conditioning parts, which are never scored). */
double dv_masked_loss_forward_backward (const float *eps_hat, const float *z, const guint *cond, const float *weight,
                                        int batch, int n_parts, int dim, float *deps_hat);

G_END_DECLS
