/* The image sets c, ca, e and ea, and their batches. */
#include "votes/dataset.h"

#include <string.h>

static const char *const set_names[DV_N_VOTES_SETS] = { "s", "m" };

const char *
dv_votes_set_name (DvVotesSet set)
{
  DV_CHECK (set >= 0 && set < DV_N_VOTES_SETS, "dv_votes_set_name: %d", set);
  return set_names[set];
}

gboolean
dv_votes_set_from_name (const char *name, DvVotesSet *set, GError **error)
{
  for (int i = 0; i < DV_N_VOTES_SETS; i++)
    if (g_strcmp0 (name, set_names[i]) == 0)
      {
        *set = (DvVotesSet) i;
        return TRUE;
      }
  g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
               "Unknown training set “%s”: s (Ω_s, split c) or m (Ω_m, split ca)", name ? name : "");
  return FALSE;
}

static gboolean
check_set (const DvMultiviewSet *set, GError **error)
{
  if (set->split == DV_SPLIT_D)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                   "Split d has no single given view per object: classifiers use splits c and e");
      return FALSE;
    }
  if (set->n_objects == 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Split %s has no objects", dv_multiview_split_name (set->split));
      return FALSE;
    }
  for (guint o = 0; o < set->n_objects; o++)
    if (set->given_views[o] >= set->n_views)
      {
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "Object %u of split %s has no given view", o,
                     dv_multiview_split_name (set->split));
        return FALSE;
      }
  if (set->width != set->height)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "The views are %d×%d, not square", set->width, set->height);
      return FALSE;
    }
  return TRUE;
}

static void
alloc (DvVotesDataset *ds, guint n, int size)
{
  ds->n = n;
  ds->size = size;
  ds->pixels = g_new (guint8, (size_t) n * size * size * 3);
  ds->labels = g_new (guint8, n);
  ds->objects = g_new (guint32, n);
  ds->views = g_new (guint8, n);
  ds->generated = g_new (guint8, n);
}

gboolean
dv_votes_dataset_init_real (DvVotesDataset *ds, const DvMultiviewSet *set, GError **error)
{
  memset (ds, 0, sizeof *ds);
  if (!check_set (set, error))
    return FALSE;
  const size_t bytes = (size_t) set->width * set->height * 3;
  alloc (ds, set->n_objects, set->width);
  for (guint o = 0; o < set->n_objects; o++)
    {
      memcpy (ds->pixels + o * bytes, dv_multiview_set_view (set, o, set->given_views[o]), bytes);
      ds->labels[o] = set->labels[o];
      ds->objects[o] = o;
      ds->views[o] = set->given_views[o];
      ds->generated[o] = 0;
    }
  return TRUE;
}

gboolean
dv_votes_dataset_init_augmented (DvVotesDataset *ds, const DvMultiviewSet *set, const guint8 *views4, GError **error)
{
  memset (ds, 0, sizeof *ds);
  if (!check_set (set, error))
    return FALSE;
  const int V = set->n_views;
  const size_t bytes = (size_t) set->width * set->height * 3;
  alloc (ds, set->n_objects * (guint) V, set->width);
  guint k = 0;
  for (guint o = 0; o < set->n_objects; o++)
    for (int j = 0; j < V; j++)
      {
        /* The real view first, then the others in view order. */
        const int g = set->given_views[o];
        const int v = j == 0 ? g : (j - 1 < g ? j - 1 : j);
        memcpy (ds->pixels + k * bytes, views4 + ((size_t) o * V + v) * bytes, bytes);
        ds->labels[k] = set->labels[o];
        ds->objects[k] = o;
        ds->views[k] = (guint8) v;
        ds->generated[k] = j != 0;
        k++;
      }
  return TRUE;
}

void
dv_votes_dataset_clear (DvVotesDataset *ds)
{
  g_clear_pointer (&ds->pixels, g_free);
  g_clear_pointer (&ds->labels, g_free);
  g_clear_pointer (&ds->objects, g_free);
  g_clear_pointer (&ds->views, g_free);
  g_clear_pointer (&ds->generated, g_free);
  ds->n = 0;
}

void
dv_votes_augment_init (DvVotesAugment *aug)
{
  aug->flip = TRUE;
  aug->shift = 4;
}

void
dv_votes_dataset_fill (const DvVotesDataset *ds, const guint32 *indices, int B, const DvVotesAugment *aug,
                       DvRng *rng, float *images, int *labels)
{
  const int S = ds->size;
  const size_t P = (size_t) S * S;
  const gboolean active = aug && (aug->flip || aug->shift > 0);
  for (int i = 0; i < B; i++)
    {
      DV_CHECK (indices[i] < ds->n, "dv_votes_dataset_fill: sample %u of %u", indices[i], ds->n);
      const guint8 *src = ds->pixels + (size_t) indices[i] * 3 * P;
      float *dst = images + (size_t) i * 3 * P;
      labels[i] = ds->labels[indices[i]];
      gboolean flip = FALSE;
      int dx = 0, dy = 0;
      if (active)
        {
          /* Always three draws, so that the stream does not depend on the options' values. */
          const guint64 f = dv_rng_below (rng, 2), a = dv_rng_below (rng, 2 * (guint64) MAX (aug->shift, 0) + 1),
                        b = dv_rng_below (rng, 2 * (guint64) MAX (aug->shift, 0) + 1);
          flip = aug->flip && f;
          dx = (int) a - MAX (aug->shift, 0);
          dy = (int) b - MAX (aug->shift, 0);
        }
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
          {
            int sx = (flip ? S - 1 - x : x) - dx, sy = y - dy;
            const gboolean inside = sx >= 0 && sx < S && sy >= 0 && sy < S;
            const guint8 *px = src + 3 * ((size_t) sy * S + sx);
            for (int c = 0; c < 3; c++)
              dst[c * P + (size_t) y * S + x] = inside ? px[c] * (1.0f / 255.0f) : 1.0f;
          }
    }
}
