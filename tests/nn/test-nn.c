/* Layers and losses: every backward against central finite differences of its
 * forward (w.r.t. inputs and parameters), forwards against double-precision
 * formulas, and the Linear layer against a naive loop at odd batch sizes. */
#include "nn/bce_logits.h"
#include "nn/gelu.h"
#include "nn/hardswish.h"
#include "nn/l1.h"
#include "nn/leaky_relu.h"
#include "nn/linear.h"
#include "nn/mse.h"
#include "nn/relu.h"
#include "nn/sigmoid.h"
#include "nn/silu.h"
#include "nn/softmax_xent.h"
#include "core/params.h"
#include "core/rng.h"
#include "nn/sinusoidal.h"
#include "core/common.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

/* Uniform in [lo, hi) but at least `margin` away from every kink. */
static void
fill_away_from_kinks (DvRng *rng, float *x, size_t n, float lo, float hi, const float *kinks, int n_kinks,
                      float margin)
{
  for (size_t i = 0; i < n; i++)
    {
      gboolean ok;
      do
        {
          x[i] = dv_rng_uniform_range (rng, lo, hi);
          ok = TRUE;
          for (int k = 0; k < n_kinks; k++)
            if (fabsf (x[i] - kinks[k]) < margin)
              ok = FALSE;
        }
      while (!ok);
    }
}

/* ---- Linear ---- */

/* One layer's slices of a DvParams. */
typedef struct {
  int in_features, out_features;
  size_t weight_offset, bias_offset;
  float *weight, *bias, *weight_grad, *bias_grad;
} TestLinear;

static void
test_linear_register (TestLinear *l, DvParams *params, const char *prefix, int in_features, int out_features)
{
  l->in_features = in_features;
  l->out_features = out_features;
  dv_linear_add_params (params, prefix, in_features, out_features, &l->weight_offset, &l->bias_offset);
}

static void
test_linear_bind_init (TestLinear *l, DvParams *params, DvRng *rng)
{
  l->weight = params->data + l->weight_offset;
  l->bias = params->data + l->bias_offset;
  l->weight_grad = params->grad + l->weight_offset;
  l->bias_grad = params->grad + l->bias_offset;
  dv_linear_init_params (l->weight, l->bias, l->in_features, l->out_features, rng);
}

static void
test_linear_forward (const TestLinear *l, float *out, const float *in, int batch)
{
  dv_linear_forward (out, in, l->weight, l->bias, batch, l->in_features, l->out_features);
}

static void
test_linear_backward (const TestLinear *l, float *din, const float *dout, const float *in, int batch)
{
  dv_linear_backward (din, l->weight_grad, l->bias_grad, dout, in, l->weight, batch, l->in_features,
                      l->out_features);
}

typedef struct {
  TestLinear *layer;
  float *in, *out, *weights;
  int batch;
} LinearCtx;

static double
linear_objective (gpointer p)
{
  LinearCtx *c = p;
  test_linear_forward (c->layer, c->out, c->in, c->batch);
  return dv_test_weighted_sum (c->out, c->weights, (size_t) c->batch * c->layer->out_features);
}

