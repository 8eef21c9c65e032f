/* The Playground page's figures in words: the final scores over the plots,
 * the spinner while a run has nothing to show yet, and how the numbers are
 * written (time left, kNN KL) and explained. */
#include "dv-playground-page-private.h"

#include <glib/gi18n.h>
#include <math.h>

/* "45 s", "12 min", "1 h 5 min": the time left to a run. */
char *
_dv_playground_page_format_duration (double seconds)
{
  if (seconds < 60)
    return g_strdup_printf (_("%.0f s"), ceil (seconds));
  if (seconds < 3600)
    return g_strdup_printf (_("%.0f min"), ceil (seconds / 60));
  int minutes = (int) ceil (seconds / 60);
  return g_strdup_printf (_("%d h %d min"), minutes / 60, minutes % 60);
}

/* A KL divergence is never negative; the kNN estimate can dip a little
 * below 0 when the samples match the data (its bias at 100,000 and 10,000
 * points is a few hundredths of a bit): shown as about 0. */
char *
_dv_playground_page_format_knn_kl (double kl)
{
  if (kl < 0)
    /* Translators: a kNN KL estimate below 0, i.e. no measurable difference. */
    return g_strdup_printf (_("≈ 0 (%.3f)"), kl);
  return g_strdup_printf ("%.3f", kl);
}

void
_dv_playground_page_update_status (DvPlaygroundPage *self)
{
  /* Working, with nothing on screen yet (a big model): say so. */
  gboolean waiting = FALSE;
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->runs.sides[side];
    if (s->run && (side == 0 || self->runs.compare) && s->samples_seen == 0 && dv_playground_run_get_busy (s->run))
      waiting = TRUE;
  }
  gtk_widget_set_visible (self->toolbar.spinner, waiting);
  gtk_spinner_set_spinning (GTK_SPINNER (self->toolbar.spinner), waiting);
  GString *status = g_string_new (NULL);
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->runs.sides[side];
    if (s->run == NULL || (side == 1 && !self->runs.compare))
      continue;
    double kl = dv_playground_run_get_knn_kl (s->run);
    if (!isnan (kl)) {
      g_autofree char *value = _dv_playground_page_format_knn_kl (kl);
      g_string_append_printf (status, "%s%s%s", status->len ? " · " : "",
                              self->runs.compare ? (side == 0 ? "A " : "B ") : "", value);
    }
  }
  if (status->len) {
    /* Translators: %s lists the kNN KL of each run, in bits. */
    g_autofree char *text = g_strdup_printf (_("kNN KL (10,000 samples): %s bits"), status->str);
    gtk_label_set_text (GTK_LABEL (self->toolbar.status_label), text);
  } else {
    gtk_label_set_text (GTK_LABEL (self->toolbar.status_label), "");
  }
  g_string_free (status, TRUE);
}

/* Why the two KL figures on the page differ. */
const char *
_dv_playground_page_knn_kl_explained (void)
{
  return _("How far the samples are from the data, in bits. Grid KL and JS (the curves): KL(data ‖ samples) and "
           "the Jensen–Shannon divergence of 24 × 24 histograms, quick but blind to anything finer than a cell. "
           "kNN KL (measured at the end of a run, the seed's score): from the distances to the 5th nearest "
           "neighbour among 10,000 samples and among the data; it sees fine detail, so the two rarely agree. Near 0 "
           "its estimate can dip just below 0, shown as ≈ 0. Drawn or imported points are first spread into "
           "100,000, as the dino's 142 points are.");
}

