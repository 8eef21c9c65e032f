#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DV_TYPE_VOTE_BARS (dv_vote_bars_get_type ())
G_DECLARE_FINAL_TYPE (DvVoteBars, dv_vote_bars, DV, VOTE_BARS, GtkBox)

/* One vote on the Votes page: a title ("Front · real") and the probabilities
 * of the top classes as bars, the largest first, each named for screen readers
 * ("Chair: 62 %"). */
GtkWidget *dv_vote_bars_new (void);
/* probs[n_classes] (a softmax); names[n_classes] the translated class names; top: how many bars;
 * truth: the true class (its bar marked), or -1. */
void dv_vote_bars_set (DvVoteBars *self, const char *title, const float *probs, int n_classes,
                       const char *const *names, int top, int truth);
/* The class of the first (largest) bar, -1 when empty. */
int dv_vote_bars_get_top_class (DvVoteBars *self);

G_END_DECLS
