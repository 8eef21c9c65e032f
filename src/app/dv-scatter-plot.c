/* A 2D scatter plot with heatmap, arrow and trail layers. */
#include "dv-scatter-plot.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define REAL_POINT_RADIUS 1.6
#define SAMPLE_POINT_RADIUS 3.2
/* A sample beyond the axes: a small ring on the frame's edge. */
#define OUTSIDE_RING_RADIUS 2.4
/* Plotting every one of 100,000 faint points adds nothing a 20,000-point
 * subset does not show; the subset keeps the cached layer quick to rebuild. */
#define MAX_REAL_POINTS_DRAWN 20000
#define MAX_TRAILS_DRAWN 400
#define HEAT_FADE_CELLS 4
/* The real points: faint, but visible on a projector in the dark style too. */
#define DATA_ALPHA_LIGHT 0.2
#define DATA_ALPHA_DARK 0.34

#include "dv-scatter-plot-private.h"


G_DEFINE_FINAL_TYPE (DvScatterPlot, dv_scatter_plot, GTK_TYPE_DRAWING_AREA)

enum { SIGNAL_PAINT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
drop_layer (DvScatterPlot *self)
{
  g_clear_pointer (&self->data_layer, cairo_surface_destroy);
}

static float *
copy_floats (const float *src, size_t count)
{
  if (src == NULL || count == 0)
    return NULL;
  return g_memdup2 (src, count * sizeof (float));
}

void
dv_scatter_plot_fit_limits (const float *xy, size_t n, double *x0, double *x1, double *y0, double *y1)
{
  double lo_x = INFINITY, hi_x = -INFINITY, lo_y = INFINITY, hi_y = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double x = xy[2 * i], y = xy[2 * i + 1];
    if (!isfinite (x) || !isfinite (y))
      continue;
    lo_x = MIN (lo_x, x), hi_x = MAX (hi_x, x);
    lo_y = MIN (lo_y, y), hi_y = MAX (hi_y, y);
  }
  if (!(hi_x >= lo_x)) {
    lo_x = lo_y = -3, hi_x = hi_y = 3;
  }
  /* A margin so samples that overshoot the data a little stay visible. */
  double margin = 0.15 * MAX (MAX (hi_x - lo_x, hi_y - lo_y), 0.5);
  *x0 = lo_x - margin, *x1 = hi_x + margin;
  *y0 = lo_y - margin, *y1 = hi_y + margin;
}

static void
refit (DvScatterPlot *self)
{
  if (self->fixed_limits)
    return;
  if (self->n_data > 0)
    dv_scatter_plot_fit_limits (self->data, self->n_data, &self->x0, &self->x1, &self->y0, &self->y1);
  else
    dv_scatter_plot_fit_limits (self->samples, self->n_samples, &self->x0, &self->x1, &self->y0, &self->y1);
}

/* Frame: the largest rectangle of equal x and y units that fits the area
 * left after the title and tick labels. */
static void
layout_frame (DvScatterPlot *self, int width, int height, double header_height)
{
  double top = 14 + header_height;
  double left = 16 + DV_PLOT_FONT_PX * 2.6, right = 14, bottom = 14 + DV_PLOT_FONT_PX * 1.6;
  double avail_w = MAX (width - left - right, 10), avail_h = MAX (height - top - bottom, 10);
  double span_x = self->x1 - self->x0, span_y = self->y1 - self->y0;
  double scale = MIN (avail_w / span_x, avail_h / span_y);
  /* Centre the data range in the available area; the frame then covers
   * the whole area, showing a little more of the plane on the long side. */
  double cx = 0.5 * (self->x0 + self->x1), cy = 0.5 * (self->y0 + self->y1);
  self->frame_scale = scale;
  self->frame_left = left;
  self->frame_top = top;
  self->view_x0 = cx - avail_w / (2 * scale);
  self->view_y1 = cy + avail_h / (2 * scale);
}

static inline double
to_px (DvScatterPlot *self, double x)
{
  return self->frame_left + (x - self->view_x0) * self->frame_scale;
}

