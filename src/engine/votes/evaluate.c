/* Split e and ea accuracies and confusion matrices. */
#include "votes/evaluate.h"

#include "votes/dataset.h"

#include <string.h>

void
dv_votes_predict (DvClassifier *classifier, DvClassifierBuffers *buf, const float *images, int n, float *probs)
{
  const int C = dv_classifier_get_config (classifier)->n_classes;
  dv_classifier_forward (classifier, dv_classifier_params (classifier)->data, buf, probs, images, n, FALSE, NULL);
  dv_vote_softmax (probs, probs, n, C);
}

gboolean
dv_votes_evaluate (DvClassifier *classifier, const DvMultiviewSet *set, const guint8 *views4, int batch,
                   DvVotesEvaluation *ev, DvProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                   GError **error)
{
  memset (ev, 0, sizeof *ev);
  const DvClassifierConfig *cfg = dv_classifier_get_config (classifier);
  const int C = cfg->n_classes, S = cfg->image_size;
  if (set->width != S || set->height != S)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "The split holds %d×%d views; the classifier takes %d×%d",
                   set->width, set->height, S, S);
      return FALSE;
    }
  for (guint o = 0; o < set->n_objects; o++)
    if (set->labels[o] >= C)
      {
        g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Object %u has class %d; the classifier has %d classes", o,
                     set->labels[o], C);
        return FALSE;
      }
  DvVotesDataset ds;
  if (!(views4 ? dv_votes_dataset_init_augmented (&ds, set, views4, error) : dv_votes_dataset_init_real (&ds, set,
                                                                                                        error)))
    return FALSE;
  const int V = views4 ? set->n_views : 1;
  ev->n_classes = C;
  ev->n_views = V;
  ev->n_objects = set->n_objects;
  ev->probs = g_new (float, (size_t) ds.n * C);
  ev->views = g_memdup2 (ds.views, ds.n);
  ev->truth = g_new (int, set->n_objects);
  ev->predicted_e = g_new (int, set->n_objects);
  ev->predicted_ea = views4 ? g_new (int, set->n_objects) : NULL;
  dv_vote_confusion_init (&ev->e, C);
  dv_vote_confusion_init (&ev->ea, C);
  if (batch <= 0)
    batch = 128;
  /* Whole objects per forward, so that progress counts objects. */
  batch = MAX (batch / V, 1) * V;
  batch = (int) MIN ((guint) batch, ds.n);
  g_autoptr (DvClassifierBuffers) buf = dv_classifier_buffers_new (classifier, batch);
  g_autofree float *images = g_new (float, (size_t) batch * 3 * S * S);
  g_autofree int *labels = g_new (int, batch);
  g_autofree guint32 *idx = g_new (guint32, batch);
  gboolean ok = TRUE;
  for (guint start = 0; start < ds.n; start += (guint) batch)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      const int k = (int) MIN ((guint) batch, ds.n - start);
      for (int i = 0; i < k; i++)
        idx[i] = start + (guint) i;
      dv_votes_dataset_fill (&ds, idx, k, NULL, NULL, images, labels);
      dv_votes_predict (classifier, buf, images, k, ev->probs + (size_t) start * C);
      if (progress)
        {
          DvProgress p = { "classifying", (start + (guint) k) / (guint) V, set->n_objects };
          progress (&p, user_data);
        }
    }
  dv_votes_dataset_clear (&ds);
  if (!ok)
    {
      dv_votes_evaluation_clear (ev);
      return FALSE;
    }
  g_autofree float *mean = g_new (float, C);
  for (guint o = 0; o < set->n_objects; o++)
    {
      const float *p = ev->probs + (size_t) o * V * C;
      ev->truth[o] = set->labels[o];
      ev->predicted_e[o] = dv_vote_argmax (p, C);
      dv_vote_confusion_add (&ev->e, ev->truth[o], ev->predicted_e[o]);
      if (views4)
        {
          ev->predicted_ea[o] = dv_vote_mean (mean, p, V, C);
          dv_vote_confusion_add (&ev->ea, ev->truth[o], ev->predicted_ea[o]);
        }
    }
  return TRUE;
}

void
dv_votes_evaluation_clear (DvVotesEvaluation *ev)
{
  g_clear_pointer (&ev->probs, g_free);
  g_clear_pointer (&ev->views, g_free);
  g_clear_pointer (&ev->truth, g_free);
  g_clear_pointer (&ev->predicted_e, g_free);
  g_clear_pointer (&ev->predicted_ea, g_free);
  dv_vote_confusion_clear (&ev->e);
  dv_vote_confusion_clear (&ev->ea);
}
