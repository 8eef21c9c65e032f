#include "votes/mobilenet.h"

#include "nn/dropout.h"
#include "nn/global_avg_pool.h"
#include "nn/hardswish.h"
#include "nn/linear.h"

#include <math.h>
#include <string.h>

#define EPS 1e-3f
#define MOMENTUM 0.01f

/* torchvision's mobilenet_v3_small table: kernel, expanded, out, SE, hard swish (else ReLU), stride. */
static const struct {
  int kernel, expanded, out;
  gboolean se, hardswish;
  int stride;
} table[DV_MOBILENET_BLOCKS] = {
  { 3, 16, 16, TRUE, FALSE, 2 },  { 3, 72, 24, FALSE, FALSE, 2 }, { 3, 88, 24, FALSE, FALSE, 1 },
  { 5, 96, 40, TRUE, TRUE, 2 },   { 5, 240, 40, TRUE, TRUE, 1 },  { 5, 240, 40, TRUE, TRUE, 1 },
  { 5, 120, 48, TRUE, TRUE, 1 },  { 5, 144, 48, TRUE, TRUE, 1 },  { 5, 288, 96, TRUE, TRUE, 2 },
  { 5, 576, 96, TRUE, TRUE, 1 },  { 5, 576, 96, TRUE, TRUE, 1 },
};

int
dv_mobilenet_make_divisible (double v)
{
  int r = MAX (8, (int) (v + 4) / 8 * 8);
  if (r < 0.9 * v)
    r += 8;
  return r;
}

static char *
name (const char *fmt, int a, int b)
{
  return g_strdup_printf (fmt, a, b);
}

DvMobileNet *
dv_mobilenet_new (DvParams *params, DvParams *running, double width, int n_classes, int S, float dropout)
{
  DvMobileNet *net = g_new0 (DvMobileNet, 1);
  net->n_classes = n_classes;
  net->image_size = S;
  net->dropout = dropout;
  int in = dv_mobilenet_make_divisible (16 * width);
  dv_conv_bn_register (&net->stem, params, running, "features.0.0", "features.0.1", 3, in, S, S, 3, 2, 1,
                       DV_CONV_BN_HARDSWISH, EPS, MOMENTUM);
  int h = net->stem.out_h;
  for (int i = 0; i < DV_MOBILENET_BLOCKS; i++)
    {
      DvMobileNetBlock *b = &net->blocks[i];
      const int exp = dv_mobilenet_make_divisible (table[i].expanded * width);
      const int out = dv_mobilenet_make_divisible (table[i].out * width);
      const DvConvBnAct act = table[i].hardswish ? DV_CONV_BN_HARDSWISH : DV_CONV_BN_RELU;
      b->in_channels = in, b->out_channels = out;
      b->has_expand = exp != in;
      b->has_se = table[i].se;
      b->residual = table[i].stride == 1 && in == out;
      int m = 0;
      if (b->has_expand)
        {
          g_autofree char *c = name ("features.%d.block.%d.0", i + 1, m), *n = name ("features.%d.block.%d.1", i + 1, m);
          dv_conv_bn_register (&b->expand, params, running, c, n, in, exp, h, h, 1, 1, 1, act, EPS, MOMENTUM);
          m++;
        }
      {
        g_autofree char *c = name ("features.%d.block.%d.0", i + 1, m), *n = name ("features.%d.block.%d.1", i + 1, m);
        dv_conv_bn_register (&b->depthwise, params, running, c, n, exp, exp, h, h, table[i].kernel, table[i].stride,
                             exp, act, EPS, MOMENTUM);
        m++;
      }
      const int oh = b->depthwise.out_h;
      if (b->has_se)
        {
          g_autofree char *p = name ("features.%d.block.%d", i + 1, m);
          dv_squeeze_excite_register (&b->se, params, p, exp, dv_mobilenet_make_divisible (exp / 4), oh * oh);
          m++;
        }
      g_autofree char *c = name ("features.%d.block.%d.0", i + 1, m), *n = name ("features.%d.block.%d.1", i + 1, m);
      dv_conv_bn_register (&b->project, params, running, c, n, exp, out, oh, oh, 1, 1, 1, DV_CONV_BN_NONE, EPS,
                           MOMENTUM);
      in = out, h = oh;
    }
  net->last_conv = 6 * in;
  dv_conv_bn_register (&net->last, params, running, "features.12.0", "features.12.1", in, net->last_conv, h, h, 1,
                       1, 1, DV_CONV_BN_HARDSWISH, EPS, MOMENTUM);
  net->hidden = dv_mobilenet_make_divisible (1024 * width);
  dv_linear_add_params (params, "classifier.0", net->last_conv, net->hidden, &net->fc1_weight, &net->fc1_bias);
  dv_linear_add_params (params, "classifier.3", net->hidden, n_classes, &net->fc2_weight, &net->fc2_bias);
  return net;
}

