/* The Votes page's classifying: the classifiers' files, and the views of the
 * Views page classified on a worker (one job at a time; a change while it runs
 * votes again when it ends). */
#include "dv-votes-page-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/data_file.h"
#include "nn/conv2d.h"
#include "views/objects/registry.h"
#include "votes/evaluate.h"
#include "votes/vote.h"

char *
_dv_votes_page_find_weights (DvClassifierArch arch, DvVotesSet set, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%s-%s.safetensors", dv_classifier_arch_name (arch), dv_votes_set_name (set));
  g_autofree char *relative = g_build_filename ("weights", "votes", name, NULL);
  const char *dir = g_getenv ("DIMVIDA_VOTES_WEIGHTS");
  char *path = NULL;
  if (dir != NULL && dir[0] != '\0')
    {
      path = g_build_filename (dir, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_clear_pointer (&path, g_free);
    }
  else
    path = dv_find_data_file (relative, NULL);
  if (path == NULL)
    /* Translators: %s is a file name such as weights/votes/resnet18-s.safetensors. */
    g_set_error (error, DV_ERROR, DV_ERROR_IO,
                 _("This classifier is not installed: %s was not found. Voting needs the trained classifiers "
                   "(see data/weights/README.md), or choose another one above."),
                 dir != NULL && dir[0] != '\0' ? name : relative);
  return path;
}

void
_dv_votes_result_free (VotesResult *result)
{
  if (result == NULL)
    return;
  g_free (result->probs);
  g_free (result->mean);
  g_free (result->trained_on);
  g_free (result);
}

/* ---- The worker ---- */

typedef struct {
  DvClassifierArch arch;
  DvVotesSet set;
  char *path;
  int n_views;
  int view_of[4];
  gboolean generated[4];
  float *images; /* [n_views][3][S][S] */
} ClassifyData;

static void
classify_data_free (gpointer data)
{
  ClassifyData *d = data;
  g_free (d->path);
  g_free (d->images);
  g_free (d);
}

static gpointer
classify_func (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  ClassifyData *d = data;
  GHashTable *metadata = NULL;
  g_autoptr (DvClassifier) net = dv_classifier_load (d->path, &metadata, error);
  if (net == NULL)
    return NULL;
  const DvClassifierConfig *cfg = dv_classifier_get_config (net);
  if (cfg->image_size != VOTES_SIDE || cfg->n_classes != DV_N_OBJECT_CLASSES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE,
                   _("The classifier takes %d×%d views of %d classes; the views are %d×%d of %d classes"),
                   cfg->image_size, cfg->image_size, cfg->n_classes, VOTES_SIDE, VOTES_SIDE, DV_N_OBJECT_CLASSES);
      g_clear_pointer (&metadata, g_hash_table_unref);
      return NULL;
    }
  if (dv_check_cancelled (cancellable, error))
    {
      g_clear_pointer (&metadata, g_hash_table_unref);
      return NULL;
    }
  /* Four 64×64 images are too little work to share between threads. */
  dv_conv2d_set_threads (1);
  const int C = cfg->n_classes;
  VotesResult *r = g_new0 (VotesResult, 1);
  r->arch = d->arch;
  r->set = d->set;
  r->n_views = d->n_views;
  r->n_classes = C;
  memcpy (r->view_of, d->view_of, sizeof r->view_of);
  memcpy (r->generated, d->generated, sizeof r->generated);
  r->probs = g_new (float, (size_t) d->n_views * C);
  r->mean = g_new (float, C);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (net, d->n_views);
  dv_votes_predict (net, buf, d->images, d->n_views, r->probs);
  r->vote = dv_vote_mean (r->mean, r->probs, d->n_views, C);
  const char *set = metadata ? g_hash_table_lookup (metadata, "set") : NULL;
  r->trained_on = g_strdup (set);
  g_clear_pointer (&metadata, g_hash_table_unref);

  return r;
}

/* ---- The main loop's side ---- */

static void
on_classified (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (DvVotesPage) self = user_data;
  DvJob *job = DV_JOB (source);
  g_autoptr (GError) error = NULL;
  VotesResult *result = dv_job_run_finish (job, res, &error);
  if (job == self->job)
    g_clear_object (&self->job);
  if (self->again)
    {
      /* What it voted on is gone: vote on what is there now. */
      _dv_votes_result_free (result);
      self->again = FALSE;
      _dv_votes_page_classify (self);
      return;
    }
  if (result == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: the reason classifying failed follows. */
          g_autofree char *message = g_strdup_printf (_("Could not classify the views: %s"), error->message);
          _dv_votes_page_show_error (self, message);
        }
      _dv_votes_page_update (self);
      return;
    }
  _dv_votes_result_free (self->result);
  self->result = result;
  self->n_votes++;
  _dv_votes_page_update (self);
}

void
_dv_votes_page_classify (DvVotesPage *self)
{
  if (self->job != NULL)
    {
      self->again = TRUE;
      return;
    }
  g_clear_pointer (&self->result, _dv_votes_result_free);
  g_clear_pointer (&self->missing_weights, g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = _dv_votes_page_find_weights (self->arch, self->set, &error);
  if (path == NULL)
    self->missing_weights = g_strdup (error->message);
  g_autofree float *views = g_new (float, 4 * VOTES_FLOATS);
  guint real = 0, generated = 0;
  if (path == NULL || self->views_page == NULL
      || !dv_views_page_get_views (self->views_page, views, &real, &generated))
    {
      _dv_votes_page_update (self);
      return;
    }
  ClassifyData *d = g_new0 (ClassifyData, 1);
  d->arch = self->arch;
  d->set = self->set;
  d->path = g_steal_pointer (&path);
  d->images = g_new (float, 4 * VOTES_FLOATS);
  /* The real views first, then the generated ones, each in view order (as votes classify lists them). */
  for (int pass = 0; pass < 2; pass++)
    for (int v = 0; v < 4; v++)
      if ((((pass == 0 ? real : generated) >> v) & 1u))
        {
          memcpy (d->images + (size_t) d->n_views * VOTES_FLOATS, views + (size_t) v * VOTES_FLOATS,
                  sizeof (float) * VOTES_FLOATS);
          d->view_of[d->n_views] = v;
          d->generated[d->n_views] = pass == 1;
          d->n_views++;
        }
  self->job = dv_job_new (_("Classifying views"), classify_func, d, classify_data_free,
                          (GDestroyNotify) _dv_votes_result_free);
  dv_job_run_async (self->job, on_classified, g_object_ref (self));
  _dv_votes_page_update (self);
}

void
_dv_votes_page_classify_dispose (DvVotesPage *self)
{
  if (self->job != NULL)
    {
      dv_job_cancel (self->job);
      g_clear_object (&self->job);
    }
  g_clear_pointer (&self->result, _dv_votes_result_free);
  g_clear_pointer (&self->missing_weights, g_free);
}