static void
test_linear_gradients (void)
{
  const int batch = 3, n_in = 5, n_out = 4;
  DvParams params;
  dv_params_init (&params);
  TestLinear first, layer;
  /* A second layer after another one checks that offsets, not position 0, are used. */
  test_linear_register (&first, &params, "first", 2, 3);
  test_linear_register (&layer, &params, "layer", n_in, n_out);
  dv_params_alloc (&params);
  DvRng rng;
  dv_rng_init (&rng, 11);
  test_linear_bind_init (&first, &params, &rng);
  test_linear_bind_init (&layer, &params, &rng);

  float *in = dv_alloc_floats ((size_t) batch * n_in);
  float *out = dv_alloc_floats ((size_t) batch * n_out);
  float *dout = dv_alloc_floats ((size_t) batch * n_out);
  float *din = dv_alloc_floats ((size_t) batch * n_in);
  dv_rng_fill_normal (&rng, in, (size_t) batch * n_in);
  dv_rng_fill_normal (&rng, dout, (size_t) batch * n_out);

  dv_params_zero_grad (&params);
  test_linear_forward (&layer, out, in, batch);
  test_linear_backward (&layer, din, dout, in, batch);
  /* The other layer's gradients stay untouched. */
  for (int i = 0; i < 2 * 3; i++)
    g_assert_cmpfloat (first.weight_grad[i], ==, 0.0f);

  LinearCtx ctx = { &layer, in, out, dout, batch };
  /* The output is linear in each variable: a large step has no truncation error. */
  dv_test_check_gradient ("linear d/din", in, (size_t) batch * n_in, din, linear_objective, &ctx, 0.05f, 1e-4, 1e-3);
  dv_test_check_gradient ("linear d/dweight", layer.weight, (size_t) n_out * n_in, layer.weight_grad, linear_objective,
                  &ctx, 0.05f, 1e-4, 1e-3);
  dv_test_check_gradient ("linear d/dbias", layer.bias, (size_t) n_out, layer.bias_grad, linear_objective, &ctx, 0.05f,
                  1e-4, 1e-3);

  dv_free_floats (in);
  dv_free_floats (out);
  dv_free_floats (dout);
  dv_free_floats (din);
  dv_params_clear (&params);
}

static void
test_linear_matches_naive (void)
{
  static const int batches[] = { 1, 3, 257 };
  const int n_in = 33, n_out = 17;
  DvRng rng;
  dv_rng_init (&rng, 5);
  for (guint t = 0; t < G_N_ELEMENTS (batches); t++)
    {
      const int batch = batches[t];
      DvParams params;
      dv_params_init (&params);
      TestLinear l;
      test_linear_register (&l, &params, "fc", n_in, n_out);
      dv_params_alloc (&params);
      test_linear_bind_init (&l, &params, &rng);
      g_assert_nonnull (dv_params_find (&params, "fc.weight"));
      g_assert_nonnull (dv_params_find (&params, "fc.bias"));

      float *in = dv_alloc_floats ((size_t) batch * n_in);
      float *out = dv_alloc_floats ((size_t) batch * n_out);
      float *dout = dv_alloc_floats ((size_t) batch * n_out);
      float *din = dv_alloc_floats ((size_t) batch * n_in);
      dv_rng_fill_normal (&rng, in, (size_t) batch * n_in);
      dv_rng_fill_normal (&rng, dout, (size_t) batch * n_out);
      /* Gradients must accumulate onto what is already there. */
      dv_rng_fill_normal (&rng, params.grad, params.count);
      float *grad_before = g_memdup2 (params.grad, sizeof (float) * params.count);
      /* The input gradient accumulates too. */
      dv_rng_fill_normal (&rng, din, (size_t) batch * n_in);
      float *din_before = g_memdup2 (din, sizeof (float) * (size_t) batch * n_in);

      test_linear_forward (&l, out, in, batch);
      test_linear_backward (&l, din, dout, in, batch);

      for (int b = 0; b < batch; b++)
        for (int j = 0; j < n_out; j++)
          {
            double acc = l.bias[j];
            for (int k = 0; k < n_in; k++)
              acc += (double) in[b * n_in + k] * l.weight[j * n_in + k];
            g_assert_cmpfloat_with_epsilon (out[b * n_out + j], acc, 1e-5 * (1 + fabs (acc)));
          }
      for (int b = 0; b < batch; b++)
        for (int k = 0; k < n_in; k++)
          {
            double acc = din_before[b * n_in + k];
            for (int j = 0; j < n_out; j++)
              acc += (double) dout[b * n_out + j] * l.weight[j * n_in + k];
            g_assert_cmpfloat_with_epsilon (din[b * n_in + k], acc, 1e-5 * (1 + fabs (acc)));
          }
      for (int j = 0; j < n_out; j++)
        {
          double bias_acc = grad_before[l.bias_offset + j];
          for (int b = 0; b < batch; b++)
            bias_acc += dout[b * n_out + j];
          g_assert_cmpfloat_with_epsilon (l.bias_grad[j], bias_acc, 1e-5 * (1 + fabs (bias_acc)) * sqrt (batch));
          for (int k = 0; k < n_in; k++)
            {
              double acc = grad_before[l.weight_offset + (size_t) j * n_in + k];
              for (int b = 0; b < batch; b++)
                acc += (double) dout[b * n_out + j] * in[b * n_in + k];
              g_assert_cmpfloat_with_epsilon (l.weight_grad[j * n_in + k], acc, 1e-5 * (1 + fabs (acc)) * sqrt (batch));
            }
        }

      /* din = NULL skips the input gradient but still accumulates the parameters'. */
      float w0 = l.weight_grad[0];
      test_linear_backward (&l, NULL, dout, in, batch);
      double expect = w0;
      for (int b = 0; b < batch; b++)
        expect += (double) dout[b * n_out] * in[b * n_in];
      g_assert_cmpfloat_with_epsilon (l.weight_grad[0], expect, 1e-5 * (1 + fabs (expect)) * sqrt (batch));

      g_free (grad_before);
      g_free (din_before);
      dv_free_floats (in);
      dv_free_floats (out);
      dv_free_floats (dout);
      dv_free_floats (din);
      dv_params_clear (&params);
    }
}