void
dv_mobilenet_free (DvMobileNet *net)
{
  g_free (net);
}

static void
init_se_conv (float *w, float *b, int out, int in, DvRng *rng)
{
  const float std = sqrtf (2.0f / out); /* kaiming_normal_, fan_out = out · 1 · 1 */
  dv_rng_fill_normal (rng, w, (size_t) out * in);
  for (size_t i = 0; i < (size_t) out * in; i++)
    w[i] *= std;
  memset (b, 0, sizeof (float) * out);
}

static void
init_linear (float *w, float *b, int out, int in, DvRng *rng)
{
  dv_rng_fill_normal (rng, w, (size_t) out * in);
  for (size_t i = 0; i < (size_t) out * in; i++)
    w[i] *= 0.01f;
  memset (b, 0, sizeof (float) * out);
}

void
dv_mobilenet_init (const DvMobileNet *net, float *params, float *running, DvRng *rng)
{
  dv_conv_bn_init (&net->stem, params, running, rng);
  for (int i = 0; i < DV_MOBILENET_BLOCKS; i++)
    {
      const DvMobileNetBlock *b = &net->blocks[i];
      if (b->has_expand)
        dv_conv_bn_init (&b->expand, params, running, rng);
      dv_conv_bn_init (&b->depthwise, params, running, rng);
      if (b->has_se)
        {
          const DvSqueezeExcite *se = &b->se;
          init_se_conv (params + se->fc1_weight, params + se->fc1_bias, se->squeeze, se->channels, rng);
          init_se_conv (params + se->fc2_weight, params + se->fc2_bias, se->channels, se->squeeze, rng);
        }
      dv_conv_bn_init (&b->project, params, running, rng);
    }
  dv_conv_bn_init (&net->last, params, running, rng);
  init_linear (params + net->fc1_weight, params + net->fc1_bias, net->hidden, net->last_conv, rng);
  init_linear (params + net->fc2_weight, params + net->fc2_bias, net->n_classes, net->hidden, rng);
}

typedef struct {
  float *expand, *depthwise, *se, *se_out, *project, *out;
} BlockActs;

struct DvMobileNetBuffers {
  int batch;
  gboolean trained;
  float *images, *stem, *last;
  BlockActs blocks[DV_MOBILENET_BLOCKS];
  float *pooled, *hidden, *hidden_act, *dropped, *mask;
  /* Gradient scratch: ga, gb the current one (taking turns), d1..d3 inside a block, dh the head's. */
  float *ga, *gb, *d1, *d2, *d3, *dh1, *dh2, *dpooled;
  float *work;
};

static size_t
block_out_size (const DvMobileNetBlock *b, int B)
{
  return dv_conv_bn_out_size (&b->project, B);
}

static size_t
depthwise_out_size (const DvMobileNetBlock *b, int B)
{
  return dv_conv_bn_out_size (&b->depthwise, B);
}

DvMobileNetBuffers *
dv_mobilenet_buffers_new (const DvMobileNet *net, int B)
{
  DvMobileNetBuffers *buf = g_new0 (DvMobileNetBuffers, 1);
  buf->batch = B;
  const int S = net->image_size;
  buf->images = g_new (float, (size_t) B * 3 * S * S);
  buf->stem = g_new (float, dv_conv_bn_acts_size (&net->stem, B));
  buf->last = g_new (float, dv_conv_bn_acts_size (&net->last, B));
  size_t largest = MAX (dv_conv_bn_out_size (&net->stem, B), dv_conv_bn_out_size (&net->last, B));
  size_t work = MAX (dv_conv_bn_work_size (&net->stem, B), dv_conv_bn_work_size (&net->last, B));
  for (int i = 0; i < DV_MOBILENET_BLOCKS; i++)
    {
      const DvMobileNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      if (b->has_expand)
        {
          a->expand = g_new (float, dv_conv_bn_acts_size (&b->expand, B));
          largest = MAX (largest, dv_conv_bn_out_size (&b->expand, B));
          work = MAX (work, dv_conv_bn_work_size (&b->expand, B));
        }
      a->depthwise = g_new (float, dv_conv_bn_acts_size (&b->depthwise, B));
      largest = MAX (largest, depthwise_out_size (b, B));
      work = MAX (work, dv_conv_bn_work_size (&b->depthwise, B));
      if (b->has_se)
        {
          a->se = g_new (float, dv_squeeze_excite_acts_size (&b->se, B));
          a->se_out = g_new (float, depthwise_out_size (b, B));
          work = MAX (work, dv_squeeze_excite_work_size (&b->se, B));
        }
      a->project = g_new (float, dv_conv_bn_acts_size (&b->project, B));
      work = MAX (work, dv_conv_bn_work_size (&b->project, B));
      a->out = b->residual ? g_new (float, block_out_size (b, B)) : NULL;
      largest = MAX (largest, block_out_size (b, B));
    }
  const size_t BL = (size_t) B * net->last_conv, BH = (size_t) B * net->hidden;
  buf->pooled = g_new (float, BL), buf->dpooled = g_new (float, BL);
  buf->hidden = g_new (float, BH), buf->hidden_act = g_new (float, BH), buf->dropped = g_new (float, BH);
  buf->mask = g_new (float, BH), buf->dh1 = g_new (float, BH), buf->dh2 = g_new (float, BH);
  buf->ga = g_new (float, largest), buf->gb = g_new (float, largest);
  buf->d1 = g_new (float, largest), buf->d2 = g_new (float, largest), buf->d3 = g_new (float, largest);
  buf->work = g_new (float, work);
  return buf;
}