static inline double
to_py (DvScatterPlot *self, double y)
{
  return self->frame_top + (self->view_y1 - y) * self->frame_scale;
}

static void
draw_points (DvScatterPlot *self, cairo_t *cr, const float *xy, size_t n, size_t max_drawn, double radius)
{
  size_t stride = n > max_drawn ? (n + max_drawn - 1) / max_drawn : 1;
  for (size_t i = 0; i < n; i += stride) {
    double px = to_px (self, xy[2 * i]), py = to_py (self, xy[2 * i + 1]);
    if (!isfinite (px) || !isfinite (py))
      continue;
    cairo_new_sub_path (cr);
    cairo_arc (cr, px, py, radius, 0, 2 * G_PI);
  }
  cairo_fill (cr);
}

/* Samples inside the frame as dots; those beyond it as small rings where they
 * would leave it (each coordinate clamped to the frame), so that no sample
 * silently vanishes while the axes stay shared. Returns how many are outside. */
static size_t
draw_samples (DvScatterPlot *self, cairo_t *cr, const float *xy, size_t n, double right, double bottom)
{
  const double left = self->frame_left, top = self->frame_top, inset = OUTSIDE_RING_RADIUS + 1.5;
  size_t stride = n > 20000 ? (n + 19999) / 20000 : 1, outside = 0;
  for (size_t i = 0; i < n; i += stride) {
    double px = to_px (self, xy[2 * i]), py = to_py (self, xy[2 * i + 1]);
    if (isfinite (px) && isfinite (py) && px >= left && px <= right && py >= top && py <= bottom) {
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, SAMPLE_POINT_RADIUS, 0, 2 * G_PI);
    }
  }
  cairo_fill (cr);
  for (size_t i = 0; i < n; i += stride) {
    double px = to_px (self, xy[2 * i]), py = to_py (self, xy[2 * i + 1]);
    if (isnan (px) || isnan (py) || (px >= left && px <= right && py >= top && py <= bottom))
      continue;
    outside++;
    cairo_new_sub_path (cr);
    cairo_arc (cr, CLAMP (px, left + inset, right - inset), CLAMP (py, top + inset, bottom - inset),
               OUTSIDE_RING_RADIUS, 0, 2 * G_PI);
  }
  cairo_set_line_width (cr, 1.2);
  cairo_stroke (cr);
  return outside;
}


static void
draw_heatmap (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, self->heat_nx, self->heat_ny);
  guint8 *pixels = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);
  /* D(x) near 0 ("fake") purple, near 1 ("real") green, 0.5 transparent:
   * the colour says which way the discriminator leans, the depth how sure. */
  const GdkRGBA *fake = &style->palette[DV_PLOT_PURPLE], *real = &style->palette[DV_PLOT_GREEN];
  for (int row = 0; row < self->heat_ny; row++) {
    guint32 *line = (guint32 *) (pixels + (size_t) (self->heat_ny - 1 - row) * stride);
    for (int col = 0; col < self->heat_nx; col++) {
      float v = self->heatmap[(size_t) row * self->heat_nx + col];
      v = isfinite (v) ? CLAMP (v, 0.f, 1.f) : 0.5f;
      const GdkRGBA *c = v >= 0.5f ? real : fake;
      double a = fabs (v - 0.5) * 2 * 0.55;
      /* The last few cells fade out: where the frame shows more than the
       * grid covers, D(x) ends softly, not in a hard-edged rectangle. */
      int edge = MIN (MIN (col, self->heat_nx - 1 - col), MIN (row, self->heat_ny - 1 - row));
      if (edge < HEAT_FADE_CELLS)
        a *= (edge + 0.5) / HEAT_FADE_CELLS;
      guint8 A = (guint8) (a * 255), R = (guint8) (c->red * a * 255), G = (guint8) (c->green * a * 255),
             B = (guint8) (c->blue * a * 255);
      line[col] = ((guint32) A << 24) | ((guint32) R << 16) | ((guint32) G << 8) | B;
    }
  }
  cairo_surface_mark_dirty (image);
  cairo_save (cr);
  double px0 = to_px (self, self->heat_x0), py1 = to_py (self, self->heat_y1);
  double w = (self->heat_x1 - self->heat_x0) * self->frame_scale;
  double h = (self->heat_y1 - self->heat_y0) * self->frame_scale;
  cairo_translate (cr, px0, py1);
  cairo_scale (cr, w / self->heat_nx, h / self->heat_ny);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_rectangle (cr, 0, 0, self->heat_nx, self->heat_ny);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (image);
}

