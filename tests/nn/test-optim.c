/* Optimisers and training helpers against arithmetic written out by hand:
 * Adam / AdamW steps, the cosine schedule, gradient clipping, the EMA. */
#include "nn/adam.h"
#include "nn/clip_grad_norm.h"
#include "nn/cosine_lr.h"
#include "nn/ema.h"

#include <math.h>
#include <string.h>

#define B1 0.9
#define B2 0.999
#define EPS 1e-8

/* One Adam moment update and parameter step in the textbook form
 * m̂ = m/(1-β1^t), v̂ = v/(1-β2^t), p -= lr·m̂/(√v̂ + ε), in double. */
static void
textbook_adam (double *p, double *m, double *v, double g, double lr, int t)
{
  *m = B1 * *m + (1 - B1) * g;
  *v = B2 * *v + (1 - B2) * g * g;
  double m_hat = *m / (1 - pow (B1, t));
  double v_hat = *v / (1 - pow (B2, t));
  *p -= lr * m_hat / (sqrt (v_hat) + EPS);
}

static void
assert_close (double got, double want, double rel)
{
  g_assert_cmpfloat_with_epsilon (got, want, rel * (1e-3 + fabs (want)));
}

static const float grads_by_step[3][3] = {
  { 0.5f, -1.0f, 0.0f },
  { 0.3f, 2.0f, 0.0f },
  { -0.2f, 0.5f, 0.0f },
};
static const float lr_by_step[3] = { 0.1f, 0.05f, 0.02f };

static void
test_adamw_steps (void)
{
  float params[3] = { 1.0f, -2.0f, 0.5f };
  DvAdam opt;
  dv_adamw_init (&opt, 3, 0.1f);
  g_assert_true (opt.decoupled);
  g_assert_cmpfloat (opt.weight_decay, ==, 0.01f);
  g_assert_cmpfloat (opt.beta1, ==, 0.9f);
  g_assert_cmpfloat (opt.beta2, ==, 0.999f);
  g_assert_cmpfloat (opt.eps, ==, 1e-8f);

  /* Step 1 by hand for the first scalar: p = 1·(1 - 0.1·0.01) = 0.999, then
   * m̂ = g and √v̂ = |g| on the first step, so p -= 0.1·0.5/(0.5 + 1e-8). */
  dv_adam_step (&opt, params, grads_by_step[0], lr_by_step[0]);
  assert_close (params[0], 0.999 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-6);
  /* Second scalar, g = -1: p = -2·0.999 + 0.1. */
  assert_close (params[1], -2.0 * 0.999 + 0.1 * 1.0 / (1.0 + 1e-8), 1e-6);
  /* Third scalar has no gradient: only the decoupled decay acts, 0.5·0.999. */
  assert_close (params[2], 0.5 * 0.999, 1e-7);
  g_assert_cmpint (opt.t, ==, 1);
  assert_close (opt.m[0], 0.1 * 0.5, 1e-6);
  assert_close (opt.v[0], 0.001 * 0.25, 1e-5);

  /* Steps 2 and 3 (with a changing lr, as under a schedule): decay by the
   * step's lr first, then the textbook Adam update on the raw gradient. */
  double p[3] = { 1.0, -2.0, 0.5 }, m[3] = { 0 }, v[3] = { 0 };
  for (int t = 1; t <= 3; t++)
    for (int i = 0; i < 3; i++)
      {
        double lr = lr_by_step[t - 1];
        p[i] *= 1.0 - lr * 0.01;
        textbook_adam (&p[i], &m[i], &v[i], grads_by_step[t - 1][i], lr, t);
      }
  for (int t = 2; t <= 3; t++)
    dv_adam_step (&opt, params, grads_by_step[t - 1], lr_by_step[t - 1]);
  g_assert_cmpint (opt.t, ==, 3);
  for (int i = 0; i < 3; i++)
    {
      assert_close (params[i], p[i], 1e-6);
      assert_close (opt.m[i], m[i], 1e-5);
      /* 1 - 0.999f is 1.3e-5 away from 0.001 in float; the bias correction cancels it in v̂. */
      assert_close (opt.v[i], v[i], 3e-5);
    }
  dv_adam_clear (&opt);
  g_assert_null (opt.m);
}

