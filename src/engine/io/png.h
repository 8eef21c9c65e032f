/* PNG through libpng: any colour type and bit depth in, RGB float out. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

/* Limits (docs/limits.md), each checked before the memory it guards is
 * committed: a side, the pixel count (8192 × 2048, a strip of four
 * 2048-pixel views: 192 MiB of floats), the file, an ancillary chunk once
 * inflated (zTXt, iTXt, iCCP bombs) and how many such chunks are kept. */
#define DV_PNG_MAX_SIDE 8192
#define DV_PNG_MAX_PIXELS (8192 * 2048)
#define DV_PNG_MAX_FILE_BYTES ((gsize) 256 << 20)
#define DV_PNG_MAX_CHUNK_BYTES (8 << 20)
#define DV_PNG_MAX_CHUNKS 1000

typedef struct {
  int width;
  int height;
  float *rgb;  /* [height][width][3], values in [0, 1]; alpha composited on white */
} DvImage;

/* 8/16-bit gray, gray+alpha, RGB, RGBA, palette (with tRNS), interlaced.
 * Non-PNG, corrupt or truncated data and images over the limits above give a
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
