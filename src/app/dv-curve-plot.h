/* Line plot of a few series against a shared x axis (training step): loss
 * curves and live divergence curves. Long series are drawn as one averaged
 * value per pixel column, so 10,000 steps cost as little as 500. */
#pragma once

#include <gtk/gtk.h>
#include "dv-plot-common.h"

G_BEGIN_DECLS

#define DV_TYPE_CURVE_PLOT (dv_curve_plot_get_type ())
G_DECLARE_FINAL_TYPE (DvCurvePlot, dv_curve_plot, DV, CURVE_PLOT, GtkDrawingArea)

GtkWidget *dv_curve_plot_new (void);

void dv_curve_plot_set_title (DvCurvePlot *self, const char *title);
void dv_curve_plot_set_x_label (DvCurvePlot *self, const char *label);
/* Logarithmic y axis (non-positive values are skipped). */
void dv_curve_plot_set_log_y (DvCurvePlot *self, gboolean log_y);
gboolean dv_curve_plot_get_log_y (DvCurvePlot *self);

/* Returns the new series' index. Series without points stay out of the legend. */
int dv_curve_plot_add_series (DvCurvePlot *self, const char *name, DvPlotColor color, gboolean dashed);
void dv_curve_plot_set_series_name (DvCurvePlot *self, int series, const char *name);
void dv_curve_plot_append (DvCurvePlot *self, int series, double x, double y);
/* n points at once: one redraw. */
void dv_curve_plot_append_points (DvCurvePlot *self, int series, const double *x, const double *y, size_t n);
void dv_curve_plot_set_points (DvCurvePlot *self, int series, const double *x, const double *y, size_t n);
/* x, y point into the series' storage until it next changes. */
size_t dv_curve_plot_get_points (DvCurvePlot *self, int series, const double **x, const double **y);
/* Removes every point, keeps the series. */
void dv_curve_plot_clear (DvCurvePlot *self);

void dv_curve_plot_render (DvCurvePlot *self, cairo_t *cr, int width, int height);

/* For tests, of the last render, in layout units: where the legend ends and
 * the frame begins (the legend stays above it). */
void dv_curve_plot_get_legend_extent (DvCurvePlot *self, double *legend_bottom, double *frame_top);

G_END_DECLS
