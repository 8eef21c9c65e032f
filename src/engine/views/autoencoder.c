#include "views/autoencoder.h"

#include "core/blas.h"
#include "nn/avg_pool.h"
#include "nn/conv2d.h"
#include "nn/leaky_relu.h"
#include "nn/upsample.h"
#include "io/safetensors.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define SLOPE DV_RES_BLOCK_SLOPE

/* Activation slots, in forward order. */
enum {
  E0, E1, AE1, P1, E2, AE2, P2, E3, AE3, E3A, Z,
  D0, D1, AD0, U1, D2, AD1, U2, D3, AD2, D4, AD3, U3, U3A,
  GA, GB, DZ,
  N_SLOTS
};

void
dv_autoencoder_config_init (DvAutoencoderConfig *config)
{
  *config = (DvAutoencoderConfig) { .image_size = 64, .latent_dim = 64, .channels = { 32, 64, 128 },
                                    .head_channels = 16 };
}

gboolean
dv_autoencoder_config_check (const DvAutoencoderConfig *c, GError **error)
{
  if (c->image_size < 8 || c->image_size > 1024 || c->image_size % 8 != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "autoencoder image size %d is not a multiple of 8 in 8…1024",
                   c->image_size);
      return FALSE;
    }
  if (c->latent_dim < 1 || c->latent_dim > 65536)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "autoencoder latent size %d outside 1…65536", c->latent_dim);
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    if (c->channels[i] < 1 || c->channels[i] > 4096)
      {
        g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "autoencoder width %d outside 1…4096", c->channels[i]);
        return FALSE;
      }
  if (c->head_channels < 1 || c->head_channels > 4096)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "autoencoder head width %d outside 1…4096", c->head_channels);
      return FALSE;
    }
  return TRUE;
}

char *
dv_autoencoder_config_to_json (const DvAutoencoderConfig *c)
{
  return g_strdup_printf ("{\"image_size\":%d,\"latent_dim\":%d,\"channels\":[%d,%d,%d],\"head_channels\":%d}",
                          c->image_size, c->latent_dim, c->channels[0], c->channels[1], c->channels[2],
                          c->head_channels);
}

gboolean
dv_autoencoder_config_from_json (DvAutoencoderConfig *config, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "autoencoder config is not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  DvAutoencoderConfig c;
  dv_autoencoder_config_init (&c);
  c.image_size = (int) json_object_get_int_member_with_default (o, "image_size", c.image_size);
  c.latent_dim = (int) json_object_get_int_member_with_default (o, "latent_dim", c.latent_dim);
  c.head_channels = (int) json_object_get_int_member_with_default (o, "head_channels", c.head_channels);
  if (json_object_has_member (o, "channels"))
    {
      JsonArray *a = json_object_get_array_member (o, "channels");
      if (!a || json_array_get_length (a) != 3)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "autoencoder config: \"channels\" needs 3 widths");
          return FALSE;
        }
      for (int i = 0; i < 3; i++)
        c.channels[i] = (int) json_array_get_int_element (a, i);
    }
  if (!dv_autoencoder_config_check (&c, error))
    return FALSE;
  *config = c;
  return TRUE;
}

static size_t
add_tensor (DvParams *p, const char *name, int ndim, int a, int b, int c, int d)
{
  int shape[4] = { a, b, c, d };
  return dv_params_add (p, name, ndim, shape);
}

