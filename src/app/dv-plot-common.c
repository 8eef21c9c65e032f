/* Drawing helpers shared by the plot widgets. */
#include "dv-plot-common.h"

#include <adwaita.h>
#include <math.h>
#include <stdio.h>

/* GNOME HIG palette: a darker shade for light backgrounds, a lighter one for dark. */
static const char *const palette_light[DV_PLOT_N_COLORS] = {
  "#1c71d8", "#e66100", "#26a269", "#813d9c", "#c01c28", "#c88800",
};
static const char *const palette_dark[DV_PLOT_N_COLORS] = {
  "#62a0ea", "#ffa348", "#57e389", "#c061cb", "#f66151", "#f8e45c",
};

void
dv_plot_style_from_widget (GtkWidget *widget, DvPlotStyle *style)
{
  style->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
#if GTK_CHECK_VERSION(4, 10, 0)
  gtk_widget_get_color (widget, &style->foreground);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &style->foreground);
#endif
  /* The widget colour can lag one frame behind a scheme switch: trust the
   * style manager when the two disagree, so text never vanishes. */
  double luminance = 0.299 * style->foreground.red + 0.587 * style->foreground.green
                     + 0.114 * style->foreground.blue;
  if (style->dark && luminance < 0.5)
    style->foreground = (GdkRGBA) { 1, 1, 1, 1 };
  else if (!style->dark && luminance > 0.5)
    style->foreground = (GdkRGBA) { 0, 0, 0, 0.8f };
  if (style->dark)
    gdk_rgba_parse (&style->background, "#1e1e1e");
  else
    gdk_rgba_parse (&style->background, "#ffffff");
  style->grid = style->foreground;
  style->grid.alpha *= 0.12f;
  for (int i = 0; i < DV_PLOT_N_COLORS; i++)
    gdk_rgba_parse (&style->palette[i], style->dark ? palette_dark[i] : palette_light[i]);
}

void
dv_plot_set_source (cairo_t *cr, const GdkRGBA *rgba, double alpha_scale)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha_scale);
}

