/* PNG through libpng: any colour type and bit depth in, RGB float out. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_PNG_MAX_SIDE 8192

typedef struct {
  int width;
  int height;
  float *rgb;  /* [height][width][3], values in [0, 1]; alpha composited on white */
} DvImage;

/* 8/16-bit gray, gray+alpha, RGB, RGBA, palette (with tRNS), interlaced.
 * Non-PNG, corrupt or truncated data and sides over DV_PNG_MAX_SIDE give a
 * GError (checked before allocating pixels); libpng's longjmp never escapes. */
gboolean dv_png_read (const char *path, DvImage *out, GError **error);
gboolean dv_png_read_bytes (const guint8 *data, size_t len, DvImage *out, GError **error);
void dv_image_clear (DvImage *img);
/* Allocates an image of the given size filled with white. */
void dv_image_init (DvImage *img, int width, int height);

/* 8-bit writes, atomic (temp + rename). rgb: [h][w][3]; rgba: [h][w][4]. */
gboolean dv_png_write_rgb8 (const char *path, const guint8 *rgb, int width, int height, GError **error);
gboolean dv_png_write_rgba8 (const char *path, const guint8 *rgba, int width, int height, GError **error);
/* Converts a float image (clamped to [0,1]) and writes it. */
gboolean dv_png_write_image (const char *path, const DvImage *img, GError **error);
/* Encodes to memory; returns NULL on error. */
GBytes *dv_png_encode_rgb8 (const guint8 *rgb, int width, int height, GError **error);
GBytes *dv_png_encode_rgba8 (const guint8 *rgba, int width, int height, GError **error);

G_END_DECLS