void
dv_mobilenet_buffers_free (DvMobileNetBuffers *buf)
{
  if (!buf)
    return;
  g_free (buf->images), g_free (buf->stem), g_free (buf->last);
  for (int i = 0; i < DV_MOBILENET_BLOCKS; i++)
    {
      BlockActs *a = &buf->blocks[i];
      g_free (a->expand), g_free (a->depthwise), g_free (a->se), g_free (a->se_out), g_free (a->project);
      g_free (a->out);
    }
  g_free (buf->pooled), g_free (buf->dpooled), g_free (buf->hidden), g_free (buf->hidden_act);
  g_free (buf->dropped), g_free (buf->mask), g_free (buf->dh1), g_free (buf->dh2);
  g_free (buf->ga), g_free (buf->gb), g_free (buf->d1), g_free (buf->d2), g_free (buf->d3), g_free (buf->work);
  g_free (buf);
}

/* The block's output: its own sum when residual, else the projection's. */
static float *
block_output (const DvMobileNetBlock *b, BlockActs *a, int B)
{
  return b->residual ? a->out : dv_conv_bn_output (&b->project, a->project, B);
}

static const float *
block_input (const DvMobileNet *net, DvMobileNetBuffers *buf, int i, int B)
{
  return i == 0 ? dv_conv_bn_output (&net->stem, buf->stem, B)
                : block_output (&net->blocks[i - 1], &buf->blocks[i - 1], B);
}

void
dv_mobilenet_forward (const DvMobileNet *net, const float *params, float *running, DvMobileNetBuffers *buf,
                      float *logits, const float *images, int B, gboolean training, DvRng *rng)
{
  DV_CHECK (B > 0 && B <= buf->batch, "dv_mobilenet_forward: batch %d for buffers of %d", B, buf->batch);
  DV_CHECK (!training || net->dropout == 0.0f || rng, "dv_mobilenet_forward: training with dropout needs an rng");
  const int S = net->image_size;
  memcpy (buf->images, images, sizeof (float) * B * 3 * S * S);
  dv_conv_bn_forward (&net->stem, params, running, buf->stem, images, B, training, buf->work);
  for (int i = 0; i < DV_MOBILENET_BLOCKS; i++)
    {
      const DvMobileNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      const float *x = block_input (net, buf, i, B), *h = x;
      if (b->has_expand)
        h = dv_conv_bn_forward (&b->expand, params, running, a->expand, h, B, training, buf->work);
      h = dv_conv_bn_forward (&b->depthwise, params, running, a->depthwise, h, B, training, buf->work);
      if (b->has_se)
        {
          dv_squeeze_excite_forward (&b->se, params, a->se_out, a->se, h, B);
          h = a->se_out;
        }
      const float *y = dv_conv_bn_forward (&b->project, params, running, a->project, h, B, training, buf->work);
      if (b->residual)
        for (size_t k = 0, n = block_out_size (b, B); k < n; k++)
          a->out[k] = y[k] + x[k];
    }
  const float *x = block_input (net, buf, DV_MOBILENET_BLOCKS, B);
  const float *f = dv_conv_bn_forward (&net->last, params, running, buf->last, x, B, training, buf->work);
  const size_t BH = (size_t) B * net->hidden;
  dv_global_avg_pool_forward (buf->pooled, f, (size_t) B * net->last_conv, (size_t) net->last.out_h * net->last.out_w);
  dv_linear_forward (buf->hidden, buf->pooled, params + net->fc1_weight, params + net->fc1_bias, B, net->last_conv,
                     net->hidden);
  dv_hardswish_forward (buf->hidden_act, buf->hidden, BH);
  if (training && net->dropout > 0.0f)
    dv_dropout_forward (buf->dropped, buf->mask, buf->hidden_act, BH, net->dropout, rng);
  else
    {
      memcpy (buf->dropped, buf->hidden_act, sizeof (float) * BH);
      for (size_t k = 0; k < BH; k++)
        buf->mask[k] = 1.0f;
    }
  dv_linear_forward (logits, buf->dropped, params + net->fc2_weight, params + net->fc2_bias, B, net->hidden,
                     net->n_classes);
  buf->trained = training;
}

