#include "metrics/knn_kl.h"

#include "metrics/kdtree.h"

#include <math.h>

/* Queries per work item: fixed, so that the partial sums, and hence the
 * result's rounding, are the same for any number of threads. */
#define CHUNK_SIZE 2048
#define MAX_THREADS 16

typedef struct {
  const DvKdTree *real_tree, *sample_tree;
  int k;
  double floor;
  size_t n_chunks;
  double *sum_log_nn, *sum_log_nnp;        /* per chunk */
  size_t *floored_nn, *floored_nnp;        /* per chunk */
  gint next_chunk;                         /* atomic */
  gint chunks_done;                        /* atomic */
  GCancellable *cancellable;
} KlJob;

static void
run_chunk (KlJob *job, size_t chunk)
{
  const DvKdTree *real = job->real_tree;
  int dim = dv_kdtree_dim (real), k = job->k;
  const float *points = dv_kdtree_ordered_points (real);
  const guint32 *index = dv_kdtree_ordered_index (real);
  size_t end = MIN (dv_kdtree_size (real), (chunk + 1) * CHUNK_SIZE);
  double distances[DV_KDTREE_MAX_K];
  double sum_nn = 0, sum_nnp = 0;
  size_t floored_nn = 0, floored_nnp = 0;
  /* The real points in the tree's order: neighbouring queries touch the same leaves. */
  for (size_t p = chunk * CHUNK_SIZE; p < end; p++)
    {
      const float *x = points + p * dim;
      int found = dv_kdtree_nearest (real, x, k, index[p], distances, NULL);
      DV_CHECK (found == k, "knn_kl: found %d of %d neighbours", found, k);
      double nn = distances[k - 1];
      if (nn < job->floor)
        {
          nn = job->floor;
          floored_nn++;
        }
      found = dv_kdtree_nearest (job->sample_tree, x, k, DV_KDTREE_NO_SKIP, distances, NULL);
      DV_CHECK (found == k, "knn_kl: found %d of %d neighbours", found, k);
      double nnp = distances[k - 1];
      if (nnp < job->floor)
        {
          nnp = job->floor;
          floored_nnp++;
        }
      sum_nn += log (nn);
      sum_nnp += log (nnp);
    }
  job->sum_log_nn[chunk] = sum_nn;
  job->sum_log_nnp[chunk] = sum_nnp;
  job->floored_nn[chunk] = floored_nn;
  job->floored_nnp[chunk] = floored_nnp;
}

/* Runs the next chunk; FALSE when none is left or the job was cancelled. */
static gboolean
take_chunk (KlJob *job)
{
  if (job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
    return FALSE;
  size_t chunk = (size_t) g_atomic_int_add (&job->next_chunk, 1);
  if (chunk >= job->n_chunks)
    return FALSE;
  run_chunk (job, chunk);
  g_atomic_int_inc (&job->chunks_done);
  return TRUE;
}

static gpointer
worker (gpointer data)
{
  KlJob *job = data;
  while (take_chunk (job))
    ;
  return NULL;
}

static gboolean
check_points (const float *points, size_t n, int dim, const char *what, float *lo, float *hi, GError **error)
{
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < dim; a++)
      {
        float v = points[i * dim + a];
        if (!isfinite (v))
          {
            g_set_error (error, DV_ERROR, DV_ERROR_NAN, "%s point %zu has a non-finite coordinate (%g)", what, i,
                         (double) v);
            return FALSE;
          }
        lo[a] = MIN (lo[a], v);
        hi[a] = MAX (hi[a], v);
      }
  return TRUE;
}

