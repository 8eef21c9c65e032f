/* The MLP denoiser of the 2D-diffusion seed, predicting the noise ε̂(x_t, t):
 *   [emb25(x), emb25(y), emb1(t)] → Linear(3E, H) → blocks × (h + Linear(ReLU(h))) → ReLU → Linear(H, 2).
 * Parameter names follow the seed's PyTorch module (network.0, network.i.ff, network.<blocks+2>).
 *
 * Speed: emb(t) takes only T values, so its share of the first Linear,
 * W_t·emb(t) + b, is a [T][H] table computed once per weight update
 * (dv_toy_denoiser_time_table); the forward looks rows up, and the backward
 * sums the rows' gradients per timestep before one small sgemm into W_t.
 * The forward and backward take the weights (and gradients) as flat buffers
 * laid out like `params`, so the same code runs the online and the EMA weights. */
#pragma once

#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_TOY_MAX_BLOCKS 16

typedef struct {
  int emb_dim;  /* even, 4..1024 (seed: 128) */
  int hidden;   /* 8..4096 (seed: 256) */
  int blocks;   /* 1..DV_TOY_MAX_BLOCKS (seed: 3) */
  int T;        /* timesteps the table covers */
} DvToyDenoiserConfig;

typedef struct {
  DvToyDenoiserConfig cfg;
  DvParams params;  /* online weights and their gradients */
  size_t in_weight, in_bias;  /* offsets of network.0: weight [H][3E] */
  size_t block_weight[DV_TOY_MAX_BLOCKS], block_bias[DV_TOY_MAX_BLOCKS];
  size_t out_weight, out_bias;
  float *freq;   /* [E/2] sinusoidal frequencies */
  float *t_emb;  /* [T][E] emb(t) for t = 0..T-1 */
} DvToyDenoiser;

/* Activations and scratch for batches of up to `capacity` rows; allocated once. */
typedef struct {
  int capacity;
  gboolean keep_activations;  /* FALSE: inference work, one level updated in place */
  float *emb;     /* [cap][2E] */
  float *h;       /* [blocks+1][cap][H]: the residual stream before each block and at the end ([cap][H] for inference) */
  float *act;     /* [blocks+1][cap][H]: ReLU(h) ([cap][H] for inference) */
  float *dh;      /* [cap][H] */
  float *tmp;     /* [cap][H] */
  float *dtable;  /* [T][H] */
} DvToyDenoiserWork;

/* Fills cfg with the seed's 128 / 256 / 3 and the given T. */
void dv_toy_denoiser_config_init (DvToyDenoiserConfig *cfg, int T);
/* DV_ERROR_INVALID for sizes outside the documented ranges. */
gboolean dv_toy_denoiser_config_check (const DvToyDenoiserConfig *cfg, GError **error);
/* Registers and allocates the parameters, PyTorch's default init from rng. */
void dv_toy_denoiser_init (DvToyDenoiser *model, const DvToyDenoiserConfig *cfg, DvRng *rng);
void dv_toy_denoiser_clear (DvToyDenoiser *model);

/* For the forward and backward of training. */
void dv_toy_denoiser_work_init (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity);
/* For the forward alone (sampling): the residual stream is updated in place,
 * a quarter of the memory for the default 3 blocks, so a chunk stays in cache. */
void dv_toy_denoiser_work_init_inference (DvToyDenoiserWork *work, const DvToyDenoiser *model, int capacity);
void dv_toy_denoiser_work_clear (DvToyDenoiserWork *work);

/* table[T][H] = emb(t)·W_tᵀ + b for the given weights. */
void dv_toy_denoiser_time_table (const DvToyDenoiser *model, const float *weights, float *table);

/* The embedding of x (scale 25), both coordinates: emb[n][2E]. Exposed for tests. */
void dv_toy_denoiser_embed_xy (const DvToyDenoiser *model, const float *x, int n, float *emb);

/* eps[B][2] = ε̂(x[B][2], t[B]) for the given weights (online or EMA) and
 * their time table; keeps the activations for the backward when the work
 * was made for training. */
void dv_toy_denoiser_forward (const DvToyDenoiser *model, const float *weights, const float *table,
                              DvToyDenoiserWork *work, const float *x, const int *t, int batch, float *eps);
/* Accumulates into grads (laid out like params) the gradient of the loss
 * whose derivative w.r.t. eps is deps[B][2]. Uses the last forward's
 * activations (training work only). */
void dv_toy_denoiser_backward (const DvToyDenoiser *model, const float *weights, float *grads,
                               DvToyDenoiserWork *work, const int *t, int batch, const float *deps);

G_END_DECLS