static void
draw_arrows (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style)
{
  /* Scale so the longest arrow spans about one grid cell: the field's shape
   * matters here, its absolute length is given in the caption. */
  double longest = 0;
  for (size_t i = 0; i < self->n_arrows; i++)
    longest = MAX (longest, hypot (self->arrow_vectors[2 * i], self->arrow_vectors[2 * i + 1]));
  if (!(longest > 0) || !isfinite (longest))
    return;
  double cell = sqrt ((self->x1 - self->x0) * (self->y1 - self->y0) / MAX (self->n_arrows, 1));
  double k = 0.95 * cell / longest;
  dv_plot_set_source (cr, &style->foreground, 0.7);
  cairo_set_line_width (cr, 1.8);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (size_t i = 0; i < self->n_arrows; i++) {
    double x = to_px (self, self->arrow_origins[2 * i]), y = to_py (self, self->arrow_origins[2 * i + 1]);
    double dx = self->arrow_vectors[2 * i] * k * self->frame_scale;
    double dy = -self->arrow_vectors[2 * i + 1] * k * self->frame_scale;
    double len = hypot (dx, dy);
    if (len < 1.5)
      continue;
    cairo_move_to (cr, x, y);
    cairo_line_to (cr, x + dx, y + dy);
    double head = MIN (7.0, 0.45 * len), ux = dx / len, uy = dy / len;
    cairo_move_to (cr, x + dx - head * (ux - 0.5 * uy), y + dy - head * (uy + 0.5 * ux));
    cairo_line_to (cr, x + dx, y + dy);
    cairo_line_to (cr, x + dx - head * (ux + 0.5 * uy), y + dy - head * (uy - 0.5 * ux));
  }
  cairo_stroke (cr);
}

