/* Seeded, reproducible random numbers (xoshiro256** seeded through splitmix64).
 * Results depend only on the seed and the order of calls, never on threads:
 * parallel work derives one stream per work item with dv_rng_init_stream. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
  gboolean has_spare_normal;
  float spare_normal;
} DvRng;

void dv_rng_init (DvRng *rng, guint64 seed);
/* An independent stream for work item `stream` of a job seeded with `seed`. */
void dv_rng_init_stream (DvRng *rng, guint64 seed, guint64 stream);
guint64 dv_rng_next_u64 (DvRng *rng);
/* Uniform in [0, 1). */
float dv_rng_uniform (DvRng *rng);
double dv_rng_uniform_double (DvRng *rng);
/* Uniform in [lo, hi). */
float dv_rng_uniform_range (DvRng *rng, float lo, float hi);
/* Standard normal (Box–Muller, both values used). */
float dv_rng_normal (DvRng *rng);
/* Uniform integer in [0, n), unbiased. n > 0. */
guint64 dv_rng_below (DvRng *rng, guint64 n);
/* Uniform integer in [lo, hi). */
gint64 dv_rng_int_range (DvRng *rng, gint64 lo, gint64 hi);
void dv_rng_fill_uniform (DvRng *rng, float *out, size_t n, float lo, float hi);
void dv_rng_fill_normal (DvRng *rng, float *out, size_t n);
/* perm = a uniformly random permutation of 0..n-1 (Fisher–Yates). */
void dv_rng_permutation (DvRng *rng, guint32 *perm, size_t n);
void dv_rng_shuffle_u32 (DvRng *rng, guint32 *values, size_t n);

G_END_DECLS
