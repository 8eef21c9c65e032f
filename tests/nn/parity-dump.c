/* The C side of the PyTorch parity tests (tests/nn_parity.py): runs one layer,
 * or the whole view autoencoder or score network, forward and backward on the tensors of
 * IN.safetensors and writes the results to OUT.safetensors; "score_model" runs a trained
 * score.safetensors loaded as the CLI loads it, "ema" the weights' moving average (tests/ddp/test_ddp.py).
 *   parity-dump LAYER IN.safetensors OUT.safetensors
 * IN holds "x", "dout" and the parameters under their PyTorch names; its
 * metadata the layer's settings. OUT holds "y", "dx" (when the layer has one)
 * and "grad.NAME" for every parameter. */
#include "metrics/image_quality.h"
#include "nn/avg_pool.h"
#include "nn/batch_norm2d.h"
#include "nn/dropout.h"
#include "nn/global_avg_pool.h"
#include "nn/hard_sigmoid.h"
#include "nn/hardswish.h"
#include "nn/max_pool2d.h"
#include "nn/relu6.h"
#include "nn/squeeze_excite.h"
#include "nn/conv2d.h"
#include "nn/ema.h"
#include "nn/group_norm.h"
#include "nn/leaky_relu.h"
#include "nn/linear_bf16.h"
#include "nn/res_block.h"
#include "nn/upsample.h"
#include "io/safetensors.h"
#include "views/ae_train.h"
#include "views/autoencoder.h"
#include "views/score_model.h"
#include "views/score_net.h"
#include "votes/classifier.h"

#include "core/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static DvSafetensors *st;
static DvSafetensorsWriter *w;

static G_NORETURN void
die (const char *msg)
{
  fprintf (stderr, "parity-dump: %s\n", msg);
  exit (1);
}

static float *
read_tensor (const char *name, int *ndim, int shape[4])
{
  DvDtype dtype;
  if (!dv_safetensors_shape (st, name, ndim, shape, &dtype))
    die (name);
  size_t n = 1;
  for (int i = 0; i < *ndim; i++)
    n *= shape[i];
  float *p = g_new (float, MAX (n, 1));
  g_autoptr (GError) error = NULL;
  if (!dv_safetensors_read (st, name, *ndim, shape, p, &error))
    die (error->message);
  return p;
}

static int
meta_int (const char *key, int fallback)
{
  const char *v = dv_safetensors_metadata (st, key);
  return v ? atoi (v) : fallback;
}

static void
write_tensor (const char *name, int ndim, const int *shape, const float *data)
{
  dv_safetensors_writer_add (w, name, DV_DTYPE_F32, ndim, shape, data);
}

static size_t
numel (int ndim, const int *shape)
{
  size_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  return n;
}

/* Loads every parameter of `params` from IN, runs, and writes the gradients. */
static void
load_params (DvParams *params)
{
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    {
      const DvParamInfo *info = dv_params_info (params, i);
      g_autoptr (GError) error = NULL;
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, params->data + info->offset, &error))
        die (error->message);
    }
}

/* The registration order, which lays out a trainer's flat optimiser state (tests/ddp/test_ddp.py). */
static void
write_param_order (const DvParams *params)
{
  g_autoptr (GString) order = g_string_new (NULL);
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    g_string_append_printf (order, "%s%s", i ? "," : "", dv_params_info (params, i)->name);
  dv_safetensors_writer_set_metadata (w, "param_order", order->str);
}

static void
write_grads (const DvParams *params, const char *strip_prefix)
{
  write_param_order (params);
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    {
      const DvParamInfo *info = dv_params_info (params, i);
      const char *name = info->name;
      if (strip_prefix && g_str_has_prefix (name, strip_prefix))
        name += strlen (strip_prefix);
      g_autofree char *key = g_strconcat ("grad.", name, NULL);
      write_tensor (key, info->ndim, info->shape, params->grad + info->offset);
    }
}

