#include "nn/res_block.h"

#include "nn/conv2d.h"
#include "nn/leaky_relu.h"

#include <string.h>

static void
conv_shapes (const DvResBlock *b, int batch, DvConv2dShape *c0, DvConv2dShape *c1, DvConv2dShape *cs)
{
  dv_conv2d_shape_init (c0, batch, b->in_channels, b->height, b->width, b->hidden, 3, 1, 1);
  dv_conv2d_shape_init (c1, batch, b->hidden, b->height, b->width, b->out_channels, 3, 1, 1);
  dv_conv2d_shape_init (cs, batch, b->in_channels, b->height, b->width, b->out_channels, 1, 1, 0);
}

static size_t
add_conv (DvParams *params, const char *prefix, const char *name, const char *suffix, const DvConv2dShape *s)
{
  g_autofree char *full = g_strdup_printf ("%s.%s.%s", prefix, name, suffix);
  if (strcmp (suffix, "bias") == 0)
    return dv_params_add (params, full, 1, (int[]) { s->out_channels });
  int shape[4] = { s->out_channels, s->in_channels / s->groups, s->kernel_h, s->kernel_w };
  return dv_params_add (params, full, 4, shape);
}

void
dv_res_block_register (DvResBlock *b, DvParams *params, const char *prefix, int in_channels, int out_channels,
                       int height, int width)
{
  DV_CHECK (in_channels > 0 && out_channels > 0 && height > 0 && width > 0, "dv_res_block_register(%s): bad sizes",
            prefix);
  memset (b, 0, sizeof *b);
  b->in_channels = in_channels;
  b->out_channels = out_channels;
  b->hidden = MIN (in_channels, out_channels);
  b->height = height;
  b->width = width;
  b->learned_shortcut = in_channels != out_channels;
  DvConv2dShape c0, c1, cs;
  conv_shapes (b, 1, &c0, &c1, &cs);
  b->conv0_weight = add_conv (params, prefix, "conv_0", "weight", &c0);
  b->conv0_bias = add_conv (params, prefix, "conv_0", "bias", &c0);
  b->conv1_weight = add_conv (params, prefix, "conv_1", "weight", &c1);
  b->conv1_bias = add_conv (params, prefix, "conv_1", "bias", &c1);
  if (b->learned_shortcut)
    b->shortcut_weight = add_conv (params, prefix, "conv_s", "weight", &cs);
}

void
dv_res_block_init (const DvResBlock *b, float *params, DvRng *rng)
{
  DvConv2dShape c0, c1, cs;
  conv_shapes (b, 1, &c0, &c1, &cs);
  dv_conv2d_init (params + b->conv0_weight, params + b->conv0_bias, &c0, rng);
  dv_conv2d_init (params + b->conv1_weight, params + b->conv1_bias, &c1, rng);
  if (b->learned_shortcut)
    dv_conv2d_init (params + b->shortcut_weight, NULL, &cs, rng);
}

size_t
dv_res_block_acts_size (const DvResBlock *b, int batch)
{
  size_t hw = (size_t) batch * b->height * b->width;
  return hw * (b->in_channels + 2 * (size_t) b->hidden);
}

static size_t
conv_work (const DvResBlock *b, int batch)
{
  DvConv2dShape c0, c1, cs;
  conv_shapes (b, batch, &c0, &c1, &cs);
  size_t w = MAX (dv_conv2d_workspace_size (&c0), dv_conv2d_workspace_size (&c1));
  return b->learned_shortcut ? MAX (w, dv_conv2d_workspace_size (&cs)) : w;
}

size_t
dv_res_block_work_size (const DvResBlock *b, int batch)
{
  size_t hw = (size_t) batch * b->height * b->width;
  /* Backward temporaries: ∂/∂(lrelu(h0)), then ∂/∂(lrelu(x)) or 0.1·dout, then the convolutions' scratch. */
  return hw * ((size_t) b->hidden + MAX (b->in_channels, b->out_channels)) + conv_work (b, batch);
}