static void
test_linear_init_bounds (void)
{
  DvParams params;
  dv_params_init (&params);
  TestLinear l;
  test_linear_register (&l, &params, "fc", 64, 32);
  dv_params_alloc (&params);
  DvRng rng;
  dv_rng_init (&rng, 3);
  test_linear_bind_init (&l, &params, &rng);
  const float bound = 1.0f / 8.0f;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < 64 * 32; i++)
    {
      g_assert_cmpfloat (fabsf (l.weight[i]), <=, bound);
      sum += l.weight[i];
      sum_sq += (double) l.weight[i] * l.weight[i];
    }
  for (int j = 0; j < 32; j++)
    g_assert_cmpfloat (fabsf (l.bias[j]), <=, bound);
  /* U(-a, a) has mean 0 and variance a²/3. */
  double n = 64 * 32, mean = sum / n, var = sum_sq / n - mean * mean;
  g_assert_cmpfloat (fabs (mean), <, 0.01);
  g_assert_cmpfloat (fabs (var / (bound * bound / 3.0) - 1.0), <, 0.1);
  dv_params_clear (&params);
}

/* ---- activations ---- */

typedef void (*ForwardFunc) (float *out, const float *in, size_t n);
typedef void (*BackwardFunc) (float *dinp, const float *dout, const float *inp, size_t n);

typedef struct {
  ForwardFunc forward;
  float *in, *out, *weights;
  size_t n;
} ActivationCtx;

static double
activation_objective (gpointer p)
{
  ActivationCtx *c = p;
  c->forward (c->out, c->in, c->n);
  return dv_test_weighted_sum (c->out, c->weights, c->n);
}

static double ref_relu (double x) { return x > 0 ? x : 0; }
static double ref_leaky (double x) { return x > 0 ? x : 0.2 * x; }
static double ref_sigmoid (double x) { return 1.0 / (1.0 + exp (-x)); }
static double ref_silu (double x) { return x * ref_sigmoid (x); }
static double ref_gelu (double x) { return 0.5 * x * (1.0 + erf (x / sqrt (2.0))); }
static double ref_hardswish (double x) { return x * fmin (fmax (x + 3.0, 0.0), 6.0) / 6.0; }

static void leaky_forward (float *out, const float *in, size_t n) { dv_leaky_relu_forward (out, in, n, 0.2f); }
static void leaky_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  dv_leaky_relu_backward (dinp, dout, inp, n, 0.2f);
}

typedef struct {
  const char *name;
  ForwardFunc forward;
  BackwardFunc backward;
  double (*reference) (double x);
  float kinks[2];
  int n_kinks;
} Activation;

static const Activation activations[] = {
  { "relu", dv_relu_forward, dv_relu_backward, ref_relu, { 0 }, 1 },
  { "leaky_relu", leaky_forward, leaky_backward, ref_leaky, { 0 }, 1 },
  { "silu", dv_silu_forward, dv_silu_backward, ref_silu, { 0 }, 0 },
  { "gelu", dv_gelu_forward, dv_gelu_backward, ref_gelu, { 0 }, 0 },
  { "sigmoid", dv_sigmoid_forward, dv_sigmoid_backward, ref_sigmoid, { 0 }, 0 },
  { "hardswish", dv_hardswish_forward, dv_hardswish_backward, ref_hardswish, { -3, 3 }, 2 },
};