static void
draw_trails (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style)
{
  int n = MIN (self->n_trail_paths, MAX_TRAILS_DRAWN);
  dv_plot_set_source (cr, &style->palette[self->sample_color], 0.35);
  cairo_set_line_width (cr, 1.2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int p = 0; p < n; p++) {
    for (int f = 0; f < self->n_trail_frames; f++) {
      const float *pt = self->trails + ((size_t) f * self->n_trail_paths + p) * 2;
      double x = to_px (self, pt[0]), y = to_py (self, pt[1]);
      if (f == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
    cairo_new_sub_path (cr);
  }
  cairo_stroke (cr);
}

static void
draw_ticks (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style, double width, double height,
            double bottom)
{
  double view_x1 = self->view_x0 + (width - self->frame_left - 14) / self->frame_scale;
  double view_y0 = self->view_y1 - (bottom - self->frame_top) / self->frame_scale;
  double ticks[32];
  char label[32];
  int n = dv_plot_nice_ticks (self->view_x0, view_x1, MAX (2, (int) ((width - self->frame_left) / 90)), ticks, 32);
  dv_plot_set_source (cr, &style->grid, 1);
  cairo_set_line_width (cr, 1);
  for (int i = 0; i < n; i++) {
    cairo_move_to (cr, round (to_px (self, ticks[i])) + 0.5, self->frame_top);
    cairo_line_to (cr, round (to_px (self, ticks[i])) + 0.5, bottom);
  }
  cairo_stroke (cr);
  dv_plot_set_source (cr, &style->foreground, 0.75);
  for (int i = 0; i < n; i++) {
    dv_plot_format_tick (ticks[i], n > 1 ? ticks[1] - ticks[0] : 1, label, sizeof label);
    dv_plot_text (cr, label, DV_PLOT_FONT_PX, FALSE, to_px (self, ticks[i]), bottom + 4, DV_TEXT_CENTER, NULL, NULL);
  }
  n = dv_plot_nice_ticks (view_y0, self->view_y1, MAX (3, (int) ((bottom - self->frame_top) / 55)), ticks, 32);
  dv_plot_set_source (cr, &style->grid, 1);
  for (int i = 0; i < n; i++) {
    cairo_move_to (cr, self->frame_left, round (to_py (self, ticks[i])) + 0.5);
    cairo_line_to (cr, width - 14, round (to_py (self, ticks[i])) + 0.5);
  }
  cairo_stroke (cr);
  dv_plot_set_source (cr, &style->foreground, 0.75);
  for (int i = 0; i < n; i++) {
    dv_plot_format_tick (ticks[i], n > 1 ? ticks[1] - ticks[0] : 1, label, sizeof label);
    dv_plot_text (cr, label, DV_PLOT_FONT_PX, FALSE, self->frame_left - 6, to_py (self, ticks[i]) - DV_PLOT_FONT_PX * 0.65,
                  DV_TEXT_RIGHT, NULL, NULL);
  }
}


static void
render (DvScatterPlot *self, cairo_t *cr, int width, int height, gboolean use_cache, double pixel_scale)
{
  DvPlotStyle style;
  dv_plot_style_from_widget (GTK_WIDGET (self), &style);
  double text_left = 16 + DV_PLOT_FONT_PX * 2.6, right = width - 14, bottom = height - 14 - DV_PLOT_FONT_PX * 1.6;
  self->n_outside_laid_out = self->n_outside;
  double header = _dv_scatter_plot_header (self, cr, &style, text_left, right - text_left, FALSE);
  layout_frame (self, width, height, header);

  dv_plot_set_source (cr, &style.background, 1);
  cairo_paint (cr);

  cairo_save (cr);
  cairo_rectangle (cr, self->frame_left, self->frame_top, right - self->frame_left, bottom - self->frame_top);
  cairo_clip (cr);
  if (self->heatmap)
    draw_heatmap (self, cr, &style);
  cairo_restore (cr);

  draw_ticks (self, cr, &style, width, height, bottom);

  cairo_save (cr);
  cairo_rectangle (cr, self->frame_left, self->frame_top, right - self->frame_left, bottom - self->frame_top);
  cairo_clip (cr);
  if (self->n_data > 0) {
    if (use_cache) {
      if (self->data_layer == NULL || self->layer_width != width || self->layer_height != height
          || self->layer_scale != pixel_scale || self->layer_dark != style.dark
          || self->layer_view_x0 != self->view_x0 || self->layer_view_y1 != self->view_y1
          || self->layer_frame_scale != self->frame_scale || self->layer_frame_top != self->frame_top) {
        drop_layer (self);
        self->data_layer = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width * pixel_scale),
                                                       (int) ceil (height * pixel_scale));
        cairo_surface_set_device_scale (self->data_layer, pixel_scale, pixel_scale);
        cairo_t *layer_cr = cairo_create (self->data_layer);
        dv_plot_set_source (layer_cr, &style.foreground, style.dark ? DATA_ALPHA_DARK : DATA_ALPHA_LIGHT);
        draw_points (self, layer_cr, self->data, self->n_data, MAX_REAL_POINTS_DRAWN, REAL_POINT_RADIUS);
        cairo_destroy (layer_cr);
        self->layer_width = width, self->layer_height = height;
        self->layer_scale = pixel_scale, self->layer_dark = style.dark;
        self->layer_view_x0 = self->view_x0, self->layer_view_y1 = self->view_y1;
        self->layer_frame_scale = self->frame_scale, self->layer_frame_top = self->frame_top;
      }
      cairo_set_source_surface (cr, self->data_layer, 0, 0);
      cairo_paint (cr);
    } else {
      dv_plot_set_source (cr, &style.foreground, style.dark ? DATA_ALPHA_DARK : DATA_ALPHA_LIGHT);
      draw_points (self, cr, self->data, self->n_data, MAX_REAL_POINTS_DRAWN, REAL_POINT_RADIUS);
    }
  }
  if (self->trails)
    draw_trails (self, cr, &style);
  self->n_outside = 0;
  if (self->n_samples > 0) {
    const float *points = self->samples;
    if (self->glide_tick && self->glide_from) {
      double f = CLAMP ((g_get_monotonic_time () - self->glide_start) / (double) self->glide_us, 0, 1);
      f = f * f * (3 - 2 * f);  /* smoothstep: starts and ends gently */
      for (size_t i = 0; i < 2 * self->n_samples; i++)
        self->shown[i] = (float) (self->glide_from[i] + f * (self->samples[i] - self->glide_from[i]));
      points = self->shown;
    }
    /* While drawing, the (untrained) samples let the drawn points show through. */
    dv_plot_set_source (cr, &style.palette[self->sample_color], self->paint_mode ? 0.3 : 0.85);
    self->n_outside = draw_samples (self, cr, points, self->n_samples, right, bottom);
  }
  if (self->n_arrows > 0)
    draw_arrows (self, cr, &style);
  cairo_restore (cr);

  /* Frame outline. */
  dv_plot_set_source (cr, &style.foreground, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, self->frame_left + 0.5, self->frame_top + 0.5, right - self->frame_left - 1,
                   bottom - self->frame_top - 1);
  cairo_stroke (cr);

  _dv_scatter_plot_header (self, cr, &style, text_left, right - text_left, TRUE);
}

