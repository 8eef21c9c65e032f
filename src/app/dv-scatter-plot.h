/* A 2D scatter plot for the Playground: the real data drawn faintly, samples
 * drawn large on top, and optional layers under and over them — a heatmap
 * (the discriminator's D(x)), an arrow field (the denoiser's x̂₀ − x) and
 * trails (points' paths through the reverse process). Axes keep equal units;
 * two plots share axes by receiving the same dv_scatter_plot_set_limits. */
#pragma once

#include <gtk/gtk.h>
#include "dv-plot-common.h"

G_BEGIN_DECLS

#define DV_TYPE_SCATTER_PLOT (dv_scatter_plot_get_type ())
G_DECLARE_FINAL_TYPE (DvScatterPlot, dv_scatter_plot, DV, SCATTER_PLOT, GtkDrawingArea)

GtkWidget *dv_scatter_plot_new (void);

void dv_scatter_plot_set_title (DvScatterPlot *self, const char *title);
/* The plot beside this one (NULL: none): while it is visible, both headers
 * (title, caption, legend) take the taller one's height, so frames line up. */
void dv_scatter_plot_set_partner (DvScatterPlot *self, DvScatterPlot *partner);
/* For tests, of the last draw: the legend's bottom edge in widget pixels
 * (above the frame: dv_scatter_plot_get_frame_origin), and whether the
 * title was cut short. */
double dv_scatter_plot_get_legend_bottom (DvScatterPlot *self);
gboolean dv_scatter_plot_get_title_cut (DvScatterPlot *self);
/* A second line under the title, e.g. the step counter. */
void dv_scatter_plot_set_caption (DvScatterPlot *self, const char *caption);
const char *dv_scatter_plot_get_caption (DvScatterPlot *self);
void dv_scatter_plot_set_sample_color (DvScatterPlot *self, DvPlotColor color);

/* xy: n points as x0, y0, x1, y1, ...; copied. */
void dv_scatter_plot_set_data (DvScatterPlot *self, const float *xy, size_t n);
void dv_scatter_plot_set_samples (DvScatterPlot *self, const float *xy, size_t n);
/* The same, but when the count is unchanged the points glide from where
 * they are shown to the new places over duration_ms (the samples come from
 * fixed noise, so point i is the same particle in both sets). */
void dv_scatter_plot_glide_to_samples (DvScatterPlot *self, const float *xy, size_t n, guint duration_ms);
const float *dv_scatter_plot_get_samples (DvScatterPlot *self, size_t *n);
const float *dv_scatter_plot_get_data (DvScatterPlot *self, size_t *n);

/* values: ny rows of nx values in [0, 1] over [x0, x1] × [y0, y1], row 0 at
 * y0: a discriminator's D(x), green towards 1 ("real"), purple towards 0
 * ("fake"), as the legend says. NULL removes the heatmap. */
void dv_scatter_plot_set_heatmap (DvScatterPlot *self, const float *values, int nx, int ny,
                                  double x0, double x1, double y0, double y1);
/* Arrows from origins (n × 2) along vectors (n × 2), scaled so the longest is
 * about one grid cell long, named `label` in the legend. NULL removes them. */
void dv_scatter_plot_set_arrows (DvScatterPlot *self, const float *origins, const float *vectors, size_t n,
                                 const char *label);
/* paths: n_frames frames of n_paths points (x, y), frame-major. NULL removes. */
void dv_scatter_plot_set_trails (DvScatterPlot *self, const float *paths, int n_paths, int n_frames);

/* Fixed limits (both plots of a comparison get the same ones). */
void dv_scatter_plot_set_limits (DvScatterPlot *self, double x0, double x1, double y0, double y1);
/* Back to limits fitted to the data (or, without data, to the samples). */
void dv_scatter_plot_set_auto_limits (DvScatterPlot *self);
/* The limits in use (the fixed ones, or those fitted to the data). */
void dv_scatter_plot_get_limits (DvScatterPlot *self, double *x0, double *x1, double *y0, double *y1);
/* Limits fitted to a point set: its extent plus a margin. */
void dv_scatter_plot_fit_limits (const float *xy, size_t n, double *x0, double *x1, double *y0, double *y1);

/* In paint mode a click or drag emits ::paint (x, y, new_stroke) in data units. */
void dv_scatter_plot_set_paint_mode (DvScatterPlot *self, gboolean paint);

/* Draws the plot into any Cairo context of the given logical size (used for
 * the widget and for exporting PNGs at a higher scale). */
void dv_scatter_plot_render (DvScatterPlot *self, cairo_t *cr, int width, int height);

/* Bumped whenever the samples change (tests use it). */
guint dv_scatter_plot_get_sample_generation (DvScatterPlot *self);
size_t dv_scatter_plot_get_n_arrows (DvScatterPlot *self);
/* Samples beyond the axes at the last render, drawn as rings on the frame's edge. */
size_t dv_scatter_plot_get_n_outside (DvScatterPlot *self);
/* How many times the widget has drawn itself (for frame-rate measurements). */
guint dv_scatter_plot_get_draw_count (DvScatterPlot *self);

/* Where the last draw put the frame's top-left corner, in widget pixels
 * (for tests: the margins for tick labels grow with the zoom). */
void dv_scatter_plot_get_frame_origin (DvScatterPlot *self, double *left, double *top);
/* The data point under a widget pixel, as the last draw laid it out (what
 * the drawing brush paints); FALSE before the first draw. */
gboolean dv_scatter_plot_widget_to_data (DvScatterPlot *self, double wx, double wy, double *x, double *y);

G_END_DECLS