static void
test_activation (gconstpointer data)
{
  const Activation *a = data;
  const size_t n = 301;
  DvRng rng;
  dv_rng_init (&rng, 17);
  float *in = dv_alloc_floats (n), *out = dv_alloc_floats (n);
  float *dout = dv_alloc_floats (n), *din = dv_alloc_floats (n);
  fill_away_from_kinks (&rng, in, n, -5.0f, 5.0f, a->kinks, a->n_kinks, 0.05f);
  dv_rng_fill_normal (&rng, dout, n);

  a->forward (out, in, n);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (out[i], a->reference (in[i]), 1e-6 * (1 + fabs (a->reference (in[i]))));

  a->backward (din, dout, in, n);
  ActivationCtx ctx = { a->forward, in, out, dout, n };
  g_autofree char *what = g_strdup_printf ("%s d/din", a->name);
  /* What h = 1e-2 supports: truncation h²/6·|f‴|·|dout| ≤ 2e-5·|dout| (|f‴| ≤ 0.8 for GELU, less for the
   * others) plus the float forward's rounding, ulp(|f| ≤ 5)/2h ≈ 2e-5·|dout|, with |dout| ≲ 3 here: 5e-5
   * absolute and 2e-4 relative, so that a derivative 0.1 % off fails wherever |f'·dout| > 0.06. */
  dv_test_check_gradient (what, in, n, din, activation_objective, &ctx, 1e-2f, 5e-5, 2e-4);

  /* In place: out aliases in. The backward accumulates: onto dout it gives dout + din. */
  a->forward (out, in, n);
  float *copy = g_memdup2 (in, sizeof (float) * n);
  a->forward (copy, copy, n);
  g_assert_cmpmem (copy, sizeof (float) * n, out, sizeof (float) * n);
  memcpy (copy, dout, sizeof (float) * n);
  a->backward (copy, dout, in, n);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpfloat (copy[i], ==, dout[i] + din[i]);
  g_free (copy);

  /* Extreme inputs stay finite. */
  float extreme[4] = { -1e4f, -100.0f, 100.0f, 1e4f }, ones[4] = { 1, 1, 1, 1 }, res[4] = { 0 };
  a->forward (res, extreme, 4);
  for (int i = 0; i < 4; i++)
    g_assert_true (isfinite (res[i]));
  a->backward (res, ones, extreme, 4);
  for (int i = 0; i < 4; i++)
    g_assert_true (isfinite (res[i]));

  dv_free_floats (in);
  dv_free_floats (out);
  dv_free_floats (dout);
  dv_free_floats (din);
}

/* ---- sinusoidal embedding ---- */

typedef struct {
  float *x, *out, *weights;
  int n, dim;
  float scale;
} SinusoidalCtx;

static double
sinusoidal_objective (gpointer p)
{
  SinusoidalCtx *c = p;
  dv_sinusoidal_forward (c->out, c->x, c->n, c->dim, c->scale);
  return dv_test_weighted_sum (c->out, c->weights, (size_t) c->n * c->dim);
}

