#include "nn/conv_bn.h"

#include "nn/batch_norm2d.h"
#include "nn/hardswish.h"
#include "nn/relu.h"

#include <math.h>
#include <string.h>

void
dv_conv_bn_register (DvConvBn *u, DvParams *params, DvParams *running, const char *conv_name, const char *bn_name,
                     int in_channels, int out_channels, int in_h, int in_w, int kernel, int stride, int groups,
                     DvConvBnAct act, float eps, float momentum)
{
  DV_CHECK (kernel % 2 == 1 && groups > 0 && in_channels % groups == 0 && out_channels % groups == 0,
            "dv_conv_bn: kernel %d, groups %d for %d → %d channels", kernel, groups, in_channels, out_channels);
  *u = (DvConvBn) { .in_channels = in_channels, .out_channels = out_channels, .in_h = in_h, .in_w = in_w,
                    .kernel = kernel, .stride = stride, .groups = groups, .act = act, .eps = eps,
                    .momentum = momentum };
  DvConv2dShape s;
  dv_conv_bn_shape (u, 1, &s);
  u->out_h = dv_conv2d_out_h (&s);
  u->out_w = dv_conv2d_out_w (&s);
  g_autofree char *w = g_strconcat (conv_name, ".weight", NULL);
  u->weight = dv_params_add (params, w, 4, (int[]) { out_channels, in_channels / groups, kernel, kernel });
  dv_batch_norm2d_add_params (params, running, bn_name, out_channels, &u->bn_weight, &u->bn_bias, &u->running_mean,
                              &u->running_var);
}

void
dv_conv_bn_shape (const DvConvBn *u, int batch, DvConv2dShape *s)
{
  dv_conv2d_shape_init (s, batch, u->in_channels, u->in_h, u->in_w, u->out_channels, u->kernel, u->stride,
                        (u->kernel - 1) / 2);
  s->groups = u->groups;
}

size_t
dv_conv_bn_out_size (const DvConvBn *u, int batch)
{
  return (size_t) batch * u->out_channels * u->out_h * u->out_w;
}

size_t
dv_conv_bn_acts_size (const DvConvBn *u, int batch)
{
  const size_t n = dv_conv_bn_out_size (u, batch);
  return (u->act == DV_CONV_BN_HARDSWISH ? 3 : 2) * n + 2 * (size_t) u->out_channels;
}

size_t
dv_conv_bn_work_size (const DvConvBn *u, int batch)
{
  DvConv2dShape s;
  dv_conv_bn_shape (u, batch, &s);
  return dv_conv2d_workspace_size (&s) + 2 * dv_conv_bn_out_size (u, batch);
}

void
dv_conv_bn_init (const DvConvBn *u, float *params, float *running, DvRng *rng)
{
  const size_t n = (size_t) u->out_channels * (u->in_channels / u->groups) * u->kernel * u->kernel;
  const float std = sqrtf (2.0f / (u->out_channels * u->kernel * u->kernel));
  float *w = params + u->weight;
  dv_rng_fill_normal (rng, w, n);
  for (size_t i = 0; i < n; i++)
    w[i] *= std;
  dv_batch_norm2d_init_params (params + u->bn_weight, params + u->bn_bias, running + u->running_mean,
                               running + u->running_var, u->out_channels);
}

typedef struct {
  float *conv, *norm, *act, *mean, *rstd;
} Slots;

static Slots
slots (const DvConvBn *u, float *acts, int batch)
{
  const size_t n = dv_conv_bn_out_size (u, batch);
  Slots s = { .conv = acts, .norm = acts + n };
  float *next = s.norm + n;
  if (u->act == DV_CONV_BN_HARDSWISH)
    s.act = next, next += n;
  else
    s.act = s.norm;
  s.mean = next;
  s.rstd = next + u->out_channels;
  return s;
}

float *
dv_conv_bn_output (const DvConvBn *u, float *acts, int batch)
{
  return slots (u, acts, batch).act;
}

float *
dv_conv_bn_forward (const DvConvBn *u, const float *params, float *running, float *acts, const float *inp, int B,
                    gboolean training, float *work)
{
  Slots sl = slots (u, acts, B);
  DvConv2dShape s;
  dv_conv_bn_shape (u, B, &s);
  const int C = u->out_channels, HW = u->out_h * u->out_w;
  const size_t n = dv_conv_bn_out_size (u, B);
  dv_conv2d_forward (sl.conv, inp, params + u->weight, NULL, &s, work);
  if (training)
    dv_batch_norm2d_forward_train (sl.norm, sl.mean, sl.rstd, running + u->running_mean, running + u->running_var,
                                   sl.conv, params + u->bn_weight, params + u->bn_bias, B, C, HW, u->eps,
                                   u->momentum);
  else
    dv_batch_norm2d_forward_eval (sl.norm, sl.conv, params + u->bn_weight, params + u->bn_bias,
                                  running + u->running_mean, running + u->running_var, B, C, HW, u->eps);
  if (u->act == DV_CONV_BN_RELU)
    dv_relu_forward (sl.norm, sl.norm, n);
  else if (u->act == DV_CONV_BN_HARDSWISH)
    dv_hardswish_forward (sl.act, sl.norm, n);
  return sl.act;
}

void
dv_conv_bn_backward (const DvConvBn *u, const float *params, float *grads, float *dinp, const float *dout,
                     const float *inp, const float *acts, int B, float *work)
{
  Slots sl = slots (u, (float *) acts, B);
  DvConv2dShape s;
  dv_conv_bn_shape (u, B, &s);
  const int C = u->out_channels, HW = u->out_h * u->out_w;
  const size_t n = dv_conv_bn_out_size (u, B);
  float *dnorm = work, *dconv = work + n, *conv_work = work + 2 * n;
  const float *g = dout;
  if (u->act != DV_CONV_BN_NONE)
    {
      memset (dnorm, 0, sizeof (float) * n);
      /* ReLU ran in place: its output is positive exactly where its input was. */
      if (u->act == DV_CONV_BN_RELU)
        dv_relu_backward (dnorm, dout, sl.norm, n);
      else
        dv_hardswish_backward (dnorm, dout, sl.norm, n);
      g = dnorm;
    }
  memset (dconv, 0, sizeof (float) * n);
  dv_batch_norm2d_backward (dconv, grads + u->bn_weight, grads + u->bn_bias, g, sl.conv, sl.mean, sl.rstd,
                            params + u->bn_weight, B, C, HW);
  dv_conv2d_backward (dinp, grads + u->weight, NULL, dconv, inp, params + u->weight, &s, conv_work);
}
