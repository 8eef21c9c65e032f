/* The view autoencoder: a deterministic encoder/decoder between a 64×64 RGB
 * view and a 64-d latent, after the MLD/CUB image autoencoder (pre-activation
 * residual blocks, LeakyReLU 0.2, AvgPool(3, 2, 1) down, nearest ×2 up, no
 * output sigmoid), made cheaper for 2 CPU cores: the first conv is 4×4 stride 2
 * so that no residual block runs at full resolution, and the decoder ends with
 * a narrow 3×3 head at full resolution.
 *
 * With S = image_size and widths c0, c1, c2, head (32, 64, 128, 16 by default):
 *   encoder.conv_in     Conv 4×4 s2 p1, 3 → c0              S → S/2
 *   encoder.blocks.0    ResBlock c0 → c0                    S/2
 *   (AvgPool)           S/4;  encoder.blocks.1  c0 → c1
 *   (AvgPool)           S/8;  encoder.blocks.2  c1 → c2
 *   LeakyReLU, encoder.fc  Linear c2·(S/8)² → latent
 *   decoder.fc          Linear latent → c2·(S/8)², viewed as [c2][S/8][S/8]
 *   decoder.blocks.0    c2 → c1 (S/8); ×2; decoder.blocks.1 c1 → c0 (S/4); ×2;
 *   decoder.blocks.2    c0 → c0 (S/2); decoder.blocks.3 c0 → head (S/2); ×2;
 *   LeakyReLU, decoder.conv_out  Conv 3×3 p1, head → 3  (S)
 * Images are NCHW floats in [0, 1]. Parameter names equal the PyTorch twin's
 * state_dict keys (python/dimvida_torch/autoencoder.py). */
#pragma once

#include "nn/res_block.h"
#include "core/params.h"

G_BEGIN_DECLS

#define DV_AE_ENC_BLOCKS 3
#define DV_AE_DEC_BLOCKS 4

typedef struct {
  int image_size;  /* 64; a multiple of 8 */
  int latent_dim;  /* 64 */
  int channels[3]; /* 32, 64, 128 */
  int head_channels; /* 16 */
} DvAutoencoderConfig;

void dv_autoencoder_config_init (DvAutoencoderConfig *config);
gboolean dv_autoencoder_config_check (const DvAutoencoderConfig *config, GError **error);
char *dv_autoencoder_config_to_json (const DvAutoencoderConfig *config);
gboolean dv_autoencoder_config_from_json (DvAutoencoderConfig *config, const char *json, GError **error);

typedef struct {
  DvAutoencoderConfig config;
  DvParams params;
  size_t conv_in_weight, conv_in_bias, enc_fc_weight, enc_fc_bias, dec_fc_weight, dec_fc_bias;
  size_t conv_out_weight, conv_out_bias;
  DvResBlock enc[DV_AE_ENC_BLOCKS], dec[DV_AE_DEC_BLOCKS];
} DvAutoencoder;

/* Registers and allocates the parameters (zeroed); the config must be valid. */
DvAutoencoder *dv_autoencoder_new (const DvAutoencoderConfig *config);
void dv_autoencoder_free (DvAutoencoder *ae);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvAutoencoder, dv_autoencoder_free)
/* PyTorch's default initialisation, drawn from seed in registration order. */
void dv_autoencoder_init_weights (DvAutoencoder *ae, guint64 seed);
/* Loads weights (F32 or F16) saved by dv_params_save or the PyTorch twin, and the config from
 * the file's "autoencoder_config" metadata when present. */
DvAutoencoder *dv_autoencoder_load (const char *path, GError **error);

/* Activations and scratch for one batch size, allocated once. */
typedef struct {
  int batch;
  float *slots[32];
  float *work;
} DvAutoencoderBuffers;

void dv_autoencoder_buffers_init (DvAutoencoderBuffers *buf, const DvAutoencoder *ae, int batch);
void dv_autoencoder_buffers_clear (DvAutoencoderBuffers *buf);
/* The latent slot encode fills ([batch][latent]): decode can read it in place. */
float *dv_autoencoder_buffers_latent (DvAutoencoderBuffers *buf);

/* z: [batch][latent]; x: [batch][3][S][S]. params: ae->params.data or an EMA copy. */
void dv_autoencoder_encode (const DvAutoencoder *ae, const float *params, DvAutoencoderBuffers *buf, float *z,
                            const float *x);
/* y: [batch][3][S][S]. */
void dv_autoencoder_decode (const DvAutoencoder *ae, const float *params, DvAutoencoderBuffers *buf, float *y,
                            const float *z);
/* After encode(x) and decode of its z with the same buffers: grads += ∂L/∂params given dy = ∂L/∂y.
 * dz_out (may be NULL) receives ∂L/∂z. */
void dv_autoencoder_backward (const DvAutoencoder *ae, const float *params, float *grads, DvAutoencoderBuffers *buf,
                              const float *x, const float *dy, float *dz_out);

G_END_DECLS