gboolean
dv_knn_kl (const float *real, size_t n_real, const float *sample, size_t n_sample, int dim, int k,
           int n_threads, DvKnnKlResult *result,
           DvProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
  DV_CHECK (result != NULL, "dv_knn_kl: result is NULL");
  if (dim < 1 || dim > DV_KDTREE_MAX_DIM)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "KL estimate: dimension %d is outside 1..%d", dim,
                   DV_KDTREE_MAX_DIM);
      return FALSE;
    }
  if (k < 1 || k > DV_KDTREE_MAX_K || (size_t) k >= n_real || (size_t) k >= n_sample)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                   "KL estimate: k = %d needs more than k points in each set (real %zu, sample %zu)", k, n_real,
                   n_sample);
      return FALSE;
    }
  if (n_real >= G_MAXUINT32 || n_sample >= G_MAXUINT32)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "KL estimate: at most %u points per set", G_MAXUINT32 - 1);
      return FALSE;
    }
  float lo[DV_KDTREE_MAX_DIM], hi[DV_KDTREE_MAX_DIM];
  for (int a = 0; a < dim; a++)
    {
      lo[a] = INFINITY;
      hi[a] = -INFINITY;
    }
  if (!check_points (real, n_real, dim, "real", lo, hi, error)
      || !check_points (sample, n_sample, dim, "sample", lo, hi, error))
    return FALSE;
  double extent = 0;
  for (int a = 0; a < dim; a++)
    extent = MAX (extent, (double) hi[a] - lo[a]);

  g_autoptr (DvKdTree) real_tree = dv_kdtree_new (real, n_real, dim);
  g_autoptr (DvKdTree) sample_tree = dv_kdtree_new (sample, n_sample, dim);
  KlJob job = {
    .real_tree = real_tree,
    .sample_tree = sample_tree,
    .k = k,
    .floor = DV_KNN_KL_TIE_FLOOR * (extent > 0 ? extent : 1.0),
    .n_chunks = (n_real + CHUNK_SIZE - 1) / CHUNK_SIZE,
    .cancellable = cancellable,
  };
  job.sum_log_nn = g_new0 (double, job.n_chunks);
  job.sum_log_nnp = g_new0 (double, job.n_chunks);
  job.floored_nn = g_new0 (size_t, job.n_chunks);
  job.floored_nnp = g_new0 (size_t, job.n_chunks);

  if (n_threads <= 0)
    n_threads = (int) g_get_num_processors ();
  n_threads = (int) MIN ((size_t) MIN (n_threads, MAX_THREADS), job.n_chunks);
  GThread *threads[MAX_THREADS];
  for (int t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("knn-kl", worker, &job);
  /* This thread works too, and is the only one that reports progress. */
  while (take_chunk (&job))
    if (progress != NULL)
      {
        gint64 done = MIN ((gint64) g_atomic_int_get (&job.chunks_done) * CHUNK_SIZE, (gint64) n_real);
        DvProgress p = { "kl", done, (gint64) n_real };
        progress (&p, user_data);
      }
  for (int t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);

  gboolean ok = !dv_check_cancelled (cancellable, error);
  if (ok)
    {
      double sum_nn = 0, sum_nnp = 0;
      *result = (DvKnnKlResult) { .distance_floor = job.floor };
      for (size_t c = 0; c < job.n_chunks; c++)
        {
          sum_nn += job.sum_log_nn[c];
          sum_nnp += job.sum_log_nnp[c];
          result->floored_nn += job.floored_nn[c];
          result->floored_nnp += job.floored_nnp[c];
        }
      result->mean_log_nn = sum_nn / (double) n_real;
      result->mean_log_nnp = sum_nnp / (double) n_real;
      result->kl_bits = (log ((double) n_sample) - log ((double) n_real - 1)
                         + dim * (result->mean_log_nnp - result->mean_log_nn)) / G_LN2;
      if (progress != NULL)
        {
          DvProgress p = { "kl", (gint64) n_real, (gint64) n_real };
          progress (&p, user_data);
        }
    }
  g_free (job.sum_log_nn);
  g_free (job.sum_log_nnp);
  g_free (job.floored_nn);
  g_free (job.floored_nnp);
  return ok;
}

double
dv_knn_kl_2d (const float *real, size_t n_real, const float *sample, size_t n_sample, GError **error)
{
  DvKnnKlResult result;
  if (!dv_knn_kl (real, n_real, sample, n_sample, 2, DV_KNN_KL_DEFAULT_K, 0, &result, NULL, NULL, NULL, error))
    return NAN;
  return result.kl_bits;
}