void
dv_scatter_plot_render (DvScatterPlot *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  render (self, cr, width, height, FALSE, 1);
}

static void
draw_func (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  DvScatterPlot *self = DV_SCATTER_PLOT (area);
  self->zoom = dv_plot_begin_zoomed (GTK_WIDGET (area), cr, &width, &height);
  /* The cached data layer keeps one texel per device pixel. */
  render (self, cr, width, height, TRUE, gtk_widget_get_scale_factor (GTK_WIDGET (area)) * self->zoom);
  self->draw_count++;
}

gboolean
dv_scatter_plot_widget_to_data (DvScatterPlot *self, double wx, double wy, double *x, double *y)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), FALSE);
  if (!(self->frame_scale > 0))
    return FALSE;
  wx /= self->zoom, wy /= self->zoom;
  *x = self->view_x0 + (wx - self->frame_left) / self->frame_scale;
  *y = self->view_y1 - (wy - self->frame_top) / self->frame_scale;
  return TRUE;
}

static void
emit_paint_at (DvScatterPlot *self, double wx, double wy, gboolean new_stroke)
{
  double x, y;
  if (dv_scatter_plot_widget_to_data (self, wx, wy, &x, &y))
    g_signal_emit (self, signals[SIGNAL_PAINT], 0, x, y, new_stroke);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, DvScatterPlot *self)
{
  self->drag_start_x = x, self->drag_start_y = y;
  emit_paint_at (self, x, y, TRUE);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, DvScatterPlot *self)
{
  emit_paint_at (self, self->drag_start_x + dx, self->drag_start_y + dy, FALSE);
}

static void
on_style_changed (GtkWidget *widget)
{
  drop_layer (DV_SCATTER_PLOT (widget));
}

static void
dv_scatter_plot_finalize (GObject *object)
{
  DvScatterPlot *self = DV_SCATTER_PLOT (object);
  g_clear_weak_pointer (&self->partner);
  g_free (self->title);
  g_free (self->caption);
  g_free (self->data);
  g_free (self->samples);
  g_free (self->glide_from);
  g_free (self->shown);
  g_free (self->heatmap);
  g_free (self->arrow_label);
  g_free (self->arrow_origins);
  g_free (self->arrow_vectors);
  g_free (self->trails);
  drop_layer (self);
  G_OBJECT_CLASS (dv_scatter_plot_parent_class)->finalize (object);
}

