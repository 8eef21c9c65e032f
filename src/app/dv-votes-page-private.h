/* What the parts of the Votes page share:
 *   dv-votes-page.c           the page: the Views page's object, the model switches, showing the votes, GObject
 *   dv-votes-page-classify.c  the classifiers' files, classifying the views on a worker
 *   dv-votes-page-evaluation.c  the evaluation panel: Table II from the files' metadata, the confusion matrix
 *                             of split e or ea from the predictions file, the objects of a cell re-rendered
 * Functions named _dv_votes_page_* are the page's own, called across parts. */
#pragma once

#include "dv-confusion-matrix.h"
#include "dv-job.h"
#include "dv-votes-page.h"
#include "votes/predictions.h"

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
} VotesResult;
void _dv_votes_result_free (VotesResult *result);

/* What the evaluation panel shows, read on a worker. */
typedef struct {
  /* Table II as the installed files' metadata say: accuracy on e and ea (NAN where unknown), per arch × set. */
  double accuracy[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS][2];
  gboolean have_file[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS];
  char *file_name[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS];  /* base names of the installed files */
  char *sha256[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS];     /* of their bytes, NULL when not installed */
  char *score_sha256;         /* of the installed view models' files (NULL when not installed): ea's views */
  char *ae_sha256;
  char *predictions_name;     /* the predictions file as shown to the user */
  gboolean have_predictions;
  char *predictions_error;    /* why it could not be read (NULL when missing or read) */
  DvVotesPredictions predictions;
} EvaluationResult;

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
  GtkLabel *matrix_title;
  GtkToggleButton *split_e_button;
  GtkToggleButton *split_ea_button;
  GtkLabel *matrix_status_label;
  DvConfusionMatrix *matrix;
  GtkLabel *cell_label;
  GtkFlowBox *cell_box;

  /* The evaluation panel (dv-votes-page-evaluation.c). */
  DvJob *eval_job;
  gboolean eval_again;
  EvaluationResult *evaluation;
  const DvVotesPredictionsEntry *eval_entry;  /* the shown classifier's predictions, when they match its file */
  GArray *cell_objects;                        /* positions in split e of the cell's objects */
  DvJob *thumbs_job;
  guint64 thumbs_generation;
};

/* dv-votes-page-classify.c */
/* The classifier file for arch × set: $DIMVIDA_VOTES_WEIGHTS/ARCH-SET.safetensors when that variable is
 * set, else the shipped data/weights/votes/ARCH-SET.safetensors; NULL with a message saying why. */
char *_dv_votes_page_find_weights (DvClassifierArch arch, DvVotesSet set, GError **error);
/* Classifies the Views page's views on a worker (or notes to do it again when one runs). */
void _dv_votes_page_classify (DvVotesPage *self);
void _dv_votes_page_classify_dispose (DvVotesPage *self);

/* dv-votes-page-evaluation.c */
/* Reads the files' metadata and the predictions file on a worker (again when one runs). */
void _dv_votes_page_load_evaluation (DvVotesPage *self);
/* Shows Table II and the matrix of the chosen classifier and split, or why there is none. */
void _dv_votes_page_update_evaluation (DvVotesPage *self);
void _dv_votes_page_evaluation_init (DvVotesPage *self);
void _dv_votes_page_evaluation_dispose (DvVotesPage *self);
const char *_dv_votes_arch_display_name (DvClassifierArch arch);
const char *_dv_votes_set_display_name (DvVotesSet set);

/* dv-votes-page.c */
/* Shows the result, or the state without one. */
void _dv_votes_page_update (DvVotesPage *self);
void _dv_votes_page_show_error (DvVotesPage *self, const char *message);

G_END_DECLS
