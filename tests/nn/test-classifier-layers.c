/* The classifiers' layers (BatchNorm2d, MaxPool2d, global average pooling,
 * Dropout, ReLU6, hard sigmoid, squeeze-excite): forward against direct
 * definitions, backward against finite differences. */
#include "nn/batch_norm2d.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/global_avg_pool.h"
#include "nn/hard_sigmoid.h"
#include "nn/max_pool2d.h"
#include "nn/relu6.h"
#include "nn/squeeze_excite.h"
#include "core/rng.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

/* ---- BatchNorm2d ---- */

typedef struct {
  int B, C, HW;
  float eps, momentum;
  gboolean eval;
  float *inp, *weight, *bias, *out, *mean, *rstd, *rmean, *rvar;
} BnLayer;

static void
bn_forward (gpointer data)
{
  BnLayer *l = data;
  if (l->eval)
    dv_batch_norm2d_forward_eval (l->out, l->inp, l->weight, l->bias, l->rmean, l->rvar, l->B, l->C, l->HW, l->eps);
  else
    dv_batch_norm2d_forward_train (l->out, l->mean, l->rstd, NULL, NULL, l->inp, l->weight, l->bias, l->B, l->C,
                                   l->HW, l->eps, l->momentum);
}

static void
test_batch_norm (gconstpointer data)
{
  const float *settings = data; /* eps, momentum */
  DvRng rng;
  dv_rng_init (&rng, 11);
  BnLayer l = { .B = 3, .C = 4, .HW = 5, .eps = settings[0], .momentum = settings[1] };
  const size_t n = (size_t) l.B * l.C * l.HW, per = (size_t) l.B * l.HW;
  l.inp = dv_test_random_floats (&rng, n);
  for (size_t i = 0; i < n; i++)
    l.inp[i] = 1.5f * l.inp[i] + 0.4f * (i / l.HW % l.C);
  l.weight = dv_test_random_floats (&rng, l.C), l.bias = dv_test_random_floats (&rng, l.C);
  l.out = g_new (float, n), l.mean = g_new (float, l.C), l.rstd = g_new (float, l.C);
  l.rmean = g_new (float, l.C), l.rvar = g_new (float, l.C);
  for (int c = 0; c < l.C; c++)
    l.rmean[c] = 0.1f * c, l.rvar[c] = 0.5f + c;
  float *rmean0 = g_memdup2 (l.rmean, sizeof (float) * l.C), *rvar0 = g_memdup2 (l.rvar, sizeof (float) * l.C);
  dv_batch_norm2d_forward_train (l.out, l.mean, l.rstd, l.rmean, l.rvar, l.inp, l.weight, l.bias, l.B, l.C, l.HW,
                                 l.eps, l.momentum);
  /* Against the definitions in double: biased variance to normalise, unbiased for the running one. */
  for (int c = 0; c < l.C; c++)
    {
      double s = 0, ss = 0;
      for (int b = 0; b < l.B; b++)
        for (int i = 0; i < l.HW; i++)
          s += l.inp[((size_t) b * l.C + c) * l.HW + i];
      double m = s / per;
      for (int b = 0; b < l.B; b++)
        for (int i = 0; i < l.HW; i++)
          ss += pow (l.inp[((size_t) b * l.C + c) * l.HW + i] - m, 2);
      double var = ss / per, unbiased = ss / (per - 1);
      g_assert_cmpfloat_with_epsilon (l.rmean[c], (1 - l.momentum) * rmean0[c] + l.momentum * m, 1e-6);
      g_assert_cmpfloat_with_epsilon (l.rvar[c], (1 - l.momentum) * rvar0[c] + l.momentum * unbiased, 1e-5);
      for (int b = 0; b < l.B; b++)
        for (int i = 0; i < l.HW; i++)
          {
            size_t k = ((size_t) b * l.C + c) * l.HW + i;
            double want = (l.inp[k] - m) / sqrt (var + l.eps) * l.weight[c] + l.bias[c];
            g_assert_cmpfloat_with_epsilon (l.out[k], want, 1e-5 * (1 + fabs (want)));
          }
    }
  float *weights = dv_test_random_floats (&rng, n);
  float *dinp = g_new0 (float, n), *dw = g_new0 (float, l.C), *db = g_new0 (float, l.C);
  dv_batch_norm2d_backward (dinp, dw, db, weights, l.inp, l.mean, l.rstd, l.weight, l.B, l.C, l.HW);
  DvTestLayerObjective o = { bn_forward, &l, l.out, weights, n };
  dv_test_check_gradient ("batch_norm2d train d/dinp", l.inp, n, dinp, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-2);
  dv_test_check_gradient ("batch_norm2d train d/dweight", l.weight, l.C, dw, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  dv_test_check_gradient ("batch_norm2d train d/dbias", l.bias, l.C, db, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  /* NULL dinp leaves the weight gradients the same. */
  float *dw2 = g_new0 (float, l.C);
  dv_batch_norm2d_backward (NULL, dw2, NULL, weights, l.inp, l.mean, l.rstd, l.weight, l.B, l.C, l.HW);
  for (int c = 0; c < l.C; c++)
    g_assert_cmpfloat (dw2[c], ==, dw[c]);

  /* Eval mode: the running statistics, and the gradient of that affine map. */
  l.eval = TRUE;
  bn_forward (&l);
  for (size_t k = 0; k < n; k++)
    {
      int c = k / l.HW % l.C;
      double want = (l.inp[k] - l.rmean[c]) / sqrt (l.rvar[c] + l.eps) * l.weight[c] + l.bias[c];
      g_assert_cmpfloat_with_epsilon (l.out[k], want, 1e-5 * (1 + fabs (want)));
    }
  memset (dinp, 0, sizeof (float) * n), memset (dw, 0, sizeof (float) * l.C), memset (db, 0, sizeof (float) * l.C);
  dv_batch_norm2d_backward_eval (dinp, dw, db, weights, l.inp, l.weight, l.rmean, l.rvar, l.B, l.C, l.HW, l.eps);
  dv_test_check_gradient ("batch_norm2d eval d/dinp", l.inp, n, dinp, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  dv_test_check_gradient ("batch_norm2d eval d/dweight", l.weight, l.C, dw, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  dv_test_check_gradient ("batch_norm2d eval d/dbias", l.bias, l.C, db, dv_test_layer_objective, &o, 1e-2f, 1e-3, 1e-3);
  g_free (l.inp), g_free (l.weight), g_free (l.bias), g_free (l.out), g_free (l.mean), g_free (l.rstd);
  g_free (l.rmean), g_free (l.rvar), g_free (rmean0), g_free (rvar0), g_free (weights), g_free (dinp), g_free (dw);
  g_free (db), g_free (dw2);
}

static void
test_batch_norm_params (void)
{
  DvParams params, running;
  dv_params_init (&params), dv_params_init (&running);
  size_t w, b, m, v;
  dv_batch_norm2d_add_params (&params, &running, "bn1", 6, &w, &b, &m, &v);
  dv_params_alloc (&params), dv_params_alloc (&running);
  g_assert_nonnull (dv_params_find (&params, "bn1.weight"));
  g_assert_nonnull (dv_params_find (&params, "bn1.bias"));
  g_assert_nonnull (dv_params_find (&running, "bn1.running_mean"));
  g_assert_nonnull (dv_params_find (&running, "bn1.running_var"));
  g_assert_null (dv_params_find (&params, "bn1.running_mean"));
  dv_batch_norm2d_init_params (params.data + w, params.data + b, running.data + m, running.data + v, 6);
  g_assert_cmpfloat (params.data[w + 5], ==, 1.0f);
  g_assert_cmpfloat (params.data[b + 5], ==, 0.0f);
  g_assert_cmpfloat (running.data[m + 5], ==, 0.0f);
  g_assert_cmpfloat (running.data[v + 5], ==, 1.0f);
  dv_params_clear (&params), dv_params_clear (&running);
}

/* ---- Pooling, dropout, activations ---- */

typedef struct {
  int kind; /* 0 max pool 3/2/1, 1 max pool 2/2/0, 2 global average pool, 3 relu6, 4 hard sigmoid, 5 dropout */
  int planes, h, w;
  float *inp, *out, *mask;
  int *argmax;
} SimpleLayer;

static const int pool_settings[2][3] = { { 3, 2, 1 }, { 2, 2, 0 } };

static void
simple_forward (gpointer data)
{
  SimpleLayer *l = data;
  const size_t n = (size_t) l->planes * l->h * l->w;
  if (l->kind <= 1)
    {
      const int *k = pool_settings[l->kind];
      dv_max_pool2d_forward (l->out, l->argmax, l->inp, l->planes, l->h, l->w, k[0], k[1], k[2]);
    }
  else if (l->kind == 2)
    dv_global_avg_pool_forward (l->out, l->inp, l->planes, (size_t) l->h * l->w);
  else if (l->kind == 3)
    dv_relu6_forward (l->out, l->inp, n);
  else if (l->kind == 4)
    dv_hard_sigmoid_forward (l->out, l->inp, n);
  else
    for (size_t i = 0; i < n; i++) /* the mask drawn once, held fixed */
      l->out[i] = l->inp[i] * l->mask[i];
}

static void
test_simple (gconstpointer data)
{
  const int kind = GPOINTER_TO_INT (data);
  DvRng rng;
  dv_rng_init (&rng, 20 + kind);
  SimpleLayer l = { .kind = kind, .planes = 3, .h = 7, .w = 6 };
  const size_t n_in = (size_t) l.planes * l.h * l.w;
  size_t n_out = n_in;
  if (kind <= 1)
    {
      const int *k = pool_settings[kind];
      n_out = (size_t) l.planes * dv_max_pool2d_out_size (l.h, k[0], k[1], k[2]) *
              dv_max_pool2d_out_size (l.w, k[0], k[1], k[2]);
    }
  else if (kind == 2)
    n_out = l.planes;
  l.inp = dv_test_random_floats (&rng, n_in);
  if (kind <= 1)
    {
      /* Distinct values 0.1 apart: no finite-difference step changes a window's winner. */
      guint32 *perm = g_new (guint32, n_in);
      dv_rng_permutation (&rng, perm, n_in);
      for (size_t i = 0; i < n_in; i++)
        l.inp[i] = 0.1f * perm[i] - 5.0f;
      g_free (perm);
    }
  for (size_t i = 0; i < n_in; i++)
    l.inp[i] *= kind == 3 ? 4.0f : (kind == 4 ? 3.0f : 1.0f);
  if (kind == 3)
    l.inp[0] = 7.0f, l.inp[1] = -1.0f, l.inp[2] = 6.0f, l.inp[3] = 0.0f;
  l.out = g_new (float, n_out);
  l.argmax = g_new (int, n_out);
  l.mask = g_new (float, n_in);
  float *weights = dv_test_random_floats (&rng, n_out), *dinp = g_new0 (float, n_in);
  if (kind == 5)
    {
      /* The mask: 0 or 1/(1 − p), about p of the values dropped, reproducible from the seed. */
      const size_t N = 20000;
      float *x = g_new (float, N), *y = g_new (float, N), *mask = g_new (float, N), *mask2 = g_new (float, N);
      for (size_t i = 0; i < N; i++)
        x[i] = 1.0f;
      DvRng r;
      dv_rng_init (&r, 5);
      dv_dropout_forward (y, mask, x, N, 0.2f, &r);
      size_t dropped = 0;
      for (size_t i = 0; i < N; i++)
        {
          g_assert_true (mask[i] == 0.0f || mask[i] == 1.25f);
          g_assert_cmpfloat (y[i], ==, mask[i]);
          dropped += mask[i] == 0.0f;
        }
      g_assert_cmpfloat (fabs ((double) dropped / N - 0.2), <, 0.015);
      dv_rng_init (&r, 5);
      dv_dropout_forward (y, mask2, x, N, 0.2f, &r);
      g_assert_cmpmem (mask, N * sizeof (float), mask2, N * sizeof (float));
      dv_dropout_forward (y, mask2, x, N, 0.0f, &r);
      for (size_t i = 0; i < N; i++)
        g_assert_cmpfloat (mask2[i], ==, 1.0f);
      g_free (x), g_free (y), g_free (mask), g_free (mask2);
      dv_dropout_forward (l.out, l.mask, l.inp, n_in, 0.5f, &rng);
      dv_dropout_backward (dinp, weights, l.mask, n_in);
    }
  simple_forward (&l);
  if (kind <= 1)
    {
      /* Against a direct maximum over each window (the padding never wins). */
      const int *k = pool_settings[kind];
      const int oh = dv_max_pool2d_out_size (l.h, k[0], k[1], k[2]), ow = dv_max_pool2d_out_size (l.w, k[0], k[1], k[2]);
      for (int p = 0; p < l.planes; p++)
        for (int oy = 0; oy < oh; oy++)
          for (int ox = 0; ox < ow; ox++)
            {
              float best = -INFINITY;
              for (int y = oy * k[1] - k[2]; y < oy * k[1] - k[2] + k[0]; y++)
                for (int x = ox * k[1] - k[2]; x < ox * k[1] - k[2] + k[0]; x++)
                  if (y >= 0 && y < l.h && x >= 0 && x < l.w)
                    best = fmaxf (best, l.inp[((size_t) p * l.h + y) * l.w + x]);
              g_assert_cmpfloat (l.out[((size_t) p * oh + oy) * ow + ox], ==, best);
            }
      g_assert_cmpint (dv_max_pool2d_out_size (64, 3, 2, 1), ==, 32);
      dv_max_pool2d_backward (dinp, weights, l.argmax, l.planes, l.h, l.w, k[0], k[1], k[2]);
    }
  else if (kind == 2)
    {
      double s = 0;
      for (int i = 0; i < l.h * l.w; i++)
        s += l.inp[i];
      g_assert_cmpfloat_with_epsilon (l.out[0], s / (l.h * l.w), 1e-6);
      dv_global_avg_pool_backward (dinp, weights, l.planes, (size_t) l.h * l.w);
    }
  else if (kind == 3 || kind == 4)
    {
      for (size_t i = 0; i < n_in; i++)
        {
          float want = kind == 3 ? fminf (fmaxf (l.inp[i], 0), 6) : fminf (fmaxf (l.inp[i] + 3, 0), 6) / 6;
          g_assert_cmpfloat_with_epsilon (l.out[i], want, 1e-7);
        }
      /* PyTorch's derivative at the kinks is 0 (relu6 at 0 and 6). */
      float dk[4] = { 0 };
      dv_relu6_backward (dk, (float[]) { 1, 1, 1, 1 }, (float[]) { 0.0f, 6.0f, 3.0f, -1.0f }, 4);
      g_assert_cmpfloat (dk[0], ==, 0.0f);
      g_assert_cmpfloat (dk[1], ==, 0.0f);
      g_assert_cmpfloat (dk[2], ==, 1.0f);
      memset (dk, 0, sizeof dk);
      dv_hard_sigmoid_backward (dk, (float[]) { 1, 1, 1, 1 }, (float[]) { -3.0f, 3.0f, 0.0f, 4.0f }, 4);
      g_assert_cmpfloat (dk[0], ==, 0.0f);
      g_assert_cmpfloat (dk[1], ==, 0.0f);
      g_assert_cmpfloat_with_epsilon (dk[2], 1.0f / 6, 1e-7);
      g_assert_cmpfloat (dk[3], ==, 0.0f);
      /* Finite differences away from the kinks. */
      const float k0 = kind == 3 ? 0.0f : -3.0f, k1 = kind == 3 ? 6.0f : 3.0f;
      for (size_t i = 0; i < n_in; i++)
        if (fabsf (l.inp[i] - k0) < 0.05f || fabsf (l.inp[i] - k1) < 0.05f)
          l.inp[i] += 0.2f;
      simple_forward (&l);
      if (kind == 3)
        dv_relu6_backward (dinp, weights, l.inp, n_in);
      else
        dv_hard_sigmoid_backward (dinp, weights, l.inp, n_in);
    }
  DvTestLayerObjective o = { simple_forward, &l, l.out, weights, n_out };
  const char *names[] = { "max_pool2d 3/2/1 d/dinp", "max_pool2d 2/2/0 d/dinp", "global_avg_pool d/dinp",
                          "relu6 d/dinp", "hard_sigmoid d/dinp", "dropout d/dinp" };
  dv_test_check_gradient (names[kind], l.inp, n_in, dinp, dv_test_layer_objective, &o, 1e-2f, 1e-4, 1e-3);
  g_free (l.inp), g_free (l.out), g_free (l.argmax), g_free (l.mask), g_free (weights), g_free (dinp);
}

/* ---- Squeeze-excite ---- */

typedef struct {
  DvSqueezeExcite se;
  DvParams params;
  int batch;
  float *x, *out, *acts;
} SeLayer;

static void
se_forward (gpointer data)
{
  SeLayer *l = data;
  dv_squeeze_excite_forward (&l->se, l->params.data, l->out, l->acts, l->x, l->batch);
}

static void
test_squeeze_excite (void)
{
  SeLayer l = { .batch = 2 };
  dv_params_init (&l.params);
  dv_params_add (&l.params, "other", 1, (int[]) { 3 });
  dv_squeeze_excite_register (&l.se, &l.params, "se", 6, 3, 5);
  dv_params_alloc (&l.params);
  g_assert_nonnull (dv_params_find (&l.params, "se.fc1.weight"));
  g_assert_cmpint (dv_params_find (&l.params, "se.fc2.weight")->shape[0], ==, 6);
  DvRng rng;
  dv_rng_init (&rng, 31);
  dv_rng_fill_normal (&rng, l.params.data, l.params.count);
  const size_t n = (size_t) l.batch * 6 * 5;
  l.x = dv_test_random_floats (&rng, n);
  l.out = g_new (float, n);
  l.acts = g_new (float, dv_squeeze_excite_acts_size (&l.se, l.batch));
  float *work = g_new (float, dv_squeeze_excite_work_size (&l.se, l.batch));
  float *weights = dv_test_random_floats (&rng, n), *dx = g_new0 (float, n);
  se_forward (&l);
  /* out = x · hard_sigmoid(fc2(relu(fc1(mean x)))), by hand for image 1, channel 4. */
  {
    const float *p = l.params.data;
    const DvSqueezeExcite *se = &l.se;
    double pooled[6], hidden[3];
    for (int c = 0; c < 6; c++)
      {
        pooled[c] = 0;
        for (int i = 0; i < 5; i++)
          pooled[c] += l.x[(6 + c) * 5 + i] / 5.0;
      }
    for (int s = 0; s < 3; s++)
      {
        hidden[s] = p[se->fc1_bias + s];
        for (int c = 0; c < 6; c++)
          hidden[s] += p[se->fc1_weight + s * 6 + c] * pooled[c];
        hidden[s] = fmax (hidden[s], 0);
      }
    double g = p[se->fc2_bias + 4];
    for (int s = 0; s < 3; s++)
      g += p[se->fc2_weight + 4 * 3 + s] * hidden[s];
    g = fmin (fmax (g + 3, 0), 6) / 6;
    for (int i = 0; i < 5; i++)
      g_assert_cmpfloat_with_epsilon (l.out[(6 + 4) * 5 + i], l.x[(6 + 4) * 5 + i] * g, 1e-5);
  }
  dv_params_zero_grad (&l.params);
  dv_squeeze_excite_backward (&l.se, l.params.data, l.params.grad, dx, weights, l.x, l.acts, l.batch, work);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (l.params.grad[i], ==, 0.0f);
  DvTestLayerObjective o = { se_forward, &l, l.out, weights, n };
  dv_test_check_gradient ("squeeze_excite d/dx", l.x, n, dx, dv_test_layer_objective, &o, 1e-3f, 1e-3, 1e-2);
  dv_test_check_gradient ("squeeze_excite d/dparams", l.params.data + 3, l.params.count - 3, l.params.grad + 3,
                          dv_test_layer_objective, &o, 1e-3f, 1e-3, 1e-2);
  dv_params_clear (&l.params);
  g_free (l.x), g_free (l.out), g_free (l.acts), g_free (work), g_free (weights), g_free (dx);
}

/* ---- Depthwise convolution (groups = channels, 5×5 stride 2 as in MobileNetV3): both backends agree ---- */

static void
test_depthwise (void)
{
  DvConv2dShape s;
  dv_conv2d_shape_init (&s, 8, 72, 16, 16, 72, 5, 2, 2);
  s.groups = 72;
  DvRng rng;
  dv_rng_init (&rng, 41);
  const size_t n_in = (size_t) 8 * 72 * 16 * 16, n_out = (size_t) 8 * 72 * 8 * 8, n_w = dv_conv2d_weight_size (&s);
  g_assert_cmpuint (n_w, ==, 72 * 25);
  float *inp = dv_test_random_floats (&rng, n_in), *w = dv_test_random_floats (&rng, n_w), *dout = dv_test_random_floats (&rng, n_out);
  float *work = g_new (float, dv_conv2d_workspace_size (&s));
  float *out[2], *din[2], *dw[2];
  for (int b = 0; b < 2; b++)
    {
      if (!dv_conv2d_set_backend (b == 0 ? DV_CONV2D_IM2COL : DV_CONV2D_ONEDNN))
        {
          g_test_skip ("oneDNN is not built in");
          break;
        }
      out[b] = g_new (float, n_out), din[b] = g_new0 (float, n_in), dw[b] = g_new0 (float, n_w);
      dv_conv2d_forward (out[b], inp, w, NULL, &s, work);
      dv_conv2d_backward (din[b], dw[b], NULL, dout, inp, w, &s, work);
      if (b == 1)
        {
          for (size_t i = 0; i < n_out; i++)
            g_assert_cmpfloat_with_epsilon (out[1][i], out[0][i], 1e-4 * (1 + fabsf (out[0][i])));
          for (size_t i = 0; i < n_in; i++)
            g_assert_cmpfloat_with_epsilon (din[1][i], din[0][i], 1e-4 * (1 + fabsf (din[0][i])));
          for (size_t i = 0; i < n_w; i++)
            g_assert_cmpfloat_with_epsilon (dw[1][i], dw[0][i], 1e-3 * (1 + fabsf (dw[0][i])));
          g_free (out[1]), g_free (din[1]), g_free (dw[1]);
        }
    }
  g_free (out[0]), g_free (din[0]), g_free (dw[0]);
  dv_conv2d_set_backend (DV_CONV2D_ONEDNN);
  g_free (inp), g_free (w), g_free (dout), g_free (work);
}

static const float resnet_bn[2] = { 1e-5f, 0.1f }, mobilenet_bn[2] = { 1e-3f, 0.01f };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/nn/batch_norm2d/resnet", resnet_bn, test_batch_norm);
  g_test_add_data_func ("/nn/batch_norm2d/mobilenet", mobilenet_bn, test_batch_norm);
  g_test_add_func ("/nn/batch_norm2d/params", test_batch_norm_params);
  g_test_add_data_func ("/nn/max_pool2d/3-2-1", GINT_TO_POINTER (0), test_simple);
  g_test_add_data_func ("/nn/max_pool2d/2-2-0", GINT_TO_POINTER (1), test_simple);
  g_test_add_data_func ("/nn/global_avg_pool", GINT_TO_POINTER (2), test_simple);
  g_test_add_data_func ("/nn/relu6", GINT_TO_POINTER (3), test_simple);
  g_test_add_data_func ("/nn/hard_sigmoid", GINT_TO_POINTER (4), test_simple);
  g_test_add_data_func ("/nn/dropout", GINT_TO_POINTER (5), test_simple);
  g_test_add_func ("/nn/squeeze_excite", test_squeeze_excite);
  g_test_add_func ("/nn/conv2d/depthwise-5x5-s2", test_depthwise);
  return g_test_run ();
}
