/* The VP-SDE and the masked samplers: the marginal against a numeric integral
 * of β, x̂₀ inverting the forward perturbation, RePaint's walk, and each
 * sampler drawing the right conditional distribution when handed the exact
 * score of a correlated Gaussian — the test that catches a wrong sign,
 * coefficient or clamping in a reverse step. */
#include "diffusion/masked_loss.h"
#include "diffusion/masked_sampler.h"
#include "diffusion/vp_sde.h"
#include "core/rng.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

static void
test_marginal_matches_integral (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  g_assert_cmpfloat (sde.beta_min, ==, 0.1);
  g_assert_cmpfloat (sde.beta_max, ==, 20.0);
  const double times[] = { 1e-4, 0.01, 0.1, 0.5, 0.9, 1.0 };
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      const double t = times[i];
      /* m(t) = exp(−½ ∫₀ᵗ β(s) ds), the integral by the midpoint rule. */
      const int n = 100000;
      double integral = 0.0;
      for (int k = 0; k < n; k++)
        integral += dv_vp_sde_beta (&sde, (k + 0.5) * t / n) * t / n;
      double m, s;
      dv_vp_sde_marginal (&sde, t, &m, &s);
      g_assert_cmpfloat_with_epsilon (m, exp (-0.5 * integral), 1e-9);
      g_assert_cmpfloat_with_epsilon (m * m + s * s, 1.0, 1e-12);
      g_assert_cmpfloat (s, >, 0.0);
    }
  double m, s;
  dv_vp_sde_marginal (&sde, 1.0, &m, &s);
  g_assert_cmpfloat (m, <, 0.01);  /* t = 1 is all but pure noise */

  DvVpSde bad = { .beta_min = 0.0, .beta_max = 20.0 };
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_vp_sde_check (&bad, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
}

static void
test_predict_x0_inverts_perturb (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvRng rng;
  dv_rng_init (&rng, 3);
  float x0[64], z[64], x[64], eps[64], back[64];
  dv_rng_fill_normal (&rng, x0, 64);
  dv_rng_fill_normal (&rng, z, 64);
  for (int i = 0; i < 64; i++)
    eps[i] = -z[i];  /* the network's target */
  const double times[] = { 0.01, 0.3, 0.8 };
  for (guint k = 0; k < G_N_ELEMENTS (times); k++)
    {
      dv_vp_sde_perturb (&sde, times[k], x, x0, z, 64);
      dv_vp_sde_predict_x0 (&sde, times[k], back, x, eps, 64);
      for (int i = 0; i < 64; i++)
        g_assert_cmpfloat_with_epsilon (back[i], x0[i], 2e-4 * (1 + fabsf (x0[i])));
    }
}

static void
test_repaint_schedule (void)
{
  int n;
  g_autofree int *walk = dv_masked_sampler_repaint_schedule (250, 10, 10, &n);
  int down = 0, up = 0;
  g_assert_cmpint (walk[0], ==, 250);
  g_assert_cmpint (walk[n - 1], ==, 0);
  for (int i = 1; i < n; i++)
    {
      g_assert_cmpint (abs (walk[i] - walk[i - 1]), ==, 1);
      g_assert_cmpint (walk[i], >=, 0);
      g_assert_cmpint (walk[i], <=, 250);
      if (walk[i] < walk[i - 1])
        down++;
      else
        up++;
    }
  /* The figures MLD's default walk gives (views-votes digest, section A). */
  g_assert_cmpint (down, ==, 2410);
  g_assert_cmpint (up, ==, 2160);

  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  g_assert_cmpint (dv_masked_sampler_count_steps (&cfg), ==, 250);
  cfg.kind = DV_MASKED_SAMPLER_REPAINT;
  g_assert_cmpint (dv_masked_sampler_count_steps (&cfg), ==, 2410 + 2160);
}

/* Two standardised parts with correlation ρ: b | a ~ N(ρ a, 1 − ρ²). The
 * exact network output for the missing part b at time t, given clean a:
 * b_t | a ~ N(m ρ a, m² (1 − ρ²) + σ²), ε̂ = σ · score. */
typedef struct {
  const DvVpSde *sde;
  double rho;
  int D;
  int bad_tau;  /* calls that saw a given part at a time other than 0 */
  int calls;
} Gaussian;

