/* Line plot of a few series (loss curves, divergence curves). */
#include "dv-curve-plot.h"

#include <glib/gi18n.h>
#include <math.h>

typedef struct {
  char *name;
  DvPlotColor color;
  gboolean dashed;
  GArray *x;  /* double */
  GArray *y;  /* double */
} Series;

struct _DvCurvePlot {
  GtkDrawingArea parent_instance;
  double legend_bottom, frame_top;  /* layout units, at the last render */
  char *title;
  char *x_label;
  gboolean log_y;
  GPtrArray *series;  /* Series */
};

G_DEFINE_FINAL_TYPE (DvCurvePlot, dv_curve_plot, GTK_TYPE_DRAWING_AREA)

static void
series_free (gpointer data)
{
  Series *s = data;
  g_free (s->name);
  g_array_unref (s->x);
  g_array_unref (s->y);
  g_free (s);
}

static inline double
y_value (DvCurvePlot *self, double y)
{
  if (self->log_y)
    return y > 0 ? log10 (y) : NAN;
  return y;
}

/* The range of all finite points (y already in axis units). */
static gboolean
data_range (DvCurvePlot *self, double *x0, double *x1, double *y0, double *y1)
{
  *x0 = *y0 = INFINITY;
  *x1 = *y1 = -INFINITY;
  for (guint s = 0; s < self->series->len; s++) {
    Series *series = g_ptr_array_index (self->series, s);
    for (guint i = 0; i < series->x->len; i++) {
      double x = g_array_index (series->x, double, i), y = y_value (self, g_array_index (series->y, double, i));
      if (!isfinite (x) || !isfinite (y))
        continue;
      *x0 = MIN (*x0, x), *x1 = MAX (*x1, x);
      *y0 = MIN (*y0, y), *y1 = MAX (*y1, y);
    }
  }
  if (!(*x1 >= *x0))
    return FALSE;
  /* x counts training steps: the axis starts at 0, so a run's curve sits
   * where its steps are even when it holds a single point. */
  *x0 = MIN (*x0, 0);
  if (*x1 - *x0 < 1)
    *x1 = *x0 + 1;
  /* Room for the last point's marker at the right edge. */
  *x1 += 0.02 * (*x1 - *x0);
  if (*y1 - *y0 < 1e-12)
    *y0 -= 0.5, *y1 += 0.5;
  return TRUE;
}

