/* The Votes page's confusion matrix: Cairo-drawn, clickable, keyboard-driven. */
#include "dv-confusion-matrix.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dv-plot-common.h"

#define LABEL_PX 13.0
#define MAX_CLASSES 64

struct _DvConfusionMatrix
{
  GtkDrawingArea parent_instance;
  int n_classes;
  guint64 *counts;          /* [C][C] */
  guint64 *row_totals;      /* [C] */
  char **names;             /* [C] */
  double name_width;        /* the widest name at LABEL_PX, logical pixels */
  int sel_truth, sel_predicted;
  int cur_truth, cur_predicted;
};

enum { SIGNAL_CELL_SELECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DvConfusionMatrix, dv_confusion_matrix, GTK_TYPE_DRAWING_AREA)

/* Where things go, in the zoomed (layout) coordinates of a width × height widget. */
typedef struct {
  double axis;      /* room of an axis title */
  double x0, y0;    /* the matrix's top-left corner */
  double cell;
  double recall_w;
} Layout;

static void
compute_layout (DvConfusionMatrix *self, double width, double height, Layout *l)
{
  const int C = MAX (self->n_classes, 1);
  const double pad = 8, label = self->name_width + 8;
  l->axis = LABEL_PX * 1.6;
  l->recall_w = LABEL_PX * 4.2;
  double cw = (width - 2 * pad - l->axis - label - l->recall_w) / C;
  double ch = (height - 2 * pad - l->axis - label) / C;
  l->cell = CLAMP (floor (MIN (cw, ch)), 14.0, 56.0);
  const double total = l->axis + label + C * l->cell + l->recall_w;
  l->x0 = MAX (pad, floor ((width - total) / 2)) + l->axis + label;
  l->y0 = pad + l->axis + label;
}

static void
layout_of_widget (DvConfusionMatrix *self, Layout *l, double *zoom)
{
  *zoom = dv_plot_get_zoom (GTK_WIDGET (self));
  compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)) / *zoom,
                  gtk_widget_get_height (GTK_WIDGET (self)) / *zoom, l);
}

/* rgb of colour `a` of c over the background. */
static GdkRGBA
blend (const GdkRGBA *bg, const GdkRGBA *c, double a)
{
  return (GdkRGBA) { bg->red * (1 - a) + c->red * a, bg->green * (1 - a) + c->green * a,
                     bg->blue * (1 - a) + c->blue * a, 1 };
}

static void
cell_text_color (const GdkRGBA *fill, GdkRGBA *text)
{
  double luminance = 0.299 * fill->red + 0.587 * fill->green + 0.114 * fill->blue;
  *text = luminance > 0.55 ? (GdkRGBA) { 0, 0, 0, 0.87f } : (GdkRGBA) { 1, 1, 1, 1 };
}

