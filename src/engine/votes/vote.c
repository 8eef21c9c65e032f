/* Softmax, the mean vote and the confusion matrix. */
#include "votes/vote.h"

#include <math.h>
#include <string.h>

void
dv_vote_softmax (float *probs, const float *logits, int n, int C)
{
  for (int i = 0; i < n; i++)
    {
      const float *l = logits + (size_t) i * C;
      float *p = probs + (size_t) i * C;
      float mx = l[0];
      for (int c = 1; c < C; c++)
        mx = MAX (mx, l[c]);
      double sum = 0.0;
      for (int c = 0; c < C; c++)
        {
          p[c] = expf (l[c] - mx);
          sum += p[c];
        }
      for (int c = 0; c < C; c++)
        p[c] = (float) (p[c] / sum);
    }
}

int
dv_vote_argmax (const float *p, int n)
{
  int best = 0;
  for (int i = 1; i < n; i++)
    if (p[i] > p[best])
      best = i;
  return best;
}

int
dv_vote_mean (float *mean, const float *probs, int k, int C)
{
  DV_CHECK (k >= 1 && C >= 1, "dv_vote_mean: %d views of %d classes", k, C);
  for (int c = 0; c < C; c++)
    {
      double s = 0.0;
      for (int i = 0; i < k; i++)
        s += probs[(size_t) i * C + c];
      mean[c] = (float) (s / k);
    }
  return dv_vote_argmax (mean, C);
}

void
dv_vote_confusion_init (DvVoteConfusion *m, int n_classes)
{
  DV_CHECK (n_classes >= 1, "dv_vote_confusion_init: %d classes", n_classes);
  m->n_classes = n_classes;
  m->counts = g_new0 (guint64, (size_t) n_classes * n_classes);
  m->total = 0;
}

void
dv_vote_confusion_clear (DvVoteConfusion *m)
{
  g_clear_pointer (&m->counts, g_free);
  m->total = 0;
}

void
dv_vote_confusion_add (DvVoteConfusion *m, int truth, int predicted)
{
  DV_CHECK (truth >= 0 && truth < m->n_classes && predicted >= 0 && predicted < m->n_classes,
            "dv_vote_confusion_add: class %d or %d of %d", truth, predicted, m->n_classes);
  m->counts[(size_t) truth * m->n_classes + predicted]++;
  m->total++;
}

double
dv_vote_confusion_accuracy (const DvVoteConfusion *m)
{
  guint64 right = 0;
  for (int c = 0; c < m->n_classes; c++)
    right += m->counts[(size_t) c * m->n_classes + c];
  return m->total ? (double) right / (double) m->total : 0.0;
}

double
dv_vote_confusion_class_accuracy (const DvVoteConfusion *m, int truth)
{
  guint64 row = 0;
  for (int c = 0; c < m->n_classes; c++)
    row += m->counts[(size_t) truth * m->n_classes + c];
  return row ? (double) m->counts[(size_t) truth * m->n_classes + truth] / (double) row : 0.0;
}

char *
dv_vote_confusion_to_text (const DvVoteConfusion *m, const char *const *names)
{
  GString *s = g_string_new ("true \\ predicted");
  for (int c = 0; c < m->n_classes; c++)
    if (names)
      g_string_append_printf (s, " %5.5s", names[c]);
    else
      g_string_append_printf (s, " %5d", c);
  g_string_append (s, " | recall\n");
  for (int t = 0; t < m->n_classes; t++)
    {
      if (names)
        g_string_append_printf (s, "%-16.16s", names[t]);
      else
        g_string_append_printf (s, "%-16d", t);
      for (int c = 0; c < m->n_classes; c++)
        g_string_append_printf (s, " %5" G_GUINT64_FORMAT, m->counts[(size_t) t * m->n_classes + c]);
      g_string_append_printf (s, " | %5.1f%%\n", 100.0 * dv_vote_confusion_class_accuracy (m, t));
    }
  return g_string_free (s, FALSE);
}
