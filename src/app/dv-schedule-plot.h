/* A small plot of a noise schedule: ᾱₜ and βₜ (scaled to its maximum) on
 * a 0–1 axis, and log₁₀ SNR_t = log₁₀(ᾱ_t / (1 − ᾱ_t)) on a right-hand axis.
 * Takes plain arrays, so it needs nothing from the engine. */
#pragma once

#include <gtk/gtk.h>
#include "dv-plot-common.h"

G_BEGIN_DECLS

#define DV_TYPE_SCHEDULE_PLOT (dv_schedule_plot_get_type ())
G_DECLARE_FINAL_TYPE (DvSchedulePlot, dv_schedule_plot, DV, SCHEDULE_PLOT, GtkDrawingArea)

GtkWidget *dv_schedule_plot_new (void);

/* betas and alpha_bars: T values each, for t = 0 … T−1; copied. */
void dv_schedule_plot_set_schedule (DvSchedulePlot *self, const float *betas, const float *alpha_bars, int T);
int dv_schedule_plot_get_length (DvSchedulePlot *self);

void dv_schedule_plot_render (DvSchedulePlot *self, cairo_t *cr, int width, int height);

G_END_DECLS
