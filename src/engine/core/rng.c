#include "core/rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void
dv_rng_init (DvRng *rng, guint64 seed)
{
  guint64 state = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
  rng->has_spare_normal = FALSE;
  rng->spare_normal = 0.0f;
}

void
dv_rng_init_stream (DvRng *rng, guint64 seed, guint64 stream)
{
  guint64 state = stream;
  dv_rng_init (rng, seed ^ splitmix64 (&state));
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
dv_rng_next_u64 (DvRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
dv_rng_uniform (DvRng *rng)
{
  return (float) (dv_rng_next_u64 (rng) >> 40) * 0x1.0p-24f;
}

double
dv_rng_uniform_double (DvRng *rng)
{
  return (double) (dv_rng_next_u64 (rng) >> 11) * 0x1.0p-53;
}

float
dv_rng_uniform_range (DvRng *rng, float lo, float hi)
{
  return lo + (hi - lo) * dv_rng_uniform (rng);
}

float
dv_rng_normal (DvRng *rng)
{
  if (rng->has_spare_normal)
    {
      rng->has_spare_normal = FALSE;
      return rng->spare_normal;
    }
  /* 1 - u keeps the logarithm's argument in (0, 1]. */
  double u1 = 1.0 - dv_rng_uniform_double (rng);
  double u2 = dv_rng_uniform_double (rng);
  double r = sqrt (-2.0 * log (u1));
  double a = 2.0 * G_PI * u2;
  rng->spare_normal = (float) (r * sin (a));
  rng->has_spare_normal = TRUE;
  return (float) (r * cos (a));
}

guint64
dv_rng_below (DvRng *rng, guint64 n)
{
  DV_CHECK (n > 0, "dv_rng_below: n must be positive");
  /* Rejection keeps every value equally likely. */
  guint64 limit = G_MAXUINT64 - (G_MAXUINT64 % n);
  guint64 x;
  do
    x = dv_rng_next_u64 (rng);
  while (x >= limit);
  return x % n;
}

gint64
dv_rng_int_range (DvRng *rng, gint64 lo, gint64 hi)
{
  DV_CHECK (hi > lo, "dv_rng_int_range: empty range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", lo, hi);
  return lo + (gint64) dv_rng_below (rng, (guint64) (hi - lo));
}

void
dv_rng_fill_uniform (DvRng *rng, float *out, size_t n, float lo, float hi)
{
  for (size_t i = 0; i < n; i++)
    out[i] = dv_rng_uniform_range (rng, lo, hi);
}

void
dv_rng_fill_normal (DvRng *rng, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = dv_rng_normal (rng);
}

void
dv_rng_shuffle_u32 (DvRng *rng, guint32 *values, size_t n)
{
  for (size_t i = n; i > 1; i--)
    {
      size_t j = (size_t) dv_rng_below (rng, i);
      guint32 tmp = values[i - 1];
      values[i - 1] = values[j];
      values[j] = tmp;
    }
}

void
dv_rng_permutation (DvRng *rng, guint32 *perm, size_t n)
{
  for (size_t i = 0; i < n; i++)
    perm[i] = (guint32) i;
  dv_rng_shuffle_u32 (rng, perm, n);
}
