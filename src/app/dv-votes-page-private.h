/* What the parts of the Votes page share:
 *   dv-votes-page.c           the page: the Views page's object, the model switches, showing the votes, GObject
 *   dv-votes-page-classify.c  the classifiers' files, classifying the views on a worker
 * Functions named _dv_votes_page_* are the page's own, called across parts. */
#pragma once

#include "dv-job.h"
#include "dv-votes-page.h"

G_BEGIN_DECLS

#define VOTES_SIDE 64
#define VOTES_FLOATS (3 * VOTES_SIDE * VOTES_SIDE)
/* Bars per vote: the top classes. */
#define VOTES_TOP 3

/* A finished vote: each view's softmax and their mean. */
typedef struct {
  DvClassifierArch arch;
  DvVotesSet set;
  int n_views, n_classes;
  int view_of[4];         /* which view (front, right, back, left) each row is */
  gboolean generated[4];  /* generated (else real) */
  float *probs;           /* [n_views][C] */
  float *mean;            /* [C] */
  int vote;               /* the mean's argmax */
  char *trained_on;       /* the file's "set" metadata, or NULL */
  /* Table II as the shipped files' metadata say: accuracy on e and ea (NAN where unknown), per arch × set. */
  double accuracy[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS][2];
  gboolean have_file[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS];
} VotesResult;
void _dv_votes_result_free (VotesResult *result);

struct _DvVotesPage
{
  AdwBin parent_instance;

  DvViewsPage *views_page;  /* weak: the window owns both */
  gulong views_changed_id;
  DvClassifierArch arch;
  DvVotesSet set;
  char *missing_weights;    /* why the chosen classifier cannot run, or NULL */
  DvJob *job;
  gboolean again;           /* the views or the model changed while the job ran: vote again when it ends */
  VotesResult *result;
  guint64 n_votes;          /* votes finished and shown */

  /* Template widgets */
  GtkDropDown *arch_dropdown;
  GtkDropDown *set_dropdown;
  GtkLabel *object_label;
  GtkButton *regenerate_button;
  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkLabel *verdict_label;
  GtkLabel *truth_label;
  GtkLabel *disagree_label;
  GtkLabel *hint_label;
  GtkFlowBox *votes_box;
  GtkLabel *eval_label;
};

/* dv-votes-page-classify.c */
/* The classifier file for arch × set: $DIMVIDA_VOTES_WEIGHTS/ARCH-SET.safetensors when that variable is
 * set, else the shipped data/weights/votes/ARCH-SET.safetensors; NULL with a message saying why. */
char *_dv_votes_page_find_weights (DvClassifierArch arch, DvVotesSet set, GError **error);
/* Classifies the Views page's views on a worker (or notes to do it again when one runs). */
void _dv_votes_page_classify (DvVotesPage *self);
void _dv_votes_page_classify_dispose (DvVotesPage *self);

/* dv-votes-page.c */
/* Shows the result, or the state without one. */
void _dv_votes_page_update (DvVotesPage *self);
void _dv_votes_page_show_error (DvVotesPage *self, const char *message);

G_END_DECLS
