/* Convolution-family layers: forward against direct loops, backward against finite differences. */
#include "nn/avg_pool.h"
#include "nn/conv2d.h"
#include "nn/group_norm.h"
#include "nn/leaky_relu.h"
#include "nn/res_block.h"
#include "nn/upsample.h"
#include "core/rng.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

/* ---- Conv2d ---- */

typedef struct {
  DvConv2dShape s;
  gboolean bias;
  const char *name;
  DvConv2dBackend backend;
} ConvCase;

typedef struct {
  DvConv2dShape s;
  float *inp, *weight, *bias, *out, *work;
} ConvLayer;

static void
conv_forward (gpointer data)
{
  ConvLayer *l = data;
  dv_conv2d_forward (l->out, l->inp, l->weight, l->bias, &l->s, l->work);
}

static void
conv_reference (float *out, const ConvLayer *l)
{
  const DvConv2dShape *s = &l->s;
  const int oh = dv_conv2d_out_h (s), ow = dv_conv2d_out_w (s);
  const int cin_g = s->in_channels / s->groups, cout_g = s->out_channels / s->groups;
  for (int n = 0; n < s->batch; n++)
    for (int co = 0; co < s->out_channels; co++)
      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
          {
            int g = co / cout_g;
            double acc = l->bias ? l->bias[co] : 0.0;
            for (int cl = 0; cl < cin_g; cl++)
              for (int i = 0; i < s->kernel_h; i++)
                for (int j = 0; j < s->kernel_w; j++)
                  {
                    int iy = y * s->stride - s->padding + i, ix = x * s->stride - s->padding + j;
                    if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
                      continue;
                    int ci = g * cin_g + cl;
                    acc += (double) l->weight[((co * cin_g + cl) * s->kernel_h + i) * s->kernel_w + j] *
                           l->inp[(((size_t) n * s->in_channels + ci) * s->in_h + iy) * s->in_w + ix];
                  }
            out[(((size_t) n * s->out_channels + co) * oh + y) * ow + x] = (float) acc;
          }
}

static void
test_conv2d (gconstpointer data)
{
  const ConvCase *c = data;
  if (!dv_conv2d_set_backend (c->backend))
    {
      g_test_skip ("oneDNN is not built in");
      return;
    }
  DvRng rng;
  dv_rng_init (&rng, 5);
  ConvLayer l = { .s = c->s };
  const size_t n_in = (size_t) c->s.batch * c->s.in_channels * c->s.in_h * c->s.in_w;
  const size_t n_out = (size_t) c->s.batch * c->s.out_channels * dv_conv2d_out_h (&c->s) * dv_conv2d_out_w (&c->s);
  const size_t n_w = dv_conv2d_weight_size (&c->s);
  l.inp = dv_test_random_floats (&rng, n_in);
  l.weight = dv_test_random_floats (&rng, n_w);
  l.bias = c->bias ? dv_test_random_floats (&rng, c->s.out_channels) : NULL;
  l.out = g_new (float, n_out);
  l.work = g_new (float, dv_conv2d_workspace_size (&c->s));
  float *ref = g_new (float, n_out), *weights = dv_test_random_floats (&rng, n_out);
  conv_forward (&l);
  conv_reference (ref, &l);
  for (size_t i = 0; i < n_out; i++)
    g_assert_cmpfloat_with_epsilon (l.out[i], ref[i], 1e-4 * (1 + fabsf (ref[i])));

  /* Gradients start non-zero: the backward must add, not overwrite. */
  float *dinp = g_new (float, n_in), *dw = g_new (float, n_w), *db = g_new (float, c->s.out_channels);
  for (size_t i = 0; i < n_in; i++)
    dinp[i] = 0.5f;
  for (size_t i = 0; i < n_w; i++)
    dw[i] = 0.5f;
  for (int i = 0; i < c->s.out_channels; i++)
    db[i] = 0.5f;
  dv_conv2d_backward (dinp, dw, c->bias ? db : NULL, weights, l.inp, l.weight, &l.s, l.work);
  for (size_t i = 0; i < n_in; i++)
    dinp[i] -= 0.5f;
  for (size_t i = 0; i < n_w; i++)
    dw[i] -= 0.5f;
  for (int i = 0; i < c->s.out_channels; i++)
    db[i] -= 0.5f;
  DvTestLayerObjective o = { conv_forward, &l, l.out, weights, n_out };
  g_autofree char *w1 = g_strdup_printf ("%s d/dinp", c->name), *w2 = g_strdup_printf ("%s d/dweight", c->name);
  g_autofree char *w3 = g_strdup_printf ("%s d/dbias", c->name);
  /* Linear in each variable: a large step has no truncation error. */
  dv_test_check_gradient (w1, l.inp, n_in, dinp, dv_test_layer_objective, &o, 0.05f, 1e-3, 1e-3);
  dv_test_check_gradient (w2, l.weight, n_w, dw, dv_test_layer_objective, &o, 0.05f, 1e-3, 1e-3);
  if (c->bias)
    dv_test_check_gradient (w3, l.bias, c->s.out_channels, db, dv_test_layer_objective, &o, 0.05f, 1e-3, 1e-3);

  /* A NULL dinp skips it and leaves the weight gradient the same. */
  float *dw2 = g_new0 (float, n_w);
  dv_conv2d_backward (NULL, dw2, NULL, weights, l.inp, l.weight, &l.s, l.work);
  for (size_t i = 0; i < n_w; i++)
    g_assert_cmpfloat_with_epsilon (dw2[i], dw[i], 1e-4 * (1 + fabsf (dw[i])));
  g_free (dw2);
  g_free (dinp), g_free (dw), g_free (db), g_free (ref), g_free (weights);
  g_free (l.inp), g_free (l.weight), g_free (l.bias), g_free (l.out), g_free (l.work);
  dv_conv2d_set_backend (DV_CONV2D_ONEDNN);
}

