/* What the parts of the scatter plot share:
 *   dv-scatter-plot.c         the widget: layers, frame, pointer, setters
 *   dv-scatter-plot-header.c  its title, caption and legend, above the frame */
#pragma once

#include "dv-scatter-plot.h"

G_BEGIN_DECLS

struct _DvScatterPlot {
  GtkDrawingArea parent_instance;

  char *title;
  char *caption;
  DvPlotColor sample_color;

  float *data;
  size_t n_data;
  float *samples;
  size_t n_samples;
  guint sample_generation;
  /* Gliding from the previous samples to the new ones (same noise, so point
   * i of both sets is the same particle): from, the shown mix, the clock. */
  float *glide_from;
  float *shown;
  gint64 glide_start, glide_us;
  guint glide_tick;

  float *heatmap;
  int heat_nx, heat_ny;
  double heat_x0, heat_x1, heat_y0, heat_y1;

  float *arrow_origins;
  float *arrow_vectors;
  char *arrow_label;
  size_t n_arrows;

  float *trails;
  int n_trail_paths, n_trail_frames;

  gboolean fixed_limits;
  double x0, x1, y0, y1;  /* fixed, or fitted to the data */

  /* Mapping of the last draw, for turning pointer positions into data. */
  double frame_left, frame_top, frame_scale;
  double view_x0, view_y1;

  /* The real-data layer rendered once per size, limits and style. */
  cairo_surface_t *data_layer;
  int layer_width, layer_height;
  double layer_scale;
  double zoom;  /* of the last draw: widget pixels per layout unit */
  gboolean layer_dark;
  double layer_view_x0, layer_view_y1, layer_frame_scale, layer_frame_top;

  guint draw_count;
  size_t n_outside;  /* samples beyond the axes at the last render */
  size_t n_outside_laid_out;  /* ...when the header was laid out (its legend names them) */
  double legend_bottom;  /* layout units, at the last draw */
  gboolean title_cut;    /* the title did not fit its lines at the last draw */
  DvScatterPlot *partner;  /* the plot beside this one (weak): both keep one header height */
  gboolean paint_mode;
  GtkGesture *drag;
  double drag_start_x, drag_start_y;
};

/* Lays out (and with draw, draws) the title, caption and legend from
 * (left, 8) in `width`; returns their height, the same as the partner's. */
double _dv_scatter_plot_header (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style, double left, double width,
                                gboolean draw);

G_END_DECLS
