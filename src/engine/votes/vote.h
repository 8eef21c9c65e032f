/* The maths of DiMViDA's vote (Fig. 2): each view's logits through a softmax,
 * the mean of the views' probabilities, the class of the largest mean; and the
 * confusion matrix and accuracy of a split's predictions. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* probs[n][C] = softmax of logits[n][C], row by row (max-subtracted; may be in place). */
void dv_vote_softmax (float *probs, const float *logits, int n, int n_classes);
/* The index of the largest of p[n] (the first of equals). */
int dv_vote_argmax (const float *p, int n);
/* mean[C] = the mean of probs[k][C] over the k views; returns its argmax, the vote. k ≥ 1. */
int dv_vote_mean (float *mean, const float *probs, int k, int n_classes);

/* counts[true][predicted]. */
typedef struct {
  int n_classes;
  guint64 *counts;
  guint64 total;
} DvVoteConfusion;

void dv_vote_confusion_init (DvVoteConfusion *confusion, int n_classes);
void dv_vote_confusion_clear (DvVoteConfusion *confusion);
void dv_vote_confusion_add (DvVoteConfusion *confusion, int truth, int predicted);
/* The share of the diagonal, 0 when empty. */
double dv_vote_confusion_accuracy (const DvVoteConfusion *confusion);
/* Accuracy of the objects of one true class (recall), 0 when it has none. */
double dv_vote_confusion_class_accuracy (const DvVoteConfusion *confusion, int truth);
/* The matrix as text, rows true classes, columns predicted, names[C] (NULL: indices), to g_free. */
char *dv_vote_confusion_to_text (const DvVoteConfusion *confusion, const char *const *names);

G_END_DECLS