static void
draw_series (DvCurvePlot *self, cairo_t *cr, Series *series, const DvPlotStyle *style, double left, double top,
             double right, double bottom, double x0, double x1, double y0, double y1)
{
  double sx = (right - left) / (x1 - x0), sy = (bottom - top) / (y1 - y0);
  int columns = MAX ((int) (right - left), 1);
  guint n = series->x->len;
  dv_plot_set_source (cr, &style->palette[series->color], 1);
  cairo_set_line_width (cr, DV_PLOT_LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  if (series->dashed) {
    double dash[] = { 8, 5 };
    cairo_set_dash (cr, dash, 2, 0);
  }
  gboolean pen_down = FALSE;
  /* One averaged point per pixel column when there are more points than columns. */
  guint i = 0;
  while (i < n) {
    double x = g_array_index (series->x, double, i);
    int column = (int) ((x - x0) * sx);
    double sum_x = 0, sum_y = 0;
    int count = 0;
    while (i < n) {
      double xi = g_array_index (series->x, double, i);
      if (n > (guint) columns && (int) ((xi - x0) * sx) != column && count > 0)
        break;
      double yi = y_value (self, g_array_index (series->y, double, i));
      i++;
      if (isfinite (xi) && isfinite (yi))
        sum_x += xi, sum_y += yi, count++;
      if (n <= (guint) columns)
        break;
    }
    if (count == 0) {
      pen_down = FALSE;
      continue;
    }
    double px = left + (sum_x / count - x0) * sx, py = bottom - (sum_y / count - y0) * sy;
    if (pen_down)
      cairo_line_to (cr, px, py);
    else
      cairo_move_to (cr, px, py);
    pen_down = TRUE;
  }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* A lone point has no line: mark it, whole even at the frame's edge. */
static void
mark_lone_point (DvCurvePlot *self, cairo_t *cr, Series *series, const DvPlotStyle *style, double left,
                 double bottom, double x0, double sx, double y0, double sy)
{
  if (series->x->len != 1)
    return;
  double px = left + (g_array_index (series->x, double, 0) - x0) * sx;
  double py = bottom - (y_value (self, g_array_index (series->y, double, 0)) - y0) * sy;
  if (!isfinite (px) || !isfinite (py))
    return;
  dv_plot_set_source (cr, &style->palette[series->color], 1);
  cairo_new_path (cr);
  cairo_arc (cr, px, py, 4, 0, 2 * G_PI);
  cairo_fill (cr);
}

static int
log_ticks_coarse (double lo, double hi, const double *mantissas, int n_mantissas, double *out, int max_out)
{
  int n = 0;
  for (int k = (int) floor (lo); k <= (int) ceil (hi) && n < max_out; k++)
    for (int m = 0; m < n_mantissas && n < max_out; m++) {
      double v = k + log10 (mantissas[m]);
      if (v >= lo && v <= hi)
        out[n++] = v;
    }
  return n;
}

/* Ticks for a log axis (values are log10): the first of 1·10^k, {1, 2, 5}·10^k
 * and every digit·10^k that gives at least two ticks in range, thinned to
 * about max_ticks. */
static int
log_ticks (double lo, double hi, int max_ticks, double *out, int max_out)
{
  static const double sets[3][9] = { { 1 }, { 1, 2, 5 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9 } };
  static const int set_sizes[3] = { 1, 3, 9 };
  double all[64];
  int n = 0;
  for (int set = 0; set < 3; set++) {
    n = log_ticks_coarse (lo, hi, sets[set], set_sizes[set], all, G_N_ELEMENTS (all));
    if (n >= 2)
      break;
  }
  int stride = n > max_ticks ? (n + max_ticks - 1) / max_ticks : 1;
  int kept = 0;
  for (int i = 0; i < n && kept < max_out; i += stride)
    out[kept++] = all[i];
  return kept;
}

static void
render (DvCurvePlot *self, cairo_t *cr, int width, int height)
{
  DvPlotStyle style;
  dv_plot_style_from_widget (GTK_WIDGET (self), &style);
  dv_plot_set_source (cr, &style.background, 1);
  cairo_paint (cr);

  /* The legend sits beside the title, or under it when there is no room:
   * never over the curves. */
  DvLegendEntry entries[16];
  int n_entries = 0;
  for (guint s = 0; s < self->series->len && n_entries < 16; s++) {
    Series *series = g_ptr_array_index (self->series, s);
    if (series->x->len > 0 && series->name != NULL)
      entries[n_entries++] = (DvLegendEntry) { &style.palette[series->color], series->dashed, DV_LEGEND_LINE, series->name };
  }
  double title_h = 0, title_w = 0;
  dv_plot_set_source (cr, &style.foreground, 1);
  if (self->title)
    dv_plot_text (cr, self->title, DV_PLOT_TITLE_PX, TRUE, 12, 8, DV_TEXT_LEFT, &title_w, &title_h);
  double header = MAX (title_h, DV_PLOT_TITLE_PX * 1.3);
  double legend_w = dv_plot_legend_width (cr, entries, n_entries);
  self->legend_bottom = 0;
  if (n_entries > 0 && 12 + title_w + 24 + legend_w <= width - 14) {
    double legend_top = 8 + (title_h - DV_PLOT_FONT_PX * 1.35) / 2;
    self->legend_bottom = legend_top + dv_plot_legend_row (cr, &style, entries, n_entries, 12 + title_w + 24,
                                                           legend_top, width - 14 - (12 + title_w + 24),
                                                           DV_TEXT_RIGHT, TRUE);
  } else if (n_entries > 0) {
    header += dv_plot_legend_row (cr, &style, entries, n_entries, 12, 8 + header, width - 26, DV_TEXT_LEFT, TRUE);
    self->legend_bottom = 8 + header;
  }

  double x0, x1, y0, y1;
  gboolean has_data = data_range (self, &x0, &x1, &y0, &y1);
  double top = 14 + header;
  self->frame_top = top;
  double bottom = height - 12 - DV_PLOT_FONT_PX * 1.5 - (self->x_label ? DV_PLOT_FONT_PX * 1.4 : 0);
  double left = 14 + DV_PLOT_FONT_PX * 3.2, right = width - 14;
  if (bottom - top < 20 || right - left < 20)
    return;

  if (!has_data) {
    dv_plot_set_source (cr, &style.foreground, 0.5);
    dv_plot_text (cr, _("No data yet"), DV_PLOT_FONT_PX, FALSE, (left + right) / 2, (top + bottom) / 2 - DV_PLOT_FONT_PX,
                  DV_TEXT_CENTER, NULL, NULL);
    return;
  }

  /* Room above and below the curves for a point's marker and the line width. */
  const double pad_px = 6;
  if (bottom - top > 4 * pad_px) {
    double pad = pad_px * (y1 - y0) / (bottom - top - 2 * pad_px);
    y0 -= pad, y1 += pad;
  }

  /* Grid and tick labels. */
  double ticks[32];
  char label[32];
  int n = dv_plot_nice_ticks (x0, x1, MAX (2, (int) ((right - left) / 110)), ticks, 32);
  double sx = (right - left) / (x1 - x0), sy = (bottom - top) / (y1 - y0);
  cairo_set_line_width (cr, 1);
  for (int i = 0; i < n; i++) {
    double px = round (left + (ticks[i] - x0) * sx) + 0.5;
    dv_plot_set_source (cr, &style.grid, 1);
    cairo_move_to (cr, px, top);
    cairo_line_to (cr, px, bottom);
    cairo_stroke (cr);
    dv_plot_format_tick (ticks[i], n > 1 ? ticks[1] - ticks[0] : 1, label, sizeof label);
    dv_plot_set_source (cr, &style.foreground, 0.75);
    /* A label at either end shifts inwards rather than being cut off. */
    double label_w = 0;
    dv_plot_text_size (cr, label, DV_PLOT_FONT_PX, FALSE, &label_w, NULL);
    double label_x = CLAMP (px, label_w / 2 + 2, width - label_w / 2 - 2);
    dv_plot_text (cr, label, DV_PLOT_FONT_PX, FALSE, label_x, bottom + 4, DV_TEXT_CENTER, NULL, NULL);
  }
  int max_y_ticks = MAX (3, (int) ((bottom - top) / 40));
  if (self->log_y)
    n = log_ticks (y0, y1, max_y_ticks, ticks, 32);
  else
    n = dv_plot_nice_ticks (y0, y1, max_y_ticks, ticks, 32);
  for (int i = 0; i < n; i++) {
    double py = round (bottom - (ticks[i] - y0) * sy) + 0.5;
    dv_plot_set_source (cr, &style.grid, 1);
    cairo_move_to (cr, left, py);
    cairo_line_to (cr, right, py);
    cairo_stroke (cr);
    if (self->log_y) {
      double v = pow (10, ticks[i]);
      g_snprintf (label, sizeof label, v >= 0.01 && v < 1000 ? "%.3g" : "%.0e", v);
    } else {
      dv_plot_format_tick (ticks[i], n > 1 ? ticks[1] - ticks[0] : 1, label, sizeof label);
    }
    dv_plot_set_source (cr, &style.foreground, 0.75);
    dv_plot_text (cr, label, DV_PLOT_FONT_PX, FALSE, left - 6, py - DV_PLOT_FONT_PX * 0.65, DV_TEXT_RIGHT, NULL, NULL);
  }
  if (self->x_label) {
    dv_plot_set_source (cr, &style.foreground, 0.75);
    dv_plot_text (cr, self->x_label, DV_PLOT_FONT_PX, FALSE, (left + right) / 2, bottom + 6 + DV_PLOT_FONT_PX * 1.3,
                  DV_TEXT_CENTER, NULL, NULL);
  }
  dv_plot_set_source (cr, &style.foreground, 0.35);
  cairo_rectangle (cr, left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, left, top, right - left, bottom - top);
  cairo_clip (cr);
  for (guint s = 0; s < self->series->len; s++)
    draw_series (self, cr, g_ptr_array_index (self->series, s), &style, left, top, right, bottom, x0, x1, y0, y1);
  cairo_restore (cr);
  for (guint s = 0; s < self->series->len; s++)
    mark_lone_point (self, cr, g_ptr_array_index (self->series, s), &style, left, bottom, x0, sx, y0, sy);

}

void
dv_curve_plot_render (DvCurvePlot *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  render (self, cr, width, height);
}

void
dv_curve_plot_get_legend_extent (DvCurvePlot *self, double *legend_bottom, double *frame_top)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  *legend_bottom = self->legend_bottom;
  *frame_top = self->frame_top;
}

static void
draw_func (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  dv_plot_begin_zoomed (GTK_WIDGET (area), cr, &width, &height);
  render (DV_CURVE_PLOT (area), cr, width, height);
}

static void
dv_curve_plot_finalize (GObject *object)
{
  DvCurvePlot *self = DV_CURVE_PLOT (object);
  g_free (self->title);
  g_free (self->x_label);
  g_ptr_array_unref (self->series);
  G_OBJECT_CLASS (dv_curve_plot_parent_class)->finalize (object);
}

static void
dv_curve_plot_class_init (DvCurvePlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dv_curve_plot_finalize;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
  GTK_WIDGET_CLASS (klass)->measure = dv_plot_measure;
}

static void
dv_curve_plot_init (DvCurvePlot *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  dv_plot_set_base_size (GTK_WIDGET (self), 200, 165);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_func, NULL, NULL);
  dv_plot_follow_style (GTK_WIDGET (self), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Line plot"), -1);
}

GtkWidget *
dv_curve_plot_new (void)
{
  return g_object_new (DV_TYPE_CURVE_PLOT, NULL);
}

void
dv_curve_plot_set_title (DvCurvePlot *self, const char *title)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  dv_plot_set_title (GTK_WIDGET (self), &self->title, title);
}

