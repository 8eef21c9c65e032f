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

G_END_DECLS