void
dv_res_block_forward (const DvResBlock *b, const float *params, float *out, float *acts, const float *x, int batch,
                      float *work)
{
  DvConv2dShape c0, c1, cs;
  conv_shapes (b, batch, &c0, &c1, &cs);
  const size_t hw = (size_t) batch * b->height * b->width;
  const size_t n_in = hw * b->in_channels, n_hid = hw * b->hidden, n_out = hw * b->out_channels;
  float *a0 = acts, *h0 = a0 + n_in, *a1 = h0 + n_hid;
  float *conv_ws = work + n_hid + MAX (n_in, n_out);
  dv_leaky_relu_forward (a0, x, n_in, DV_RES_BLOCK_SLOPE);
  dv_conv2d_forward (h0, a0, params + b->conv0_weight, params + b->conv0_bias, &c0, conv_ws);
  dv_leaky_relu_forward (a1, h0, n_hid, DV_RES_BLOCK_SLOPE);
  /* out = 0.1·conv_1(a1) + shortcut: the conv writes first, the shortcut adds. */
  dv_conv2d_forward (out, a1, params + b->conv1_weight, params + b->conv1_bias, &c1, conv_ws);
  for (size_t i = 0; i < n_out; i++)
    out[i] *= DV_RES_BLOCK_RESIDUAL_SCALE;
  if (b->learned_shortcut)
    {
      /* The shortcut's output goes through the temporaries area, free during the forward. */
      float *xs = work;
      dv_conv2d_forward (xs, x, params + b->shortcut_weight, NULL, &cs, conv_ws);
      for (size_t i = 0; i < n_out; i++)
        out[i] += xs[i];
    }
  else
    for (size_t i = 0; i < n_out; i++)
      out[i] += x[i];
}

void
dv_res_block_backward (const DvResBlock *b, const float *params, float *grads, float *dx, const float *dout,
                       const float *x, const float *acts, int batch, float *work)
{
  DvConv2dShape c0, c1, cs;
  conv_shapes (b, batch, &c0, &c1, &cs);
  const size_t hw = (size_t) batch * b->height * b->width;
  const size_t n_in = hw * b->in_channels, n_hid = hw * b->hidden, n_out = hw * b->out_channels;
  const float *a0 = acts, *h0 = a0 + n_in, *a1 = h0 + n_hid;
  float *da1 = work, *da0 = work + n_hid, *conv_ws = work + n_hid + MAX (n_in, n_out);
  if (b->learned_shortcut)
    dv_conv2d_backward (dx, grads + b->shortcut_weight, NULL, dout, x, params + b->shortcut_weight, &cs, conv_ws);
  else if (dx)
    for (size_t i = 0; i < n_out; i++)
      dx[i] += dout[i];
  /* The residual branch sees 0.1·dout, kept in da0's space until conv_0's backward needs it. */
  float *tmp = da0;
  for (size_t i = 0; i < n_out; i++)
    tmp[i] = DV_RES_BLOCK_RESIDUAL_SCALE * dout[i];
  memset (da1, 0, sizeof (float) * n_hid);
  dv_conv2d_backward (da1, grads + b->conv1_weight, grads + b->conv1_bias, tmp, a1, params + b->conv1_weight, &c1,
                      conv_ws);
  /* da1 → ∂L/∂h0 in place. */
  for (size_t i = 0; i < n_hid; i++)
    da1[i] = h0[i] > 0.0f ? da1[i] : DV_RES_BLOCK_SLOPE * da1[i];
  if (dx)
    memset (da0, 0, sizeof (float) * n_in);
  dv_conv2d_backward (dx ? da0 : NULL, grads + b->conv0_weight, grads + b->conv0_bias, da1, a0,
                      params + b->conv0_weight, &c0, conv_ws);
  if (dx)
    dv_leaky_relu_backward (dx, da0, x, n_in, DV_RES_BLOCK_SLOPE);
}