void
dv_curve_plot_set_x_label (DvCurvePlot *self, const char *label)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  g_free (self->x_label);
  self->x_label = g_strdup (label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_curve_plot_set_log_y (DvCurvePlot *self, gboolean log_y)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  self->log_y = log_y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
dv_curve_plot_get_log_y (DvCurvePlot *self)
{
  g_return_val_if_fail (DV_IS_CURVE_PLOT (self), FALSE);
  return self->log_y;
}

int
dv_curve_plot_add_series (DvCurvePlot *self, const char *name, DvPlotColor color, gboolean dashed)
{
  g_return_val_if_fail (DV_IS_CURVE_PLOT (self), -1);
  Series *series = g_new0 (Series, 1);
  series->name = g_strdup (name);
  series->color = color;
  series->dashed = dashed;
  series->x = g_array_new (FALSE, FALSE, sizeof (double));
  series->y = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (self->series, series);
  return (int) self->series->len - 1;
}

static Series *
get_series (DvCurvePlot *self, int index)
{
  g_return_val_if_fail (index >= 0 && (guint) index < self->series->len, NULL);
  return g_ptr_array_index (self->series, index);
}

void
dv_curve_plot_set_series_name (DvCurvePlot *self, int index, const char *name)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  Series *series = get_series (self, index);
  if (series == NULL)
    return;
  g_free (series->name);
  series->name = g_strdup (name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_curve_plot_append (DvCurvePlot *self, int index, double x, double y)
{
  dv_curve_plot_append_points (self, index, &x, &y, 1);
}

void
dv_curve_plot_append_points (DvCurvePlot *self, int index, const double *x, const double *y, size_t n)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  Series *series = get_series (self, index);
  if (series == NULL || n == 0)
    return;
  g_array_append_vals (series->x, x, n);
  g_array_append_vals (series->y, y, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_curve_plot_set_points (DvCurvePlot *self, int index, const double *x, const double *y, size_t n)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  Series *series = get_series (self, index);
  if (series == NULL)
    return;
  g_array_set_size (series->x, 0);
  g_array_set_size (series->y, 0);
  g_array_append_vals (series->x, x, n);
  g_array_append_vals (series->y, y, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

size_t
dv_curve_plot_get_points (DvCurvePlot *self, int index, const double **x, const double **y)
{
  g_return_val_if_fail (DV_IS_CURVE_PLOT (self), 0);
  Series *series = get_series (self, index);
  if (series == NULL)
    return 0;
  if (x)
    *x = (const double *) series->x->data;
  if (y)
    *y = (const double *) series->y->data;
  return series->x->len;
}

void
dv_curve_plot_clear (DvCurvePlot *self)
{
  g_return_if_fail (DV_IS_CURVE_PLOT (self));
  for (guint s = 0; s < self->series->len; s++) {
    Series *series = g_ptr_array_index (self->series, s);
    g_array_set_size (series->x, 0);
    g_array_set_size (series->y, 0);
  }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
