/* The CLI's Cairo scatter plot of 2D real data (small, faint) under generated
 * samples, on shared axes with ticks, a title and a legend, written as PNG
 * (dimvida toy train writes samples.png). Not the app's DvScatterPlot widget. */
#pragma once

#include "core/common.h"

#include <cairo.h>

G_BEGIN_DECLS

typedef struct {
  const char *title;         /* NULL: none */
  const char *real_label;    /* legend entries; NULL: "data" and "samples" */
  const char *sample_label;
  /* Axes: when auto_range is set, they cover the real data and the samples
   * (samples far outside the data are not allowed to squash it: the range
   * extends at most 50% of the data's extent beyond it); otherwise the fixed
   * range below. */
  gboolean auto_range;
  double x_min, x_max, y_min, y_max;
  gboolean equal_aspect;     /* one unit is as long on both axes (a circle stays round) */
  double real_rgba[4];
  double sample_rgba[4];
  double real_size;          /* side of the square markers in pixels, rounded */
  double sample_size;
} DvScatterPngStyle;

/* Auto range, equal aspect, grey data, blue samples. */
void dv_scatter_png_style_init (DvScatterPngStyle *style);

/* Draws into cr within the rectangle (x, y, width, height), background
 * included. real[n_real][2], sample[n_sample][2]; either set may be empty
 * (NULL, 0); non-finite points are skipped. */
void dv_scatter_png_draw (cairo_t *cr, double x, double y, double width, double height,
                           const float *real, size_t n_real, const float *sample, size_t n_sample,
                           const DvScatterPngStyle *style);

/* Renders width × height pixels and writes them to path as PNG, atomically
 * (to a temporary file renamed over path). DV_ERROR_IO if it cannot be written,
 * DV_ERROR_INVALID for a size outside 64..8192. */
gboolean dv_scatter_png_write (const char *path, int width, int height,
                                    const float *real, size_t n_real, const float *sample, size_t n_sample,
                                    const DvScatterPngStyle *style, GError **error);

G_END_DECLS
