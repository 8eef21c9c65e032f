#include "metrics/kdtree.h"

#include <math.h>
#include <string.h>

/* Small leaves: below this a linear scan beats descending further. */
#define LEAF_SIZE 12

typedef struct {
  guint32 start, end;   /* the node's points: positions [start, end) in tree order */
  gint32 left, right;   /* children, or -1 for a leaf */
} DvKdNode;

struct _DvKdTree {
  int dim;
  size_t n;
  float *points;        /* n × dim, in tree order */
  guint32 *index;       /* tree position → caller index */
  DvKdNode *nodes;
  size_t n_nodes, capacity;
  float *bounds;        /* per node: lo[dim] then hi[dim], the box of its points */
};

static float
key (const float *points, int dim, guint32 i, int axis)
{
  return points[(size_t) i * dim + axis];
}

static void
swap_u32 (guint32 *a, guint32 *b)
{
  guint32 t = *a;
  *a = *b;
  *b = t;
}

/* Reorders idx[lo..hi] (inclusive) so that idx[nth] holds the point whose key
 * would be there after sorting, with no larger key before it and no smaller
 * after it (Hoare partitions around a median of three). */
static void
select_nth (guint32 *idx, gssize lo, gssize hi, gssize nth, const float *points, int dim, int axis)
{
  while (hi > lo)
    {
      gssize mid = lo + (hi - lo) / 2;
      /* Median of three into idx[mid]: protects sorted inputs from the quadratic case. */
      if (key (points, dim, idx[mid], axis) < key (points, dim, idx[lo], axis))
        swap_u32 (&idx[mid], &idx[lo]);
      if (key (points, dim, idx[hi], axis) < key (points, dim, idx[lo], axis))
        swap_u32 (&idx[hi], &idx[lo]);
      if (key (points, dim, idx[hi], axis) < key (points, dim, idx[mid], axis))
        swap_u32 (&idx[hi], &idx[mid]);
      float pivot = key (points, dim, idx[mid], axis);
      gssize i = lo, j = hi;
      while (i <= j)
        {
          while (key (points, dim, idx[i], axis) < pivot)
            i++;
          while (key (points, dim, idx[j], axis) > pivot)
            j--;
          if (i <= j)
            swap_u32 (&idx[i++], &idx[j--]);
        }
      /* Now [lo, j] ≤ pivot ≤ [i, hi], and anything between equals the pivot. */
      if (nth <= j)
        hi = j;
      else if (nth >= i)
        lo = i;
      else
        return;
    }
}

static gint32
build_node (DvKdTree *tree, guint32 *idx, const float *src, guint32 start, guint32 end)
{
  int dim = tree->dim;
  if (tree->n_nodes == tree->capacity)
    {
      tree->capacity *= 2;
      tree->nodes = g_renew (DvKdNode, tree->nodes, tree->capacity);
      tree->bounds = g_renew (float, tree->bounds, tree->capacity * 2 * (size_t) dim);
    }
  gint32 id = (gint32) tree->n_nodes++;
  float *lo = tree->bounds + (size_t) id * 2 * dim, *hi = lo + dim;
  for (int a = 0; a < dim; a++)
    {
      lo[a] = INFINITY;
      hi[a] = -INFINITY;
    }
  for (guint32 p = start; p < end; p++)
    for (int a = 0; a < dim; a++)
      {
        float v = key (src, dim, idx[p], a);
        lo[a] = MIN (lo[a], v);
        hi[a] = MAX (hi[a], v);
      }
  int axis = 0;
  for (int a = 1; a < dim; a++)
    if (hi[a] - lo[a] > hi[axis] - lo[axis])
      axis = a;

  DvKdNode node = { start, end, -1, -1 };
  /* Split even when all points coincide (zero spread): with the ≥ pruning in
   * the search, a pile of duplicates is then cut off as soon as k of them are
   * found instead of being scanned in full. */
  if (end - start > LEAF_SIZE)
    {
      guint32 mid = start + (end - start) / 2;
      select_nth (idx, start, (gssize) end - 1, mid, src, dim, axis);
      node.left = build_node (tree, idx, src, start, mid);
      node.right = build_node (tree, idx, src, mid, end);
    }
  tree->nodes[id] = node;  /* after the children: they may have moved the array */
  return id;
}