int
main (int argc, char **argv)
{
  if (argc != 4)
    die ("usage: parity-dump LAYER IN.safetensors OUT.safetensors");
  g_autoptr (GError) error = NULL;
  st = dv_safetensors_open (argv[2], &error);
  if (!st)
    die (error->message);
  w = dv_safetensors_writer_new ();
  const char *layer = argv[1];
  /* DV_CONV2D_BACKEND=im2col checks the other backend. */
  if (g_strcmp0 (g_getenv ("DV_CONV2D_BACKEND"), "im2col") == 0)
    dv_conv2d_set_backend (DV_CONV2D_IM2COL);
  int xd, xs[4], dd, ds[4];
  g_autofree float *x = read_tensor ("x", &xd, xs);
  g_autofree float *dout = read_tensor ("dout", &dd, ds);
  const size_t n_x = numel (xd, xs), n_out = numel (dd, ds);
  g_autofree float *y = g_new0 (float, n_out), *dx = g_new0 (float, n_x);
  if (strcmp (layer, "conv2d") == 0)
    {
      int wd, ws[4], bd, bs[4];
      g_autofree float *weight = read_tensor ("weight", &wd, ws);
      g_autofree float *bias = dv_safetensors_has (st, "bias") ? read_tensor ("bias", &bd, bs) : NULL;
      DvConv2dShape s;
      dv_conv2d_shape_init (&s, xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], meta_int ("stride", 1), meta_int ("padding", 0));
      s.kernel_w = ws[3];
      s.groups = meta_int ("groups", 1);
      g_autofree float *work = g_new (float, dv_conv2d_workspace_size (&s));
      g_autofree float *dw = g_new0 (float, numel (wd, ws)), *db = g_new0 (float, ws[0]);
      dv_conv2d_forward (y, x, weight, bias, &s, work);
      dv_conv2d_backward (dx, dw, bias ? db : NULL, dout, x, weight, &s, work);
      write_tensor ("grad.weight", wd, ws, dw);
      if (bias)
        write_tensor ("grad.bias", 1, ws, db);
    }
  else if (strcmp (layer, "group_norm") == 0)
    {
      int wd, ws[4];
      g_autofree float *weight = read_tensor ("weight", &wd, ws), *bias = read_tensor ("bias", &wd, ws);
      int G = meta_int ("groups", 1), B = xs[0], C = xs[1], HW = xs[2] * xs[3];
      g_autofree float *mean = g_new (float, B * G), *rstd = g_new (float, B * G);
      g_autofree float *dw = g_new0 (float, C), *db = g_new0 (float, C);
      dv_group_norm_forward (y, mean, rstd, x, weight, bias, B, C, HW, G, 1e-5f);
      dv_group_norm_backward (dx, dw, db, dout, x, mean, rstd, weight, B, C, HW, G);
      write_tensor ("grad.weight", 1, ws, dw);
      write_tensor ("grad.bias", 1, ws, db);
    }
  else if (strcmp (layer, "avg_pool") == 0)
    {
      dv_avg_pool_forward (y, x, xs[0] * xs[1], xs[2], xs[3], 3, 2, 1);
      dv_avg_pool_backward (dx, dout, xs[0] * xs[1], xs[2], xs[3], 3, 2, 1);
    }
  else if (strcmp (layer, "upsample") == 0)
    {
      dv_upsample2x_forward (y, x, xs[0] * xs[1], xs[2], xs[3]);
      dv_upsample2x_backward (dx, dout, xs[0] * xs[1], xs[2], xs[3]);
    }
  else if (strcmp (layer, "leaky_relu") == 0)
    {
      dv_leaky_relu_forward (y, x, n_x, 0.2f);
      dv_leaky_relu_backward (dx, dout, x, n_x, 0.2f);
    }
  else if (strcmp (layer, "batch_norm2d") == 0)
    {
      /* metadata eps, momentum (as text), training 0/1; OUT also holds the updated running statistics. */
      int wd, ws[4];
      g_autofree float *weight = read_tensor ("weight", &wd, ws), *bias = read_tensor ("bias", &wd, ws);
      g_autofree float *rmean = read_tensor ("running_mean", &wd, ws), *rvar = read_tensor ("running_var", &wd, ws);
      const char *eps_text = dv_safetensors_metadata (st, "eps"), *momentum_text = dv_safetensors_metadata (st, "momentum");
      float eps = eps_text ? g_ascii_strtod (eps_text, NULL) : 1e-5f;
      float momentum = momentum_text ? g_ascii_strtod (momentum_text, NULL) : 0.1f;
      int B = xs[0], C = xs[1], HW = xs[2] * xs[3];
      g_autofree float *mean = g_new (float, C), *rstd = g_new (float, C), *dw = g_new0 (float, C), *db = g_new0 (float, C);
      if (meta_int ("training", 1))
        {
          dv_batch_norm2d_forward_train (y, mean, rstd, rmean, rvar, x, weight, bias, B, C, HW, eps, momentum);
          dv_batch_norm2d_backward (dx, dw, db, dout, x, mean, rstd, weight, B, C, HW);
        }
      else
        {
          dv_batch_norm2d_forward_eval (y, x, weight, bias, rmean, rvar, B, C, HW, eps);
          dv_batch_norm2d_backward_eval (dx, dw, db, dout, x, weight, rmean, rvar, B, C, HW, eps);
        }
      write_tensor ("grad.weight", 1, ws, dw);
      write_tensor ("grad.bias", 1, ws, db);
      write_tensor ("running_mean", 1, ws, rmean);
      write_tensor ("running_var", 1, ws, rvar);
    }
  else if (strcmp (layer, "max_pool2d") == 0)
    {
      int k = meta_int ("kernel", 3), stride = meta_int ("stride", 2), pad = meta_int ("padding", 1);
      g_autofree int *argmax = g_new (int, n_out);
      dv_max_pool2d_forward (y, argmax, x, xs[0] * xs[1], xs[2], xs[3], k, stride, pad);
      dv_max_pool2d_backward (dx, dout, argmax, xs[0] * xs[1], xs[2], xs[3], k, stride, pad);
    }
  else if (strcmp (layer, "global_avg_pool") == 0)
    {
      dv_global_avg_pool_forward (y, x, (size_t) xs[0] * xs[1], (size_t) xs[2] * xs[3]);
      dv_global_avg_pool_backward (dx, dout, (size_t) xs[0] * xs[1], (size_t) xs[2] * xs[3]);
    }
  else if (strcmp (layer, "dropout") == 0)
    {
      /* OUT holds "mask" too: the torch side cannot draw the same mask, it checks the semantics. */
      const char *p_text = dv_safetensors_metadata (st, "p");
      g_autofree float *mask = g_new (float, n_x);
      DvRng rng;
      dv_rng_init (&rng, meta_int ("seed", 1));
      dv_dropout_forward (y, mask, x, n_x, p_text ? g_ascii_strtod (p_text, NULL) : 0.5f, &rng);
      dv_dropout_backward (dx, dout, mask, n_x);
      write_tensor ("mask", xd, xs, mask);
    }
  else if (strcmp (layer, "relu6") == 0 || strcmp (layer, "hard_sigmoid") == 0 || strcmp (layer, "hardswish") == 0)
    {
      void (*fwd) (float *, const float *, size_t) = layer[0] == 'r' ? dv_relu6_forward
                                                     : layer[5] == 'w' ? dv_hardswish_forward : dv_hard_sigmoid_forward;
      void (*bwd) (float *, const float *, const float *, size_t) =
        layer[0] == 'r' ? dv_relu6_backward : layer[5] == 'w' ? dv_hardswish_backward : dv_hard_sigmoid_backward;
      fwd (y, x, n_x);
      bwd (dx, dout, x, n_x);
    }
  else if (strcmp (layer, "squeeze_excite") == 0)
    {
      int wd, ws[4];
      g_autofree float *w1 = read_tensor ("fc1.weight", &wd, ws);
      DvParams params;
      dv_params_init (&params);
      DvSqueezeExcite se;
      dv_squeeze_excite_register (&se, &params, "se", xs[1], ws[0], xs[2] * xs[3]);
      dv_params_alloc (&params);
      for (guint i = 0; i < dv_params_n_tensors (&params); i++)
        {
          const DvParamInfo *info = dv_params_info (&params, i);
          if (!dv_safetensors_read (st, info->name + strlen ("se."), info->ndim, info->shape,
                                    params.data + info->offset, &error))
            die (error->message);
        }
      g_autofree float *acts = g_new (float, dv_squeeze_excite_acts_size (&se, xs[0]));
      g_autofree float *work = g_new (float, dv_squeeze_excite_work_size (&se, xs[0]));
      dv_squeeze_excite_forward (&se, params.data, y, acts, x, xs[0]);
      dv_params_zero_grad (&params);
      dv_squeeze_excite_backward (&se, params.data, params.grad, dx, dout, x, acts, xs[0], work);
      write_grads (&params, "se.");
      dv_params_clear (&params);
    }
  else if (strcmp (layer, "res_block") == 0)
    {
      DvParams params;
      dv_params_init (&params);
      DvResBlock b;
      dv_res_block_register (&b, &params, "block", xs[1], ds[1], xs[2], xs[3]);
      dv_params_alloc (&params);
      /* The file's names are the bare module's (conv_0.weight …): read them under the prefix. */
      for (guint i = 0; i < dv_params_n_tensors (&params); i++)
        {
          const DvParamInfo *info = dv_params_info (&params, i);
          if (!dv_safetensors_read (st, info->name + strlen ("block."), info->ndim, info->shape,
                                    params.data + info->offset, &error))
            die (error->message);
        }
      g_autofree float *acts = g_new (float, dv_res_block_acts_size (&b, xs[0]));
      g_autofree float *work = g_new (float, dv_res_block_work_size (&b, xs[0]));
      dv_res_block_forward (&b, params.data, y, acts, x, xs[0], work);
      dv_params_zero_grad (&params);
      dv_res_block_backward (&b, params.data, params.grad, dx, dout, x, acts, xs[0], work);
      write_grads (&params, "block.");
      dv_params_clear (&params);
    }
  else if (strcmp (layer, "autoencoder") == 0)
    {
      DvAutoencoderConfig config;
      const char *json = dv_safetensors_metadata (st, "autoencoder_config");
      if (!json || !dv_autoencoder_config_from_json (&config, json, &error))
        die (error ? error->message : "no autoencoder_config");
      g_autoptr (DvAutoencoder) ae = dv_autoencoder_new (&config);
      load_params (&ae->params);
      DvAutoencoderBuffers buf;
      dv_autoencoder_buffers_init (&buf, ae, xs[0]);
      g_autofree float *z = g_new (float, (size_t) xs[0] * config.latent_dim);
      dv_autoencoder_encode (ae, ae->params.data, &buf, z, x);
      dv_autoencoder_decode (ae, ae->params.data, &buf, y, z);
      dv_params_zero_grad (&ae->params);
      dv_autoencoder_backward (ae, ae->params.data, ae->params.grad, &buf, x, dout, NULL);
      write_tensor ("z", 2, (int[]) { xs[0], config.latent_dim }, z);
      write_grads (&ae->params, NULL);
      dv_autoencoder_buffers_clear (&buf);
      g_clear_pointer (&dx, g_free); /* the encoder's input gradient is not computed */
    }
  else if (strcmp (layer, "score_net") == 0 || strcmp (layer, "score_net_bf16") == 0)
    {
      /* x [B][V·L], "tau" [B][V], dout [B][V·L]; the config in "score_net_config". score_net_bf16: forward only,
       * with the Linear weights' BF16 copy (dv_score_net_forward_bf16). */
      const gboolean bf16 = strcmp (layer, "score_net_bf16") == 0;
      DvScoreNetConfig config;
      const char *json = dv_safetensors_metadata (st, "score_net_config");
      if (!json || !dv_score_net_config_from_json (&config, json, &error))
        die (error ? error->message : "no score_net_config");
      int td, ts[4];
      g_autofree float *tau = read_tensor ("tau", &td, ts);
      if (xd != 2 || td != 2 || ts[0] != xs[0] || ts[1] != config.n_views || xs[1] != config.n_views * config.latent_dim)
        die ("score_net wants x [B][V·L] and tau [B][V]");
      g_autoptr (DvScoreNet) net = dv_score_net_new (&config);
      load_params (&net->params);
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (net, xs[0]);
      if (bf16)
        {
          DvBf16 *pb = dv_score_net_bf16_weights_new (net, net->params.data);
          dv_score_net_forward_bf16 (net, net->params.data, pb, buf, y, x, tau);
          dv_bf16_free (pb);
        }
      else
        {
          dv_score_net_forward (net, net->params.data, buf, y, x, tau);
          dv_params_zero_grad (&net->params);
          dv_score_net_backward (net, net->params.data, net->params.grad, buf, dout);
          write_grads (&net->params, NULL);
        }
      g_clear_pointer (&dx, g_free); /* x and τ are data: no input gradient */
    }
  else if (strcmp (layer, "linear_bf16") == 0)
    {
      /* x [B][C], weight [OC][C], bias [OC]: y = the BF16 Linear; "x_bf16" = x rounded to BF16 and back. */
      int wd, ws[4], bd, bs[4];
      g_autofree float *weight = read_tensor ("weight", &wd, ws), *bias = read_tensor ("bias", &bd, bs);
      if (xd != 2 || wd != 2 || ws[1] != xs[1] || dd != 2 || ds[0] != xs[0] || ds[1] != ws[0])
        die ("linear_bf16 wants x [B][C], weight [OC][C], dout [B][OC]");
      DvBf16 *wb = dv_bf16_alloc (numel (wd, ws)), *xb = dv_bf16_alloc (n_x);
      dv_bf16_from_floats (wb, weight, numel (wd, ws));
      dv_linear_bf16_forward (y, x, xb, wb, bias, xs[0], xs[1], ws[0]);
      dv_bf16_from_floats (xb, x, n_x);
      dv_bf16_to_floats (dx, xb, n_x);
      write_tensor ("x_bf16", xd, xs, dx);
      dv_bf16_free (wb), dv_bf16_free (xb);
      g_clear_pointer (&dx, g_free);
    }
  else if (strcmp (layer, "score_model") == 0)
    {
      /* A trained model file as the CLI and the app load it (metadata "model": its path): y = the network's
       * output on x [B][V·L], "tau" [B][V]; "latent_mean" and "latent_std" as loaded. */
      const char *path = dv_safetensors_metadata (st, "model");
      g_autoptr (DvScoreModel) model = path ? dv_score_model_load (path, &error) : NULL;
      if (!model)
        die (error ? error->message : "score_model needs the metadata \"model\"");
      const DvScoreNetConfig *config = &model->net->config;
      int td, ts[4];
      g_autofree float *tau = read_tensor ("tau", &td, ts);
      if (xd != 2 || td != 2 || ts[0] != xs[0] || ts[1] != config->n_views ||
          xs[1] != config->n_views * config->latent_dim || numel (dd, ds) != n_x)
        die ("score_model wants x and dout [B][V·L] and tau [B][V]");
      g_autoptr (DvScoreNetBuffers) buf = dv_score_net_buffers_new (model->net, xs[0]);
      dv_score_net_forward (model->net, model->weights, buf, y, x, tau);
      const int stats_shape[2] = { config->n_views, config->latent_dim };
      write_tensor ("latent_mean", 2, stats_shape, model->stats.mean);
      write_tensor ("latent_std", 2, stats_shape, model->stats.std);
      g_clear_pointer (&dx, g_free);
    }
  else if (strcmp (layer, "ema") == 0)
    {
      /* x [K][n]: K online weight vectors in turn; dout [n]: the shadow before them; metadata "beta", "step",
       * "update_after_step": y = the shadow after K updates, one per step as score_train.c makes them. */
      if (xd != 2 || numel (dd, ds) != (size_t) xs[1])
        die ("ema wants x [K][n] and dout [n]");
      DvEma ema;
      dv_ema_init (&ema, (size_t) xs[1], dout);
      const char *beta = dv_safetensors_metadata (st, "beta");
      ema.beta = beta ? (float) g_ascii_strtod (beta, NULL) : 0.999f;
      ema.update_every = 1;
      ema.update_after_step = meta_int ("update_after_step", 100);
      ema.step = meta_int ("step", 0);
      for (int k = 0; k < xs[0]; k++)
        dv_ema_update (&ema, x + (size_t) k * xs[1]);
      memcpy (y, ema.shadow, sizeof (float) * (size_t) xs[1]);
      dv_ema_clear (&ema);
      g_clear_pointer (&dx, g_free);
    }
  else if (strcmp (layer, "classifier") == 0)
    {
      /* x: images [B][3][S][S], dout: ∂L/∂logits [B][K]; metadata classifier_config and training (0/1).
       * OUT: y (logits), grad.NAME when training, and every running statistic after the forward. */
      DvClassifierConfig config;
      const char *json = dv_safetensors_metadata (st, "classifier_config");
      if (!json || !dv_classifier_config_from_json (&config, json, &error))
        die (error ? error->message : "no classifier_config");
      g_autoptr (DvClassifier) c = dv_classifier_new (&config);
      DvParams *params = dv_classifier_params (c), *running = dv_classifier_running_stats (c);
      load_params (params);
      load_params (running);
      g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (c, xs[0]);
      const gboolean training = meta_int ("training", 1);
      DvRng rng;
      dv_rng_init (&rng, 1);
      dv_classifier_forward (c, params->data, buf, y, x, xs[0], training, &rng);
      if (training)
        {
          dv_params_zero_grad (params);
          dv_classifier_backward (c, params->data, params->grad, buf, dout, xs[0]);
          write_grads (params, NULL);
        }
      for (guint i = 0; i < dv_params_n_tensors (running); i++)
        {
          const DvParamInfo *info = dv_params_info (running, i);
          write_tensor (info->name, info->ndim, info->shape, running->data + info->offset);
        }
      write_param_order (params);
      g_clear_pointer (&dx, g_free);
    }
  else if (strcmp (layer, "image_quality") == 0)
    {
      /* x and dout are two [h][w][3] images: y = (PSNR, SSIM). */
      if (xd != 3 || dd != 3 || xs[2] != 3 || memcmp (xs, ds, sizeof xs))
        die ("image_quality wants two [h][w][3] images");
      double psnr = dv_psnr (x, dout, xs[0], xs[1]), ssim = dv_ssim (x, dout, xs[0], xs[1]);
      float metrics[2] = { (float) psnr, (float) ssim };
      g_autofree char *text = g_strdup_printf ("%.17g %.17g", psnr, ssim);
      dv_safetensors_writer_set_metadata (w, "metrics", text);
      write_tensor ("y", 1, (int[]) { 2 }, metrics);
      g_clear_pointer (&dx, g_free);
      dd = 0;
    }
  else
    die ("unknown layer");
  if (dd > 0)
    write_tensor ("y", dd, ds, y);
  if (dx)
    write_tensor ("dx", xd, xs, dx);
  if (!dv_safetensors_writer_save (w, argv[3], &error))
    die (error->message);
  dv_safetensors_writer_free (w);
  dv_safetensors_close (st);
  return 0;
}