static void
test_adam_l2_steps (void)
{
  float params[3] = { 1.0f, -2.0f, 0.5f };
  DvAdam opt;
  dv_adam_init (&opt, 3, 0.1f);
  g_assert_false (opt.decoupled);
  g_assert_cmpfloat (opt.weight_decay, ==, 0.0f);
  opt.weight_decay = 0.01f;

  /* Step 1 by hand: the gradient becomes g + 0.01·p. Third scalar: g = 0.005,
   * and the first step moves by lr·sign(g), so p = 0.5 - 0.1. */
  dv_adam_step (&opt, params, grads_by_step[0], lr_by_step[0]);
  assert_close (params[0], 1.0 - 0.1 * (0.5 + 0.01) / (0.5 + 0.01 + 1e-8), 1e-6);
  assert_close (params[2], 0.5 - 0.1 * 0.005 / (0.005 + 1e-8), 1e-6);
  assert_close (opt.m[2], 0.1 * 0.005, 1e-5);

  double p[3] = { 1.0, -2.0, 0.5 }, m[3] = { 0 }, v[3] = { 0 };
  for (int t = 1; t <= 3; t++)
    for (int i = 0; i < 3; i++)
      textbook_adam (&p[i], &m[i], &v[i], grads_by_step[t - 1][i] + 0.01 * p[i], lr_by_step[t - 1], t);
  for (int t = 2; t <= 3; t++)
    dv_adam_step (&opt, params, grads_by_step[t - 1], lr_by_step[t - 1]);
  for (int i = 0; i < 3; i++)
    {
      assert_close (params[i], p[i], 1e-6);
      assert_close (opt.m[i], m[i], 1e-5);
      /* 1 - 0.999f is 1.3e-5 away from 0.001 in float; the bias correction cancels it in v̂. */
      assert_close (opt.v[i], v[i], 3e-5);
    }
  dv_adam_clear (&opt);
}

static void
test_adam_without_decay_equal (void)
{
  /* With weight decay 0, Adam and AdamW take identical steps. */
  float a[3] = { 1.0f, -2.0f, 0.5f }, b[3] = { 1.0f, -2.0f, 0.5f };
  DvAdam adam, adamw;
  dv_adam_init (&adam, 3, 0.1f);
  dv_adamw_init (&adamw, 3, 0.1f);
  adamw.weight_decay = 0.0f;
  for (int t = 0; t < 3; t++)
    {
      dv_adam_step (&adam, a, grads_by_step[t], lr_by_step[t]);
      dv_adam_step (&adamw, b, grads_by_step[t], lr_by_step[t]);
    }
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  /* ...and differ once decay is on. */
  adamw.weight_decay = 0.01f;
  dv_adam_step (&adamw, b, grads_by_step[0], 0.1f);
  dv_adam_step (&adam, a, grads_by_step[0], 0.1f);
  g_assert_cmpfloat (a[2], !=, b[2]);
  dv_adam_clear (&adam);
  dv_adam_clear (&adamw);
}