DvAutoencoder *
dv_autoencoder_new (const DvAutoencoderConfig *config)
{
  g_autoptr (GError) error = NULL;
  DV_CHECK (dv_autoencoder_config_check (config, &error), "dv_autoencoder_new: %s", error->message);
  DvAutoencoder *ae = g_new0 (DvAutoencoder, 1);
  ae->config = *config;
  const int S = config->image_size, c0 = config->channels[0], c1 = config->channels[1], c2 = config->channels[2];
  const int flat = c2 * (S / 8) * (S / 8), L = config->latent_dim, head = config->head_channels;
  DvParams *p = &ae->params;
  dv_params_init (p);
  ae->conv_in_weight = add_tensor (p, "encoder.conv_in.weight", 4, c0, 3, 4, 4);
  ae->conv_in_bias = add_tensor (p, "encoder.conv_in.bias", 1, c0, 0, 0, 0);
  dv_res_block_register (&ae->enc[0], p, "encoder.blocks.0", c0, c0, S / 2, S / 2);
  dv_res_block_register (&ae->enc[1], p, "encoder.blocks.1", c0, c1, S / 4, S / 4);
  dv_res_block_register (&ae->enc[2], p, "encoder.blocks.2", c1, c2, S / 8, S / 8);
  ae->enc_fc_weight = add_tensor (p, "encoder.fc.weight", 2, L, flat, 0, 0);
  ae->enc_fc_bias = add_tensor (p, "encoder.fc.bias", 1, L, 0, 0, 0);
  ae->dec_fc_weight = add_tensor (p, "decoder.fc.weight", 2, flat, L, 0, 0);
  ae->dec_fc_bias = add_tensor (p, "decoder.fc.bias", 1, flat, 0, 0, 0);
  dv_res_block_register (&ae->dec[0], p, "decoder.blocks.0", c2, c1, S / 8, S / 8);
  dv_res_block_register (&ae->dec[1], p, "decoder.blocks.1", c1, c0, S / 4, S / 4);
  dv_res_block_register (&ae->dec[2], p, "decoder.blocks.2", c0, c0, S / 2, S / 2);
  dv_res_block_register (&ae->dec[3], p, "decoder.blocks.3", c0, head, S / 2, S / 2);
  ae->conv_out_weight = add_tensor (p, "decoder.conv_out.weight", 4, 3, head, 3, 3);
  ae->conv_out_bias = add_tensor (p, "decoder.conv_out.bias", 1, 3, 0, 0, 0);
  dv_params_alloc (p);
  return ae;
}

void
dv_autoencoder_free (DvAutoencoder *ae)
{
  if (!ae)
    return;
  dv_params_clear (&ae->params);
  g_free (ae);
}

static void
conv_in_shape (const DvAutoencoder *ae, int batch, DvConv2dShape *s)
{
  const int S = ae->config.image_size;
  dv_conv2d_shape_init (s, batch, 3, S, S, ae->config.channels[0], 4, 2, 1);
}

static void
conv_out_shape (const DvAutoencoder *ae, int batch, DvConv2dShape *s)
{
  const int S = ae->config.image_size;
  dv_conv2d_shape_init (s, batch, ae->config.head_channels, S, S, 3, 3, 1, 1);
}

static void
init_linear (float *w, float *b, int out, int in, DvRng *rng)
{
  float bound = 1.0f / sqrtf ((float) in);
  dv_rng_fill_uniform (rng, w, (size_t) out * in, -bound, bound);
  dv_rng_fill_uniform (rng, b, (size_t) out, -bound, bound);
}

void
dv_autoencoder_init_weights (DvAutoencoder *ae, guint64 seed)
{
  DvRng rng;
  dv_rng_init (&rng, seed);
  float *p = ae->params.data;
  const int S = ae->config.image_size, c2 = ae->config.channels[2], L = ae->config.latent_dim;
  const int flat = c2 * (S / 8) * (S / 8);
  DvConv2dShape s;
  conv_in_shape (ae, 1, &s);
  dv_conv2d_init (p + ae->conv_in_weight, p + ae->conv_in_bias, &s, &rng);
  for (int i = 0; i < DV_AE_ENC_BLOCKS; i++)
    dv_res_block_init (&ae->enc[i], p, &rng);
  init_linear (p + ae->enc_fc_weight, p + ae->enc_fc_bias, L, flat, &rng);
  init_linear (p + ae->dec_fc_weight, p + ae->dec_fc_bias, flat, L, &rng);
  for (int i = 0; i < DV_AE_DEC_BLOCKS; i++)
    dv_res_block_init (&ae->dec[i], p, &rng);
  conv_out_shape (ae, 1, &s);
  dv_conv2d_init (p + ae->conv_out_weight, p + ae->conv_out_bias, &s, &rng);
}