static void
check_sinusoidal (int n, int dim, float scale, float lo, float hi, float h)
{
  DvRng rng;
  dv_rng_init (&rng, (guint64) dim * 1000 + n);
  float *x = dv_alloc_floats (n), *out = dv_alloc_floats ((size_t) n * dim);
  float *dout = dv_alloc_floats ((size_t) n * dim), *dx = dv_alloc_floats (n);
  dv_rng_fill_uniform (&rng, x, n, lo, hi);
  dv_rng_fill_normal (&rng, dout, (size_t) n * dim);

  dv_sinusoidal_forward (out, x, n, dim, scale);
  const int half = dim / 2;
  for (int r = 0; r < n; r++)
    for (int i = 0; i < half; i++)
      {
        double f = exp (-(double) i * log (10000.0) / (half - 1));
        double arg = (double) x[r] * scale * f;
        /* float arguments as large as 100 carry ~1e-5 of rounding. */
        double tol = 1e-6 + 2e-7 * fabs (arg);
        g_assert_cmpfloat_with_epsilon (out[r * dim + i], sin (arg), tol);
        g_assert_cmpfloat_with_epsilon (out[r * dim + half + i], cos (arg), tol);
      }

  dv_sinusoidal_backward (dx, dout, x, n, dim, scale);
  SinusoidalCtx ctx = { x, out, dout, n, dim, scale };
  g_autofree char *what = g_strdup_printf ("sinusoidal dim %d scale %g d/dx", dim, scale);
  dv_test_check_gradient (what, x, n, dx, sinusoidal_objective, &ctx, h, 1e-2, 2e-3);

  dv_free_floats (x);
  dv_free_floats (out);
  dv_free_floats (dout);
  dv_free_floats (dx);
}

static void
test_sinusoidal (void)
{
  /* The seed's two uses: coordinates in about [-2, 2] at scale 25, and the timestep 0..99 at scale 1. */
  check_sinusoidal (37, 128, 25.0f, -2.0f, 2.0f, 4e-4f);
  check_sinusoidal (37, 128, 1.0f, 0.0f, 99.0f, 1e-2f);
  /* More frequencies than one stack block, and the smallest dim. */
  check_sinusoidal (5, 300, 3.0f, -1.0f, 1.0f, 1e-3f);
  check_sinusoidal (9, 4, 1.0f, -3.0f, 3.0f, 1e-3f);
}

/* ---- losses ---- */

typedef enum { LOSS_MSE, LOSS_L1, LOSS_BCE, LOSS_BCE_CONST, LOSS_XENT } LossKind;

typedef struct {
  LossKind kind;
  float *pred, *target, *probs;
  const int *labels;
  size_t n;
  int batch, classes;
  float const_target;
} LossCtx;

static double
loss_objective (gpointer p)
{
  LossCtx *c = p;
  switch (c->kind)
    {
    case LOSS_MSE: return dv_mse_forward (c->pred, c->target, c->n);
    case LOSS_L1: return dv_l1_forward (c->pred, c->target, c->n);
    case LOSS_BCE: return dv_bce_logits_forward (c->pred, c->target, c->n);
    case LOSS_BCE_CONST: return dv_bce_logits_const_forward (c->pred, c->const_target, c->n);
    case LOSS_XENT: return dv_softmax_xent_forward (c->probs, c->pred, c->labels, c->batch, c->classes);
    default: g_assert_not_reached ();
    }
}

/* Backward adds scale·∂loss/∂pred onto dpred (zeroed before each use): the check divides the scale back out. */
static void
check_loss_gradient (const char *what, LossCtx *ctx, float *dpred, float scale, float h)
{
  for (size_t i = 0; i < ctx->n; i++)
    dpred[i] /= scale;
  dv_test_check_gradient (what, ctx->pred, ctx->n, dpred, loss_objective, ctx, h, 2e-5, 3e-3);
}

static void
test_loss_mse_l1 (void)
{
  const size_t n = 37;
  const float scale = 0.7f;
  DvRng rng;
  dv_rng_init (&rng, 23);
  float *pred = dv_alloc_floats (n), *target = dv_alloc_floats (n), *dpred = dv_alloc_floats (n);
  dv_rng_fill_normal (&rng, target, n);
  /* pred - target at least 0.05 from L1's kink. */
  const float zero = 0.0f;
  fill_away_from_kinks (&rng, pred, n, -2.0f, 2.0f, &zero, 1, 0.05f);
  for (size_t i = 0; i < n; i++)
    pred[i] += target[i];

  double mse = 0, l1 = 0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) pred[i] - target[i];
      mse += d * d;
      l1 += fabs (d);
    }
  g_assert_cmpfloat_with_epsilon (dv_mse_forward (pred, target, n), mse / n, 1e-6 * mse / n);
  g_assert_cmpfloat_with_epsilon (dv_l1_forward (pred, target, n), l1 / n, 1e-6 * l1 / n);

  LossCtx ctx = { .kind = LOSS_MSE, .pred = pred, .target = target, .n = n };
  dv_mse_backward (dpred, pred, target, n, scale);
  check_loss_gradient ("mse d/dpred", &ctx, dpred, scale, 1e-2f);
  ctx.kind = LOSS_L1;
  memset (dpred, 0, sizeof (float) * n);
  dv_l1_backward (dpred, pred, target, n, scale);
  check_loss_gradient ("l1 d/dpred", &ctx, dpred, scale, 1e-2f);

  /* L1 at exactly zero difference has gradient 0, as torch.sign. */
  float same = 1.5f, d = 0.0f;
  dv_l1_backward (&d, &same, &same, 1, 1.0f);
  g_assert_cmpfloat (d, ==, 0.0f);

  dv_free_floats (pred);
  dv_free_floats (target);
  dv_free_floats (dpred);
}