static void
test_cosine_lr (void)
{
  const float base = 3e-4f;
  const gint64 total = 10000;
  assert_close (dv_cosine_lr (base, 0, total, 0.0f), 3e-4, 1e-6);
  assert_close (dv_cosine_lr (base, total / 2, total, 0.0f), 1.5e-4, 1e-6);
  g_assert_cmpfloat_with_epsilon (dv_cosine_lr (base, total, total, 0.0f), 0.0, 1e-12);
  /* A quarter of the way: (1 + cos(π/4))/2 = (1 + √2/2)/2. */
  assert_close (dv_cosine_lr (base, total / 4, total, 0.0f), 3e-4 * (1 + sqrt (2.0) / 2) / 2, 1e-6);
  /* With a floor: eta_min + (base - eta_min)·(1 + cos)/2. */
  const float floor_lr = 1e-5f;
  assert_close (dv_cosine_lr (base, 0, total, floor_lr), 3e-4, 1e-6);
  assert_close (dv_cosine_lr (base, total / 2, total, floor_lr), (3e-4 + 1e-5) / 2, 1e-6);
  assert_close (dv_cosine_lr (base, total, total, floor_lr), 1e-5, 1e-6);
  /* With a warm-up of 200 steps: linear to base (step + 1 of 200), then the cosine over the remaining 9,800. */
  assert_close (dv_cosine_lr_with_warmup (base, 0, 200, total, floor_lr), 3e-4 / 200, 1e-6);
  assert_close (dv_cosine_lr_with_warmup (base, 99, 200, total, floor_lr), 3e-4 / 2, 1e-6);
  assert_close (dv_cosine_lr_with_warmup (base, 200, 200, total, floor_lr), 3e-4, 1e-6);
  assert_close (dv_cosine_lr_with_warmup (base, 200 + 4900, 200, total, floor_lr), (3e-4 + 1e-5) / 2, 1e-6);
  assert_close (dv_cosine_lr_with_warmup (base, total, 200, total, floor_lr), 1e-5, 1e-6);
  /* Monotone decreasing over the first half-period. */
  float prev = base;
  for (gint64 s = 1; s <= total; s += 97)
    {
      float lr = dv_cosine_lr (base, s, total, 0.0f);
      g_assert_cmpfloat (lr, <=, prev);
      prev = lr;
    }
}

static void
test_clip_grad_norm (void)
{
  /* ‖(3, 4)‖ = 5; max 1 → scaled by 1/(5 + 1e-6). */
  float g[2] = { 3.0f, 4.0f };
  float norm = dv_clip_grad_norm (g, 2, 1.0f);
  g_assert_cmpfloat_with_epsilon (norm, 5.0, 1e-6);
  assert_close (g[0], 3.0 / (5.0 + 1e-6), 1e-6);
  assert_close (g[1], 4.0 / (5.0 + 1e-6), 1e-6);
  /* Now the norm is just under 1: below a max of 1.5 it is returned and nothing changes. */
  float before[2] = { g[0], g[1] };
  norm = dv_clip_grad_norm (g, 2, 1.5f);
  assert_close (norm, 5.0 / (5.0 + 1e-6), 1e-6);
  g_assert_cmpmem (g, sizeof g, before, sizeof before);
  /* As PyTorch, a norm equal to the max still scales by max/(max + 1e-6). */
  float e[2] = { 3.0f, 4.0f };
  dv_clip_grad_norm (e, 2, 5.0f);
  assert_close (e[0], 3.0 * 5.0 / (5.0 + 1e-6), 1e-7);
  g_assert_cmpfloat (e[0], <, 3.0f);

  /* Well below the maximum: untouched. */
  float h[3] = { 0.1f, -0.2f, 0.2f };
  float h_copy[3];
  memcpy (h_copy, h, sizeof h);
  g_assert_cmpfloat_with_epsilon (dv_clip_grad_norm (h, 3, 0.5f), 0.3, 1e-6);
  g_assert_cmpmem (h, sizeof h, h_copy, sizeof h_copy);

  /* Many entries (the norm is summed in double): 100000 × 0.01 → √100000 · 0.01. */
  const size_t n = 100000;
  float *big = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    big[i] = (i % 2) ? 0.01f : -0.01f;
  norm = dv_clip_grad_norm (big, n, 0.5f);
  assert_close (norm, sqrt (100000.0) * 0.01f, 1e-6);
  double coef = 0.5 / (sqrt (100000.0) * 0.01f + 1e-6);
  assert_close (big[0], -0.01f * coef, 1e-6);
  double sum_sq = 0;
  for (size_t i = 0; i < n; i++)
    sum_sq += (double) big[i] * big[i];
  assert_close (sqrt (sum_sq), 0.5, 1e-5);
  g_free (big);
}

static void
fill_online (float *online, int call)
{
  /* A different model after every call, so each copy or average is visible. */
  online[0] = (float) call;
  online[1] = -0.5f * call;
  online[2] = 100.0f + 0.25f * call;
}

