/* The view latents of a split: encoding is the autoencoder's, view by view,
 * whatever the batch; progress reaches the total; cancelling stops it; the
 * cache round-trips and refuses another autoencoder, split, seed or shape. */
#include "test-util.h"
#include "core/rng.h"
#include "views/ae_train.h"
#include "views/latents.h"

#include <glib/gstdio.h>
#include <string.h>

static DvAutoencoder *
tiny_ae (guint64 seed)
{
  DvAutoencoderConfig cfg;
  dv_autoencoder_config_init (&cfg);
  cfg.image_size = 16;
  cfg.latent_dim = 8;
  cfg.channels[0] = 4, cfg.channels[1] = 4, cfg.channels[2] = 8;
  cfg.head_channels = 4;
  DvAutoencoder *ae = dv_autoencoder_new (&cfg);
  dv_autoencoder_init_weights (ae, seed);
  return ae;
}

/* A hand-made split of n objects with random pixels. */
static void
tiny_set (DvMultiviewSet *set, guint n, int size, guint64 seed)
{
  memset (set, 0, sizeof *set);
  set->split = DV_SPLIT_D;
  set->seed = seed;
  set->n_objects = n;
  set->n_views = 4;
  set->height = set->width = size;
  set->labels = g_new0 (guint8, n);
  set->given_views = g_new0 (guint8, n);
  set->object_indices = g_new0 (guint32, n);
  const size_t bytes = (size_t) n * 4 * size * size * 3;
  set->pixels = g_new (guint8, bytes);
  DvRng rng;
  dv_rng_init (&rng, seed);
  for (size_t i = 0; i < bytes; i++)
    set->pixels[i] = (guint8) (dv_rng_uniform (&rng) * 255.0);
}

typedef struct {
  gint64 last_done, total;
  int calls;
  GCancellable *cancel_after_first;
} ProgressLog;

static void
on_progress (const DvProgress *p, gpointer user_data)
{
  ProgressLog *log = user_data;
  g_assert_cmpint (p->done, >=, log->last_done);
  log->last_done = p->done;
  log->total = p->total;
  log->calls++;
  if (log->cancel_after_first)
    g_cancellable_cancel (log->cancel_after_first);
}

static void
test_encode (void)
{
  g_autoptr (DvAutoencoder) ae = tiny_ae (3);
  DvMultiviewSet set;
  tiny_set (&set, 5, 16, 7);
  const int L = ae->config.latent_dim, S = 16;
  const size_t n_lat = (size_t) set.n_objects * 4 * L;
  g_autofree float *a = g_new (float, n_lat), *b = g_new (float, n_lat);
  ProgressLog log = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_view_latents_encode (ae, &set, 3, a, on_progress, &log, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (log.last_done, ==, 5);
  g_assert_cmpint (log.total, ==, 5);
  g_assert_cmpint (log.calls, ==, 7);  /* 20 views in batches of 3 */
  g_assert_true (dv_view_latents_encode (ae, &set, 0, b, NULL, NULL, NULL, &error));
  /* Batches of 3 and of 20 (one, the default 64 capped): the same latents. */
  for (size_t i = 0; i < n_lat; i++)
    g_assert_cmpfloat_with_epsilon (a[i], b[i], 1e-5f);
  /* And each is the autoencoder's latent of that one view (object 3, view 2). */
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, 1);
  g_autofree float *x = g_new (float, 3 * S * S), *z = g_new (float, L);
  dv_ae_view_to_chw (x, dv_multiview_set_view (&set, 3, 2), S);
  dv_autoencoder_encode (ae, ae->params.data, &buf, z, x);
  dv_autoencoder_buffers_clear (&buf);
  for (int k = 0; k < L; k++)
    g_assert_cmpfloat_with_epsilon (a[(3 * 4 + 2) * L + k], z[k], 1e-5f);
  gboolean any_nonzero = FALSE;
  for (size_t i = 0; i < n_lat; i++)
    any_nonzero |= a[i] != 0.0f;
  g_assert_true (any_nonzero);

  /* Cancelled after the first batch: an error, no more batches. */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  ProgressLog log2 = { .cancel_after_first = cancel };
  g_assert_false (dv_view_latents_encode (ae, &set, 3, b, on_progress, &log2, cancel, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (log2.calls, ==, 1);

  /* Views of another size are refused. */
  DvMultiviewSet big;
  tiny_set (&big, 1, 24, 7);
  g_assert_false (dv_view_latents_encode (ae, &big, 0, b, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_SHAPE);
  dv_multiview_set_clear (&big);
  dv_multiview_set_clear (&set);
}

static void
test_cache (void)
{
  g_autoptr (DvAutoencoder) ae = tiny_ae (3), other = tiny_ae (4);
  DvMultiviewSet set;
  tiny_set (&set, 4, 16, 7);
  const int L = ae->config.latent_dim;
  const size_t n_lat = (size_t) set.n_objects * 4 * L;
  g_autofree float *a = g_new (float, n_lat);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_view_latents_encode (ae, &set, 0, a, NULL, NULL, NULL, &error));
  g_autofree char *id = dv_view_latents_autoencoder_id (ae), *other_id = dv_view_latents_autoencoder_id (other);
  g_assert_cmpuint (strlen (id), ==, 64);
  g_assert_cmpstr (id, !=, other_id);
  g_autofree char *id2 = dv_view_latents_autoencoder_id (ae);
  g_assert_cmpstr (id, ==, id2);

  g_autofree char *dir = g_dir_make_tmp ("dv-latents-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "latents-d.safetensors", NULL);
  g_assert_true (dv_view_latents_save (path, a, &set, L, id, &error));
  g_assert_no_error (error);
  g_autofree float *b = dv_view_latents_load (path, &set, L, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_assert_cmpmem (a, n_lat * sizeof (float), b, n_lat * sizeof (float));

  /* Another autoencoder. */
  g_assert_null (dv_view_latents_load (path, &set, L, other_id, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "another autoencoder"));
  g_clear_error (&error);
  /* Another dataset seed, another split. */
  set.seed = 8;
  g_assert_null (dv_view_latents_load (path, &set, L, id, &error));
  g_assert_nonnull (strstr (error->message, "seed 7"));
  g_clear_error (&error);
  set.seed = 7;
  set.split = DV_SPLIT_E;
  g_assert_null (dv_view_latents_load (path, &set, L, id, &error));
  g_assert_nonnull (strstr (error->message, "split d"));
  g_clear_error (&error);
  set.split = DV_SPLIT_D;
  /* Another shape: more objects, another latent size. The message names the tensor. */
  set.n_objects = 5;
  g_assert_null (dv_view_latents_load (path, &set, L, id, &error));
  g_assert_nonnull (strstr (error->message, "latents"));
  g_clear_error (&error);
  set.n_objects = 4;
  g_assert_null (dv_view_latents_load (path, &set, L + 1, id, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Not a cache at all. */
  g_autofree char *junk = g_build_filename (dir, "junk.safetensors", NULL);
  g_assert_true (g_file_set_contents (junk, "nonsense", -1, NULL));
  g_assert_null (dv_view_latents_load (junk, &set, L, id, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Still readable after the refusals. */
  g_autofree float *c = dv_view_latents_load (path, &set, L, id, &error);
  g_assert_nonnull (c);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/latents/encode", test_encode);
  g_test_add_func ("/views/latents/cache", test_cache);
  return g_test_run ();
}