int
dv_plot_nice_ticks (double lo, double hi, int max_ticks, double *out, int max_out)
{
  if (!(hi > lo) || !isfinite (lo) || !isfinite (hi) || max_ticks < 1)
    return 0;
  double raw = (hi - lo) / max_ticks;
  double magnitude = pow (10.0, floor (log10 (raw)));
  double step = magnitude;
  if (raw / magnitude > 5)
    step = 10 * magnitude;
  else if (raw / magnitude > 2)
    step = 5 * magnitude;
  else if (raw / magnitude > 1)
    step = 2 * magnitude;
  int n = 0;
  for (double v = ceil (lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max_out; v += step)
    out[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  return n;
}

void
dv_plot_format_tick (double value, double step, char *buf, size_t len)
{
  double magnitude = fabs (value);
  if (value == 0)
    snprintf (buf, len, "0");
  else if (magnitude >= 1e5 || magnitude < 1e-3)
    snprintf (buf, len, "%.0e", value);
  else if (step >= 1)
    snprintf (buf, len, "%.0f", value);
  else
    snprintf (buf, len, "%.*f", (int) ceil (-log10 (step) - 1e-9), value);
}

static PangoLayout *
make_layout (cairo_t *cr, const char *text, double px, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

void
dv_plot_text_size (cairo_t *cr, const char *text, double px, gboolean bold, double *width, double *height)
{
  PangoLayout *layout = make_layout (cr, text, px, bold);
  int w, h;
  pango_layout_get_pixel_size (layout, &w, &h);
  if (width)
    *width = w;
  if (height)
    *height = h;
  g_object_unref (layout);
}

void
dv_plot_text (cairo_t *cr, const char *text, double px, gboolean bold, double x, double y,
              DvTextAlign align, double *width, double *height)
{
  PangoLayout *layout = make_layout (cr, text, px, bold);
  int w, h;
  pango_layout_get_pixel_size (layout, &w, &h);
  double left = align == DV_TEXT_LEFT ? x : align == DV_TEXT_CENTER ? x - w / 2.0 : x - w;
  cairo_move_to (cr, left, y);
  pango_cairo_show_layout (cr, layout);
  if (width)
    *width = w;
  if (height)
    *height = h;
  g_object_unref (layout);
}

double
dv_plot_text_wrapped (cairo_t *cr, const char *text, double px, gboolean bold, double x, double y, double width,
                      int max_lines, gboolean draw)
{
  PangoLayout *layout = make_layout (cr, text, px, bold);
  pango_layout_set_width (layout, (int) (MAX (width, 10) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (max_lines > 0) {
    pango_layout_set_height (layout, -max_lines);
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  }
  int w, h;
  pango_layout_get_pixel_size (layout, &w, &h);
  if (draw) {
    cairo_move_to (cr, x, y);
    pango_cairo_show_layout (cr, layout);
  }
  g_object_unref (layout);
  return h;
}

static void
draw_legend_sample (cairo_t *cr, const DvLegendEntry *entry, double cx, double cy, double sample_w)
{
  /* A label drawn before leaves a current point: an arc would start with a line from it. */
  cairo_new_path (cr);
  dv_plot_set_source (cr, entry->color, 1);
  if (entry->sample == DV_LEGEND_DOT) {
    cairo_arc (cr, cx + sample_w / 2, cy, 4.2, 0, 2 * G_PI);
    cairo_fill (cr);
  } else if (entry->sample == DV_LEGEND_RING) {
    cairo_set_line_width (cr, 1.2);
    cairo_arc (cr, cx + sample_w / 2, cy, 4.5, 0, 2 * G_PI);
    cairo_stroke (cr);
  } else if (entry->sample == DV_LEGEND_PATCH) {
    cairo_rectangle (cr, cx + sample_w / 2 - 6, cy - 6, 12, 12);
    cairo_fill (cr);
  } else if (entry->sample == DV_LEGEND_ARROW) {
    cairo_set_line_width (cr, 1.8);
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to (cr, cx + 2, cy);
    cairo_line_to (cr, cx + sample_w - 2, cy);
    cairo_move_to (cr, cx + sample_w - 8, cy - 4);
    cairo_line_to (cr, cx + sample_w - 2, cy);
    cairo_line_to (cr, cx + sample_w - 8, cy + 4);
    cairo_stroke (cr);
  } else {
    cairo_set_line_width (cr, DV_PLOT_LINE_WIDTH + 0.5);
    if (entry->dashed) {
      double dash[] = { 5, 3 };
      cairo_set_dash (cr, dash, 2, 0);
    }
    cairo_move_to (cr, cx, cy);
    cairo_line_to (cr, cx + sample_w, cy);
    cairo_stroke (cr);
    cairo_set_dash (cr, NULL, 0, 0);
  }
}

double
dv_plot_legend_row (cairo_t *cr, const DvPlotStyle *style, const DvLegendEntry *entries, int n, double left,
                    double top, double width, DvTextAlign align, gboolean draw)
{
  const double sample_w = 22, gap = 14, row_h = DV_PLOT_FONT_PX * 1.35;
  if (n <= 0)
    return 0;
  /* Rows that fit the width, each aligned as asked. */
  n = MIN (n, 16);
  double widths[16], row_w[16] = { 0 };
  int rows[16], row = 0;
  for (int i = 0; i < n; i++) {
    double w;
    dv_plot_text_size (cr, entries[i].label, DV_PLOT_FONT_PX, FALSE, &w, NULL);
    widths[i] = sample_w + 4 + w;
    if (row_w[row] > 0 && row_w[row] + gap + widths[i] > width)
      row++;
    row_w[row] += (row_w[row] > 0 ? gap : 0) + widths[i];
    rows[i] = row;
  }
  int n_rows = row + 1;
  if (draw) {
    double x[16];
    for (int r = 0; r < n_rows; r++)
      x[r] = align == DV_TEXT_RIGHT ? left + width - row_w[r] : align == DV_TEXT_CENTER ? left + (width - row_w[r]) / 2 : left;
    for (int i = 0; i < n; i++) {
      double y = top + rows[i] * row_h, cx = x[rows[i]];
      draw_legend_sample (cr, &entries[i], cx, y + row_h / 2, sample_w);
      dv_plot_set_source (cr, &style->foreground, 0.9);
      dv_plot_text (cr, entries[i].label, DV_PLOT_FONT_PX, FALSE, cx + sample_w + 4, y, DV_TEXT_LEFT, NULL, NULL);
      x[rows[i]] += widths[i] + gap;
    }
  }
  return n_rows * row_h;
}

double
dv_plot_legend_width (cairo_t *cr, const DvLegendEntry *entries, int n)
{
  const double sample_w = 22, gap = 14;
  double total = 0;
  for (int i = 0; i < n; i++) {
    double w;
    dv_plot_text_size (cr, entries[i].label, DV_PLOT_FONT_PX, FALSE, &w, NULL);
    total += (i > 0 ? gap : 0) + sample_w + 4 + w;
  }
  return total;
}

static void
on_dark_changed (AdwStyleManager *manager, GParamSpec *pspec, GtkWidget *widget)
{
  GCallback changed = g_object_get_data (G_OBJECT (widget), "dv-plot-style-changed");
  if (changed)
    ((void (*) (GtkWidget *)) changed) (widget);
  gtk_widget_queue_draw (widget);
}

void
dv_plot_set_title (GtkWidget *widget, char **slot, const char *title)
{
  g_free (*slot);
  *slot = g_strdup (title);
  if (title)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_widget_queue_draw (widget);
}

/* Every live plot, to redraw when the zoom changes (main thread only). */
static GList *live_plots;
static double user_zoom = 1.0;

static void
forget_plot (gpointer unused, GObject *where_the_plot_was)
{
  live_plots = g_list_remove (live_plots, where_the_plot_was);
}

void
dv_plot_follow_style (GtkWidget *widget, GCallback changed)
{
  g_object_set_data (G_OBJECT (widget), "dv-plot-style-changed", changed);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), widget, 0);
  live_plots = g_list_prepend (live_plots, widget);
  g_object_weak_ref (G_OBJECT (widget), forget_plot, NULL);
}

double
dv_plot_get_zoom (GtkWidget *widget)
{
  int dpi = 0;
  g_object_get (gtk_widget_get_settings (widget), "gtk-xft-dpi", &dpi, NULL);
  /* gtk-xft-dpi is 1024 × dots per inch; 96 is GTK's unscaled value. */
  double text_scale = dpi > 0 ? CLAMP (dpi / (96.0 * 1024), 0.5, 3.0) : 1.0;
  return user_zoom * text_scale;
}

double
dv_plot_begin_zoomed (GtkWidget *widget, cairo_t *cr, int *width, int *height)
{
  double zoom = dv_plot_get_zoom (widget);
  /* A plot given less than its base size times the zoom (a small chart on a
   * short screen) draws its text only as much larger as leaves it its base
   * layout: readable, rather than all text and no plot. */
  int base_w = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "dv-plot-base-width"));
  int base_h = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "dv-plot-base-height"));
  if (base_w > 0)
    zoom = MIN (zoom, MAX (1.0, (double) *width / base_w));
  if (base_h > 0)
    zoom = MIN (zoom, MAX (1.0, (double) *height / base_h));
  cairo_scale (cr, zoom, zoom);
  *width = (int) (*width / zoom);
  *height = (int) (*height / zoom);
  return zoom;
}