static void
gaussian_score (float *eps_hat, const float *x, const float *tau, int batch, gpointer user_data)
{
  Gaussian *g = user_data;
  g->calls++;
  for (int k = 0; k < batch; k++)
    {
      if (tau[k * 2 + 0] != 0.0f || !(tau[k * 2 + 1] > 0.0f))
        g->bad_tau++;
      double m, s;
      dv_vp_sde_marginal (g->sde, tau[k * 2 + 1], &m, &s);
      const double var = m * m * (1.0 - g->rho * g->rho) + s * s;
      for (int d = 0; d < g->D; d++)
        {
          const double a = x[(k * 2 + 0) * g->D + d], b = x[(k * 2 + 1) * g->D + d];
          eps_hat[(k * 2 + 0) * g->D + d] = 0.0f;
          eps_hat[(k * 2 + 1) * g->D + d] = (float) (-s * (b - m * g->rho * a) / var);
        }
    }
}

static void
check_conditional (DvMaskedSamplerKind kind, int steps)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  cfg.kind = kind;
  cfg.steps = steps;
  cfg.seed = 11;
  enum { D = 4, K = 1500 };
  const float given[2 * D] = { 1.2f, -0.8f, 0.0f, 2.0f, /* part b, ignored: */ 9, 9, 9, 9 };
  Gaussian g = { .sde = &sde, .rho = 0.8, .D = D };
  g_autofree float *out = g_new (float, (size_t) K * 2 * D);
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 2, D, given, 0x1, K, gaussian_score, &g, NULL, NULL, out, NULL,
                                        NULL));
  g_assert_cmpint (g.bad_tau, ==, 0);
  /* One network call per reverse step; RePaint's re-noising jumps need none. */
  int reverse_steps = steps;
  if (kind == DV_MASKED_SAMPLER_REPAINT)
    {
      int n;
      g_autofree int *walk = dv_masked_sampler_repaint_schedule (steps, cfg.jump_length, cfg.jump_n_sample, &n);
      reverse_steps = 0;
      for (int i = 1; i < n; i++)
        reverse_steps += walk[i] < walk[i - 1];
    }
  g_assert_cmpint (g.calls, ==, reverse_steps);
  for (int d = 0; d < D; d++)
    {
      double sum = 0, sum2 = 0;
      for (int k = 0; k < K; k++)
        {
          g_assert_cmpfloat (out[(k * 2 + 0) * D + d], ==, given[d]);  /* the given part is untouched */
          const double b = out[(k * 2 + 1) * D + d];
          sum += b;
          sum2 += b * b;
        }
      const double mean = sum / K, var = sum2 / K - mean * mean;
      const double want_mean = g.rho * given[d], want_var = 1.0 - g.rho * g.rho;
      g_test_message ("%s d %d: mean %.4f (want %.4f), variance %.4f (want %.4f)",
                      dv_masked_sampler_kind_to_string (kind), d, mean, want_mean, var, want_var);
      /* 5 standard errors of the mean at K = 1500, plus the discretisation's bias. */
      g_assert_cmpfloat (fabs (mean - want_mean), <, 5 * sqrt (want_var / K) + 0.02);
      g_assert_cmpfloat (fabs (var / want_var - 1.0), <, 0.12);
    }
}

static void
test_euler_maruyama_draws_the_conditional (void)
{
  check_conditional (DV_MASKED_SAMPLER_EULER_MARUYAMA, 250);
}

static void
test_ode_draws_the_conditional (void)
{
  check_conditional (DV_MASKED_SAMPLER_ODE, 100);
}

static void
test_repaint_draws_the_conditional (void)
{
  check_conditional (DV_MASKED_SAMPLER_REPAINT, 50);
}

static void
test_all_given_returns_them (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  float given[4 * 3] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  Gaussian g = { .sde = &sde, .rho = 0.5, .D = 3 };
  float out[2 * 4 * 3];
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 4, 3, given, 0xf, 2, gaussian_score, &g, NULL, NULL, out, NULL,
                                        NULL));
  g_assert_cmpint (g.calls, ==, 0);
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 12; i++)
      g_assert_cmpfloat (out[k * 12 + i], ==, given[i]);
}

