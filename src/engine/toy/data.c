#include "toy/data.h"

#include "core/data_file.h"
#include "core/rng.h"
#include "core/common.h"
#include "metrics/kdtree.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* A CSV larger than this cannot hold ≤ 1,000,000 sensible rows. */
#define MAX_CSV_BYTES ((gsize) 256 << 20)

static const char *const dataset_names[] = { "circle", "dino", "line", "moons", NULL };

const char *const *
dv_toy_dataset_names (void)
{
  return dataset_names;
}

gboolean
dv_toy_dataset_is_known (const char *name)
{
  return name != NULL && g_strv_contains (dataset_names, name);
}

void
dv_toy_data_clear (DvToyData *data)
{
  dv_free_floats (data->xy);
  data->xy = NULL;
  data->n = 0;
}

/* Splits a line on commas, tabs, semicolons or spaces into at most max fields. */
static int
split_fields (char *line, char **fields, int max)
{
  int count = 0;
  char *p = line;
  while (*p)
    {
      while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
      if (*p == '\0')
        break;
      if (count == max)
        return max + 1;
      fields[count++] = p;
      while (*p && *p != ',' && *p != ';' && *p != '\t' && *p != ' ' && *p != '\r')
        p++;
      char *end = p;
      while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
      if (*p == ',' || *p == ';')
        p++;
      *end = '\0';
    }
  return count;
}

static gboolean
parse_number (const char *s, double *value)
{
  char *end = NULL;
  errno = 0;
  *value = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && errno != ERANGE;
}

gboolean
dv_toy_load_dino_points (const char *path, float **xy_out, size_t *n_out, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &text, &length, error))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int col_dataset = -1, col_x = -1, col_y = -1;
  GArray *points = g_array_new (FALSE, FALSE, sizeof (float));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *fields[4];
      int nf = split_fields (lines[i], fields, 3);
      if (nf == 0)
        continue;
      if (col_x < 0)
        {
          for (int f = 0; f < nf && f < 3; f++)
            {
              if (g_strcmp0 (fields[f], "dataset") == 0)
                col_dataset = f;
              else if (g_strcmp0 (fields[f], "x") == 0)
                col_x = f;
              else if (g_strcmp0 (fields[f], "y") == 0)
                col_y = f;
            }
          if (col_x < 0 || col_y < 0)
            {
              g_array_unref (points);
              g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: the header must name the columns x and y", path);
              return FALSE;
            }
          continue;
        }
      double x, y;
      if (nf > 3 || col_x >= nf || col_y >= nf || (col_dataset >= nf) || !parse_number (fields[col_x], &x) ||
          !parse_number (fields[col_y], &y))
        {
          g_array_unref (points);
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s, line %u: malformed row", path, i + 1);
          return FALSE;
        }
      if (col_dataset >= 0 && g_strcmp0 (fields[col_dataset], "dino") != 0)
        continue;
      float p[2] = { (float) x, (float) y };
      g_array_append_vals (points, p, 2);
    }
  if (points->len < 2 * DV_TOY_MIN_POINTS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s holds %u dino points, too few", path, points->len / 2);
      g_array_unref (points);
      return FALSE;
    }
  *n_out = points->len / 2;
  *xy_out = dv_alloc_floats (points->len);
  memcpy (*xy_out, points->data, sizeof (float) * points->len);
  g_array_unref (points);
  return TRUE;
}

/* sklearn's make_moons: two half circles of n/2 and n − n/2 points, evenly
 * spaced in angle, shuffled, then Gaussian noise on both coordinates. */
