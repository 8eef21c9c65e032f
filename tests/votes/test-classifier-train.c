/* The classifier trainer on a tiny, learnable image set (each class a colour
 * with noise): the loss falls and the training accuracy rises; a run cut by
 * its step budget and resumed ends with exactly the weights, running
 * statistics and losses of an uninterrupted run; a weight that overflows
 * stops training with DV_ERROR_NAN and the last good weights on disk;
 * cancelling keeps a checkpoint; bad configs and data are refused; the e/ea
 * evaluation votes with the mean of the four softmaxes. */
#include "test-util.h"
#include "io/safetensors.h"
#include "votes/classifier_train.h"
#include "votes/evaluate.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define S 16
#define C 3

/* n objects of split c: class o % C, every view the class's colour plus noise. */
static void
tiny_set (DvMultiviewSet *set, guint n, guint64 seed)
{
  static const guint8 colours[C][3] = { { 220, 40, 40 }, { 40, 200, 60 }, { 50, 60, 210 } };
  memset (set, 0, sizeof *set);
  set->split = DV_SPLIT_C;
  set->seed = seed;
  set->n_objects = n;
  set->n_views = 4;
  set->height = set->width = S;
  set->labels = g_new0 (guint8, n);
  set->given_views = g_new0 (guint8, n);
  set->object_indices = g_new0 (guint32, n);
  set->pixels = g_new (guint8, (size_t) n * 4 * S * S * 3);
  DvRng rng;
  dv_rng_init (&rng, seed);
  for (guint o = 0; o < n; o++)
    {
      set->labels[o] = (guint8) (o % C);
      set->given_views[o] = (guint8) (o % 4);
      for (size_t p = 0; p < (size_t) 4 * S * S; p++)
        for (int ch = 0; ch < 3; ch++)
          {
            const float v = colours[o % C][ch] + 60.0f * (dv_rng_uniform (&rng) - 0.5f);
            set->pixels[((size_t) o * 4 * S * S + p) * 3 + ch] = (guint8) CLAMP (v, 0.0f, 255.0f);
          }
    }
}

static void
tiny_config_arch (DvClassifierTrainConfig *c, DvClassifierArch arch)
{
  dv_classifier_train_config_init (c, arch);
  c->model.width = arch == DV_CLASSIFIER_RESNET18 ? 1.0 / 16 : 0.25;
  c->model.n_classes = C;
  c->model.image_size = S;
  c->batch = 8;
  c->lr = 3e-3f;
  c->warmup_steps = 3;
  c->steps = 30;
  c->augment.shift = 2;
  c->seed = 5;
}

static void
tiny_config (DvClassifierTrainConfig *c)
{
  tiny_config_arch (c, DV_CLASSIFIER_RESNET18);
}

static float *
read_csv_losses (const char *dir, int *n)
{
  g_autofree char *path = g_build_filename (dir, "losses.csv", NULL), *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GArray *v = g_array_new (FALSE, FALSE, sizeof (float));
  for (int i = 1; lines[i]; i++)
    if (lines[i][0])
      {
        g_auto (GStrv) cells = g_strsplit (lines[i], ",", -1);
        const float loss = (float) g_ascii_strtod (cells[1], NULL);
        g_array_append_val (v, loss);
      }
  *n = (int) v->len;
  return (float *) g_array_free (v, FALSE);
}

static double
mean_of (const float *v, int from, int to)
{
  double s = 0;
  for (int i = from; i < to; i++)
    s += v[i];
  return s / (to - from);
}

/* Both architectures. MobileNet's BatchNorm momentum 0.01 leaves the running statistics of a short run far from
 * the data's; evaluation (running statistics) is only good because the trainer recomputes them at the end. */