static void
test_ema (void)
{
  float initial[3] = { 7.0f, 8.0f, 9.0f }, online[3];
  DvEma ema;
  dv_ema_init (&ema, 3, initial);
  g_assert_cmpfloat (ema.beta, ==, 0.995f);
  g_assert_cmpint (ema.update_every, ==, 10);
  g_assert_cmpint (ema.update_after_step, ==, 100);
  g_assert_cmpmem (ema.shadow, sizeof initial, initial, sizeof initial);

  /* ema_pytorch tests the count before the call: calls 1, 11, ..., 101 act,
   * and while that count is ≤ 100 they copy the online weights. */
  float expect[3];
  for (int call = 1; call <= 110; call++)
    {
      fill_online (online, call);
      dv_ema_update (&ema, online);
      if ((call - 1) % 10 == 0)
        fill_online (expect, call);
      g_assert_cmpmem (ema.shadow, sizeof expect, expect, sizeof expect);
    }
  g_assert_cmpint (ema.step, ==, 110);

  /* Call 111 averages: the count after it is 111, e = 111 - 100 - 1 = 10,
   * decay = 1 - (1 + 10)^(-2/3), shadow += (1 - decay)·(online - shadow). */
  double shadow[3];
  fill_online (expect, 101);
  for (int i = 0; i < 3; i++)
    shadow[i] = expect[i];
  const int acting_calls[] = { 111, 121, 131 };
  for (guint k = 0; k < G_N_ELEMENTS (acting_calls); k++)
    {
      int call = acting_calls[k];
      double e = call - 100 - 1;
      double decay = 1.0 - pow (1.0 + e, -2.0 / 3.0);
      fill_online (online, call);
      dv_ema_update (&ema, online);
      for (int i = 0; i < 3; i++)
        {
          shadow[i] += (1.0 - decay) * (online[i] - shadow[i]);
          assert_close (ema.shadow[i], shadow[i], 1e-5);
        }
      /* The nine calls in between leave it alone whatever the model does. */
      float held[3];
      memcpy (held, ema.shadow, sizeof held);
      for (int skip = 1; skip <= 9; skip++)
        {
          fill_online (online, call + skip);
          dv_ema_update (&ema, online);
          g_assert_cmpmem (ema.shadow, sizeof held, held, sizeof held);
        }
    }

  /* The decay itself. */
  g_assert_cmpfloat (dv_ema_decay_at (&ema, 100), ==, 0.0f);
  g_assert_cmpfloat (dv_ema_decay_at (&ema, 101), ==, 0.0f);
  assert_close (dv_ema_decay_at (&ema, 102), 1.0 - pow (2.0, -2.0 / 3.0), 1e-6);
  assert_close (dv_ema_decay_at (&ema, 1101), 1.0 - pow (1001.0, -2.0 / 3.0), 1e-6);
  /* 1 - (1 + e)^(-2/3) reaches 0.995 at 1 + e = 200^1.5 ≈ 2828.4: clamped beyond. */
  g_assert_cmpfloat (dv_ema_decay_at (&ema, 2800), <, 0.995f);
  g_assert_cmpfloat (dv_ema_decay_at (&ema, 3000), ==, 0.995f);
  g_assert_cmpfloat (dv_ema_decay_at (&ema, 1000000), ==, 0.995f);
  ema.inv_gamma = 2.0f;
  assert_close (dv_ema_decay_at (&ema, 111), 1.0 - pow (1.0 + 10.0 / 2.0, -2.0 / 3.0), 1e-6);

  dv_ema_clear (&ema);
  g_assert_null (ema.shadow);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/optim/adamw-steps", test_adamw_steps);
  g_test_add_func ("/optim/adam-l2-steps", test_adam_l2_steps);
  g_test_add_func ("/optim/adam-without-decay", test_adam_without_decay_equal);
  g_test_add_func ("/optim/cosine-lr", test_cosine_lr);
  g_test_add_func ("/optim/clip-grad-norm", test_clip_grad_norm);
  g_test_add_func ("/optim/ema", test_ema);
  return g_test_run ();
}