/* One given set per row: with the same set in every row, the shared-set run
 * exactly; with different sets, each row keeps its own given parts. */
static void
test_given_per_row (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  cfg.steps = 20;
  cfg.seed = 5;
  float given[4 * 3] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  float rows[3 * 4 * 3], shared[3 * 4 * 3], per_row[3 * 4 * 3];
  for (int k = 0; k < 3; k++)
    memcpy (rows + k * 12, given, sizeof given);
  Gaussian g = { .sde = &sde, .rho = 0.5, .D = 3 };
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 4, 3, given, 0x5, 3, gaussian_score, &g, NULL, NULL, shared, NULL,
                                        NULL));
  g_assert_true (dv_masked_sampler_run_rows (&cfg, &sde, 4, 3, rows, 0x5, 3, gaussian_score, &g, NULL, NULL, per_row,
                                             NULL, NULL));
  g_assert_cmpmem (shared, sizeof shared, per_row, sizeof per_row);
  for (int i = 0; i < 12; i++)
    rows[12 + i] = -given[i], rows[24 + i] = 2 * given[i];
  g_assert_true (dv_masked_sampler_run_rows (&cfg, &sde, 4, 3, rows, 0x5, 3, gaussian_score, &g, NULL, NULL, per_row,
                                             NULL, NULL));
  for (int k = 0; k < 3; k++)
    for (int v = 0; v < 4; v += 2)  /* parts 0 and 2 given */
      for (int d = 0; d < 3; d++)
        g_assert_cmpfloat (per_row[(k * 4 + v) * 3 + d], ==, rows[(k * 4 + v) * 3 + d]);
  gboolean differs = FALSE;
  for (int i = 0; i < 12; i++)
    differs |= per_row[12 + i] != shared[12 + i];
  g_assert_true (differs);
}

typedef struct {
  int calls, last_step;
  float first_given;
  gboolean given_moved;
  GCancellable *cancel_at_5;
} Watch;

static void
on_step (const DvMaskedSamplerStep *step, gpointer user_data)
{
  Watch *w = user_data;
  g_assert_cmpint (step->step, ==, w->calls);
  w->calls++;
  w->last_step = step->step;
  if (step->x[0] != w->first_given || step->x0_hat[0] != w->first_given)
    w->given_moved = TRUE;
  if (w->cancel_at_5 != NULL && step->step == 5)
    g_cancellable_cancel (w->cancel_at_5);
}

static void
test_seeded_steps_and_cancel (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  cfg.steps = 40;
  const float given[2 * 2] = { 0.5f, -0.5f, 0, 0 };
  Gaussian g = { .sde = &sde, .rho = 0.5, .D = 2 };
  float a[3 * 2 * 2], b[3 * 2 * 2], c[3 * 2 * 2];
  Watch w = { .first_given = given[0] };
  cfg.seed = 5;
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 2, 2, given, 0x1, 3, gaussian_score, &g, on_step, &w, a, NULL,
                                        NULL));
  g_assert_cmpint (w.calls, ==, 41);  /* step 0 and one per step */
  g_assert_cmpint (w.last_step, ==, 40);
  g_assert_false (w.given_moved);
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 2, 2, given, 0x1, 3, gaussian_score, &g, NULL, NULL, b, NULL,
                                        NULL));
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  cfg.seed = 6;
  g_assert_true (dv_masked_sampler_run (&cfg, &sde, 2, 2, given, 0x1, 3, gaussian_score, &g, NULL, NULL, c, NULL,
                                        NULL));
  g_assert_true (memcmp (a, c, sizeof a) != 0);
  /* The K variations differ from each other. */
  g_assert_cmpfloat (a[1 * 2 * 2 + 2], !=, a[0 * 2 * 2 + 2]);

  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Watch w2 = { .first_given = given[0], .cancel_at_5 = cancellable };
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_masked_sampler_run (&cfg, &sde, 2, 2, given, 0x1, 3, gaussian_score, &g, on_step, &w2, c,
                                         cancellable, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  g_assert_cmpint (w2.last_step, ==, 5);
}