static void
render (DvConfusionMatrix *self, cairo_t *cr, int width, int height)
{
  DvPlotStyle style;
  dv_plot_style_from_widget (GTK_WIDGET (self), &style);
  dv_plot_set_source (cr, &style.background, 1);
  cairo_paint (cr);
  const int C = self->n_classes;
  if (C == 0)
    return;
  Layout l;
  compute_layout (self, width, height, &l);
  const double cell = l.cell, x0 = l.x0, y0 = l.y0, side = C * cell;

  /* Axis titles: predicted above the columns, true to the left of the rows (reading upwards). */
  dv_plot_set_source (cr, &style.foreground, 0.75);
  dv_plot_text (cr, _("Predicted class"), LABEL_PX, TRUE, x0 + side / 2, 8, DV_TEXT_CENTER, NULL, NULL);
  dv_plot_text (cr, _("Recall"), LABEL_PX, TRUE, x0 + side + l.recall_w / 2, y0 - LABEL_PX * 1.5, DV_TEXT_CENTER,
                NULL, NULL);
  cairo_save (cr);
  cairo_translate (cr, x0 - self->name_width - 8 - l.axis, y0 + side / 2);
  cairo_rotate (cr, -G_PI / 2);
  dv_plot_text (cr, _("True class"), LABEL_PX, TRUE, 0, 0, DV_TEXT_CENTER, NULL, NULL);
  cairo_restore (cr);

  /* Class names: rows right-aligned, columns rotated to read upwards. */
  const gboolean focused = gtk_widget_has_focus (GTK_WIDGET (self));
  for (int c = 0; c < C; c++)
    {
      const gboolean hot = (focused && c == self->cur_truth) || c == self->sel_truth;
      dv_plot_set_source (cr, &style.foreground, hot ? 1.0 : 0.8);
      dv_plot_text (cr, self->names[c], LABEL_PX, hot, x0 - 6, y0 + (c + 0.5) * cell - LABEL_PX * 0.65,
                    DV_TEXT_RIGHT, NULL, NULL);
      const gboolean hot_col = (focused && c == self->cur_predicted) || c == self->sel_predicted;
      dv_plot_set_source (cr, &style.foreground, hot_col ? 1.0 : 0.8);
      cairo_save (cr);
      cairo_translate (cr, x0 + (c + 0.5) * cell - LABEL_PX * 0.65, y0 - 6);
      cairo_rotate (cr, -G_PI / 2);
      dv_plot_text (cr, self->names[c], LABEL_PX, hot_col, 0, 0, DV_TEXT_LEFT, NULL, NULL);
      cairo_restore (cr);
    }

  /* Cells: the share of the row sets the colour's strength. */
  const double count_px = CLAMP (cell * 0.38, 8.0, 15.0);
  for (int t = 0; t < C; t++)
    {
      for (int p = 0; p < C; p++)
        {
          const guint64 n = self->counts[t * C + p];
          const double share = self->row_totals[t] ? (double) n / self->row_totals[t] : 0;
          const GdkRGBA *hue = &style.palette[t == p ? DV_PLOT_GREEN : DV_PLOT_RED];
          /* Even one object shows; a full row is the palette colour itself. */
          const double a = n == 0 ? 0 : 0.12 + 0.88 * sqrt (share);
          GdkRGBA fill = blend (&style.background, hue, a);
          const double x = x0 + p * cell, y = y0 + t * cell;
          dv_plot_set_source (cr, &fill, 1);
          cairo_rectangle (cr, x, y, cell, cell);
          cairo_fill (cr);
          if (n == 0)
            continue;
          GdkRGBA text;
          cell_text_color (&fill, &text);
          dv_plot_set_source (cr, &text, 1);
          char label[24];
          g_snprintf (label, sizeof label, "%" G_GUINT64_FORMAT, n);
          dv_plot_text (cr, label, count_px, t == p, x + cell / 2, y + cell / 2 - count_px * 0.65, DV_TEXT_CENTER,
                        NULL, NULL);
        }
      /* The row's recall. */
      char recall[24];
      const guint64 total = self->row_totals[t];
      if (total)
        g_snprintf (recall, sizeof recall, "%.0f %%", 100.0 * self->counts[t * C + t] / total);
      else
        g_strlcpy (recall, "—", sizeof recall);
      dv_plot_set_source (cr, &style.foreground, 0.8);
      dv_plot_text (cr, recall, LABEL_PX, FALSE, x0 + side + l.recall_w - 4, y0 + (t + 0.5) * cell - LABEL_PX * 0.65,
                    DV_TEXT_RIGHT, NULL, NULL);
    }

  /* The grid, then the focused and the selected cell. */
  dv_plot_set_source (cr, &style.grid, 1);
  cairo_set_line_width (cr, 1);
  for (int i = 0; i <= C; i++)
    {
      cairo_move_to (cr, x0 + i * cell, y0);
      cairo_line_to (cr, x0 + i * cell, y0 + side);
      cairo_move_to (cr, x0, y0 + i * cell);
      cairo_line_to (cr, x0 + side, y0 + i * cell);
    }
  cairo_stroke (cr);
  if (self->sel_truth >= 0)
    {
      dv_plot_set_source (cr, &style.palette[DV_PLOT_BLUE], 1);
      cairo_set_line_width (cr, 3);
      cairo_rectangle (cr, x0 + self->sel_predicted * cell + 1.5, y0 + self->sel_truth * cell + 1.5, cell - 3,
                       cell - 3);
      cairo_stroke (cr);
    }
  if (focused && self->cur_truth >= 0)
    {
      dv_plot_set_source (cr, &style.foreground, 1);
      cairo_set_line_width (cr, 1.5);
      const double dash[] = { 3, 2 };
      cairo_set_dash (cr, dash, 2, 0);
      cairo_rectangle (cr, x0 + self->cur_predicted * cell - 1.5, y0 + self->cur_truth * cell - 1.5, cell + 3,
                       cell + 3);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

static void
draw_func (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  DvConfusionMatrix *self = DV_CONFUSION_MATRIX (area);
  dv_plot_begin_zoomed (GTK_WIDGET (area), cr, &width, &height);
  render (self, cr, width, height);
}

/* ---- The accessible description and the tooltip ---- */

static char *
describe_cell (DvConfusionMatrix *self, int t, int p)
{
  const guint64 n = self->counts[t * self->n_classes + p];
  /* Translators: a cell of the confusion matrix: the true and the predicted class, then a count of objects. */
  return g_strdup_printf (ngettext ("True: %s, predicted: %s — %u object", "True: %s, predicted: %s — %u objects",
                                    (gulong) n),
                          self->names[t], self->names[p], (guint) n);
}

static void
update_description (DvConfusionMatrix *self)
{
  g_autofree char *text = NULL;
  if (self->n_classes == 0)
    text = g_strdup (_("No confusion matrix"));
  else if (self->sel_truth >= 0)
    {
      g_autofree char *cell = describe_cell (self, self->sel_truth, self->sel_predicted);
      /* Translators: %s describes the selected cell. */
      text = g_strdup_printf (_("Selected: %s"), cell);
    }
  else
    {
      g_autofree char *cell = describe_cell (self, self->cur_truth, self->cur_predicted);
      /* Translators: %s describes the cell the arrow keys are on. */
      text = g_strdup_printf (_("%s. Arrow keys move, Enter shows the objects."), cell);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  DvConfusionMatrix *self = DV_CONFUSION_MATRIX (widget);
  int t, p;
  if (keyboard)
    t = self->cur_truth, p = self->cur_predicted;
  else if (!dv_confusion_matrix_cell_at (self, x, y, &t, &p))
    return FALSE;
  if (t < 0)
    return FALSE;
  g_autofree char *cell = describe_cell (self, t, p);
  const guint64 total = self->row_totals[t];
  /* Translators: a cell's description, then its share of the objects of its true class. */
  g_autofree char *text = g_strdup_printf (_("%s (%.1f %% of the true class)"), cell,
                                           total ? 100.0 * self->counts[t * self->n_classes + p] / total : 0.0);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* ---- Input ---- */

static void
set_cursor (DvConfusionMatrix *self, int t, int p)
{
  self->cur_truth = CLAMP (t, 0, self->n_classes - 1);
  self->cur_predicted = CLAMP (p, 0, self->n_classes - 1);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, DvConfusionMatrix *self)
{
  int t, p;
  if (!dv_confusion_matrix_cell_at (self, x, y, &t, &p))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  dv_confusion_matrix_select (self, t, p);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                DvConfusionMatrix *self)
{
  if (self->n_classes == 0)
    return FALSE;
  int t = self->cur_truth, p = self->cur_predicted;
  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up: t--; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: t++; break;
    case GDK_KEY_Left: case GDK_KEY_KP_Left: p--; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: p++; break;
    case GDK_KEY_Home: p = 0; break;
    case GDK_KEY_End: p = self->n_classes - 1; break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space: case GDK_KEY_KP_Space:
      dv_confusion_matrix_select (self, t, p);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->sel_truth < 0)
        return FALSE;
      dv_confusion_matrix_select (self, -1, -1);
      return TRUE;
    default:
      return FALSE;
    }
  set_cursor (self, t, p);
  return TRUE;
}

static void
on_focus_changed (DvConfusionMatrix *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- Public ---- */

GtkWidget *
dv_confusion_matrix_new (void)
{
  return g_object_new (DV_TYPE_CONFUSION_MATRIX, NULL);
}

void
dv_confusion_matrix_set (DvConfusionMatrix *self, const guint64 *counts, int n_classes, const char *const *names)
{
  g_return_if_fail (DV_IS_CONFUSION_MATRIX (self));
  g_return_if_fail (counts == NULL || (n_classes > 0 && n_classes <= MAX_CLASSES && names != NULL));
  const int old = self->n_classes;
  g_clear_pointer (&self->counts, g_free);
  g_clear_pointer (&self->row_totals, g_free);
  g_clear_pointer (&self->names, g_strfreev);
  self->n_classes = counts ? n_classes : 0;
  self->name_width = 0;
  if (counts)
    {
      const int C = n_classes;
      self->counts = g_memdup2 (counts, sizeof (guint64) * C * C);
      self->row_totals = g_new0 (guint64, C);
      self->names = g_new0 (char *, C + 1);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
      cairo_t *cr = cairo_create (surface);
      for (int t = 0; t < C; t++)
        {
          for (int p = 0; p < C; p++)
            self->row_totals[t] += counts[t * C + p];
          self->names[t] = g_strdup (names[t]);
          double w;
          dv_plot_text_size (cr, names[t], LABEL_PX, TRUE, &w, NULL);
          self->name_width = MAX (self->name_width, w);
        }
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
  if (self->n_classes == 0 || self->n_classes != old)
    {
      self->sel_truth = self->sel_predicted = -1;
      self->cur_truth = self->cur_predicted = self->n_classes ? 0 : -1;
    }
  gtk_widget_set_focusable (GTK_WIDGET (self), self->n_classes > 0);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
dv_confusion_matrix_get_n_classes (DvConfusionMatrix *self)
{
  g_return_val_if_fail (DV_IS_CONFUSION_MATRIX (self), 0);
  return self->n_classes;
}

guint64
dv_confusion_matrix_get_count (DvConfusionMatrix *self, int t, int p)
{
  g_return_val_if_fail (DV_IS_CONFUSION_MATRIX (self), 0);
  if (t < 0 || p < 0 || t >= self->n_classes || p >= self->n_classes)
    return 0;
  return self->counts[t * self->n_classes + p];
}

void
dv_confusion_matrix_select (DvConfusionMatrix *self, int t, int p)
{
  g_return_if_fail (DV_IS_CONFUSION_MATRIX (self));
  if (t < 0 || p < 0 || t >= self->n_classes || p >= self->n_classes)
    t = p = -1;
  self->sel_truth = t, self->sel_predicted = p;
  if (t >= 0)
    self->cur_truth = t, self->cur_predicted = p;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_CELL_SELECTED], 0, t, p);
}

gboolean
dv_confusion_matrix_get_selected (DvConfusionMatrix *self, int *t, int *p)
{
  g_return_val_if_fail (DV_IS_CONFUSION_MATRIX (self), FALSE);
  *t = self->sel_truth, *p = self->sel_predicted;
  return self->sel_truth >= 0;
}

void
dv_confusion_matrix_get_cursor (DvConfusionMatrix *self, int *t, int *p)
{
  g_return_if_fail (DV_IS_CONFUSION_MATRIX (self));
  *t = self->cur_truth, *p = self->cur_predicted;
}

gboolean
dv_confusion_matrix_cell_at (DvConfusionMatrix *self, double x, double y, int *t, int *p)
{
  g_return_val_if_fail (DV_IS_CONFUSION_MATRIX (self), FALSE);
  if (self->n_classes == 0)
    return FALSE;
  Layout l;
  double zoom;
  layout_of_widget (self, &l, &zoom);
  const double col = floor ((x / zoom - l.x0) / l.cell), row = floor ((y / zoom - l.y0) / l.cell);
  if (col < 0 || row < 0 || col >= self->n_classes || row >= self->n_classes)
    return FALSE;
  *t = (int) row, *p = (int) col;
  return TRUE;
}

gboolean
dv_confusion_matrix_cell_center (DvConfusionMatrix *self, int t, int p, double *x, double *y)
{
  g_return_val_if_fail (DV_IS_CONFUSION_MATRIX (self), FALSE);
  if (t < 0 || p < 0 || t >= self->n_classes || p >= self->n_classes)
    return FALSE;
  Layout l;
  double zoom;
  layout_of_widget (self, &l, &zoom);
  *x = (l.x0 + (p + 0.5) * l.cell) * zoom;
  *y = (l.y0 + (t + 0.5) * l.cell) * zoom;
  return TRUE;
}

/* ---- GObject ---- */

static void
dv_confusion_matrix_finalize (GObject *object)
{
  DvConfusionMatrix *self = DV_CONFUSION_MATRIX (object);
  g_free (self->counts);
  g_free (self->row_totals);
  g_strfreev (self->names);
  G_OBJECT_CLASS (dv_confusion_matrix_parent_class)->finalize (object);
}

static void
dv_confusion_matrix_class_init (DvConfusionMatrixClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dv_confusion_matrix_finalize;
  GTK_WIDGET_CLASS (klass)->measure = dv_plot_measure;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_WIDGET);
  /* (truth, predicted), -1 when the selection was cleared. */
  signals[SIGNAL_CELL_SELECTED] = g_signal_new ("cell-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
dv_confusion_matrix_init (DvConfusionMatrix *self)
{
  self->sel_truth = self->sel_predicted = self->cur_truth = self->cur_predicted = -1;
  dv_plot_set_base_size (GTK_WIDGET (self), 460, 500);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_func, NULL, NULL);
  dv_plot_follow_style (GTK_WIDGET (self), NULL);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  GtkEventController *keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  GtkEventController *focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (on_focus_changed), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Confusion matrix"), -1);
  update_description (self);
}
