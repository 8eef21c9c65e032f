#pragma once

#include <adwaita.h>

#include "dv-views-page.h"
#include "votes/classifier.h"
#include "votes/dataset.h"

G_BEGIN_DECLS

#define DV_TYPE_VOTES_PAGE (dv_votes_page_get_type ())
G_DECLARE_FINAL_TYPE (DvVotesPage, dv_votes_page, DV, VOTES_PAGE, AdwBin)

/* The Votes page: the views of the object on the Views page (the given real
 * ones and, after a generation, the generated ones) each classified on a
 * worker, their probabilities, the mean vote (DiMViDA's Fig. 2) and its
 * verdict against the true class when known. The classifiers are
 * data/weights/votes/{resnet18,mobilenet}-{s,m}.safetensors, or those in the
 * folder $DIMVIDA_VOTES_WEIGHTS when set. */

/* The page follows this Views page's "views-changed" (the window sets it). */
void dv_votes_page_set_views_page (DvVotesPage *self, DvViewsPage *views_page);
/* The classifier voting (votes again when it changes). */
void dv_votes_page_set_model (DvVotesPage *self, DvClassifierArch arch, DvVotesSet set);
DvClassifierArch dv_votes_page_get_arch (DvVotesPage *self);
DvVotesSet dv_votes_page_get_set (DvVotesPage *self);
/* Looks for the classifiers' files again, and votes again. */
void dv_votes_page_refresh_weights (DvVotesPage *self);
/* Why the chosen classifier cannot vote for want of its file, or NULL. */
const char *dv_votes_page_get_missing_weights (DvVotesPage *self);

gboolean dv_votes_page_get_classifying (DvVotesPage *self);
/* Votes finished and shown since the page was made. */
guint64 dv_votes_page_get_n_votes (DvVotesPage *self);
/* The last vote shown: the class of the mean (-1 without one), how many views voted, and each view's
 * probabilities (probs[n_classes], FALSE when k is out of range). */
int dv_votes_page_get_verdict (DvVotesPage *self);
int dv_votes_page_get_n_views (DvVotesPage *self);
gboolean dv_votes_page_get_probabilities (DvVotesPage *self, int k, float *probs, int n_classes);

/* The evaluation panel: Table II from the installed files' metadata, and the confusion matrix of the chosen
 * classifier on split e (ea with ea TRUE) from the predictions file evaluation.json beside them (`dimvida votes
 * table --predictions`), shown only when that file names the installed classifier by its SHA-256. A cell
 * selected lists its objects, each re-rendered from the dataset seed. Files are read, and objects rendered, on
 * workers: loading says when one of them runs. */
gboolean dv_votes_page_get_loading_evaluation (DvVotesPage *self);
void dv_votes_page_set_evaluation_split (DvVotesPage *self, gboolean ea);
/* TRUE when the matrix is shown (the predictions match the chosen classifier's file). */
gboolean dv_votes_page_get_evaluation_matches (DvVotesPage *self);
/* The objects listed for the selected cell (0 without one). */
guint dv_votes_page_get_n_cell_objects (DvVotesPage *self);

G_END_DECLS
