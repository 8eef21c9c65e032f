/* Bringing any image to the autoencoder's input: a single view or a strip of
 * 4 views (front, right, back, left, side by side), any size. Each view is
 * padded to a square with white (centred, aspect kept), alpha having been
 * composited on white by the PNG reader, then resized to size × size with an
 * area (box) filter when shrinking and bilinear interpolation when growing. */
#pragma once

#include "io/png.h"

G_BEGIN_DECLS

typedef enum {
  DV_AE_LAYOUT_AUTO,   /* a strip when the width is 3.5–4.5 × the height */
  DV_AE_LAYOUT_SINGLE,
  DV_AE_LAYOUT_STRIP,
} DvAeLayout;

/* Number of views found (1 or 4); views gets n × [3][size][size] floats (CHW, [0, 1]), to g_free. */
int dv_ae_image_to_views (const DvImage *img, DvAeLayout layout, int size, float **views);
/* A float [h][w][3] image resized into dst [dh][dw][3] (area filter down, bilinear up). */
void dv_ae_resize (float *dst, int dw, int dh, const float *src, int sw, int sh);
/* n CHW views side by side as an RGB image (values clamped to [0, 1]). */
void dv_ae_views_to_image (DvImage *img, const float *views, int n, int size);

G_END_DECLS
