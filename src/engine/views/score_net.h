/* The masked multi-time score network over the four view latents: MLD's
 * UnetMLP (views-votes digest, section A), sized down for two CPU cores.
 *
 *   x [B][V·L] (the V view latents side by side), τ [B][V] (multi-time vector)
 *   time   = Linear(V → T) → GELU → Linear(T → T), on the raw τ (no sinusoid)
 *   h = r  = init Linear(V·L → W)
 *   down i = ResBlock(W → W); keep h; Linear(W → W)          i = 0 … levels − 1
 *   mid    = ResBlock(W → W) × 2
 *   up i   = ResBlock(2W → W) on [h, kept_i]; Linear(W → W)  i = levels − 1 … 0
 *   final  = ResBlock(2W → W) on [h, r]; GroupNorm → SiLU → Linear(W → V·L), zero-initialised
 *   ResBlock(in → out) = block2(block1(x) + Linear(SiLU(time))) + skip(x), block = GroupNorm → SiLU → Linear,
 *   skip = Linear(in → out) when in ≠ out.
 * The output ε̂ [B][V·L] is trained towards −z (score = ε̂ / σ(t)). Parameter
 * names equal the PyTorch twin's state_dict (python/dimvida_torch/score_net.py). */
#pragma once

#include "core/bf16.h"
#include "core/params.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_SCORE_NET_MAX_LEVELS 4

typedef struct {
  int n_views;     /* V: 4 */
  int latent_dim;  /* L: 64 */
  int width;       /* W: 384 (sized by bench-score: see dv_score_net_config_init) */
  int time_dim;    /* T: 128 */
  int levels;      /* 2 (MLD's dim_mults (1, 1)) */
  int groups;      /* GroupNorm groups: 32 */
} DvScoreNetConfig;

void dv_score_net_config_init (DvScoreNetConfig *config);
gboolean dv_score_net_config_check (const DvScoreNetConfig *config, GError **error);
char *dv_score_net_config_to_json (const DvScoreNetConfig *config);
gboolean dv_score_net_config_from_json (DvScoreNetConfig *config, const char *json, GError **error);

typedef struct {
  int in, out;
  size_t norm1_weight, norm1_bias, proj1_weight, proj1_bias, time_weight, time_bias;
  size_t norm2_weight, norm2_bias, proj2_weight, proj2_bias, skip_weight, skip_bias;
  gboolean has_skip;
} DvScoreResBlock;

typedef struct {
  DvScoreNetConfig config;
  DvParams params;
  size_t time1_weight, time1_bias, time2_weight, time2_bias, init_weight, init_bias;
  size_t down_weight[DV_SCORE_NET_MAX_LEVELS], down_bias[DV_SCORE_NET_MAX_LEVELS];
  size_t up_weight[DV_SCORE_NET_MAX_LEVELS], up_bias[DV_SCORE_NET_MAX_LEVELS];
  size_t final_norm_weight, final_norm_bias, final_weight, final_bias;
  /* downs, mids (2), ups, final: 2·levels + 3 blocks, in that order. */
  DvScoreResBlock blocks[2 * DV_SCORE_NET_MAX_LEVELS + 3];
  int n_blocks;
} DvScoreNet;

/* Registers and allocates the parameters (zeroed); the config must be valid. */
DvScoreNet *dv_score_net_new (const DvScoreNetConfig *config);
void dv_score_net_free (DvScoreNet *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvScoreNet, dv_score_net_free)
/* PyTorch's default initialisation in registration order; the output layer zero (as MLD). */
void dv_score_net_init_weights (DvScoreNet *net, guint64 seed);

/* Activations of one batch size, allocated once. */
typedef struct DvScoreNetBuffers DvScoreNetBuffers;
DvScoreNetBuffers *dv_score_net_buffers_new (const DvScoreNet *net, int batch);
void dv_score_net_buffers_free (DvScoreNetBuffers *buf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvScoreNetBuffers, dv_score_net_buffers_free)
int dv_score_net_buffers_batch (const DvScoreNetBuffers *buf);

/* eps_hat [B][V·L] from x [B][V·L] and tau [B][V]; params: net->params.data or an EMA copy. */
void dv_score_net_forward (const DvScoreNet *net, const float *params, DvScoreNetBuffers *buf, float *eps_hat,
                           const float *x, const float *tau);
/* Inference with BF16 Linear weights (nn/linear_bf16.h), for sampling: the
 * copy of params' 2D tensors rounded to BF16, same offsets (free with
 * dv_bf16_free); biases and GroupNorm stay F32, read from params. A backward
 * after it is not supported. */
DvBf16 *dv_score_net_bf16_weights_new (const DvScoreNet *net, const float *params);
void dv_score_net_forward_bf16 (const DvScoreNet *net, const float *params, const DvBf16 *params_bf16,
                                DvScoreNetBuffers *buf, float *eps_hat, const float *x, const float *tau);
/* After forward with the same buffers: grads += ∂L/∂params for deps_hat = ∂L/∂eps_hat. */
void dv_score_net_backward (const DvScoreNet *net, const float *params, float *grads, DvScoreNetBuffers *buf,
                            const float *deps_hat);

G_END_DECLS
