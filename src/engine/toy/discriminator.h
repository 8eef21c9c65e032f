/* The discriminator of the GAN-diffusion paper: an MLP on 2D points,
 * Linear(2,H)+ReLU, (layers−1)×[Linear(H,H)+ReLU], Linear(H,1) → logit,
 * with its BCE backward and the WGAN-GP gradient penalty
 * λ·mean_b (‖∇_x D(x_b)‖₂ − 1)², whose gradient w.r.t. D's weights is
 * computed exactly by a double backward through the Linear + ReLU stack
 * (ReLU's second derivative is zero almost everywhere, so the penalty's
 * weight gradient flows only through the backward chain's products, as in
 * PyTorch's create_graph=True). */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_TOY_DISCRIMINATOR_MAX_LAYERS 16

typedef struct {
  int hidden;  /* seed: 256 */
  int layers;  /* Linear+ReLU layers, 1..DV_TOY_DISCRIMINATOR_MAX_LAYERS (paper's final run: 6) */
} DvToyDiscriminatorConfig;

typedef struct {
  DvToyDiscriminatorConfig cfg;
  DvParams params;
  size_t weight[DV_TOY_DISCRIMINATOR_MAX_LAYERS], bias[DV_TOY_DISCRIMINATOR_MAX_LAYERS];  /* weight[0] is [H][2] */
  size_t out_weight, out_bias;                                          /* [1][H], [1] */
} DvToyDiscriminator;

typedef struct {
  int capacity;
  float *z;      /* [layers][cap][H] pre-activations */
  float *a;      /* [layers][cap][H] ReLU(z) */
  float *s;      /* [layers][cap][H] ∂D/∂z per layer (penalty) */
  float *delta;  /* [cap][H] */
  float *tmp;    /* [cap][H] */
  float *grad_x; /* [cap][2] */
  float *u;      /* [cap][2] */
} DvToyDiscriminatorWork;

gboolean dv_toy_discriminator_config_check (const DvToyDiscriminatorConfig *cfg, GError **error);
void dv_toy_discriminator_init (DvToyDiscriminator *disc, const DvToyDiscriminatorConfig *cfg, DvRng *rng);
void dv_toy_discriminator_clear (DvToyDiscriminator *disc);
void dv_toy_discriminator_work_init (DvToyDiscriminatorWork *work, const DvToyDiscriminator *disc, int capacity);
void dv_toy_discriminator_work_clear (DvToyDiscriminatorWork *work);

/* logits[B] = D(x[B][2]); keeps activations for the backward. */
void dv_toy_discriminator_forward (const DvToyDiscriminator *disc, const float *weights, DvToyDiscriminatorWork *work,
                          const float *x, int batch, float *logits);
/* From dlogits[B]: accumulates the weight gradient into grads (skipped when
 * grads is NULL) and writes dx[B][2] (skipped when dx is NULL). */
void dv_toy_discriminator_backward (const DvToyDiscriminator *disc, const float *weights, float *grads,
                           DvToyDiscriminatorWork *work, const float *x, int batch, const float *dlogits, float *dx);
/* Returns λ·mean_b (‖∇_x D(xhat_b)‖ − 1)² and accumulates its weight gradient
 * into grads (skipped when NULL). Runs its own forward (overwrites work). */
float dv_toy_discriminator_gradient_penalty (const DvToyDiscriminator *disc, const float *weights, float *grads,
                                    DvToyDiscriminatorWork *work, const float *xhat, int batch, float lambda);

G_END_DECLS