static void
test_loss_falls (gconstpointer arch_ptr)
{
  const DvClassifierArch arch = (DvClassifierArch) GPOINTER_TO_INT (arch_ptr);
  DvMultiviewSet set;
  tiny_set (&set, 24, 1);
  DvVotesDataset ds;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_dataset_init_real (&ds, &set, &error));
  DvClassifierTrainConfig c;
  tiny_config_arch (&c, arch);
  /* MobileNet at 16×16 (1×1 after its first stages, dropout before its last layer) learns more slowly. */
  c.steps = arch == DV_CLASSIFIER_RESNET18 ? 40 : 80;
  const int steps = (int) c.steps;
  g_autofree char *dir = g_dir_make_tmp ("dv-cls-train-XXXXXX", NULL);
  g_assert_true (dv_classifier_train (&c, &ds, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  int n;
  g_autofree float *loss = read_csv_losses (dir, &n);
  g_assert_cmpint (n, ==, steps);
  const double first = mean_of (loss, 0, 5), last = mean_of (loss, steps - 5, steps);
  g_test_message ("%s: loss %.3f → %.3f", dv_classifier_arch_name (arch), first, last);
  g_assert_cmpfloat (last, <, 0.5 * first);
  /* The saved classifier, in evaluation mode, classifies the training set's objects well. */
  g_autofree char *path = g_build_filename (dir, "classifier.safetensors", NULL);
  g_autoptr (DvClassifier) net = dv_classifier_load (path, NULL, &error);
  g_assert_no_error (error);
  DvVotesEvaluation ev;
  g_assert_true (dv_votes_evaluate (net, &set, NULL, 5, &ev, NULL, NULL, NULL, &error));
  g_test_message ("%s: accuracy %.3f", dv_classifier_arch_name (arch), dv_vote_confusion_accuracy (&ev.e));
  g_assert_cmpfloat (dv_vote_confusion_accuracy (&ev.e), >=, 0.9);
  g_assert_null (ev.predicted_ea);
  dv_votes_evaluation_clear (&ev);
  /* Its running statistics are the recomputed ones, not the checkpoint's (training's). */
  g_autofree char *ckpt = g_build_filename (dir, "checkpoint.safetensors", NULL);
  g_autoptr (DvSafetensors) st = dv_safetensors_open (ckpt, &error);
  DvParams *stats = dv_classifier_running_stats (net);
  const DvParamInfo *info = dv_params_info (stats, 0);
  g_autofree float *trained = g_new (float, info->numel);
  g_assert_true (dv_safetensors_read (st, info->name, info->ndim, info->shape, trained, &error));
  g_assert_true (memcmp (trained, stats->data + info->offset, sizeof (float) * info->numel) != 0);
  /* Without recalibration the file keeps training's statistics. */
  c.bn_batches = 0;
  g_autofree char *dir0 = g_dir_make_tmp ("dv-cls-train0-XXXXXX", NULL);
  g_assert_true (dv_classifier_train (&c, &ds, dir0, NULL, NULL, NULL, NULL, NULL, &error));
  g_autofree char *path0 = g_build_filename (dir0, "classifier.safetensors", NULL);
  g_autoptr (DvClassifier) net0 = dv_classifier_load (path0, NULL, &error);
  g_assert_cmpmem (trained, sizeof (float) * info->numel, dv_classifier_running_stats (net0)->data + info->offset,
                   sizeof (float) * info->numel);
  dv_votes_dataset_clear (&ds);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (dir);
  dv_test_remove_tree (dir0);
}

static void
read_all (const char *path, GBytes **out)
{
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  *out = g_bytes_new_take (data, len);
}

static void
cancel_at_step (const DvClassifierTrainProgress *p, gpointer user_data)
{
  gpointer *data = user_data;
  if (p->step >= GPOINTER_TO_INT (data[1]))
    g_cancellable_cancel (data[0]);
}

static void
test_resume_is_exact (void)
{
  DvMultiviewSet set;
  tiny_set (&set, 20, 2);
  DvVotesDataset ds;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_dataset_init_augmented (&ds, &set, set.pixels, &error));  /* ca: 80 images */
  DvClassifierTrainConfig c;
  tiny_config (&c);
  c.steps = 12;
  g_autofree char *a = g_dir_make_tmp ("dv-cls-a-XXXXXX", NULL), *b = g_dir_make_tmp ("dv-cls-b-XXXXXX", NULL);
  g_assert_true (dv_classifier_train (&c, &ds, a, NULL, NULL, NULL, NULL, NULL, &error));
  /* Run b: the same 12-step schedule cancelled after its 5th step, then resumed (the schedule lives in the
   * checkpoint). */
  g_autofree char *ckpt = g_build_filename (b, "checkpoint.safetensors", NULL);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  gpointer data[2] = { cancel, GINT_TO_POINTER (5) };
  g_assert_false (dv_classifier_train (&c, &ds, b, NULL, NULL, cancel_at_step, data, cancel, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Cancelled: the checkpoint of the last step taken is there. */
  g_assert_cmpint (dv_classifier_train_checkpoint_step (ckpt, &error), ==, 5);
  DvClassifierTrainConfig other = c;
  other.steps = 999;  /* ignored: the checkpoint's schedule wins */
  g_assert_true (dv_classifier_train (&other, &ds, b, ckpt, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dv_classifier_train_checkpoint_step (ckpt, &error), ==, 12);
  /* The same weights, running statistics and Adam state (the checkpoints byte for byte), the same losses. */
  g_autofree char *ca = g_build_filename (a, "checkpoint.safetensors", NULL);
  g_autoptr (GBytes) x = NULL, y = NULL;
  read_all (ca, &x);
  read_all (ckpt, &y);
  g_assert_true (g_bytes_equal (x, y));
  g_autofree char *fa = g_build_filename (a, "classifier.safetensors", NULL);
  g_autofree char *fb = g_build_filename (b, "classifier.safetensors", NULL);
  g_autoptr (GBytes) p = NULL, q = NULL;
  read_all (fa, &p);
  read_all (fb, &q);
  g_assert_true (g_bytes_equal (p, q));
  int na, nb;
  g_autofree float *la = read_csv_losses (a, &na), *lb = read_csv_losses (b, &nb);
  g_assert_cmpint (na, ==, 12);
  g_assert_cmpint (nb, ==, 12);
  g_assert_cmpmem (la, sizeof (float) * na, lb, sizeof (float) * nb);
  /* Fine-tuning: a run started from run a's classifier begins at its weights (one step at a negligible learning rate
   * leaves them there; a fresh start's are elsewhere), and a classifier of another config is refused. */
  {
    g_autoptr (DvClassifier) start = dv_classifier_load (fa, NULL, &error);
    g_assert_no_error (error);
    DvClassifierTrainConfig ft = c;
    ft.init = start;
    ft.steps = 1;
    ft.warmup_steps = 0;
    ft.lr = 1e-9f;
    ft.bn_batches = 0;
    ft.seed = 9;
    g_autofree char *e = g_dir_make_tmp ("dv-cls-e-XXXXXX", NULL), *f = g_dir_make_tmp ("dv-cls-f-XXXXXX", NULL);
    g_assert_true (dv_classifier_train (&ft, &ds, e, NULL, NULL, NULL, NULL, NULL, &error));
    ft.init = NULL;
    g_assert_true (dv_classifier_train (&ft, &ds, f, NULL, NULL, NULL, NULL, NULL, &error));
    g_autofree char *pe = g_build_filename (e, "classifier.safetensors", NULL);
    g_autofree char *pf = g_build_filename (f, "classifier.safetensors", NULL);
    g_autoptr (DvClassifier) tuned = dv_classifier_load (pe, NULL, &error);
    g_autoptr (DvClassifier) fresh = dv_classifier_load (pf, NULL, &error);
    const DvParams *p0 = dv_classifier_params (start), *p1 = dv_classifier_params (tuned);
    const DvParams *p2 = dv_classifier_params (fresh);
    double d1 = 0, d2 = 0;
    for (size_t i = 0; i < p0->count; i++)
      d1 = MAX (d1, fabs (p1->data[i] - p0->data[i])), d2 = MAX (d2, fabs (p2->data[i] - p0->data[i]));
    g_assert_cmpfloat (d1, <, 1e-6);
    g_assert_cmpfloat (d2, >, 1e-2);
    ft.init = start;
    ft.model.width = 1.0 / 8;
    g_assert_false (dv_classifier_train (&ft, &ds, e, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_nonnull (strstr (error->message, "starting classifier"));
    g_clear_error (&error);
    dv_test_remove_tree (e);
    dv_test_remove_tree (f);
  }
  /* Another seed: other weights. */
  c.seed = 6;
  g_autofree char *d = g_dir_make_tmp ("dv-cls-d-XXXXXX", NULL);
  g_assert_true (dv_classifier_train (&c, &ds, d, NULL, NULL, NULL, NULL, NULL, &error));
  g_autofree char *fd = g_build_filename (d, "classifier.safetensors", NULL);
  g_autoptr (GBytes) r = NULL;
  read_all (fd, &r);
  g_assert_false (g_bytes_equal (p, r));
  /* A checkpoint of another architecture's size of classes is refused; so is junk. */
  DvClassifierTrainConfig wrong = c;
  wrong.model.n_classes = C + 1;
  g_assert_false (dv_classifier_train (&wrong, &ds, b, ckpt, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "classes"));
  g_clear_error (&error);
  g_autofree char *junk = g_build_filename (b, "junk.safetensors", NULL);
  g_assert_true (g_file_set_contents (junk, "junk", -1, NULL));
  g_assert_false (dv_classifier_train (&c, &ds, b, junk, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "Cannot resume"));
  g_clear_error (&error);
  dv_votes_dataset_clear (&ds);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (a);
  dv_test_remove_tree (b);
  dv_test_remove_tree (d);
}

/* A copy of the checkpoint at src with every entry of Adam's second moment set to −1 (its square root is NaN,
 * so the next step's weights are), written to dst. */
static void
poison_checkpoint (const char *src, const char *dst)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open (src, &error);
  g_assert_no_error (error);
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  for (const char *const *name = dv_safetensors_names (st); *name; name++)
    {
      int ndim, shape[4];
      DvDtype dtype;
      g_assert_true (dv_safetensors_shape (st, *name, &ndim, shape, &dtype));
      size_t n = 1;
      for (int i = 0; i < ndim; i++)
        n *= (size_t) shape[i];
      g_autofree float *v = g_new (float, MAX (n, 1));
      g_assert_true (dv_safetensors_read (st, *name, ndim, shape, v, &error));
      if (strcmp (*name, "train.adam_v") == 0)
        for (size_t i = 0; i < n; i++)
          v[i] = -1.0f;
      dv_safetensors_writer_add (w, *name, dtype, ndim, shape, v);
    }
  GHashTableIter it;
  gpointer k, val;
  g_hash_table_iter_init (&it, dv_safetensors_metadata_table (st));
  while (g_hash_table_iter_next (&it, &k, &val))
    dv_safetensors_writer_set_metadata (w, k, val);
  g_assert_true (dv_safetensors_writer_save (w, dst, &error));
}

static void
test_nan_stops (void)
{
  DvMultiviewSet set;
  tiny_set (&set, 12, 3);
  DvVotesDataset ds;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_dataset_init_real (&ds, &set, &error));
  DvClassifierTrainConfig c;
  tiny_config (&c);
  c.steps = 3;
  g_autofree char *dir = g_dir_make_tmp ("dv-cls-nan-XXXXXX", NULL);
  g_assert_true (dv_classifier_train (&c, &ds, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_autofree char *ckpt = g_build_filename (dir, "checkpoint.safetensors", NULL);
  g_autofree char *bad = g_build_filename (dir, "poisoned.safetensors", NULL);
  poison_checkpoint (ckpt, bad);
  /* The checkpoint says 3 of 3 steps: resume a longer schedule from it by rewriting its config's steps. */
  c.steps = 10;
  g_autofree char *dir2 = g_dir_make_tmp ("dv-cls-nan2-XXXXXX", NULL);
  {
    g_autoptr (DvSafetensors) st = dv_safetensors_open (bad, &error);
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    for (const char *const *name = dv_safetensors_names (st); *name; name++)
      {
        int ndim, shape[4];
        DvDtype dtype;
        dv_safetensors_shape (st, *name, &ndim, shape, &dtype);
        size_t n = 1;
        for (int i = 0; i < ndim; i++)
          n *= (size_t) shape[i];
        g_autofree float *v = g_new (float, MAX (n, 1));
        dv_safetensors_read (st, *name, ndim, shape, v, &error);
        dv_safetensors_writer_add (w, *name, dtype, ndim, shape, v);
      }
    GHashTableIter it;
    gpointer k, val;
    g_hash_table_iter_init (&it, dv_safetensors_metadata_table (st));
    while (g_hash_table_iter_next (&it, &k, &val))
      dv_safetensors_writer_set_metadata (w, k, val);
    g_autofree char *config = dv_classifier_train_config_to_json (&c);
    dv_safetensors_writer_set_metadata (w, "train_config", config);
    g_assert_true (dv_safetensors_writer_save (w, bad, &error));
  }
  g_autoptr (GBytes) before = NULL;
  read_all (bad, &before);
  g_assert_false (dv_classifier_train (&c, &ds, dir2, bad, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_NAN);
  g_assert_nonnull (strstr (error->message, "step 4"));
  g_clear_error (&error);
  /* The state before the step that diverged, exactly: weights, running statistics, Adam's state and step. */
  g_autofree char *after_path = g_build_filename (dir2, "checkpoint.safetensors", NULL);
  g_autoptr (GBytes) after = NULL;
  read_all (after_path, &after);
  g_assert_true (g_bytes_equal (before, after));
  /* And a usable classifier, all finite (the loader refuses any other). */
  g_autofree char *model = g_build_filename (dir2, "classifier.safetensors", NULL);
  g_autoptr (DvClassifier) net = dv_classifier_load (model, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (net);
  dv_votes_dataset_clear (&ds);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (dir);
  dv_test_remove_tree (dir2);
}

static void
test_bad_input (void)
{
  DvMultiviewSet set;
  tiny_set (&set, 6, 4);
  DvVotesDataset ds;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_votes_dataset_init_real (&ds, &set, &error));
  g_autofree char *dir = g_dir_make_tmp ("dv-cls-bad-XXXXXX", NULL);
  DvClassifierTrainConfig c;
  tiny_config (&c);
  c.lr = 0;
  g_assert_false (dv_classifier_train (&c, &ds, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "learning rate"));
  g_clear_error (&error);
  tiny_config (&c);
  c.augment.shift = 9;
  g_assert_false (dv_classifier_train_config_check (&c, &error));
  g_assert_nonnull (strstr (error->message, "shift"));
  g_clear_error (&error);
  /* Images of another size; a label beyond the classes. */
  tiny_config (&c);
  c.model.image_size = 24;
  g_assert_false (dv_classifier_train (&c, &ds, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_SHAPE);
  g_clear_error (&error);
  tiny_config (&c);
  ds.labels[2] = C;
  g_assert_false (dv_classifier_train (&c, &ds, dir, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "class 3"));
  g_clear_error (&error);
  /* The config's JSON round-trips. */
  c.lr = 1.5e-3f, c.augment.flip = FALSE, c.steps = 77;
  g_autofree char *json = dv_classifier_train_config_to_json (&c);
  DvClassifierTrainConfig back;
  dv_classifier_train_config_init (&back, DV_CLASSIFIER_RESNET18);
  g_assert_true (dv_classifier_train_config_from_json (&back, json, &error));
  g_assert_cmpfloat (back.lr, ==, c.lr);
  g_assert_false (back.augment.flip);
  g_assert_cmpint (back.steps, ==, 77);
  g_assert_cmpint (back.model.n_classes, ==, C);
  dv_votes_dataset_clear (&ds);
  dv_multiview_set_clear (&set);
  dv_test_remove_tree (dir);
}

/* ea: the evaluation's vote is the argmax of the mean of each object's 4 softmaxes, recomputed here. */
static void
test_evaluate_votes (void)
{
  DvMultiviewSet set;
  tiny_set (&set, 9, 5);
  set.split = DV_SPLIT_E;
  DvClassifierConfig cfg;
  dv_classifier_config_init (&cfg, DV_CLASSIFIER_RESNET18);
  cfg.width = 1.0 / 16, cfg.n_classes = C, cfg.image_size = S;
  g_autoptr (DvClassifier) net = dv_classifier_new (&cfg);
  dv_classifier_init_weights (net, 3);
  /* Stand-in "generated" views: the set's own other views with their colours swapped around. */
  const size_t vb = (size_t) S * S * 3;
  g_autofree guint8 *views4 = g_memdup2 (set.pixels, (size_t) set.n_objects * 4 * vb);
  for (guint o = 0; o < set.n_objects; o++)
    for (int v = 0; v < 4; v++)
      if (v != set.given_views[o])
        for (size_t i = 0; i < vb; i += 3)
          {
            guint8 *px = views4 + ((size_t) o * 4 + v) * vb + i;
            const guint8 t = px[0];
            px[0] = px[v % 3], px[v % 3] = t;
          }
  g_autoptr (GError) error = NULL;
  DvVotesEvaluation ev;
  g_assert_true (dv_votes_evaluate (net, &set, views4, 6, &ev, NULL, NULL, NULL, &error));
  g_assert_cmpint (ev.n_views, ==, 4);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (net, 4);
  g_autofree float *img = g_new (float, 4 * 3 * S * S);
  float probs[4 * C], mean[C];
  guint right_e = 0, right_ea = 0;
  for (guint o = 0; o < set.n_objects; o++)
    {
      /* The real view first, then the others in view order. */
      int order[4] = { set.given_views[o] }, k = 1;
      for (int v = 0; v < 4; v++)
        if (v != set.given_views[o])
          order[k++] = v;
      for (int j = 0; j < 4; j++)
        {
          g_assert_cmpint (ev.views[o * 4 + j], ==, order[j]);
          const guint8 *src = views4 + ((size_t) o * 4 + order[j]) * vb;
          for (size_t p = 0; p < (size_t) S * S; p++)
            for (int ch = 0; ch < 3; ch++)
              img[(size_t) j * 3 * S * S + ch * S * S + p] = src[3 * p + ch] / 255.0f;
        }
      dv_votes_predict (net, buf, img, 4, probs);
      for (int i = 0; i < 4 * C; i++)
        g_assert_cmpfloat_with_epsilon (probs[i], ev.probs[(size_t) o * 4 * C + i], 1e-5f);
      const int vote = dv_vote_mean (mean, probs, 4, C);
      g_assert_cmpint (ev.predicted_ea[o], ==, vote);
      g_assert_cmpint (ev.predicted_e[o], ==, dv_vote_argmax (probs, C));
      right_e += ev.predicted_e[o] == set.labels[o];
      right_ea += vote == set.labels[o];
    }
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_accuracy (&ev.e), (double) right_e / set.n_objects, 1e-12);
  g_assert_cmpfloat_with_epsilon (dv_vote_confusion_accuracy (&ev.ea), (double) right_ea / set.n_objects, 1e-12);
  g_assert_cmpuint (ev.e.total, ==, set.n_objects);
  dv_votes_evaluation_clear (&ev);
  dv_multiview_set_clear (&set);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/votes/train/loss-falls/resnet18", GINT_TO_POINTER (DV_CLASSIFIER_RESNET18), test_loss_falls);
  g_test_add_data_func ("/votes/train/loss-falls/mobilenet", GINT_TO_POINTER (DV_CLASSIFIER_MOBILENET),
                        test_loss_falls);
  g_test_add_func ("/votes/train/resume-is-exact", test_resume_is_exact);
  g_test_add_func ("/votes/train/nan-stops", test_nan_stops);
  g_test_add_func ("/votes/train/bad-input", test_bad_input);
  g_test_add_func ("/votes/evaluate/mean-vote", test_evaluate_votes);
  return g_test_run ();
}
