/* Helpers shared by the tests, engine and GUI alike. */
#pragma once

#include <glib.h>

#include "core/rng.h"

/* Removes path: a file, or a directory with everything in it (symbolic
 * links are removed, not followed). */
void dv_test_remove_tree (const char *path);

/* The objective a gradient check differentiates: a scalar function of the
 * buffers the check perturbs, evaluated in double precision where it can be. */
typedef double (*DvTestObjective) (gpointer ctx);

/* Compares analytic[i] with the central difference (f(x + h) − f(x − h)) / 2h
 * for every entry of var (n floats), with the step actually representable in
 * float; fails the test (g_test_fail_printf) at the first entry whose error
 * exceeds atol + rtol · max(|numeric|, |analytic|). var is restored. */
void dv_test_check_gradient (const char *what, float *var, size_t n, const float *analytic,
                             DvTestObjective objective, gpointer ctx, float h, double atol, double rtol);

/* The same against a double-precision reference of the objective: var is the
 * reference's copy of the variables (double), the step h is exact, and the
 * tolerance is atol + rtol · |numeric| (the reference's derivative). Returns
 * ‖numeric‖₂, so that a caller can check the gradient is not trivially zero. */
double dv_test_check_gradient_double (const char *what, double *var, size_t n, const float *analytic,
                                      DvTestObjective objective, gpointer ctx, double h, double atol, double rtol);

/* Σ out[i] · weights[i] in double: a random linear functional of a layer's
 * output, so that one scalar exercises every output's gradient. */
double dv_test_weighted_sum (const float *out, const float *weights, size_t n);

/* A layer's scalar objective for the gradient checks: forward (layer), then the weighted sum of out. */
typedef struct {
  void (*forward) (gpointer ctx);
  gpointer layer;
  float *out;
  const float *weights;
  size_t n_out;
} DvTestLayerObjective;
double dv_test_layer_objective (gpointer layer_objective);

/* n standard-normal floats (g_free them). */
float *dv_test_random_floats (DvRng *rng, size_t n);

/* n points [n][2] from N((mean_x, 0), sigma² I), g_free'd by the caller. */
float *dv_test_gaussian_points (DvRng *rng, size_t n, float sigma, float mean_x);

/* One run of the dimvida command ($DV_DIMVIDA) with args (NULL-terminated,
 * without the program), in cwd (NULL: here): its exit status (0 or 1) and output. */
typedef struct {
  int status;
  char *out, *err;
} DvTestRun;

void dv_test_run_dimvida (DvTestRun *r, const char *cwd, const char *const *args);
void dv_test_run_clear (DvTestRun *r);