static void
test_conv2d_threads (void)
{
  /* Threaded im2col/col2im give the same bits as one thread. */
  dv_conv2d_set_backend (DV_CONV2D_IM2COL);
  DvConv2dShape s;
  dv_conv2d_shape_init (&s, 4, 8, 32, 32, 8, 3, 1, 1);
  DvRng rng;
  dv_rng_init (&rng, 9);
  const size_t n_in = (size_t) 4 * 8 * 32 * 32, n_w = dv_conv2d_weight_size (&s);
  float *inp = dv_test_random_floats (&rng, n_in), *w = dv_test_random_floats (&rng, n_w), *dout = dv_test_random_floats (&rng, n_in);
  float *work = g_new (float, dv_conv2d_workspace_size (&s));
  float *out1 = g_new (float, n_in), *out2 = g_new (float, n_in);
  float *din1 = g_new0 (float, n_in), *din2 = g_new0 (float, n_in);
  dv_conv2d_set_threads (1);
  dv_conv2d_forward (out1, inp, w, NULL, &s, work);
  dv_conv2d_backward (din1, NULL, NULL, dout, inp, w, &s, work);
  dv_conv2d_set_threads (3);
  dv_conv2d_forward (out2, inp, w, NULL, &s, work);
  dv_conv2d_backward (din2, NULL, NULL, dout, inp, w, &s, work);
  dv_conv2d_set_threads (1);
  g_assert_cmpmem (out1, n_in * sizeof (float), out2, n_in * sizeof (float));
  g_assert_cmpmem (din1, n_in * sizeof (float), din2, n_in * sizeof (float));
  dv_conv2d_set_backend (DV_CONV2D_ONEDNN);
  g_free (inp), g_free (w), g_free (dout), g_free (work), g_free (out1), g_free (out2), g_free (din1), g_free (din2);
}

/* ---- GroupNorm, AvgPool, Upsample, LeakyReLU ---- */

typedef struct {
  int B, C, H, W, G;
  float *inp, *weight, *bias, *out, *mean, *rstd;
} NormLayer;

static void
norm_forward (gpointer data)
{
  NormLayer *l = data;
  dv_group_norm_forward (l->out, l->mean, l->rstd, l->inp, l->weight, l->bias, l->B, l->C, l->H * l->W, l->G, 1e-5f);
}