static float *
zeroed (float *p, size_t n)
{
  memset (p, 0, sizeof (float) * n);
  return p;
}

void
dv_mobilenet_backward (const DvMobileNet *net, const float *params, float *grads, DvMobileNetBuffers *buf,
                       const float *dlogits, int B)
{
  DV_CHECK (buf->trained, "dv_mobilenet_backward: the last forward was not in training mode");
  const size_t BH = (size_t) B * net->hidden, BL = (size_t) B * net->last_conv;
  dv_linear_backward (zeroed (buf->dh1, BH), grads + net->fc2_weight, grads + net->fc2_bias, dlogits, buf->dropped,
                      params + net->fc2_weight, B, net->hidden, net->n_classes);
  dv_dropout_backward (zeroed (buf->dh2, BH), buf->dh1, buf->mask, BH);
  dv_hardswish_backward (zeroed (buf->dh1, BH), buf->dh2, buf->hidden, BH);
  dv_linear_backward (zeroed (buf->dpooled, BL), grads + net->fc1_weight, grads + net->fc1_bias, buf->dh1,
                      buf->pooled, params + net->fc1_weight, B, net->last_conv, net->hidden);
  const size_t hw_last = (size_t) net->last.out_h * net->last.out_w;
  float *g = zeroed (buf->gb, dv_conv_bn_out_size (&net->last, B)), *other = buf->ga;
  dv_global_avg_pool_backward (g, buf->dpooled, BL, hw_last);
  const float *x = block_input (net, buf, DV_MOBILENET_BLOCKS, B);
  float *dx = zeroed (other, (size_t) B * net->last.in_channels * hw_last);
  dv_conv_bn_backward (&net->last, params, grads, dx, g, x, buf->last, B, buf->work);
  other = g, g = dx;
  for (int i = DV_MOBILENET_BLOCKS - 1; i >= 0; i--)
    {
      const DvMobileNetBlock *b = &net->blocks[i];
      BlockActs *a = &buf->blocks[i];
      x = block_input (net, buf, i, B);
      const DvConvBn *first = b->has_expand ? &b->expand : &b->depthwise;
      dx = zeroed (other, (size_t) B * b->in_channels * first->in_h * first->in_w);
      if (b->residual)
        for (size_t k = 0, n = block_out_size (b, B); k < n; k++)
          dx[k] += g[k];
      const size_t n_dw = depthwise_out_size (b, B);
      const float *dw_out = dv_conv_bn_output (&b->depthwise, a->depthwise, B);
      /* d1: ∂L/∂(project input) → d2: ∂L/∂(depthwise output) → ∂L/∂(depthwise input) in d3 or dx. */
      dv_conv_bn_backward (&b->project, params, grads, zeroed (buf->d1, n_dw), g, b->has_se ? a->se_out : dw_out,
                           a->project, B, buf->work);
      float *d_dw = buf->d1;
      if (b->has_se)
        {
          dv_squeeze_excite_backward (&b->se, params, grads, zeroed (buf->d2, n_dw), buf->d1, dw_out, a->se, B,
                                      buf->work);
          d_dw = buf->d2;
        }
      if (b->has_expand)
        {
          const float *exp_out = dv_conv_bn_output (&b->expand, a->expand, B);
          float *d_exp = zeroed (buf->d3, dv_conv_bn_out_size (&b->expand, B));
          dv_conv_bn_backward (&b->depthwise, params, grads, d_exp, d_dw, exp_out, a->depthwise, B, buf->work);
          dv_conv_bn_backward (&b->expand, params, grads, dx, d_exp, x, a->expand, B, buf->work);
        }
      else
        dv_conv_bn_backward (&b->depthwise, params, grads, dx, d_dw, x, a->depthwise, B, buf->work);
      other = g, g = dx;
    }
  dv_conv_bn_backward (&net->stem, params, grads, NULL, g, buf->images, buf->stem, B, buf->work);
}
