/* The scatter plot's header: title, caption and legend above the frame, so
 * that no legend or note ever hides a point. Two plots side by side (A and
 * B) keep one header height, so that their frames, and shared axes, line up. */
#include "dv-scatter-plot-private.h"

#include <glib/gi18n.h>

#define TITLE_LINES 2
#define CAPTION_LINES 2

typedef struct {
  GdkRGBA faint, arrow;
  DvLegendEntry entries[6];
  int n;
  char *outside;
} Legend;

/* What the plot shows, named: data, samples, D(x), arrows, and the samples
 * drawn at the frame's edge. */
static void
legend_init (Legend *legend, DvScatterPlot *self, const DvPlotStyle *style)
{
  legend->faint = style->foreground;
  legend->faint.alpha *= 0.35f;
  legend->arrow = style->foreground;
  legend->arrow.alpha *= 0.7f;
  legend->n = 0;
  legend->outside = NULL;
  DvLegendEntry *e = legend->entries;
  if (self->n_data > 0)
    e[legend->n++] = (DvLegendEntry) { &legend->faint, FALSE, DV_LEGEND_DOT, _("data") };
  if (self->n_samples > 0)
    e[legend->n++] = (DvLegendEntry) { &style->palette[self->sample_color], FALSE, DV_LEGEND_DOT, _("samples") };
  if (self->heatmap) {
    /* Translators: the discriminator's verdict D(x), shown as a background colour. */
    e[legend->n++] = (DvLegendEntry) { &style->palette[DV_PLOT_GREEN], FALSE, DV_LEGEND_PATCH, _("D(x): real") };
    e[legend->n++] = (DvLegendEntry) { &style->palette[DV_PLOT_PURPLE], FALSE, DV_LEGEND_PATCH,
                                       C_("discriminator verdict", "fake") };
  }
  if (self->n_arrows > 0 && self->arrow_label)
    e[legend->n++] = (DvLegendEntry) { &legend->arrow, FALSE, DV_LEGEND_ARROW, self->arrow_label };
  /* Named when the header was laid out, with the latest count. */
  if (self->n_outside_laid_out > 0) {
    size_t count = self->n_outside > 0 ? self->n_outside : self->n_outside_laid_out;
    /* Translators: how many samples lie beyond the plot's axes (drawn as rings on its border). */
    legend->outside = g_strdup_printf (_("Outside the axes, drawn at the edge: %d"), (int) count);
    e[legend->n++] = (DvLegendEntry) { &style->palette[self->sample_color], FALSE, DV_LEGEND_RING, legend->outside };
  }
}

static void
legend_clear (Legend *legend)
{
  g_free (legend->outside);
}

/* The room this plot's header needs in `width`: the title's and caption's
 * heights, the legend's width in one row and its height in `width`. */
typedef struct {
  double title_h, caption_h, legend_w, legend_h;
} HeaderSize;

static void
measure (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style, double width, HeaderSize *size)
{
  size->title_h = self->title ? dv_plot_text_wrapped (cr, self->title, DV_PLOT_TITLE_PX, TRUE, 0, 0, width,
                                                      TITLE_LINES, FALSE)
                              : 0;
  size->caption_h = self->caption && *self->caption
                      ? dv_plot_text_wrapped (cr, self->caption, DV_PLOT_FONT_PX, FALSE, 0, 0, width, CAPTION_LINES,
                                              FALSE)
                      : 0;
  Legend legend;
  legend_init (&legend, self, style);
  size->legend_w = dv_plot_legend_width (cr, legend.entries, legend.n);
  size->legend_h = dv_plot_legend_row (cr, style, legend.entries, legend.n, 0, 0, width, DV_TEXT_LEFT, FALSE);
  legend_clear (&legend);
}

double
_dv_scatter_plot_header (DvScatterPlot *self, cairo_t *cr, const DvPlotStyle *style, double left, double width,
                         gboolean draw)
{
  double one_title_line = 0, line_h = 0, title_w = 0;
  dv_plot_text_size (cr, "Ag", DV_PLOT_TITLE_PX, TRUE, NULL, &one_title_line);
  dv_plot_text_size (cr, "Ag", DV_PLOT_FONT_PX, FALSE, NULL, &line_h);
  HeaderSize size;
  measure (self, cr, style, width, &size);
  size.title_h = MAX (size.title_h, one_title_line);
  /* Always two caption lines: a caption that grows while training (speed,
   * then the score) must not make the frame jump. */
  size.caption_h = CAPTION_LINES * line_h;
  if (self->title)
    dv_plot_text_size (cr, self->title, DV_PLOT_TITLE_PX, TRUE, &title_w, NULL);
  /* The legend goes right of a one-line title when both fit, else on its own rows. */
  gboolean beside = size.title_h <= one_title_line && title_w + 24 + size.legend_w <= width;
  if (self->partner && gtk_widget_get_visible (GTK_WIDGET (self->partner))) {
    HeaderSize other;
    measure (self->partner, cr, style, width, &other);
    double other_title_w = 0;
    if (self->partner->title)
      dv_plot_text_size (cr, self->partner->title, DV_PLOT_TITLE_PX, TRUE, &other_title_w, NULL);
    beside = beside && other.title_h <= one_title_line && other_title_w + 24 + other.legend_w <= width;
    size.title_h = MAX (size.title_h, other.title_h);
    size.legend_h = MAX (size.legend_h, other.legend_h);
  }
  double caption_top = 8 + size.title_h, legend_top = caption_top + size.caption_h + 4;
  if (draw) {
    self->title_cut = FALSE;
    if (self->title) {
      dv_plot_set_source (cr, &style->foreground, 1);
      double shown = dv_plot_text_wrapped (cr, self->title, DV_PLOT_TITLE_PX, TRUE, left, 8, width, TITLE_LINES, TRUE);
      self->title_cut = dv_plot_text_wrapped (cr, self->title, DV_PLOT_TITLE_PX, TRUE, left, 8, width, 0, FALSE) > shown;
    }
    if (self->caption && *self->caption) {
      dv_plot_set_source (cr, &style->foreground, 0.75);
      dv_plot_text_wrapped (cr, self->caption, DV_PLOT_FONT_PX, FALSE, left, caption_top, width, CAPTION_LINES, TRUE);
    }
    Legend legend;
    legend_init (&legend, self, style);
    if (beside) {
      double top = 8 + (one_title_line - line_h * 1.35) / 2;
      self->legend_bottom = top + dv_plot_legend_row (cr, style, legend.entries, legend.n, left + title_w + 24, top,
                                                      width - title_w - 24, DV_TEXT_RIGHT, TRUE);
    } else {
      self->legend_bottom = legend_top + dv_plot_legend_row (cr, style, legend.entries, legend.n, left, legend_top,
                                                             width, DV_TEXT_LEFT, TRUE);
    }
    legend_clear (&legend);
  }
  return beside ? legend_top - 8 : legend_top - 8 + size.legend_h;
}

void
dv_scatter_plot_set_partner (DvScatterPlot *self, DvScatterPlot *partner)
{
  g_return_if_fail (DV_IS_SCATTER_PLOT (self));
  g_clear_weak_pointer (&self->partner);
  g_set_weak_pointer (&self->partner, partner);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
dv_scatter_plot_get_legend_bottom (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), 0);
  return self->legend_bottom * self->zoom;
}

gboolean
dv_scatter_plot_get_title_cut (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), FALSE);
  return self->title_cut;
}

const char *
dv_scatter_plot_get_caption (DvScatterPlot *self)
{
  g_return_val_if_fail (DV_IS_SCATTER_PLOT (self), NULL);
  return self->caption ? self->caption : "";
}
