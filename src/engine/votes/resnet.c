#include "votes/resnet.h"

#include "nn/global_avg_pool.h"
#include "nn/linear.h"
#include "nn/relu.h"

#include <math.h>
#include <string.h>

#define EPS 1e-5f
#define MOMENTUM 0.1f

void
dv_resnet_widths (double width, int widths[4])
{
  static const int base[4] = { 64, 128, 256, 512 };
  for (int i = 0; i < 4; i++)
    widths[i] = MAX (1, (int) floor (base[i] * width + 0.5));
}

DvResNet *
dv_resnet_new (DvParams *params, DvParams *running, double width, int n_classes, int S)
{
  DvResNet *net = g_new0 (DvResNet, 1);
  dv_resnet_widths (width, net->widths);
  net->n_classes = n_classes;
  net->image_size = S;
  dv_conv_bn_register (&net->stem, params, running, "conv1", "bn1", 3, net->widths[0], S, S, 3, 1, 1,
                       DV_CONV_BN_RELU, EPS, MOMENTUM);
  int in = net->widths[0], h = S;
  for (int i = 0; i < DV_RESNET_BLOCKS; i++)
    {
      const int stage = i / 2, out = net->widths[stage], stride = (stage > 0 && i % 2 == 0) ? 2 : 1;
      DvResNetBlock *b = &net->blocks[i];
      g_autofree char *p = g_strdup_printf ("layer%d.%d", stage + 1, i % 2);
      g_autofree char *c1 = g_strconcat (p, ".conv1", NULL), *n1 = g_strconcat (p, ".bn1", NULL);
      g_autofree char *c2 = g_strconcat (p, ".conv2", NULL), *n2 = g_strconcat (p, ".bn2", NULL);
      g_autofree char *d0 = g_strconcat (p, ".downsample.0", NULL), *d1 = g_strconcat (p, ".downsample.1", NULL);
      dv_conv_bn_register (&b->conv1, params, running, c1, n1, in, out, h, h, 3, stride, 1, DV_CONV_BN_RELU, EPS,
                           MOMENTUM);
      const int oh = b->conv1.out_h;
      dv_conv_bn_register (&b->conv2, params, running, c2, n2, out, out, oh, oh, 3, 1, 1, DV_CONV_BN_NONE, EPS,
                           MOMENTUM);
      b->has_downsample = stride != 1 || in != out;
      if (b->has_downsample)
        dv_conv_bn_register (&b->downsample, params, running, d0, d1, in, out, h, h, 1, stride, 1, DV_CONV_BN_NONE,
                             EPS, MOMENTUM);
      in = out, h = oh;
    }
  dv_linear_add_params (params, "fc", net->widths[3], n_classes, &net->fc_weight, &net->fc_bias);
  return net;
}

void
dv_resnet_free (DvResNet *net)
{
  g_free (net);
}

void
dv_resnet_init (const DvResNet *net, float *params, float *running, DvRng *rng)
{
  dv_conv_bn_init (&net->stem, params, running, rng);
  for (int i = 0; i < DV_RESNET_BLOCKS; i++)
    {
      const DvResNetBlock *b = &net->blocks[i];
      dv_conv_bn_init (&b->conv1, params, running, rng);
      dv_conv_bn_init (&b->conv2, params, running, rng);
      if (b->has_downsample)
        dv_conv_bn_init (&b->downsample, params, running, rng);
    }
  dv_linear_init_params (params + net->fc_weight, params + net->fc_bias, net->widths[3], net->n_classes, rng);
}

/* Saved activations per block: its units' and the sum (ReLU'd in place), the block's output. */
typedef struct {
  float *conv1, *conv2, *downsample, *sum;
} BlockActs;

struct DvResNetBuffers {
  int batch;
  float *images; /* the forward's input, for the stem's weight gradient */
  float *stem;
  BlockActs blocks[DV_RESNET_BLOCKS];
  float *pooled, *dpooled;
  /* Gradient scratch: the current gradient (ga, gb take turns), the sum's and the hidden one. */
  float *ga, *gb, *dsum, *dhidden;
  float *work;
  gboolean trained; /* the last forward ran in training mode */
};

static size_t
block_out_size (const DvResNetBlock *b, int B)
{
  return dv_conv_bn_out_size (&b->conv2, B);
}

DvResNetBuffers *
dv_resnet_buffers_new (const DvResNet *net, int B)
{
  DvResNetBuffers *buf = g_new0 (DvResNetBuffers, 1);
  buf->batch = B;
  buf->images = g_new (float, (size_t) B * 3 * net->image_size * net->image_size);
  buf->stem = g_new (float, dv_conv_bn_acts_size (&net->stem, B));
  size_t largest = dv_conv_bn_out_size (&net->stem, B), work = dv_conv_bn_work_size (&net->stem, B);
  for (int i = 0; i < DV_RESNET_BLOCKS; i++)
    {
      const DvResNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      a->conv1 = g_new (float, dv_conv_bn_acts_size (&b->conv1, B));
      a->conv2 = g_new (float, dv_conv_bn_acts_size (&b->conv2, B));
      a->downsample = b->has_downsample ? g_new (float, dv_conv_bn_acts_size (&b->downsample, B)) : NULL;
      a->sum = g_new (float, block_out_size (b, B));
      largest = MAX (largest, block_out_size (b, B));
      work = MAX (work, dv_conv_bn_work_size (&b->conv1, B));
      work = MAX (work, dv_conv_bn_work_size (&b->conv2, B));
      if (b->has_downsample)
        work = MAX (work, dv_conv_bn_work_size (&b->downsample, B));
    }
  buf->pooled = g_new (float, (size_t) B * net->widths[3]);
  buf->dpooled = g_new (float, (size_t) B * net->widths[3]);
  buf->ga = g_new (float, largest);
  buf->gb = g_new (float, largest);
  buf->dsum = g_new (float, largest);
  buf->dhidden = g_new (float, largest);
  buf->work = g_new (float, work);
  return buf;
}

