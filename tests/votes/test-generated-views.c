/* The generated views of a classification split: the given view's latent is
 * the autoencoder's, the three others come from the score model (the same for
 * a seed, another for another seed), progress and cancelling work; decoding
 * keeps the real pixels at the given view; the cache round-trips, is reused,
 * and is refused (with a message saying why) for another score model,
 * autoencoder, sampler, batch, split or seed; split d and bad shapes are
 * refused. */
#include "test-util.h"
#include "views/ae_train.h"
#include "views/latents.h"
#include "votes/generated_views.h"

#include <glib/gstdio.h>
#include <string.h>

#define S 16
#define L 8

static DvAutoencoder *
tiny_ae (guint64 seed)
{
  DvAutoencoderConfig cfg;
  dv_autoencoder_config_init (&cfg);
  cfg.image_size = S;
  cfg.latent_dim = L;
  cfg.channels[0] = 4, cfg.channels[1] = 4, cfg.channels[2] = 8;
  cfg.head_channels = 4;
  DvAutoencoder *ae = dv_autoencoder_new (&cfg);
  dv_autoencoder_init_weights (ae, seed);
  return ae;
}

static DvScoreModel *
tiny_model (guint64 seed)
{
  DvScoreNetConfig cfg;
  dv_score_net_config_init (&cfg);
  cfg.latent_dim = L;
  cfg.width = 16, cfg.time_dim = 16, cfg.groups = 4;
  g_autoptr (DvScoreNet) net = dv_score_net_new (&cfg);
  dv_score_net_init_weights (net, seed);
  /* The last layer starts at zero (the network's init): random weights everywhere, so that models differ. */
  DvRng rng;
  dv_rng_init (&rng, seed);
  for (size_t i = 0; i < net->params.count; i++)
    net->params.data[i] += 0.1f * dv_rng_normal (&rng);
  g_autofree float *mean = g_new0 (float, 4 * L), *std = g_new (float, 4 * L);
  for (int i = 0; i < 4 * L; i++)
    std[i] = 1.0f;
  DvLatentStats stats = { 4, L, mean, std };
  return dv_score_model_new (net, net->params.data, &stats);
}

/* A hand-made split c of n objects with random pixels and given views 0, 1, 2, 3, 0, … */
static void
tiny_set (DvMultiviewSet *set, guint n, DvSplit split, guint64 seed)
{
  memset (set, 0, sizeof *set);
  set->split = split;
  set->seed = seed;
  set->n_objects = n;
  set->n_views = 4;
  set->height = set->width = S;
  set->labels = g_new0 (guint8, n);
  set->given_views = g_new0 (guint8, n);
  set->object_indices = g_new0 (guint32, n);
  for (guint o = 0; o < n; o++)
    set->given_views[o] = (guint8) ((o * 5) % 4), set->labels[o] = (guint8) (o % 3);
  const size_t bytes = (size_t) n * 4 * S * S * 3;
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
  log->last_done = p->done;
  log->total = p->total;
  log->calls++;
  if (log->cancel_after_first)
    g_cancellable_cancel (log->cancel_after_first);
}

static void
sampler_init (DvMaskedSamplerConfig *sc, guint64 seed)
{
  dv_masked_sampler_config_init (sc);
  sc->steps = 8;
  sc->seed = seed;
}