DvKdTree *
dv_kdtree_new (const float *points, size_t n, int dim)
{
  DV_CHECK (points != NULL && n >= 1 && n < G_MAXUINT32, "dv_kdtree_new: need 1 ≤ n < 2^32 points (got %zu)", n);
  DV_CHECK (dim >= 1 && dim <= DV_KDTREE_MAX_DIM, "dv_kdtree_new: dim %d outside 1..%d", dim, DV_KDTREE_MAX_DIM);
  DvKdTree *tree = g_new0 (DvKdTree, 1);
  tree->dim = dim;
  tree->n = n;
  tree->capacity = 2 * (n / (LEAF_SIZE / 2) + 1);
  tree->nodes = g_new (DvKdNode, tree->capacity);
  tree->bounds = g_new (float, tree->capacity * 2 * (size_t) dim);
  tree->index = g_new (guint32, n);
  for (size_t i = 0; i < n; i++)
    tree->index[i] = (guint32) i;
  build_node (tree, tree->index, points, 0, (guint32) n);
  tree->points = g_new (float, n * (size_t) dim);
  for (size_t p = 0; p < n; p++)
    memcpy (tree->points + p * dim, points + (size_t) tree->index[p] * dim, sizeof (float) * dim);
  return tree;
}

void
dv_kdtree_free (DvKdTree *tree)
{
  if (tree == NULL)
    return;
  g_free (tree->points);
  g_free (tree->index);
  g_free (tree->nodes);
  g_free (tree->bounds);
  g_free (tree);
}

size_t
dv_kdtree_size (const DvKdTree *tree)
{
  return tree->n;
}

int
dv_kdtree_dim (const DvKdTree *tree)
{
  return tree->dim;
}

const float *
dv_kdtree_ordered_points (const DvKdTree *tree)
{
  return tree->points;
}

const guint32 *
dv_kdtree_ordered_index (const DvKdTree *tree)
{
  return tree->index;
}

typedef struct {
  const float *query;
  size_t skip;
  int k, found;
  double *distances;   /* ascending, `found` of them */
  guint32 *positions;  /* tree positions of the same */
} Search;

static double
worst (const Search *s)
{
  return s->found < s->k ? INFINITY : s->distances[s->k - 1];
}

/* Max-norm distance from the query to a node's box (0 inside it). Differences
 * in double: a difference of two floats is then exact. */
static double
box_distance (const DvKdTree *tree, gint32 node, const float *q)
{
  const float *lo = tree->bounds + (size_t) node * 2 * tree->dim, *hi = lo + tree->dim;
  double d = 0;
  for (int a = 0; a < tree->dim; a++)
    {
      double below = (double) lo[a] - q[a], above = (double) q[a] - hi[a];
      d = MAX (d, MAX (below, above));
    }
  return d;
}

static void
scan_leaf (const DvKdTree *tree, const DvKdNode *node, Search *s)
{
  int dim = tree->dim;
  for (guint32 p = node->start; p < node->end; p++)
    {
      if (tree->index[p] == s->skip)
        continue;
      const float *x = tree->points + (size_t) p * dim;
      double d = 0;
      for (int a = 0; a < dim; a++)
        d = MAX (d, fabs ((double) x[a] - s->query[a]));
      if (d >= worst (s))
        continue;
      /* Insertion into the sorted list of the best so far. */
      int slot = s->found < s->k ? s->found++ : s->k - 1;
      while (slot > 0 && s->distances[slot - 1] > d)
        {
          s->distances[slot] = s->distances[slot - 1];
          s->positions[slot] = s->positions[slot - 1];
          slot--;
        }
      s->distances[slot] = d;
      s->positions[slot] = p;
    }
}

static void
search_node (const DvKdTree *tree, gint32 id, Search *s)
{
  const DvKdNode *node = &tree->nodes[id];
  if (node->left < 0)
    {
      scan_leaf (tree, node, s);
      return;
    }
  double dl = box_distance (tree, node->left, s->query);
  double dr = box_distance (tree, node->right, s->query);
  gint32 near = dl <= dr ? node->left : node->right, far = dl <= dr ? node->right : node->left;
  double dnear = MIN (dl, dr), dfar = MAX (dl, dr);
  /* A box no nearer than the current k-th best cannot improve it. */
  if (dnear < worst (s))
    search_node (tree, near, s);
  if (dfar < worst (s))
    search_node (tree, far, s);
}

int
dv_kdtree_nearest (const DvKdTree *tree, const float *query, int k, size_t skip,
                   double *distances, size_t *indices)
{
  DV_CHECK (k >= 1 && k <= DV_KDTREE_MAX_K, "dv_kdtree_nearest: k %d outside 1..%d", k, DV_KDTREE_MAX_K);
  guint32 positions[DV_KDTREE_MAX_K];
  Search s = { query, skip, k, 0, distances, positions };
  search_node (tree, 0, &s);
  if (indices != NULL)
    for (int i = 0; i < s.found; i++)
      indices[i] = tree->index[positions[i]];
  return s.found;
}