static void
make_moons (float *xy, size_t n, DvRng *rng, float noise)
{
  const size_t n_out = n / 2, n_in = n - n_out;
  float *clean = dv_alloc_floats (2 * n);
  for (size_t i = 0; i < n_out; i++)
    {
      double a = n_out > 1 ? G_PI * (double) i / (double) (n_out - 1) : 0.0;
      clean[2 * i] = (float) cos (a);
      clean[2 * i + 1] = (float) sin (a);
    }
  for (size_t i = 0; i < n_in; i++)
    {
      double a = n_in > 1 ? G_PI * (double) i / (double) (n_in - 1) : 0.0;
      clean[2 * (n_out + i)] = (float) (1.0 - cos (a));
      clean[2 * (n_out + i) + 1] = (float) (1.0 - sin (a) - 0.5);
    }
  guint32 *perm = g_new (guint32, n);
  dv_rng_permutation (rng, perm, n);
  for (size_t i = 0; i < n; i++)
    {
      xy[2 * i] = clean[2 * perm[i]] + noise * dv_rng_normal (rng);
      xy[2 * i + 1] = clean[2 * perm[i] + 1] + noise * dv_rng_normal (rng);
    }
  g_free (perm);
  dv_free_floats (clean);
}

gboolean
dv_toy_data_generate (DvToyData *data, const char *name, size_t n, guint64 seed, GError **error)
{
  memset (data, 0, sizeof *data);
  if (!dv_toy_dataset_is_known (name))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                   "Unknown dataset “%s” (expected circle, dino, line or moons)", name ? name : "");
      return FALSE;
    }
  if (n < DV_TOY_MIN_POINTS || n > DV_TOY_MAX_POINTS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "A dataset has %d to %d points, not %zu", DV_TOY_MIN_POINTS,
                   DV_TOY_MAX_POINTS, n);
      return FALSE;
    }

  DvRng rng;
  dv_rng_init (&rng, seed);
  float *xy = dv_alloc_floats (2 * n);
  /* The draws come in the seed's order: whole arrays, first coordinate first. */
  if (strcmp (name, "moons") == 0)
    {
      make_moons (xy, n, &rng, 0.03f);
      for (size_t i = 0; i < n; i++)
        {
          xy[2 * i] = (xy[2 * i] + 0.3f) * 2.0f - 1.0f;
          xy[2 * i + 1] = (xy[2 * i + 1] + 0.3f) * 3.0f - 1.0f;
        }
    }
  else if (strcmp (name, "line") == 0)
    {
      for (size_t i = 0; i < n; i++)
        xy[2 * i] = 4.0f * dv_rng_uniform_range (&rng, -0.5f, 0.5f);
      for (size_t i = 0; i < n; i++)
        xy[2 * i + 1] = 4.0f * dv_rng_uniform_range (&rng, -1.0f, 1.0f);
    }
  else if (strcmp (name, "circle") == 0)
    {
      /* round(U(−.5,.5)/2, 1)·2 snaps both coordinates to {−.4, −.2, 0, .2, .4}
       * (rint rounds half to even, as numpy's round); normalising puts the
       * point on the unit circle at one of a few angles. */
      for (size_t i = 0; i < n; i++)
        xy[2 * i] = (float) (rint (dv_rng_uniform_range (&rng, -0.5f, 0.5f) / 2.0 * 10.0) / 10.0 * 2.0);
      for (size_t i = 0; i < n; i++)
        xy[2 * i + 1] = (float) (rint (dv_rng_uniform_range (&rng, -0.5f, 0.5f) / 2.0 * 10.0) / 10.0 * 2.0);
      for (size_t i = 0; i < n; i++)
        {
          float norm = sqrtf (xy[2 * i] * xy[2 * i] + xy[2 * i + 1] * xy[2 * i + 1]) + 1e-10f;
          xy[2 * i] /= norm;
          xy[2 * i + 1] /= norm;
        }
      float *theta = dv_alloc_floats (n);
      for (size_t i = 0; i < n; i++)
        theta[i] = 2.0f * (float) G_PI * dv_rng_uniform (&rng);
      for (size_t i = 0; i < n; i++)
        {
          float r = dv_rng_uniform_range (&rng, 0.0f, 0.03f);
          xy[2 * i] = 3.0f * (xy[2 * i] + r * cosf (theta[i]));
          xy[2 * i + 1] = 3.0f * (xy[2 * i + 1] + r * sinf (theta[i]));
        }
      dv_free_floats (theta);
    }
  else /* dino */
    {
      g_autofree char *path = dv_find_data_file ("datasaurus-dino.tsv", error);
      float *dino = NULL;
      size_t n_dino = 0;
      if (path == NULL || !dv_toy_load_dino_points (path, &dino, &n_dino, error))
        {
          dv_free_floats (xy);
          return FALSE;
        }
      guint32 *index = g_new (guint32, n);
      for (size_t i = 0; i < n; i++)
        index[i] = (guint32) dv_rng_below (&rng, n_dino);
      for (size_t i = 0; i < n; i++)
        xy[2 * i] = dino[2 * index[i]] + 0.15f * dv_rng_normal (&rng);
      for (size_t i = 0; i < n; i++)
        xy[2 * i + 1] = dino[2 * index[i] + 1] + 0.15f * dv_rng_normal (&rng);
      for (size_t i = 0; i < n; i++)
        {
          xy[2 * i] = (xy[2 * i] / 54.0f - 1.0f) * 4.0f;
          xy[2 * i + 1] = (xy[2 * i + 1] / 48.0f - 1.0f) * 4.0f;
        }
      g_free (index);
      dv_free_floats (dino);
    }
  data->xy = xy;
  data->n = n;
  return TRUE;
}