static void
test_generate (void)
{
  g_autoptr (DvAutoencoder) ae = tiny_ae (3);
  g_autoptr (DvScoreModel) model = tiny_model (5);
  DvMultiviewSet set;
  tiny_set (&set, 9, DV_SPLIT_C, 11);
  DvMaskedSamplerConfig sc;
  sampler_init (&sc, 1);
  const size_t n_lat = (size_t) set.n_objects * 4 * L;
  g_autofree float *a = g_new (float, n_lat), *b = g_new (float, n_lat), *c = g_new (float, n_lat);
  ProgressLog log = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_generated_views_generate (model, ae, &set, &sc, 2, a, on_progress, &log, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (log.last_done, ==, 9);
  g_assert_cmpint (log.total, ==, 9);
  /* Given views 0,1,2,3,0,1,2,3,0: groups of 3, 2, 2, 2 in batches of 2 → 2 + 1 + 1 + 1 calls. */
  g_assert_cmpint (log.calls, ==, 5);
  /* Same seed: the same latents; another seed: other generated ones, the same given ones. */
  g_assert_true (dv_generated_views_generate (model, ae, &set, &sc, 2, b, NULL, NULL, NULL, &error));
  g_assert_cmpmem (a, n_lat * sizeof (float), b, n_lat * sizeof (float));
  sc.seed = 2;
  g_assert_true (dv_generated_views_generate (model, ae, &set, &sc, 2, c, NULL, NULL, NULL, &error));
  DvAutoencoderBuffers buf;
  dv_autoencoder_buffers_init (&buf, ae, 1);
  float x[3 * S * S], z[L];
  for (guint o = 0; o < set.n_objects; o++)
    {
      const int g = set.given_views[o];
      dv_ae_view_to_chw (x, dv_multiview_set_view (&set, o, g), S);
      dv_autoencoder_encode (ae, ae->params.data, &buf, z, x);
      for (int v = 0; v < 4; v++)
        {
          const float *pa = a + ((size_t) o * 4 + v) * L, *pc = c + ((size_t) o * 4 + v) * L;
          if (v == g)
            {
              for (int k = 0; k < L; k++)
                g_assert_cmpfloat_with_epsilon (pa[k], z[k], 1e-5f);
              g_assert_cmpmem (pa, L * sizeof (float), pc, L * sizeof (float));
            }
          else
            g_assert_true (memcmp (pa, pc, L * sizeof (float)) != 0);
        }
    }
  dv_autoencoder_buffers_clear (&buf);

  /* Decoding: the given view's real pixels, the autoencoder's decoding of the others. */
  g_autofree guint8 *px = g_new (guint8, (size_t) set.n_objects * 4 * S * S * 3);
  ProgressLog dlog = { 0 };
  g_assert_true (dv_generated_views_decode (ae, &set, a, 5, px, on_progress, &dlog, NULL, &error));
  g_assert_cmpint (dlog.last_done, ==, 9);
  dv_autoencoder_buffers_init (&buf, ae, 1);
  float y[3 * S * S];
  for (guint o = 0; o < set.n_objects; o++)
    for (int v = 0; v < 4; v++)
      {
        const guint8 *p = px + ((size_t) o * 4 + v) * S * S * 3;
        if (v == set.given_views[o])
          {
            g_assert_cmpmem (p, S * S * 3, dv_multiview_set_view (&set, o, v), S * S * 3);
            continue;
          }
        dv_autoencoder_decode (ae, ae->params.data, &buf, y, a + ((size_t) o * 4 + v) * L);
        for (int i = 0; i < S * S; i++)
          for (int ch = 0; ch < 3; ch++)
            {
              const float want = CLAMP (y[ch * S * S + i], 0.0f, 1.0f) * 255.0f;
              g_assert_cmpfloat (ABS (p[3 * i + ch] - want), <=, 0.51f);
            }
      }
  dv_autoencoder_buffers_clear (&buf);

  /* Cancelled after the first batch. */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  ProgressLog clog = { .cancel_after_first = cancel };
  g_assert_false (dv_generated_views_generate (model, ae, &set, &sc, 2, b, on_progress, &clog, cancel, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (clog.calls, ==, 1);

  /* Split d (no given view) and views of another size are refused. */
  set.split = DV_SPLIT_D;
  g_assert_false (dv_generated_views_generate (model, ae, &set, &sc, 2, b, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "split"));
  g_clear_error (&error);
  dv_multiview_set_clear (&set);
  tiny_set (&set, 2, DV_SPLIT_E, 1);
  set.width = set.height = S / 2;
  g_assert_false (dv_generated_views_generate (model, ae, &set, &sc, 2, b, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_SHAPE);
  g_clear_error (&error);
  dv_multiview_set_clear (&set);
}

static void
expect_refused (const char *path, const DvMultiviewSet *set, const char *model_id, const char *ae_id,
                const DvMaskedSamplerConfig *sc, int batch, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *z = dv_generated_views_load (path, set, L, model_id, ae_id, sc, batch, &error);
  g_assert_null (z);
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  if (!strstr (error->message, words))
    g_error ("expected “%s” in: %s", words, error->message);
}

static void
test_cache (void)
{
  g_autoptr (DvAutoencoder) ae = tiny_ae (3), ae2 = tiny_ae (4);
  g_autoptr (DvScoreModel) model = tiny_model (5), model2 = tiny_model (6);
  DvMultiviewSet set;
  tiny_set (&set, 6, DV_SPLIT_C, 11);
  DvMaskedSamplerConfig sc;
  sampler_init (&sc, 1);
  g_autofree char *mid = dv_generated_views_score_model_id (model), *mid2 = dv_generated_views_score_model_id (model2);
  g_autofree char *aid = dv_view_latents_autoencoder_id (ae), *aid2 = dv_view_latents_autoencoder_id (ae2);
  g_assert_cmpuint (strlen (mid), ==, 64);
  g_assert_cmpstr (mid, !=, mid2);
  g_autofree char *dir = g_dir_make_tmp ("dv-genviews-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "gen-c.safetensors", NULL);
  g_autoptr (GError) error = NULL;

  /* First call generates and writes; the second reads (no generation: no "generating" progress). */
  gboolean from_cache = TRUE;
  ProgressLog log = { 0 };
  g_autofree guint8 *p1 = dv_generated_views_get (model, ae, &set, &sc, 4, path, &from_cache, on_progress, &log,
                                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_false (from_cache);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  GStatBuf st1;
  g_assert_cmpint (g_stat (path, &st1), ==, 0);
  g_autofree guint8 *p2 = dv_generated_views_get (model, ae, &set, &sc, 4, path, &from_cache, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (from_cache);
  const size_t bytes = (size_t) set.n_objects * 4 * S * S * 3;
  g_assert_cmpmem (p1, bytes, p2, bytes);
  /* The decoded views are kept beside the cache; a damaged copy is decoded again, to the same bytes. */
  g_autofree char *pixels = g_strconcat (path, ".pixels", NULL);
  g_assert_true (g_file_test (pixels, G_FILE_TEST_IS_REGULAR));
  g_autofree char *raw = NULL;
  gsize raw_len = 0;
  g_assert_true (g_file_get_contents (pixels, &raw, &raw_len, NULL));
  g_assert_cmpuint (raw_len, >, bytes);
  g_assert_cmpmem (raw + raw_len - bytes, bytes, p1, bytes);
  g_assert_true (g_file_set_contents (pixels, raw, (gssize) raw_len - 7, NULL));
  g_autofree guint8 *p2b = dv_generated_views_get (model, ae, &set, &sc, 4, path, NULL, NULL, NULL, NULL, &error);
  g_assert_cmpmem (p1, bytes, p2b, bytes);
  g_autofree char *raw2 = NULL;
  g_assert_true (g_file_get_contents (pixels, &raw2, &raw_len, NULL));
  g_assert_cmpmem (raw2 + raw_len - bytes, bytes, p1, bytes);
  /* Tampered pixels under an intact header are read as they are: the header names what they were decoded from. */
  raw2[raw_len - 1] ^= 1;
  g_assert_true (g_file_set_contents (pixels, raw2, (gssize) raw_len, NULL));
  g_autofree guint8 *p2c = dv_generated_views_get (model, ae, &set, &sc, 4, path, NULL, NULL, NULL, NULL, &error);
  g_assert_cmpint (p2c[bytes - 1], ==, p1[bytes - 1] ^ 1);

  /* Refusals name the difference. */
  expect_refused (path, &set, mid2, aid, &sc, 4, "another score model");
  expect_refused (path, &set, mid, aid2, &sc, 4, "another autoencoder");
  DvMaskedSamplerConfig sc2 = sc;
  sc2.steps = 9;
  expect_refused (path, &set, mid, aid, &sc2, 4, "sampler");
  sc2 = sc, sc2.seed = 7;
  expect_refused (path, &set, mid, aid, &sc2, 4, "sampler");
  expect_refused (path, &set, mid, aid, &sc, 8, "sampler");
  /* Views generated in BF16 are another cache, where this CPU runs BF16 at all (elsewhere it falls back to F32). */
  sc2 = sc, sc2.precision = DV_PRECISION_BF16;
  if (dv_score_model_precision (NULL, DV_PRECISION_BF16) == DV_PRECISION_BF16)
    expect_refused (path, &set, mid, aid, &sc2, 4, "sampler");
  else
    g_test_message ("no AVX512-BF16 here: a BF16 request runs (and is keyed) as F32");
  set.seed = 12;
  expect_refused (path, &set, mid, aid, &sc, 4, "seed 11");
  set.seed = 11, set.split = DV_SPLIT_E;
  expect_refused (path, &set, mid, aid, &sc, 4, "split c");
  set.split = DV_SPLIT_C;
  g_autofree char *junk = g_build_filename (dir, "junk.safetensors", NULL);
  g_assert_true (g_file_set_contents (junk, "nonsense", -1, NULL));
  g_autofree float *jz = dv_generated_views_load (junk, &set, L, mid, aid, &sc, 4, &error);
  g_assert_null (jz);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Another score model through get: the cache is regenerated (and rewritten for that model). */
  g_autofree guint8 *p3 = dv_generated_views_get (model2, ae, &set, &sc, 4, path, &from_cache, NULL, NULL, NULL,
                                                  &error);
  g_assert_no_error (error);
  g_assert_false (from_cache);
  g_assert_true (memcmp (p1, p3, bytes) != 0);
  /* …and its decoded views too (the pixels file follows the latents). */
  g_autofree guint8 *p4 = dv_generated_views_get (model2, ae, &set, &sc, 4, path, &from_cache, NULL, NULL, NULL,
                                                  &error);
  g_assert_true (from_cache);
  g_assert_cmpmem (p3, bytes, p4, bytes);
  g_autofree float *z3 = dv_generated_views_load (path, &set, L, mid2, aid, &sc, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (z3);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/votes/generated-views/generate", test_generate);
  g_test_add_func ("/votes/generated-views/cache", test_cache);
  return g_test_run ();
}
