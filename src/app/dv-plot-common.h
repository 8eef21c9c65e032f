/* Drawing helpers shared by the plot widgets: colours that follow the light or
 * dark style, "nice" axis ticks, and large text through Pango. The plots are
 * meant to be read from the back of a classroom, so sizes are generous. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Sizes in logical pixels. */
#define DV_PLOT_FONT_PX 15.0
#define DV_PLOT_TITLE_PX 18.0
#define DV_PLOT_LINE_WIDTH 2.5

/* Palette entries (GNOME palette: blue, orange, green, purple, red, yellow). */
typedef enum {
  DV_PLOT_BLUE,
  DV_PLOT_ORANGE,
  DV_PLOT_GREEN,
  DV_PLOT_PURPLE,
  DV_PLOT_RED,
  DV_PLOT_YELLOW,
  DV_PLOT_N_COLORS
} DvPlotColor;

typedef struct {
  gboolean dark;
  GdkRGBA background;
  GdkRGBA foreground;  /* text and axes */
  GdkRGBA grid;
  GdkRGBA palette[DV_PLOT_N_COLORS];
} DvPlotStyle;

/* Reads the widget's text colour and the style manager's dark flag. */
void dv_plot_style_from_widget (GtkWidget *widget, DvPlotStyle *style);

void dv_plot_set_source (cairo_t *cr, const GdkRGBA *rgba, double alpha_scale);

/* Ticks covering [lo, hi] with about max_ticks steps of 1, 2 or 5 × 10^k.
 * Writes at most max_out values; returns their number. */
int dv_plot_nice_ticks (double lo, double hi, int max_ticks, double *out, int max_out);
/* Formats a tick value compactly ("0.5", "1e-3", "2000"). */
void dv_plot_format_tick (double value, double step, char *buf, size_t len);

typedef enum { DV_TEXT_LEFT, DV_TEXT_CENTER, DV_TEXT_RIGHT } DvTextAlign;

/* Draws text with its top edge at y, aligned on x; returns its size in
 * width/height (either may be NULL). bold for titles. */
void dv_plot_text (cairo_t *cr, const char *text, double px, gboolean bold, double x, double y,
                   DvTextAlign align, double *width, double *height);
/* Text wrapped to `width` in at most max_lines lines (0: no limit; the
 * rest is ellipsized), top-left at (x, y); returns its height. With draw
 * FALSE it only measures. */
double dv_plot_text_wrapped (cairo_t *cr, const char *text, double px, gboolean bold, double x, double y,
                             double width, int max_lines, gboolean draw);
/* A legend: (colour, dashed, sample, label) entries, drawn outside a plot's
 * frame so that it never hides data. */
typedef enum {
  DV_LEGEND_LINE,   /* a line sample (dashed or not) */
  DV_LEGEND_DOT,    /* a scatter dot */
  DV_LEGEND_RING,   /* a ring, as a sample drawn at the frame's edge */
  DV_LEGEND_PATCH,  /* a square of colour, as in a heatmap */
  DV_LEGEND_ARROW,  /* an arrow, as in a vector field */
} DvLegendSample;

typedef struct {
  const GdkRGBA *color;
  gboolean dashed;
  DvLegendSample sample;
  const char *label;
} DvLegendEntry;
/* The entries in rows of at most `width` from (left, top), each row aligned
 * as asked; returns the height they take (with draw FALSE, only measures). */
double dv_plot_legend_row (cairo_t *cr, const DvPlotStyle *style, const DvLegendEntry *entries, int n, double left,
                           double top, double width, DvTextAlign align, gboolean draw);
/* The width of the entries in one row. */
double dv_plot_legend_width (cairo_t *cr, const DvLegendEntry *entries, int n);
/* Same, but only measures. */
void dv_plot_text_size (cairo_t *cr, const char *text, double px, gboolean bold, double *width, double *height);

/* How many times larger than designed a plot draws its text, lines and
 * points: the user's plot zoom times the system's text scaling (GNOME's Large
 * Text). Draw functions scale their cairo context by it and lay out in the
 * correspondingly smaller size. */
double dv_plot_get_zoom (GtkWidget *widget);
/* The start of a plot's draw function: scales cr by the zoom and turns
 * *width and *height into the layout size; returns the zoom. */
double dv_plot_begin_zoomed (GtkWidget *widget, cairo_t *cr, int *width, int *height);
/* The plot's smallest size (-1: none), the same at every zoom; its natural
 * size is that times the zoom. A plot class uses dv_plot_measure as its
 * measure function. */
void dv_plot_set_base_size (GtkWidget *widget, int width, int height);
/* The natural height is that many times more (the Playground's samples plot:
 * it gets the room before the small charts do). */
void dv_plot_set_natural_growth (GtkWidget *widget, double factor);
double dv_plot_get_natural_growth (GtkWidget *widget);
void dv_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                      int *minimum_baseline, int *natural_baseline);
/* Gives widget (a page) text that grows with the user's plot zoom. */
void dv_plot_add_zoomed_text (GtkWidget *widget);
/* The user's part (Preferences → Plot Zoom, 1 to 2): resizes and redraws every plot. */
void dv_plot_set_user_zoom (double zoom);
double dv_plot_get_user_zoom (void);

/* A plot's title: stored in *slot (g_free'd on replace), its accessible
 * name too (what a screen reader says of the plot), and a redraw queued. */
void dv_plot_set_title (GtkWidget *widget, char **slot, const char *title);

/* Connects the widget so it redraws when the system switches between light and
 * dark or the plot zoom changes; `changed` (may be NULL) runs first, e.g. to
 * drop cached layers. */
void dv_plot_follow_style (GtkWidget *widget, GCallback changed);

G_END_DECLS