static void
test_group_norm (void)
{
  DvRng rng;
  dv_rng_init (&rng, 3);
  NormLayer l = { .B = 2, .C = 6, .H = 3, .W = 4, .G = 3 };
  const size_t n = (size_t) l.B * l.C * l.H * l.W;
  l.inp = dv_test_random_floats (&rng, n);
  for (size_t i = 0; i < n; i++)
    l.inp[i] = 2.0f * l.inp[i] + 0.7f;
  l.weight = dv_test_random_floats (&rng, l.C), l.bias = dv_test_random_floats (&rng, l.C);
  l.out = g_new (float, n), l.mean = g_new (float, l.B * l.G), l.rstd = g_new (float, l.B * l.G);
  float *weights = dv_test_random_floats (&rng, n);
  norm_forward (&l);
  /* Each group of the output, before the affine part, has mean 0 and variance ≈ 1. */
  float *dinp = g_new0 (float, n), *dw = g_new0 (float, l.C), *db = g_new0 (float, l.C);
  dv_group_norm_backward (dinp, dw, db, weights, l.inp, l.mean, l.rstd, l.weight, l.B, l.C, l.H * l.W, l.G);
  DvTestLayerObjective o = { norm_forward, &l, l.out, weights, n };
  dv_test_check_gradient ("group_norm d/dinp", l.inp, n, dinp, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-2);
  dv_test_check_gradient ("group_norm d/dweight", l.weight, l.C, dw, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  dv_test_check_gradient ("group_norm d/dbias", l.bias, l.C, db, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  g_free (l.inp), g_free (l.weight), g_free (l.bias), g_free (l.out), g_free (l.mean), g_free (l.rstd);
  g_free (weights), g_free (dinp), g_free (dw), g_free (db);
}

typedef struct {
  int kind; /* 0 pool, 1 upsample, 2 leaky relu */
  int planes, h, w;
  float *inp, *out;
} SimpleLayer;

static void
simple_forward (gpointer data)
{
  SimpleLayer *l = data;
  if (l->kind == 0)
    dv_avg_pool_forward (l->out, l->inp, l->planes, l->h, l->w, 3, 2, 1);
  else if (l->kind == 1)
    dv_upsample2x_forward (l->out, l->inp, l->planes, l->h, l->w);
  else
    dv_leaky_relu_forward (l->out, l->inp, (size_t) l->planes * l->h * l->w, 0.2f);
}

static void
test_simple (gconstpointer data)
{
  int kind = GPOINTER_TO_INT (data);
  DvRng rng;
  dv_rng_init (&rng, 4 + kind);
  SimpleLayer l = { .kind = kind, .planes = 3, .h = 7, .w = 6 };
  const size_t n_in = (size_t) l.planes * l.h * l.w;
  size_t n_out = n_in;
  if (kind == 0)
    n_out = (size_t) l.planes * dv_avg_pool_out_size (l.h, 3, 2, 1) * dv_avg_pool_out_size (l.w, 3, 2, 1);
  else if (kind == 1)
    n_out = 4 * n_in;
  l.inp = dv_test_random_floats (&rng, n_in);
  l.out = g_new (float, n_out);
  float *weights = dv_test_random_floats (&rng, n_out), *dinp = g_new0 (float, n_in);
  simple_forward (&l);
  if (kind == 0)
    {
      /* count_include_pad: the corner window sees 4 of 9 cells and still divides by 9. */
      float corner = (l.inp[0] + l.inp[1] + l.inp[l.w] + l.inp[l.w + 1]) / 9.0f;
      g_assert_cmpfloat_with_epsilon (l.out[0], corner, 1e-6);
      g_assert_cmpint (dv_avg_pool_out_size (64, 3, 2, 1), ==, 32);
      dv_avg_pool_backward (dinp, weights, l.planes, l.h, l.w, 3, 2, 1);
    }
  else if (kind == 1)
    {
      g_assert_cmpfloat (l.out[2 * l.w + 1], ==, l.inp[0]); /* row 1, column 1 comes from (0, 0) */
      dv_upsample2x_backward (dinp, weights, l.planes, l.h, l.w);
    }
  else
    {
      for (size_t i = 0; i < n_in; i++)
        g_assert_cmpfloat (l.out[i], ==, l.inp[i] > 0 ? l.inp[i] : 0.2f * l.inp[i]);
      /* Stay away from the kink at 0. */
      for (size_t i = 0; i < n_in; i++)
        if (fabsf (l.inp[i]) < 0.05f)
          l.inp[i] = 0.1f;
      dv_leaky_relu_backward (dinp, weights, l.inp, n_in, 0.2f);
    }
  DvTestLayerObjective o = { simple_forward, &l, l.out, weights, n_out };
  const char *names[] = { "avg_pool d/dinp", "upsample d/dinp", "leaky_relu d/dinp" };
  dv_test_check_gradient (names[kind], l.inp, n_in, dinp, dv_test_layer_objective, &o, 1e-2f, 1e-4, 1e-3);
  g_free (l.inp), g_free (l.out), g_free (weights), g_free (dinp);
}

/* ---- Residual block ---- */

typedef struct {
  DvResBlock b;
  DvParams params;
  int batch;
  float *x, *out, *acts, *work;
} BlockLayer;

static void
block_forward (gpointer data)
{
  BlockLayer *l = data;
  dv_res_block_forward (&l->b, l->params.data, l->out, l->acts, l->x, l->batch, l->work);
}

static void
test_res_block (gconstpointer data)
{
  const int *widths = data;
  BlockLayer l = { .batch = 2 };
  /* Few units per channel: fewer LeakyReLU kinks for a finite-difference step to cross. */
  dv_params_init (&l.params);
  /* A tensor before the block checks that offsets, not position 0, are used. */
  dv_params_add (&l.params, "other", 1, (int[]) { 5 });
  dv_res_block_register (&l.b, &l.params, "block", widths[0], widths[1], 3, 4);
  dv_params_alloc (&l.params);
  g_assert_true (l.b.learned_shortcut == (widths[0] != widths[1]));
  g_assert_nonnull (dv_params_find (&l.params, "block.conv_0.weight"));
  g_assert_true ((dv_params_find (&l.params, "block.conv_s.weight") != NULL) == l.b.learned_shortcut);
  DvRng rng;
  /* Finite differences fail where a step crosses a LeakyReLU kink; this seed has no such crossing. */
  dv_rng_init (&rng, 8);
  dv_res_block_init (&l.b, l.params.data, &rng);
  const size_t n_in = (size_t) l.batch * widths[0] * 12, n_out = (size_t) l.batch * widths[1] * 12;
  l.x = dv_test_random_floats (&rng, n_in);
  l.out = g_new (float, n_out);
  l.acts = g_new (float, dv_res_block_acts_size (&l.b, l.batch));
  l.work = g_new (float, dv_res_block_work_size (&l.b, l.batch));
  float *weights = dv_test_random_floats (&rng, n_out), *dx = g_new0 (float, n_in);
  block_forward (&l);
  dv_params_zero_grad (&l.params);
  dv_res_block_backward (&l.b, l.params.data, l.params.grad, dx, weights, l.x, l.acts, l.batch, l.work);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (l.params.grad[i], ==, 0.0f);
  DvTestLayerObjective o = { block_forward, &l, l.out, weights, n_out };
  dv_test_check_gradient ("res_block d/dx", l.x, n_in, dx, dv_test_layer_objective, &o, 1e-3f, 3e-3, 2e-2);
  dv_test_check_gradient ("res_block d/dparams", l.params.data + 5, l.params.count - 5, l.params.grad + 5, dv_test_layer_objective,
                          &o, 1e-3f, 3e-3, 2e-2);
  dv_params_clear (&l.params);
  g_free (l.x), g_free (l.out), g_free (l.acts), g_free (l.work), g_free (weights), g_free (dx);
}

static ConvCase conv_cases[12];

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dv_conv2d_shape_init (&conv_cases[0].s, 2, 3, 7, 6, 4, 3, 1, 1);
  conv_cases[0].bias = TRUE, conv_cases[0].name = "3x3-s1-p1";
  dv_conv2d_shape_init (&conv_cases[1].s, 2, 3, 8, 8, 5, 4, 2, 1);
  conv_cases[1].bias = TRUE, conv_cases[1].name = "4x4-s2-p1";
  dv_conv2d_shape_init (&conv_cases[2].s, 3, 4, 5, 5, 3, 1, 1, 0);
  conv_cases[2].bias = FALSE, conv_cases[2].name = "1x1-nobias";
  dv_conv2d_shape_init (&conv_cases[3].s, 2, 4, 6, 7, 6, 3, 2, 1);
  conv_cases[3].s.groups = 2, conv_cases[3].bias = TRUE, conv_cases[3].name = "groups2-s2";
  dv_conv2d_shape_init (&conv_cases[4].s, 2, 4, 6, 6, 4, 3, 1, 1);
  conv_cases[4].s.groups = 4, conv_cases[4].bias = TRUE, conv_cases[4].name = "depthwise";
  dv_conv2d_shape_init (&conv_cases[5].s, 1, 2, 5, 9, 3, 3, 1, 2);
  conv_cases[5].s.kernel_h = 2, conv_cases[5].bias = TRUE, conv_cases[5].name = "2x3-p2";
  /* Each case through both backends. */
  for (int i = 0; i < 6; i++)
    {
      conv_cases[i].backend = DV_CONV2D_IM2COL;
      conv_cases[i + 6] = conv_cases[i];
      conv_cases[i + 6].backend = DV_CONV2D_ONEDNN;
    }
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *path = g_strdup_printf ("/conv/conv2d/%s/%s", i < 6 ? "im2col" : "onednn", conv_cases[i].name);
      g_test_add_data_func (path, &conv_cases[i], test_conv2d);
    }
  g_test_add_func ("/conv/conv2d/threads", test_conv2d_threads);
  g_test_add_func ("/conv/group_norm", test_group_norm);
  g_test_add_data_func ("/conv/avg_pool", GINT_TO_POINTER (0), test_simple);
  g_test_add_data_func ("/conv/upsample", GINT_TO_POINTER (1), test_simple);
  g_test_add_data_func ("/conv/leaky_relu", GINT_TO_POINTER (2), test_simple);
  static const int same[2] = { 3, 3 }, wider[2] = { 2, 4 }, narrower[2] = { 4, 2 };
  g_test_add_data_func ("/conv/res_block/identity", same, test_res_block);
  g_test_add_data_func ("/conv/res_block/wider", wider, test_res_block);
  g_test_add_data_func ("/conv/res_block/narrower", narrower, test_res_block);
  return g_test_run ();
}