static void
apply_base_size (GtkWidget *widget)
{
  gtk_widget_queue_resize (widget);
}

void
dv_plot_set_base_size (GtkWidget *widget, int width, int height)
{
  g_object_set_data (G_OBJECT (widget), "dv-plot-base-width", GINT_TO_POINTER (width));
  g_object_set_data (G_OBJECT (widget), "dv-plot-base-height", GINT_TO_POINTER (height));
  apply_base_size (widget);
}

void
dv_plot_set_natural_growth (GtkWidget *widget, double factor)
{
  g_object_set_data_full (G_OBJECT (widget), "dv-plot-growth", g_memdup2 (&factor, sizeof factor), g_free);
  gtk_widget_queue_resize (widget);
}

double
dv_plot_get_natural_growth (GtkWidget *widget)
{
  const double *growth = g_object_get_data (G_OBJECT (widget), "dv-plot-growth");
  return growth ? *growth : 1.0;
}

/* The minimum is the base size whatever the zoom, so that zooming never
 * makes the window larger; the natural size grows with the zoom (times the
 * plot's growth), which a box gives out as far as there is room. */
void
dv_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                 int *minimum_baseline, int *natural_baseline)
{
  const char *key = orientation == GTK_ORIENTATION_HORIZONTAL ? "dv-plot-base-width" : "dv-plot-base-height";
  int base = MAX (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), key)), 0);
  const double *growth = g_object_get_data (G_OBJECT (widget), "dv-plot-growth");
  double factor = orientation == GTK_ORIENTATION_VERTICAL && growth ? *growth : 1.0;
  *minimum = base;
  *natural = MAX (base, (int) ceil (base * dv_plot_get_zoom (widget) * factor));
  *minimum_baseline = *natural_baseline = -1;
}

/* The page's text (toolbar, settings) grows with the plots: a CSS class
 * whose font size follows the zoom. */
static void
apply_text_zoom (void)
{
  static GtkCssProvider *provider;
  GdkDisplay *display = gdk_display_get_default ();
  if (display == NULL)
    return;
  if (provider == NULL) {
    provider = gtk_css_provider_new ();
    gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  /* Percentages scale what inherits the page's size; Adwaita's headings
   * (the settings' group titles) have a size of their own, 11 pt. Integers:
   * a locale's decimal comma would not parse. */
  g_autofree char *css = g_strdup_printf (".dv-zoomed-text { font-size: %d%%; }\n"
                                          ".dv-zoomed-text .heading { font-size: %dpt; }",
                                          (int) lround (user_zoom * 100), (int) lround (11.0 * user_zoom));
  gtk_css_provider_load_from_data (provider, css, -1);
}

void
dv_plot_add_zoomed_text (GtkWidget *widget)
{
  apply_text_zoom ();
  gtk_widget_add_css_class (widget, "dv-zoomed-text");
}

double
dv_plot_get_user_zoom (void)
{
  return user_zoom;
}

void
dv_plot_set_user_zoom (double zoom)
{
  zoom = isfinite (zoom) ? CLAMP (zoom, 1.0, 2.0) : 1.0;
  if (zoom == user_zoom)
    return;
  user_zoom = zoom;
  apply_text_zoom ();
  for (GList *l = live_plots; l; l = l->next) {
    apply_base_size (l->data);
    on_dark_changed (NULL, NULL, l->data);
  }
}