void
dv_resnet_buffers_free (DvResNetBuffers *buf)
{
  if (!buf)
    return;
  g_free (buf->images), g_free (buf->stem);
  for (int i = 0; i < DV_RESNET_BLOCKS; i++)
    {
      g_free (buf->blocks[i].conv1), g_free (buf->blocks[i].conv2);
      g_free (buf->blocks[i].downsample), g_free (buf->blocks[i].sum);
    }
  g_free (buf->pooled), g_free (buf->dpooled), g_free (buf->ga), g_free (buf->gb);
  g_free (buf->dsum), g_free (buf->dhidden), g_free (buf->work);
  g_free (buf);
}

static const float *
block_input (const DvResNetBuffers *buf, int i, const float *stem_out)
{
  return i == 0 ? stem_out : buf->blocks[i - 1].sum;
}

void
dv_resnet_forward (const DvResNet *net, const float *params, float *running, DvResNetBuffers *buf, float *logits,
                   const float *images, int B, gboolean training)
{
  DV_CHECK (B > 0 && B <= buf->batch, "dv_resnet_forward: batch %d for buffers of %d", B, buf->batch);
  memcpy (buf->images, images, sizeof (float) * B * 3 * net->image_size * net->image_size);
  const float *stem_out = dv_conv_bn_forward (&net->stem, params, running, buf->stem, images, B, training, buf->work);
  const float *x;
  for (int i = 0; i < DV_RESNET_BLOCKS; i++)
    {
      const DvResNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      x = block_input (buf, i, stem_out);
      const float *h = dv_conv_bn_forward (&b->conv1, params, running, a->conv1, x, B, training, buf->work);
      const float *y = dv_conv_bn_forward (&b->conv2, params, running, a->conv2, h, B, training, buf->work);
      const float *sc = b->has_downsample
                          ? dv_conv_bn_forward (&b->downsample, params, running, a->downsample, x, B, training,
                                                buf->work)
                          : x;
      const size_t n = block_out_size (b, B);
      for (size_t k = 0; k < n; k++)
        a->sum[k] = y[k] + sc[k];
      dv_relu_forward (a->sum, a->sum, n);
    }
  const DvResNetBlock *last = &net->blocks[DV_RESNET_BLOCKS - 1];
  const int C = net->widths[3];
  dv_global_avg_pool_forward (buf->pooled, buf->blocks[DV_RESNET_BLOCKS - 1].sum, (size_t) B * C,
                              (size_t) last->conv2.out_h * last->conv2.out_w);
  dv_linear_forward (logits, buf->pooled, params + net->fc_weight, params + net->fc_bias, B, C, net->n_classes);
  buf->trained = training;
}

static float *
zeroed (float *p, size_t n)
{
  memset (p, 0, sizeof (float) * n);
  return p;
}

void
dv_resnet_backward (const DvResNet *net, const float *params, float *grads, DvResNetBuffers *buf,
                    const float *dlogits, int B)
{
  DV_CHECK (buf->trained, "dv_resnet_backward: the last forward was not in training mode");
  const int C = net->widths[3];
  const DvResNetBlock *last = &net->blocks[DV_RESNET_BLOCKS - 1];
  dv_linear_backward (zeroed (buf->dpooled, (size_t) B * C), grads + net->fc_weight, grads + net->fc_bias, dlogits,
                      buf->pooled, params + net->fc_weight, B, C, net->n_classes);
  float *g = zeroed (buf->ga, block_out_size (last, B)), *other = buf->gb;
  dv_global_avg_pool_backward (g, buf->dpooled, (size_t) B * C, (size_t) last->conv2.out_h * last->conv2.out_w);
  const float *stem_out = dv_conv_bn_output (&net->stem, buf->stem, B);
  for (int i = DV_RESNET_BLOCKS - 1; i >= 0; i--)
    {
      const DvResNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      const float *x = block_input (buf, i, stem_out);
      const size_t n = block_out_size (b, B), n_in = (size_t) B * b->conv1.in_channels * b->conv1.in_h * b->conv1.in_w;
      /* g: ∂L/∂(block output); the output is relu(sum), positive where sum was. */
      dv_relu_backward (zeroed (buf->dsum, n), g, a->sum, n);
      float *dx = zeroed (other, n_in);
      dv_conv_bn_backward (&b->conv2, params, grads, zeroed (buf->dhidden, dv_conv_bn_out_size (&b->conv1, B)),
                           buf->dsum, dv_conv_bn_output (&b->conv1, a->conv1, B), a->conv2, B, buf->work);
      dv_conv_bn_backward (&b->conv1, params, grads, dx, buf->dhidden, x, a->conv1, B, buf->work);
      if (b->has_downsample)
        dv_conv_bn_backward (&b->downsample, params, grads, dx, buf->dsum, x, a->downsample, B, buf->work);
      else
        for (size_t k = 0; k < n; k++)
          dx[k] += buf->dsum[k];
      other = g;
      g = dx;
    }
  dv_conv_bn_backward (&net->stem, params, grads, NULL, g, buf->images, buf->stem, B, buf->work);
}