static void
dv_scatter_plot_class_init (DvScatterPlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dv_scatter_plot_finalize;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
  GTK_WIDGET_CLASS (klass)->measure = dv_plot_measure;
  /**
   * DvScatterPlot::paint:
   * In paint mode, a press (new_stroke TRUE) or drag position, in data units.
   */
  signals[SIGNAL_PAINT] = g_signal_new ("paint", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 3, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_BOOLEAN);
}

static void
dv_scatter_plot_init (DvScatterPlot *self)
{
  self->sample_color = DV_PLOT_BLUE;
  self->zoom = 1;
  self->x0 = self->y0 = -3;
  self->x1 = self->y1 = 3;
  dv_plot_set_base_size (GTK_WIDGET (self), 240, 200);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_func, NULL, NULL);
  self->drag = gtk_gesture_drag_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (self->drag), GTK_PHASE_NONE);
  g_signal_connect (self->drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (self->drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drag));
  dv_plot_follow_style (GTK_WIDGET (self), G_CALLBACK (on_style_changed));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Scatter plot"), -1);
}

GtkWidget *
dv_scatter_plot_new (void)
{
  return g_object_new (DV_TYPE_SCATTER_PLOT, NULL);
}

void
dv_scatter_plot_set_title (DvScatterPlot *self, const char *title)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  dv_plot_set_title (GTK_WIDGET (self), &self->title, title);
  if (self->partner)
    gtk_widget_queue_draw (GTK_WIDGET (self->partner));
}

void
dv_scatter_plot_set_caption (DvScatterPlot *self, const char *caption)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  if (g_strcmp0 (caption, self->caption) == 0)
    return;
  g_free (self->caption);
  self->caption = g_strdup (caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  caption ? caption : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_set_sample_color (DvScatterPlot *self, DvPlotColor color)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self) && color < DV_PLOT_N_COLORS);
  self->sample_color = color;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_set_data (DvScatterPlot *self, const float *xy, size_t n)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_free (self->data);
  self->data = copy_floats (xy, 2 * n);
  self->n_data = self->data ? n : 0;
  refit (self);
  drop_layer (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
stop_glide (DvScatterPlot *self)
{
  if (self->glide_tick)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->glide_tick);
  self->glide_tick = 0;
  g_clear_pointer (&self->glide_from, g_free);
  g_clear_pointer (&self->shown, g_free);
}

static gboolean
glide_step (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  DvScatterPlot *self = DV_SCATTER_PLOT (widget);
  gtk_widget_queue_draw (widget);
  if (g_get_monotonic_time () - self->glide_start >= self->glide_us) {
    self->glide_tick = 0;
    g_clear_pointer (&self->glide_from, g_free);
    g_clear_pointer (&self->shown, g_free);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void
dv_scatter_plot_glide_to_samples (DvScatterPlot *self, const float *xy, size_t n, guint duration_ms)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  if (n == 0 || n != self->n_samples || duration_ms == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self))) {
    dv_scatter_plot_set_samples (self, xy, n);
    return;
  }
  /* Start from where the points are shown now (mid-glide included). */
  float *from = g_new (float, 2 * n);
  if (self->glide_tick && self->shown)
    memcpy (from, self->shown, 2 * n * sizeof (float));
  else
    memcpy (from, self->samples, 2 * n * sizeof (float));
  stop_glide (self);
  self->glide_from = from;
  self->shown = g_new (float, 2 * n);
  memcpy (self->shown, from, 2 * n * sizeof (float));
  memcpy (self->samples, xy, 2 * n * sizeof (float));
  self->sample_generation++;
  self->glide_start = g_get_monotonic_time ();
  self->glide_us = (gint64) duration_ms * 1000;
  self->glide_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), glide_step, NULL, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_set_samples (DvScatterPlot *self, const float *xy, size_t n)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  stop_glide (self);
  if (n != self->n_samples) {
    g_free (self->samples);
    self->samples = copy_floats (xy, 2 * n);
  } else if (n > 0) {
    memcpy (self->samples, xy, 2 * n * sizeof (float));
  }
  self->n_samples = self->samples ? n : 0;
  self->sample_generation++;
  if (self->n_data == 0 && !self->fixed_limits) {
    refit (self);
    drop_layer (self);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const float *
dv_scatter_plot_get_samples (DvScatterPlot *self, size_t *n)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), NULL);
  *n = self->n_samples;
  return self->samples;
}