gboolean
dv_toy_data_parse_csv (DvToyData *data, const char *text, gsize length, const char *what, GError **error)
{
  memset (data, 0, sizeof *data);
  GArray *points = g_array_new (FALSE, FALSE, sizeof (float));
  const char *p = text, *end = text + length;
  guint line_no = 0;
  gboolean seen_row = FALSE;
  GString *line = g_string_new (NULL);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *line_end = nl ? nl : end;
      line_no++;
      g_string_assign (line, "");
      g_string_append_len (line, p, line_end - p);
      p = nl ? nl + 1 : end;

      if (memchr (line->str, '\0', line->len) != NULL)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s, line %u: binary data, not text", what, line_no);
          goto fail;
        }
      char *stripped = g_strstrip (line->str);
      if (stripped[0] == '\0' || stripped[0] == '#')
        continue;
      char *fields[3];
      int nf = split_fields (stripped, fields, 2);
      double x = 0, y = 0;
      gboolean numeric = nf == 2 && parse_number (fields[0], &x) && parse_number (fields[1], &y);
      if (!numeric)
        {
          /* The first non-empty line may be a header of two names. */
          if (!seen_row && nf == 2 && !parse_number (fields[0], &x) && !parse_number (fields[1], &y))
            {
              seen_row = TRUE;
              continue;
            }
          if (nf != 2)
            g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s, line %u: expected two values x,y, found %s", what,
                         line_no, nf > 2 ? "more" : "one");
          else
            g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s, line %u: “%s” is not a number", what, line_no,
                         parse_number (fields[0], &x) ? fields[1] : fields[0]);
          goto fail;
        }
      seen_row = TRUE;
      if (!isfinite (x) || !isfinite (y) || !isfinite ((float) x) || !isfinite ((float) y))
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s, line %u: the point (%s, %s) is not finite", what, line_no,
                       fields[0], fields[1]);
          goto fail;
        }
      if (points->len / 2 >= DV_TOY_MAX_POINTS)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%s: more than %d rows (line %u)", what,
                       DV_TOY_MAX_POINTS, line_no);
          goto fail;
        }
      float xy[2] = { (float) x, (float) y };
      g_array_append_vals (points, xy, 2);
    }
  if (points->len / 2 < DV_TOY_MIN_POINTS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "%s: %u points, at least %d are needed", what,
                   points->len / 2, DV_TOY_MIN_POINTS);
      goto fail;
    }
  data->n = points->len / 2;
  data->xy = dv_alloc_floats (points->len);
  memcpy (data->xy, points->data, sizeof (float) * points->len);
  g_array_unref (points);
  g_string_free (line, TRUE);
  return TRUE;

fail:
  g_array_unref (points);
  g_string_free (line, TRUE);
  return FALSE;
}

