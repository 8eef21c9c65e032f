/* The view autoencoder: shapes, gradients of the whole network, save/load, training (resume, NaN). */
#include "nn/conv2d.h"
#include "safetensors.h"
#include "test-util.h"
#include "views/ae_train.h"
#include "views/autoencoder.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static void
small_config (DvAutoencoderConfig *c)
{
  dv_autoencoder_config_init (c);
  c->image_size = 16;
  c->latent_dim = 3;
  c->channels[0] = 2, c->channels[1] = 3, c->channels[2] = 4;
  c->head_channels = 2;
}

typedef struct {
  DvAutoencoder *ae;
  DvAutoencoderBuffers buf;
  float *x, *y, *weights;
  size_t n;
} AeCtx;

static double
ae_objective (gpointer data)
{
  AeCtx *c = data;
  dv_autoencoder_encode (c->ae, c->ae->params.data, &c->buf, NULL, c->x);
  dv_autoencoder_decode (c->ae, c->ae->params.data, &c->buf, c->y, dv_autoencoder_buffers_latent (&c->buf));
  return dv_test_weighted_sum (c->y, c->weights, c->n);
}

static void
test_gradient (void)
{
  DvAutoencoderConfig config;
  small_config (&config);
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
  /* Names as the PyTorch twin's state_dict. */
  g_assert_nonnull (dv_params_find (&ae->params, "encoder.conv_in.weight"));
  g_assert_nonnull (dv_params_find (&ae->params, "encoder.blocks.1.conv_s.weight"));
  g_assert_null (dv_params_find (&ae->params, "encoder.blocks.0.conv_s.weight"));
  g_assert_nonnull (dv_params_find (&ae->params, "decoder.conv_out.bias"));
  dv_autoencoder_init_weights (ae, 8);
  AeCtx c = { .ae = ae };
  const int B = 2, S = config.image_size;
  c.n = (size_t) B * 3 * S * S;
  dv_autoencoder_buffers_init (&c.buf, ae, B);
  c.x = g_new (float, c.n), c.y = g_new (float, c.n), c.weights = g_new (float, c.n);
  DvRng rng;
  dv_rng_init (&rng, 2);
  dv_rng_fill_uniform (&rng, c.x, c.n, 0.0f, 1.0f);
  dv_rng_fill_normal (&rng, c.weights, c.n);
  ae_objective (&c);
  dv_params_zero_grad (&ae->params);
  float *dz = g_new (float, B * config.latent_dim);
  dv_autoencoder_backward (ae, ae->params.data, ae->params.grad, &c.buf, c.x, c.weights, dz);
  g_test_message ("%zu parameters", ae->params.count);
  /* Small step: the network has many LeakyReLU kinks a larger one would cross. */
  dv_test_check_gradient ("autoencoder d/dparams", ae->params.data, ae->params.count, ae->params.grad, ae_objective,
                          &c, 1e-3f, 3e-3, 2e-2);
  dv_autoencoder_buffers_clear (&c.buf);
  g_free (c.x), g_free (c.y), g_free (c.weights), g_free (dz);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autoencoder/gradient", test_gradient);
  return g_test_run ();
}
