/* A small plot of a noise schedule: β_t, ᾱ_t and SNR. */
#include "dv-schedule-plot.h"

#include <glib/gi18n.h>
#include <math.h>

#define FONT_PX 13.0

struct _DvSchedulePlot {
  GtkDrawingArea parent_instance;
  float *betas;
  float *alpha_bars;
  int T;
};

G_DEFINE_FINAL_TYPE (DvSchedulePlot, dv_schedule_plot, GTK_TYPE_DRAWING_AREA)

static double
log_snr (float alpha_bar)
{
  /* Clamped so ᾱ = 1 or 0 (possible in float for cosine ends) stays finite. */
  double a = CLAMP ((double) alpha_bar, 1e-8, 1 - 1e-8);
  return log10 (a / (1 - a));
}

static void
render (DvSchedulePlot *self, cairo_t *cr, int width, int height)
{
  DvPlotStyle style;
  dv_plot_style_from_widget (GTK_WIDGET (self), &style);
  dv_plot_set_source (cr, &style.background, 1);
  cairo_paint (cr);
  if (self->T < 2)
    return;

  double beta_max = 0, snr_lo = INFINITY, snr_hi = -INFINITY;
  for (int t = 0; t < self->T; t++) {
    beta_max = MAX (beta_max, self->betas[t]);
    double s = log_snr (self->alpha_bars[t]);
    snr_lo = MIN (snr_lo, s), snr_hi = MAX (snr_hi, s);
  }
  if (snr_hi - snr_lo < 1e-6)
    snr_lo -= 0.5, snr_hi += 0.5;
  if (!(beta_max > 0))
    beta_max = 1;

  /* Legend on top, in three colours. */
  char beta_label[64];
  g_snprintf (beta_label, sizeof beta_label, _("βₜ ÷ %.3g"), beta_max);
  const char *labels[3] = { _("ᾱₜ"), beta_label, _("log₁₀ SNR (right)") };
  DvPlotColor colors[3] = { DV_PLOT_BLUE, DV_PLOT_ORANGE, DV_PLOT_GREEN };
  double x = 8, legend_h = FONT_PX * 1.3;
  for (int i = 0; i < 3; i++) {
    double w;
    dv_plot_set_source (cr, &style.palette[colors[i]], 1);
    cairo_set_line_width (cr, 3);
    cairo_move_to (cr, x, 4 + legend_h / 2);
    cairo_line_to (cr, x + 14, 4 + legend_h / 2);
    cairo_stroke (cr);
    dv_plot_set_source (cr, &style.foreground, 0.85);
    dv_plot_text (cr, labels[i], FONT_PX, FALSE, x + 18, 4, DV_TEXT_LEFT, &w, NULL);
    x += 18 + w + 12;
  }

  double left = 10 + FONT_PX * 2.2, right = width - 10 - FONT_PX * 2.2;
  double top = 10 + legend_h, bottom = height - 8 - FONT_PX * 1.4;
  if (bottom - top < 10 || right - left < 10)
    return;
  double sx = (right - left) / (self->T - 1);

  /* Axes: 0 and 1 on the left, SNR range on the right, t range below. */
  dv_plot_set_source (cr, &style.foreground, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  cairo_stroke (cr);
  char label[32];
  dv_plot_set_source (cr, &style.foreground, 0.75);
  dv_plot_text (cr, "1", FONT_PX, FALSE, left - 4, top - FONT_PX * 0.5, DV_TEXT_RIGHT, NULL, NULL);
  dv_plot_text (cr, "0", FONT_PX, FALSE, left - 4, bottom - FONT_PX * 0.8, DV_TEXT_RIGHT, NULL, NULL);
  g_snprintf (label, sizeof label, "%.0f", round (snr_hi) + 0.0);
  dv_plot_text (cr, label, FONT_PX, FALSE, right + 4, top - FONT_PX * 0.5, DV_TEXT_LEFT, NULL, NULL);
  g_snprintf (label, sizeof label, "%.0f", round (snr_lo) + 0.0);
  dv_plot_text (cr, label, FONT_PX, FALSE, right + 4, bottom - FONT_PX * 0.8, DV_TEXT_LEFT, NULL, NULL);
  dv_plot_text (cr, "t = 0", FONT_PX, FALSE, left, bottom + 2, DV_TEXT_LEFT, NULL, NULL);
  g_snprintf (label, sizeof label, "%d", self->T - 1);
  dv_plot_text (cr, label, FONT_PX, FALSE, right, bottom + 2, DV_TEXT_RIGHT, NULL, NULL);

  cairo_save (cr);
  cairo_rectangle (cr, left, top, right - left, bottom - top);
  cairo_clip (cr);
  cairo_set_line_width (cr, DV_PLOT_LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int curve = 0; curve < 3; curve++) {
    dv_plot_set_source (cr, &style.palette[colors[curve]], 1);
    for (int t = 0; t < self->T; t++) {
      double v;
      if (curve == 0)
        v = self->alpha_bars[t];
      else if (curve == 1)
        v = self->betas[t] / beta_max;
      else
        v = (log_snr (self->alpha_bars[t]) - snr_lo) / (snr_hi - snr_lo);
      double px = left + t * sx, py = bottom - v * (bottom - top);
      if (t == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
    cairo_stroke (cr);
  }
  cairo_restore (cr);
}

void
dv_schedule_plot_render (DvSchedulePlot *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (DV_IS_SCHEDULE_PLOT (self));
  render (self, cr, width, height);
}

static void
draw_func (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  dv_plot_begin_zoomed (GTK_WIDGET (area), cr, &width, &height);
  render (DV_SCHEDULE_PLOT (area), cr, width, height);
}

static void
dv_schedule_plot_finalize (GObject *object)
{
  DvSchedulePlot *self = DV_SCHEDULE_PLOT (object);
  g_free (self->betas);
  g_free (self->alpha_bars);
  G_OBJECT_CLASS (dv_schedule_plot_parent_class)->finalize (object);
}

static void
dv_schedule_plot_class_init (DvSchedulePlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dv_schedule_plot_finalize;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
  GTK_WIDGET_CLASS (klass)->measure = dv_plot_measure;
}

static void
dv_schedule_plot_init (DvSchedulePlot *self)
{
  dv_plot_set_base_size (GTK_WIDGET (self), 220, 120);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_func, NULL, NULL);
  dv_plot_follow_style (GTK_WIDGET (self), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Noise schedule: ᾱ_t, β_t and signal-to-noise ratio"), -1);
}

GtkWidget *
dv_schedule_plot_new (void)
{
  return g_object_new (DV_TYPE_SCHEDULE_PLOT, NULL);
}

void
dv_schedule_plot_set_schedule (DvSchedulePlot *self, const float *betas, const float *alpha_bars, int T)
{
  g_return_if_fail (DV_IS_SCHEDULE_PLOT (self));
  g_return_if_fail (T >= 0 && (T == 0 || (betas && alpha_bars)));
  g_free (self->betas);
  g_free (self->alpha_bars);
  self->betas = T > 0 ? g_memdup2 (betas, T * sizeof (float)) : NULL;
  self->alpha_bars = T > 0 ? g_memdup2 (alpha_bars, T * sizeof (float)) : NULL;
  self->T = T;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
dv_schedule_plot_get_length (DvSchedulePlot *self)
{
  g_return_val_if_fail (DV_IS_SCHEDULE_PLOT (self), 0);
  return self->T;
}