static void
test_config_checked (void)
{
  DvMaskedSamplerConfig cfg;
  dv_masked_sampler_config_init (&cfg);
  g_assert_true (dv_masked_sampler_config_check (&cfg, NULL));
  cfg.steps = 0;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_masked_sampler_config_check (&cfg, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  DvMaskedSamplerKind kind;
  g_assert_true (dv_masked_sampler_kind_from_string ("repaint", &kind, NULL));
  g_assert_cmpint (kind, ==, DV_MASKED_SAMPLER_REPAINT);
  g_assert_cmpstr (dv_masked_sampler_kind_to_string (DV_MASKED_SAMPLER_ODE), ==, "ode");
  g_clear_error (&error);
  g_assert_false (dv_masked_sampler_kind_from_string ("ddim", &kind, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
}

static void
test_masked_subsets (void)
{
  g_assert_cmpint (dv_masked_loss_n_subsets (4), ==, 14);
  const guint want[14] = { 1, 2, 4, 8, 3, 5, 6, 9, 10, 12, 7, 11, 13, 14 };
  for (int i = 0; i < 14; i++)
    g_assert_cmpuint (dv_masked_loss_subset (4, i), ==, want[i]);
}

static void
check_prepared_batch (const DvVpSde *sde, const float *x0, const float *x_t, const float *z, const float *tau,
                      const guint *cond, const float *weight, int B, int V, int D)
{
  for (int b = 0; b < B; b++)
    {
      const int n_cond = __builtin_popcount (cond[b]);
      g_assert_cmpint (n_cond, <, V);
      g_assert_cmpfloat_with_epsilon (weight[b], 1.0 + (double) n_cond / (V - n_cond), 1e-6);
      float t = -1;
      for (int v = 0; v < V; v++)
        {
          const size_t off = ((size_t) b * V + v) * D;
          if ((cond[b] >> v) & 1u)
            {
              g_assert_cmpfloat (tau[b * V + v], ==, 0.0f);
              for (int d = 0; d < D; d++)
                {
                  g_assert_cmpfloat (x_t[off + d], ==, x0[off + d]);
                  g_assert_cmpfloat (z[off + d], ==, 0.0f);
                }
              continue;
            }
          if (t < 0)
            t = tau[b * V + v];
          g_assert_cmpfloat (tau[b * V + v], ==, t);  /* one t per object */
          g_assert_cmpfloat (t, >, 0.0f);
          g_assert_cmpfloat (t, <=, 1.0f);
          double m, s;
          dv_vp_sde_marginal (sde, t, &m, &s);
          for (int d = 0; d < D; d++)
            g_assert_cmpfloat_with_epsilon (x_t[off + d], m * x0[off + d] + s * z[off + d], 1e-5);
        }
    }
}

static void
test_masked_prepare (void)
{
  DvVpSde sde;
  dv_vp_sde_init (&sde);
  DvMaskedLossConfig cfg;
  dv_masked_loss_config_init (&cfg);
  g_assert_cmpfloat (cfg.p_all_diffuse, ==, 0.2);
  DvRng rng;
  dv_rng_init (&rng, 9);
  enum { B = 6, V = 4, D = 3 };
  float x0[B * V * D], x_t[B * V * D], z[B * V * D], tau[B * V], weight[B];
  guint cond[B];
  dv_rng_fill_normal (&rng, x0, G_N_ELEMENTS (x0));
  /* Per batch: every row shares the draw. */
  int masked_batches = 0, all_batches = 2000;
  for (int i = 0; i < all_batches; i++)
    {
      dv_masked_loss_prepare (&cfg, &sde, &rng, x0, B, V, D, x_t, z, tau, cond, weight);
      check_prepared_batch (&sde, x0, x_t, z, tau, cond, weight, B, V, D);
      for (int b = 1; b < B; b++)
        g_assert_cmpuint (cond[b], ==, cond[0]);
      masked_batches += cond[0] != 0;
    }
  g_assert_cmpfloat (fabs ((double) masked_batches / all_batches - 0.8), <, 0.04);
  /* Per object: shares of "all diffuse" and of each subset. */
  cfg.draw = DV_MASK_DRAW_PER_OBJECT;
  int counts[16] = { 0 };
  const int rounds = 4000;
  for (int i = 0; i < rounds; i++)
    {
      dv_masked_loss_prepare (&cfg, &sde, &rng, x0, B, V, D, x_t, z, tau, cond, weight);
      check_prepared_batch (&sde, x0, x_t, z, tau, cond, weight, B, V, D);
      for (int b = 0; b < B; b++)
        counts[cond[b]]++;
    }
  const double n = (double) rounds * B;
  g_assert_cmpint (counts[15], ==, 0);
  g_assert_cmpfloat (fabs (counts[0] / n - 0.2), <, 0.015);
  for (int m = 1; m < 15; m++)
    g_assert_cmpfloat (fabs (counts[m] / n - 0.8 / 14), <, 0.01);
}

typedef struct {
  float *eps_hat, *z, *weight;
  guint *cond;
  int B, V, D;
} LossCtx;

static double
masked_loss_objective (gpointer data)
{
  LossCtx *c = data;
  return dv_masked_loss_forward_backward (c->eps_hat, c->z, c->cond, c->weight, c->B, c->V, c->D, NULL);
}

static void
test_masked_loss_gradient (void)
{
  enum { B = 3, V = 4, D = 2 };
  DvRng rng;
  dv_rng_init (&rng, 4);
  float eps_hat[B * V * D], z[B * V * D], grad[B * V * D] = { 0 };
  guint cond[B] = { 0x0, 0x5, 0xe };
  float weight[B] = { 1.0f, 2.0f, 4.0f };
  dv_rng_fill_normal (&rng, eps_hat, G_N_ELEMENTS (eps_hat));
  dv_rng_fill_normal (&rng, z, G_N_ELEMENTS (z));
  LossCtx ctx = { eps_hat, z, weight, cond, B, V, D };
  const double loss = dv_masked_loss_forward_backward (eps_hat, z, cond, weight, B, V, D, grad);
  /* By hand: rows' missing parts only, weighted, over B. */
  double want = 0;
  for (int b = 0; b < B; b++)
    for (int v = 0; v < V; v++)
      if (!((cond[b] >> v) & 1u))
        for (int d = 0; d < D; d++)
          {
            const int i = (b * V + v) * D + d;
            const double r = (double) eps_hat[i] + z[i];
            want += weight[b] * r * r / B;
          }
  g_assert_cmpfloat_with_epsilon (loss, want, 1e-9 * (1 + want));
  dv_test_check_gradient ("masked loss d/deps_hat", eps_hat, G_N_ELEMENTS (eps_hat), grad, masked_loss_objective,
                          &ctx, 1e-2f, 1e-5, 1e-4);
  /* Conditioning parts are never scored. */
  for (int b = 0; b < B; b++)
    for (int v = 0; v < V; v++)
      if ((cond[b] >> v) & 1u)
        for (int d = 0; d < D; d++)
          g_assert_cmpfloat (grad[(b * V + v) * D + d], ==, 0.0f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diffusion/vp-sde/marginal-matches-integral", test_marginal_matches_integral);
  g_test_add_func ("/diffusion/vp-sde/predict-x0-inverts-perturb", test_predict_x0_inverts_perturb);
  g_test_add_func ("/diffusion/masked-sampler/repaint-schedule", test_repaint_schedule);
  g_test_add_func ("/diffusion/masked-sampler/euler-maruyama-conditional", test_euler_maruyama_draws_the_conditional);
  g_test_add_func ("/diffusion/masked-sampler/ode-conditional", test_ode_draws_the_conditional);
  g_test_add_func ("/diffusion/masked-sampler/repaint-conditional", test_repaint_draws_the_conditional);
  g_test_add_func ("/diffusion/masked-sampler/all-given", test_all_given_returns_them);
  g_test_add_func ("/diffusion/masked-sampler/given-per-row", test_given_per_row);
  g_test_add_func ("/diffusion/masked-sampler/seeded-steps-cancel", test_seeded_steps_and_cancel);
  g_test_add_func ("/diffusion/masked-sampler/config", test_config_checked);
  g_test_add_func ("/diffusion/masked-loss/subsets", test_masked_subsets);
  g_test_add_func ("/diffusion/masked-loss/prepare", test_masked_prepare);
  g_test_add_func ("/diffusion/masked-loss/gradient", test_masked_loss_gradient);
  return g_test_run ();
}