const float *
dv_scatter_plot_get_data (DvScatterPlot *self, size_t *n)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), NULL);
  *n = self->n_data;
  return self->data;
}

guint
dv_scatter_plot_get_sample_generation (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), 0);
  return self->sample_generation;
}

void
dv_scatter_plot_set_heatmap (DvScatterPlot *self, const float *values, int nx, int ny,
                             double x0, double x1, double y0, double y1)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_clear_pointer (&self->heatmap, g_free);
  if (values && nx > 0 && ny > 0) {
    self->heatmap = copy_floats (values, (size_t) nx * ny);
    self->heat_nx = nx, self->heat_ny = ny;
    self->heat_x0 = x0, self->heat_x1 = x1, self->heat_y0 = y0, self->heat_y1 = y1;
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* The partner's header makes room for this legend too. */
  if (self->partner)
    gtk_widget_queue_draw (GTK_WIDGET (self->partner));
}

void
dv_scatter_plot_set_arrows (DvScatterPlot *self, const float *origins, const float *vectors, size_t n,
                            const char *label)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_clear_pointer (&self->arrow_origins, g_free);
  g_clear_pointer (&self->arrow_vectors, g_free);
  g_clear_pointer (&self->arrow_label, g_free);
  self->n_arrows = 0;
  if (origins && vectors && n > 0) {
    self->arrow_origins = copy_floats (origins, 2 * n);
    self->arrow_vectors = copy_floats (vectors, 2 * n);
    self->arrow_label = g_strdup (label);
    self->n_arrows = n;
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* The partner's header makes room for this legend too. */
  if (self->partner)
    gtk_widget_queue_draw (GTK_WIDGET (self->partner));
}

void
dv_scatter_plot_set_trails (DvScatterPlot *self, const float *paths, int n_paths, int n_frames)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_clear_pointer (&self->trails, g_free);
  self->n_trail_paths = self->n_trail_frames = 0;
  if (paths && n_paths > 0 && n_frames > 1) {
    self->trails = copy_floats (paths, (size_t) n_paths * n_frames * 2);
    self->n_trail_paths = n_paths, self->n_trail_frames = n_frames;
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_set_limits (DvScatterPlot *self, double x0, double x1, double y0, double y1)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_return_if_fail (x1 > x0 && y1 > y0);
  if (self->fixed_limits && x0 == self->x0 && x1 == self->x1 && y0 == self->y0 && y1 == self->y1)
    return;
  self->fixed_limits = TRUE;
  self->x0 = x0, self->x1 = x1, self->y0 = y0, self->y1 = y1;
  drop_layer (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_set_auto_limits (DvScatterPlot *self)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  self->fixed_limits = FALSE;
  refit (self);
  drop_layer (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_scatter_plot_get_limits (DvScatterPlot *self, double *x0, double *x1, double *y0, double *y1)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  *x0 = self->x0, *x1 = self->x1, *y0 = self->y0, *y1 = self->y1;
}

void
dv_scatter_plot_set_paint_mode (DvScatterPlot *self, gboolean paint)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  self->paint_mode = paint;
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (self->drag),
                                              paint ? GTK_PHASE_BUBBLE : GTK_PHASE_NONE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), paint ? "crosshair" : NULL);
}

guint
dv_scatter_plot_get_draw_count (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), 0);
  return self->draw_count;
}

size_t
dv_scatter_plot_get_n_outside (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), 0);
  return self->n_outside;
}

size_t
dv_scatter_plot_get_n_arrows (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), 0);
  return self->n_arrows;
}

void
dv_scatter_plot_get_frame_origin (DvScatterPlot *self, double *left, double *top)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  *left = self->frame_left * self->zoom;
  *top = self->frame_top * self->zoom;
}
