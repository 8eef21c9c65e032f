/* A classifier on split e (the real view alone) and on split ea (the real view
 * and the 3 generated ones: the class is the argmax of the mean of the four
 * softmax outputs, DiMViDA's Fig. 2), with both confusion matrices. */
#pragma once

#include "votes/classifier.h"
#include "votes/vote.h"
#include "views/multiview.h"

G_BEGIN_DECLS

/* probs[n][C]: the softmax of the classifier (evaluation mode) on images[n][3][S][S], batch ≤ the buffers'. */
void dv_votes_predict (DvClassifier *classifier, DvClassifierBuffers *buf, const float *images, int n, float *probs);

typedef struct {
  int n_classes;
  int n_views;         /* 1 (e only) or 4 (e and ea) */
  guint n_objects;
  float *probs;        /* [n_objects][n_views][C]: the real view first, then the generated ones in view order */
  guint8 *views;       /* [n_objects][n_views]: which view each row is */
  int *truth;          /* [n_objects] */
  int *predicted_e;    /* [n_objects]: argmax of the real view's softmax */
  int *predicted_ea;   /* [n_objects]: argmax of the mean of the 4 (NULL without generated views) */
  DvVoteConfusion e, ea;
} DvVotesEvaluation;

/* set: split c or e; views4 (may be NULL: e only) the set's real and generated views [n][4][S][S][3]
 * (dv_generated_views_get). batch images per forward (128 when ≤ 0). Progress counts objects. */
gboolean dv_votes_evaluate (DvClassifier *classifier, const DvMultiviewSet *set, const guint8 *views4, int batch,
                            DvVotesEvaluation *evaluation, DvProgressFunc progress, gpointer user_data,
                            GCancellable *cancellable, GError **error);
void dv_votes_evaluation_clear (DvVotesEvaluation *evaluation);

G_END_DECLS