DvAutoencoder *
dv_autoencoder_load (const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (!st)
    return NULL;
  DvAutoencoderConfig config;
  dv_autoencoder_config_init (&config);
  const char *json = dv_safetensors_metadata (st, "autoencoder_config");
  if (json && !dv_autoencoder_config_from_json (&config, json, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
  for (guint i = 0; i < dv_params_n_tensors (&ae->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&ae->params, i);
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, ae->params.data + info->offset, error))
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  return g_steal_pointer (&ae);
}

/* Floats of each slot for a batch. */
static void
slot_sizes (const DvAutoencoder *ae, int B, size_t sizes[N_SLOTS])
{
  const size_t S = ae->config.image_size, c0 = ae->config.channels[0], c1 = ae->config.channels[1];
  const size_t c2 = ae->config.channels[2], head = ae->config.head_channels, L = ae->config.latent_dim;
  const size_t h2 = (S / 2) * (S / 2) * B, h4 = (S / 4) * (S / 4) * B, h8 = (S / 8) * (S / 8) * B;
  sizes[E0] = sizes[E1] = c0 * h2;
  sizes[AE1] = dv_res_block_acts_size (&ae->enc[0], B);
  sizes[P1] = c0 * h4;
  sizes[E2] = c1 * h4;
  sizes[AE2] = dv_res_block_acts_size (&ae->enc[1], B);
  sizes[P2] = c1 * h8;
  sizes[E3] = sizes[E3A] = c2 * h8;
  sizes[AE3] = dv_res_block_acts_size (&ae->enc[2], B);
  sizes[Z] = sizes[DZ] = L * B;
  sizes[D0] = c2 * h8;
  sizes[D1] = c1 * h8;
  sizes[AD0] = dv_res_block_acts_size (&ae->dec[0], B);
  sizes[U1] = c1 * h4;
  sizes[D2] = c0 * h4;
  sizes[AD1] = dv_res_block_acts_size (&ae->dec[1], B);
  sizes[U2] = sizes[D3] = c0 * h2;
  sizes[AD2] = dv_res_block_acts_size (&ae->dec[2], B);
  sizes[D4] = head * h2;
  sizes[AD3] = dv_res_block_acts_size (&ae->dec[3], B);
  sizes[U3] = sizes[U3A] = head * S * S * B;
  size_t largest = 3 * S * S * B;
  for (int i = 0; i < GA; i++)
    if (i != AE1 && i != AE2 && i != AE3 && i != AD0 && i != AD1 && i != AD2 && i != AD3)
      largest = MAX (largest, sizes[i]);
  sizes[GA] = sizes[GB] = largest;
}

void
dv_autoencoder_buffers_init (DvAutoencoderBuffers *buf, const DvAutoencoder *ae, int batch)
{
  DV_CHECK (batch > 0, "dv_autoencoder_buffers_init: bad batch %d", batch);
  memset (buf, 0, sizeof *buf);
  buf->batch = batch;
  size_t sizes[N_SLOTS];
  slot_sizes (ae, batch, sizes);
  for (int i = 0; i < N_SLOTS; i++)
    buf->slots[i] = g_new0 (float, sizes[i]);
  size_t work = 0;
  for (int i = 0; i < DV_AE_ENC_BLOCKS; i++)
    work = MAX (work, dv_res_block_work_size (&ae->enc[i], batch));
  for (int i = 0; i < DV_AE_DEC_BLOCKS; i++)
    work = MAX (work, dv_res_block_work_size (&ae->dec[i], batch));
  DvConv2dShape s;
  conv_in_shape (ae, batch, &s);
  work = MAX (work, dv_conv2d_workspace_size (&s));
  conv_out_shape (ae, batch, &s);
  work = MAX (work, dv_conv2d_workspace_size (&s));
  buf->work = g_new0 (float, work);
}

void
dv_autoencoder_buffers_clear (DvAutoencoderBuffers *buf)
{
  for (int i = 0; i < N_SLOTS; i++)
    g_clear_pointer (&buf->slots[i], g_free);
  g_clear_pointer (&buf->work, g_free);
}

float *
dv_autoencoder_buffers_latent (DvAutoencoderBuffers *buf)
{
  return buf->slots[Z];
}

/* out[B][n_out] = in[B][n_in] · Wᵀ + b */
static void
linear_forward (float *out, const float *in, const float *w, const float *b, int B, int n_in, int n_out)
{
  for (int i = 0; i < B; i++)
    memcpy (out + (size_t) i * n_out, b, sizeof (float) * n_out);
  dv_gemm (FALSE, TRUE, B, n_out, n_in, 1.0f, in, w, 1.0f, out);
}

static void
linear_backward (float *din, float *dw, float *db, const float *dout, const float *in, const float *w, int B,
                 int n_in, int n_out)
{
  dv_gemm (TRUE, FALSE, n_out, n_in, B, 1.0f, dout, in, 1.0f, dw);
  for (int i = 0; i < B; i++)
    for (int j = 0; j < n_out; j++)
      db[j] += dout[(size_t) i * n_out + j];
  if (din)
    dv_gemm (FALSE, FALSE, B, n_in, n_out, 1.0f, dout, w, 1.0f, din);
}

void
dv_autoencoder_encode (const DvAutoencoder *ae, const float *params, DvAutoencoderBuffers *buf, float *z,
                       const float *x)
{
  const int B = buf->batch, S = ae->config.image_size, c0 = ae->config.channels[0], c1 = ae->config.channels[1];
  const int c2 = ae->config.channels[2], L = ae->config.latent_dim, flat = c2 * (S / 8) * (S / 8);
  float **s = buf->slots;
  DvConv2dShape cs;
  conv_in_shape (ae, B, &cs);
  dv_conv2d_forward (s[E0], x, params + ae->conv_in_weight, params + ae->conv_in_bias, &cs, buf->work);
  dv_res_block_forward (&ae->enc[0], params, s[E1], s[AE1], s[E0], B, buf->work);
  dv_avg_pool_forward (s[P1], s[E1], B * c0, S / 2, S / 2, 3, 2, 1);
  dv_res_block_forward (&ae->enc[1], params, s[E2], s[AE2], s[P1], B, buf->work);
  dv_avg_pool_forward (s[P2], s[E2], B * c1, S / 4, S / 4, 3, 2, 1);
  dv_res_block_forward (&ae->enc[2], params, s[E3], s[AE3], s[P2], B, buf->work);
  dv_leaky_relu_forward (s[E3A], s[E3], (size_t) B * flat, SLOPE);
  linear_forward (s[Z], s[E3A], params + ae->enc_fc_weight, params + ae->enc_fc_bias, B, flat, L);
  if (z)
    memcpy (z, s[Z], sizeof (float) * B * L);
}

void
dv_autoencoder_decode (const DvAutoencoder *ae, const float *params, DvAutoencoderBuffers *buf, float *y,
                       const float *z)
{
  const int B = buf->batch, S = ae->config.image_size, c0 = ae->config.channels[0], c1 = ae->config.channels[1];
  const int c2 = ae->config.channels[2], L = ae->config.latent_dim, flat = c2 * (S / 8) * (S / 8);
  const int head = ae->config.head_channels;
  float **s = buf->slots;
  if (z != s[Z])
    memcpy (s[Z], z, sizeof (float) * B * L);
  linear_forward (s[D0], s[Z], params + ae->dec_fc_weight, params + ae->dec_fc_bias, B, L, flat);
  dv_res_block_forward (&ae->dec[0], params, s[D1], s[AD0], s[D0], B, buf->work);
  dv_upsample2x_forward (s[U1], s[D1], B * c1, S / 8, S / 8);
  dv_res_block_forward (&ae->dec[1], params, s[D2], s[AD1], s[U1], B, buf->work);
  dv_upsample2x_forward (s[U2], s[D2], B * c0, S / 4, S / 4);
  dv_res_block_forward (&ae->dec[2], params, s[D3], s[AD2], s[U2], B, buf->work);
  dv_res_block_forward (&ae->dec[3], params, s[D4], s[AD3], s[D3], B, buf->work);
  dv_upsample2x_forward (s[U3], s[D4], B * head, S / 2, S / 2);
  dv_leaky_relu_forward (s[U3A], s[U3], (size_t) B * head * S * S, SLOPE);
  DvConv2dShape cs;
  conv_out_shape (ae, B, &cs);
  dv_conv2d_forward (y, s[U3A], params + ae->conv_out_weight, params + ae->conv_out_bias, &cs, buf->work);
}

static float *
zeroed (float *p, size_t n)
{
  memset (p, 0, sizeof (float) * n);
  return p;
}

void
dv_autoencoder_backward (const DvAutoencoder *ae, const float *params, float *grads, DvAutoencoderBuffers *buf,
                         const float *x, const float *dy, float *dz_out)
{
  const int B = buf->batch, S = ae->config.image_size, c0 = ae->config.channels[0], c1 = ae->config.channels[1];
  const int c2 = ae->config.channels[2], L = ae->config.latent_dim, flat = c2 * (S / 8) * (S / 8);
  const int head = ae->config.head_channels;
  const size_t h2 = (size_t) B * (S / 2) * (S / 2), h4 = (size_t) B * (S / 4) * (S / 4);
  const size_t h8 = (size_t) B * (S / 8) * (S / 8);
  float **s = buf->slots, *ga = s[GA], *gb = s[GB];
  DvConv2dShape cs;
  /* Decoder, back to front; ga and gb take turns holding the current gradient. */
  conv_out_shape (ae, B, &cs);
  dv_conv2d_backward (zeroed (ga, (size_t) B * head * S * S), grads + ae->conv_out_weight,
                      grads + ae->conv_out_bias, dy, s[U3A], params + ae->conv_out_weight, &cs, buf->work);
  dv_leaky_relu_backward (zeroed (gb, (size_t) B * head * S * S), ga, s[U3], (size_t) B * head * S * S, SLOPE);
  dv_upsample2x_backward (zeroed (ga, head * h2), gb, B * head, S / 2, S / 2);
  dv_res_block_backward (&ae->dec[3], params, grads, zeroed (gb, c0 * h2), ga, s[D3], s[AD3], B, buf->work);
  dv_res_block_backward (&ae->dec[2], params, grads, zeroed (ga, c0 * h2), gb, s[U2], s[AD2], B, buf->work);
  dv_upsample2x_backward (zeroed (gb, c0 * h4), ga, B * c0, S / 4, S / 4);
  dv_res_block_backward (&ae->dec[1], params, grads, zeroed (ga, c1 * h4), gb, s[U1], s[AD1], B, buf->work);
  dv_upsample2x_backward (zeroed (gb, c1 * h8), ga, B * c1, S / 8, S / 8);
  dv_res_block_backward (&ae->dec[0], params, grads, zeroed (ga, c2 * h8), gb, s[D0], s[AD0], B, buf->work);
  float *dz = zeroed (s[DZ], (size_t) B * L);
  linear_backward (dz, grads + ae->dec_fc_weight, grads + ae->dec_fc_bias, ga, s[Z], params + ae->dec_fc_weight,
                   B, L, flat);
  if (dz_out)
    memcpy (dz_out, dz, sizeof (float) * B * L);
  /* Encoder. */
  linear_backward (zeroed (ga, (size_t) B * flat), grads + ae->enc_fc_weight, grads + ae->enc_fc_bias, dz, s[E3A],
                   params + ae->enc_fc_weight, B, flat, L);
  dv_leaky_relu_backward (zeroed (gb, (size_t) B * flat), ga, s[E3], (size_t) B * flat, SLOPE);
  dv_res_block_backward (&ae->enc[2], params, grads, zeroed (ga, c1 * h8), gb, s[P2], s[AE3], B, buf->work);
  dv_avg_pool_backward (zeroed (gb, c1 * h4), ga, B * c1, S / 4, S / 4, 3, 2, 1);
  dv_res_block_backward (&ae->enc[1], params, grads, zeroed (ga, c0 * h4), gb, s[P1], s[AE2], B, buf->work);
  dv_avg_pool_backward (zeroed (gb, c0 * h2), ga, B * c0, S / 2, S / 2, 3, 2, 1);
  dv_res_block_backward (&ae->enc[0], params, grads, zeroed (ga, c0 * h2), gb, s[E0], s[AE1], B, buf->work);
  conv_in_shape (ae, B, &cs);
  dv_conv2d_backward (NULL, grads + ae->conv_in_weight, grads + ae->conv_in_bias, ga, x,
                      params + ae->conv_in_weight, &cs, buf->work);
}