gboolean
dv_toy_data_load_csv (DvToyData *data, const char *path, GError **error)
{
  memset (data, 0, sizeof *data);
  GStatBuf st;
  if (g_stat (path, &st) == 0 && (gsize) st.st_size > MAX_CSV_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%s is larger than %zu MB", path, MAX_CSV_BYTES >> 20);
      return FALSE;
    }
  g_autofree char *text = NULL;
  gsize length = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  return dv_toy_data_parse_csv (data, text, length, path, error);
}

gboolean
dv_toy_points_save_csv (const float *xy, size_t n, const char *path, GError **error)
{
  GString *out = g_string_sized_new (24 * n + 8);
  g_string_append (out, "x,y\n");
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  for (size_t i = 0; i < n; i++)
    g_string_append_printf (out, "%s,%s\n", g_ascii_formatd (a, sizeof a, "%.9g", xy[2 * i]),
                            g_ascii_formatd (b, sizeof b, "%.9g", xy[2 * i + 1]));
  GError *local = NULL;
  gboolean ok = g_file_set_contents (path, out->str, (gssize) out->len, &local);
  g_string_free (out, TRUE);
  if (!ok)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "%s", local->message);
      g_error_free (local);
    }
  return ok;
}

/* How many neighbours are looked at for one at a non-zero distance. */
#define SPREAD_NEIGHBOURS 16

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
dv_toy_data_spread_sigma (const float *xy, size_t n)
{
  float lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < 2; a++)
      {
        lo[a] = MIN (lo[a], xy[2 * i + a]);
        hi[a] = MAX (hi[a], xy[2 * i + a]);
      }
  double extent = n > 0 ? MAX ((double) hi[0] - lo[0], (double) hi[1] - lo[1]) : 0;
  /* One point, or all on top of each other: a small blob of their own scale. */
  double fallback = 1e-3 * (extent > 0 ? extent : MAX (fabs ((double) lo[0]), 1.0));
  if (n < 2)
    return fallback;
  g_autoptr (DvKdTree) tree = dv_kdtree_new (xy, n, 2);
  double *nearest = g_new (double, n);
  size_t n_distinct = 0;
  for (size_t i = 0; i < n; i++)
    {
      /* The nearest other point at a non-zero distance: duplicates skipped. */
      double distances[SPREAD_NEIGHBOURS];
      int k = (int) MIN (n - 1, (size_t) SPREAD_NEIGHBOURS);
      int found = dv_kdtree_nearest (tree, xy + 2 * i, k, i, distances, NULL);
      for (int j = 0; j < found; j++)
        if (distances[j] > 0)
          {
            nearest[n_distinct++] = distances[j];
            break;
          }
    }
  double sigma = fallback;
  if (n_distinct > 0)
    {
      qsort (nearest, n_distinct, sizeof (double), compare_doubles);
      sigma = 0.5 * nearest[n_distinct / 2];
    }
  g_free (nearest);
  return sigma;
}

gboolean
dv_toy_data_spread (DvToyData *out, const float *xy, size_t n, size_t n_target, guint64 seed, GError **error)
{
  if (n < 1 || n_target < 1 || n_target > DV_TOY_MAX_POINTS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Cannot spread %zu points into %zu", n, n_target);
      return FALSE;
    }
  for (size_t i = 0; i < 2 * n; i++)
    if (!isfinite (xy[i]))
      {
        g_set_error (error, DV_ERROR, DV_ERROR_NAN, "Point %zu is not finite", i / 2 + 1);
        return FALSE;
      }
  float sigma = (float) dv_toy_data_spread_sigma (xy, n);
  float *spread = dv_alloc_floats (2 * n_target);
  DvRng rng;
  dv_rng_init_stream (&rng, seed, 0x5b7ead);
  for (size_t i = 0; i < n_target; i++)
    {
      size_t j = (size_t) dv_rng_below (&rng, n);
      spread[2 * i] = xy[2 * j] + sigma * dv_rng_normal (&rng);
      spread[2 * i + 1] = xy[2 * j + 1] + sigma * dv_rng_normal (&rng);
    }
  dv_toy_data_clear (out);
  out->xy = spread;
  out->n = n_target;
  return TRUE;
}