static double
ref_bce (double x, double y)
{
  /* log(1 + e^x) - x·y, written without overflow for large |x|. */
  double softplus = x > 0 ? x + log1p (exp (-x)) : log1p (exp (x));
  return softplus - x * y;
}

static void
test_loss_bce (void)
{
  const size_t n = 41;
  const float scale = 1.3f;
  DvRng rng;
  dv_rng_init (&rng, 29);
  float *logits = dv_alloc_floats (n), *targets = dv_alloc_floats (n), *dlogits = dv_alloc_floats (n);
  dv_rng_fill_uniform (&rng, logits, n, -6.0f, 6.0f);
  dv_rng_fill_uniform (&rng, targets, n, 0.0f, 1.0f);
  targets[0] = 0.0f;
  targets[1] = 1.0f;

  double ref = 0;
  for (size_t i = 0; i < n; i++)
    ref += ref_bce (logits[i], targets[i]);
  g_assert_cmpfloat_with_epsilon (dv_bce_logits_forward (logits, targets, n), ref / n, 1e-6 * (1 + ref / n));

  LossCtx ctx = { .kind = LOSS_BCE, .pred = logits, .target = targets, .n = n };
  dv_bce_logits_backward (dlogits, logits, targets, n, scale);
  check_loss_gradient ("bce d/dlogits", &ctx, dlogits, scale, 1e-2f);

  static const float consts[] = { 0.0f, 1.0f, 0.9f };
  for (guint c = 0; c < G_N_ELEMENTS (consts); c++)
    {
      ref = 0;
      for (size_t i = 0; i < n; i++)
        ref += ref_bce (logits[i], consts[c]);
      g_assert_cmpfloat_with_epsilon (dv_bce_logits_const_forward (logits, consts[c], n), ref / n,
                                      1e-6 * (1 + ref / n));
      LossCtx cctx = { .kind = LOSS_BCE_CONST, .pred = logits, .n = n, .const_target = consts[c] };
      memset (dlogits, 0, sizeof (float) * n);
      dv_bce_logits_const_backward (dlogits, logits, consts[c], n, scale);
      g_autofree char *what = g_strdup_printf ("bce const %g d/dlogits", consts[c]);
      check_loss_gradient (what, &cctx, dlogits, scale, 1e-2f);
    }

  /* Large logits: the loss is about |x| when wrong and about 0 when right, never inf or NaN. */
  float big[4] = { 200.0f, -200.0f, 200.0f, -200.0f }, big_t[4] = { 0, 1, 1, 0 }, grads[4] = { 0 };
  g_assert_cmpfloat_with_epsilon (dv_bce_logits_forward (big, big_t, 2), 200.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (dv_bce_logits_forward (big + 2, big_t + 2, 2), 0.0, 1e-6);
  dv_bce_logits_backward (grads, big, big_t, 4, 1.0f);
  g_assert_cmpfloat_with_epsilon (grads[0], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (grads[1], -0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (grads[2], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (grads[3], 0.0, 1e-6);

  dv_free_floats (logits);
  dv_free_floats (targets);
  dv_free_floats (dlogits);
}

static void
test_loss_softmax_xent (void)
{
  const int batch = 5, classes = 7;
  const size_t n = (size_t) batch * classes;
  const float scale = 0.4f;
  int labels[5] = { 0, 6, 3, 3, 1 };
  DvRng rng;
  dv_rng_init (&rng, 31);
  float *logits = dv_alloc_floats (n), *probs = dv_alloc_floats (n), *dlogits = dv_alloc_floats (n);
  dv_rng_fill_normal (&rng, logits, n);
  for (size_t i = 0; i < n; i++)
    logits[i] *= 2.0f;

  double ref = 0;
  for (int b = 0; b < batch; b++)
    {
      double z = 0;
      for (int c = 0; c < classes; c++)
        z += exp (logits[b * classes + c]);
      ref += log (z) - logits[b * classes + labels[b]];
    }
  ref /= batch;
  float loss = dv_softmax_xent_forward (probs, logits, labels, batch, classes);
  g_assert_cmpfloat_with_epsilon (loss, ref, 1e-6 * (1 + ref));
  /* Without probs the loss is the same. */
  g_assert_cmpfloat (dv_softmax_xent_forward (NULL, logits, labels, batch, classes), ==, loss);
  for (int b = 0; b < batch; b++)
    {
      double z = 0, sum = 0;
      for (int c = 0; c < classes; c++)
        z += exp (logits[b * classes + c]);
      for (int c = 0; c < classes; c++)
        {
          g_assert_cmpfloat_with_epsilon (probs[b * classes + c], exp (logits[b * classes + c]) / z, 1e-6);
          sum += probs[b * classes + c];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }

  dv_softmax_xent_backward (dlogits, probs, labels, batch, classes, scale);
  float *scratch = dv_alloc_floats (n);
  LossCtx ctx = { .kind = LOSS_XENT, .pred = logits, .probs = scratch, .labels = labels, .n = n,
                  .batch = batch, .classes = classes };
  check_loss_gradient ("softmax xent d/dlogits", &ctx, dlogits, scale, 1e-2f);

  /* Huge logits do not overflow: loss = 1000 - 0 for the wrong class. */
  float huge[3] = { 1000.0f, 0.0f, -1000.0f };
  int wrong = 1;
  g_assert_cmpfloat_with_epsilon (dv_softmax_xent_forward (scratch, huge, &wrong, 1, 3), 1000.0, 1e-3);
  g_assert_cmpfloat_with_epsilon (scratch[0], 1.0, 1e-7);

  dv_free_floats (scratch);
  dv_free_floats (logits);
  dv_free_floats (probs);
  dv_free_floats (dlogits);
}

/* Programming errors abort with a message naming the problem. */
static void
test_shape_checks (void)
{
  if (g_test_subprocess ())
    {
      float logits[3] = { 0 }, probs[3];
      int label = 3;
      dv_softmax_xent_forward (probs, logits, &label, 1, 3);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*label 3 outside [0, 3)*");
}

static void
test_sinusoidal_odd_dim (void)
{
  if (g_test_subprocess ())
    {
      float x = 0, out[6];
      dv_sinusoidal_forward (out, &x, 1, 5, 1.0f);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*dim 5 must be even*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nn/linear/gradients", test_linear_gradients);
  g_test_add_func ("/nn/linear/matches-naive", test_linear_matches_naive);
  g_test_add_func ("/nn/linear/init-bounds", test_linear_init_bounds);
  for (guint i = 0; i < G_N_ELEMENTS (activations); i++)
    {
      g_autofree char *path = g_strdup_printf ("/nn/activation/%s", activations[i].name);
      g_test_add_data_func (path, &activations[i], test_activation);
    }
  g_test_add_func ("/nn/sinusoidal", test_sinusoidal);
  g_test_add_func ("/nn/loss/mse-l1", test_loss_mse_l1);
  g_test_add_func ("/nn/loss/bce-logits", test_loss_bce);
  g_test_add_func ("/nn/loss/softmax-xent", test_loss_softmax_xent);
  g_test_add_func ("/nn/checks/xent-label", test_shape_checks);
  g_test_add_func ("/nn/checks/sinusoidal-dim", test_sinusoidal_odd_dim);
  return g_test_run ();
}
