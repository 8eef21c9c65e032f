/* PNG reading and writing through libpng's classic API.
 *
 * libpng reports errors by longjmp-ing out of its calls. Each decode or encode
 * therefore runs inside one function that calls setjmp first and keeps every
 * resource it allocates in a context struct owned by its caller, so that the
 * caller can free them whichever way the function left. */
#include "io/png.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#define PNG_SIGNATURE_BYTES 8

/* ---- reading ---- */

typedef struct {
  png_structp png;
  png_infop info;
  const guint8 *data;
  size_t len;
  size_t pos;
  /* Set by the error callback or by our own checks, read after failure. */
  DvErrorCode code;
  char message[256];
  /* Everything allocated while decoding, freed by the caller. */
  guint8 *pixels;        /* one row, or the whole image when interlaced */
  png_bytep *row_pointers;
  float *rgb;
  int width;
  int height;
} PngReader;

static void
reader_fail (PngReader *r, DvErrorCode code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
reader_fail (PngReader *r, DvErrorCode code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  r->code = code;
  g_vsnprintf (r->message, sizeof r->message, fmt, ap);
  va_end (ap);
}

static void
on_png_error (png_structp png, png_const_charp message)
{
  PngReader *r = png_get_error_ptr (png);
  if (r->message[0] == '\0')
    reader_fail (r, DV_ERROR_FORMAT, "truncated or corrupt PNG: %s", message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp message)
{
  /* Recoverable problems (e.g. a bad ancillary chunk) do not stop the read. */
  g_debug ("libpng warning: %s", message);
}

static void
read_from_memory (png_structp png, png_bytep out, size_t n)
{
  PngReader *r = png_get_io_ptr (png);
  if (n > r->len - r->pos)
    png_error (png, "unexpected end of data");
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
}

/* One decoded row (RGB or RGBA, 8 or 16 bits big-endian) to float RGB,
 * compositing alpha over white. */
static void
row_to_rgb (const guint8 *row, int width, int channels, int bit_depth, float *out)
{
  const float scale = bit_depth == 16 ? 1.0f / 65535.0f : 1.0f / 255.0f;
  for (int x = 0; x < width; x++)
    {
      float c[4];
      for (int k = 0; k < channels; k++)
        {
          size_t i = (size_t) x * channels + k;
          unsigned v = bit_depth == 16 ? ((unsigned) row[2 * i] << 8) | row[2 * i + 1] : row[i];
          c[k] = (float) v * scale;
        }
      float alpha = channels == 4 ? c[3] : 1.0f;
      for (int k = 0; k < 3; k++)
        out[3 * x + k] = c[k] * alpha + (1.0f - alpha);
    }
}

/* Returns FALSE with r->code and r->message set. Nothing local to this
 * function is used after the longjmp lands, so no local needs `volatile`. */
static gboolean
decode_png (PngReader *r)
{
  if (setjmp (png_jmpbuf (r->png)))
    return FALSE;

  png_set_read_fn (r->png, r, read_from_memory);
  /* Let any IHDR through libpng so our own size check, with its clearer
   * message, is the one that refuses large images. */
  png_set_user_limits (r->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  /* Decompression bounds: a compressed text or ICC chunk may inflate to at
   * most DV_PNG_MAX_CHUNK_BYTES, and at most DV_PNG_MAX_CHUNKS of the
   * ancillary ones are kept; the pixel data inflates to no more than the
   * rows the pixel cap below lets through. */
  png_set_chunk_malloc_max (r->png, DV_PNG_MAX_CHUNK_BYTES);
  png_set_chunk_cache_max (r->png, DV_PNG_MAX_CHUNKS);
  png_read_info (r->png, r->info);

  png_uint_32 width, height;
  int bit_depth, color_type, interlace;
  png_get_IHDR (r->png, r->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  if (width > DV_PNG_MAX_SIDE || height > DV_PNG_MAX_SIDE)
    {
      reader_fail (r, DV_ERROR_TOO_LARGE, "image is %u×%u pixels; the largest side accepted is %d",
                   (unsigned) width, (unsigned) height, DV_PNG_MAX_SIDE);
      return FALSE;
    }
  if ((guint64) width * height > DV_PNG_MAX_PIXELS)
    {
      reader_fail (r, DV_ERROR_TOO_LARGE,
                   "image is %u×%u pixels, %" G_GUINT64_FORMAT " in all; at most %d (%.1f megapixels) are accepted",
                   (unsigned) width, (unsigned) height, (guint64) width * height, DV_PNG_MAX_PIXELS,
                   DV_PNG_MAX_PIXELS / 1e6);
      return FALSE;
    }

  /* Palette to RGB, gray below 8 bits to 8, tRNS to an alpha channel; then
   * gray to RGB. 16-bit samples are kept for precision. */
  png_set_expand (r->png);
  if (!(color_type & PNG_COLOR_MASK_COLOR))
    png_set_gray_to_rgb (r->png);
  int passes = png_set_interlace_handling (r->png);
  png_read_update_info (r->png, r->info);

  int channels = png_get_channels (r->png, r->info);
  int out_depth = png_get_bit_depth (r->png, r->info);
  size_t row_bytes = png_get_rowbytes (r->png, r->info);
  if ((channels != 3 && channels != 4) || (out_depth != 8 && out_depth != 16)
      || row_bytes != (size_t) width * channels * (out_depth / 8))
    {
      reader_fail (r, DV_ERROR_FORMAT, "unsupported PNG layout (%d channels of %d bits)", channels, out_depth);
      return FALSE;
    }

  r->width = (int) width;
  r->height = (int) height;
  r->rgb = g_try_malloc_n ((size_t) height, (size_t) width * 3 * sizeof (float));
  /* Interlaced images arrive in passes over the whole image; others row by row. */
  size_t buffer_rows = passes > 1 ? height : 1;
  r->pixels = g_try_malloc_n (buffer_rows, row_bytes);
  if (r->rgb == NULL || r->pixels == NULL)
    {
      reader_fail (r, DV_ERROR_TOO_LARGE, "not enough memory for a %u×%u image", (unsigned) width,
                   (unsigned) height);
      return FALSE;
    }

  if (passes > 1)
    {
      r->row_pointers = g_new (png_bytep, height);
      for (png_uint_32 y = 0; y < height; y++)
        r->row_pointers[y] = r->pixels + (size_t) y * row_bytes;
      png_read_image (r->png, r->row_pointers);
      for (png_uint_32 y = 0; y < height; y++)
        row_to_rgb (r->row_pointers[y], (int) width, channels, out_depth, r->rgb + (size_t) y * width * 3);
    }
  else
    {
      for (png_uint_32 y = 0; y < height; y++)
        {
          png_read_row (r->png, r->pixels, NULL);
          row_to_rgb (r->pixels, (int) width, channels, out_depth, r->rgb + (size_t) y * width * 3);
        }
    }
  /* Reading on to IEND catches truncation and CRC errors after the pixels. */
  png_read_end (r->png, NULL);
  return TRUE;
}

/* Every chunk's length against the bytes that follow it, before libpng sees
 * the data: libpng allocates a chunk's claimed length before reading it (a
 * 143-byte file claiming a 1.7 GB zTXt made it commit 1.7 GB: found by
 * tests/fuzz/fuzz-png, kept in tests/fuzz/regressions/), and a claim beyond
 * the end of a file held whole in memory can only be a truncated or corrupt
 * file. Ancillary chunks are also held to DV_PNG_MAX_CHUNK_BYTES. */
static gboolean
check_chunk_lengths (const guint8 *data, size_t len, GError **error)
{
  size_t pos = PNG_SIGNATURE_BYTES;
  while (len - pos >= 8)
    {
      guint32 length = (guint32) data[pos] << 24 | (guint32) data[pos + 1] << 16 | (guint32) data[pos + 2] << 8 |
                       data[pos + 3];
      char type[5] = { 0 };
      for (int i = 0; i < 4; i++)
        type[i] = g_ascii_isalpha (data[pos + 4 + i]) ? (char) data[pos + 4 + i] : '?';
      /* Length, type and CRC around the data. */
      if ((guint64) length + 12 > len - pos)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                       "truncated or corrupt PNG: chunk %s at byte %zu claims %u bytes, only %zu follow", type, pos,
                       length, len - pos - MIN (len - pos, 12));
          return FALSE;
        }
      /* A lower-case first letter marks an ancillary chunk (text, ICC profile, ...). */
      if (g_ascii_islower (type[0]) && length > DV_PNG_MAX_CHUNK_BYTES)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE,
                       "PNG chunk %s at byte %zu has %u bytes; ancillary chunks may have at most %d", type, pos,
                       length, DV_PNG_MAX_CHUNK_BYTES);
          return FALSE;
        }
      if (memcmp (type, "IEND", 4) == 0)
        break;
      pos += (size_t) length + 12;
    }
  return TRUE;
}

static gboolean
looks_like_jpeg (const guint8 *data, size_t len)
{
  return len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

gboolean
dv_png_read_bytes (const guint8 *data, size_t len, DvImage *out, GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  size_t sig_len = MIN (len, PNG_SIGNATURE_BYTES);
  if (len == 0 || png_sig_cmp (data, 0, sig_len) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "not a PNG file%s",
                   len == 0 ? " (no data)" : looks_like_jpeg (data, len) ? " (it looks like a JPEG)" : "");
      return FALSE;
    }
  if (len < PNG_SIGNATURE_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "truncated or corrupt PNG: ends inside the signature");
      return FALSE;
    }

  if (!check_chunk_lengths (data, len, error))
    return FALSE;

  PngReader r = { 0 };
  r.data = data;
  r.len = len;
  r.code = DV_ERROR_FORMAT;
  r.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &r, on_png_error, on_png_warning);
  if (r.png != NULL)
    r.info = png_create_info_struct (r.png);
  if (r.png == NULL || r.info == NULL)
    {
      png_destroy_read_struct (&r.png, NULL, NULL);
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "libpng could not start");
      return FALSE;
    }

  gboolean ok = decode_png (&r);
  png_destroy_read_struct (&r.png, &r.info, NULL);
  g_free (r.pixels);
  g_free (r.row_pointers);
  if (!ok)
    {
      g_free (r.rgb);
      g_set_error_literal (error, DV_ERROR, r.code, r.message);
      return FALSE;
    }
  out->width = r.width;
  out->height = r.height;
  out->rgb = r.rgb;
  return TRUE;
}

gboolean
dv_png_read (const char *path, DvImage *out, GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  g_autoptr (GError) file_error = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &file_error);
  if (file == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot read %s: %s", path, file_error->message);
      return FALSE;
    }
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (file);
  size_t len = g_mapped_file_get_length (file);
  if (len > DV_PNG_MAX_FILE_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%s: %zu bytes is more than the %d MiB a PNG may have", path,
                   len, (int) (DV_PNG_MAX_FILE_BYTES >> 20));
      return FALSE;
    }
  if (!dv_png_read_bytes (data, len, out, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

void
dv_image_clear (DvImage *img)
{
  g_free (img->rgb);
  memset (img, 0, sizeof *img);
}

void
dv_image_init (DvImage *img, int width, int height)
{
  DV_CHECK (width > 0 && height > 0, "dv_image_init: bad size %d×%d", width, height);
  size_t n = (size_t) width * height * 3;
  img->width = width;
  img->height = height;
  img->rgb = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    img->rgb[i] = 1.0f;
}

/* ---- writing ---- */

typedef struct {
  png_structp png;
  png_infop info;
  GByteArray *encoded;
  char message[256];
} PngWriter;

static void
on_png_write_error (png_structp png, png_const_charp message)
{
  PngWriter *w = png_get_error_ptr (png);
  g_strlcpy (w->message, message, sizeof w->message);
  png_longjmp (png, 1);
}

static void
write_to_memory (png_structp png, png_bytep data, size_t n)
{
  PngWriter *w = png_get_io_ptr (png);
  g_byte_array_append (w->encoded, data, (guint) n);
}

static void
flush_nothing (png_structp png)
{
}

static gboolean
encode_png (PngWriter *w, const guint8 *pixels, int width, int height, int channels)
{
  if (setjmp (png_jmpbuf (w->png)))
    return FALSE;
  png_set_write_fn (w->png, w, write_to_memory, flush_nothing);
  png_set_IHDR (w->png, w->info, (png_uint_32) width, (png_uint_32) height, 8,
                channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (w->png, w->info);
  size_t row_bytes = (size_t) width * channels;
  for (int y = 0; y < height; y++)
    png_write_row (w->png, pixels + (size_t) y * row_bytes);
  png_write_end (w->png, NULL);
  return TRUE;
}

static GBytes *
encode (const guint8 *pixels, int width, int height, int channels, GError **error)
{
  DV_CHECK (pixels != NULL && width > 0 && height > 0, "dv_png_encode: bad image %d×%d", width, height);
  if (width > DV_PNG_MAX_SIDE || height > DV_PNG_MAX_SIDE)
    {
      /* We would refuse to read it back. */
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "image is %d×%d pixels; the largest side accepted is %d",
                   width, height, DV_PNG_MAX_SIDE);
      return NULL;
    }
  PngWriter w = { 0 };
  w.png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &w, on_png_write_error, on_png_warning);
  if (w.png != NULL)
    w.info = png_create_info_struct (w.png);
  if (w.png == NULL || w.info == NULL)
    {
      png_destroy_write_struct (&w.png, NULL);
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "libpng could not start");
      return NULL;
    }
  w.encoded = g_byte_array_new ();
  gboolean ok = encode_png (&w, pixels, width, height, channels);
  png_destroy_write_struct (&w.png, &w.info);
  if (!ok)
    {
      g_byte_array_unref (w.encoded);
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot encode PNG: %s", w.message);
      return NULL;
    }
  return g_byte_array_free_to_bytes (w.encoded);
}

GBytes *
dv_png_encode_rgb8 (const guint8 *rgb, int width, int height, GError **error)
{
  return encode (rgb, width, height, 3, error);
}

GBytes *
dv_png_encode_rgba8 (const guint8 *rgba, int width, int height, GError **error)
{
  return encode (rgba, width, height, 4, error);
}

static gboolean
save_bytes (const char *path, GBytes *bytes, GError **error)
{
  g_autoptr (GError) file_error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  /* g_file_set_contents writes a temporary file beside `path` and renames it. */
  if (!g_file_set_contents (path, data, (gssize) len, &file_error))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot write %s: %s", path, file_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_png_write_rgb8 (const char *path, const guint8 *rgb, int width, int height, GError **error)
{
  g_autoptr (GBytes) bytes = dv_png_encode_rgb8 (rgb, width, height, error);
  return bytes != NULL && save_bytes (path, bytes, error);
}

gboolean
dv_png_write_rgba8 (const char *path, const guint8 *rgba, int width, int height, GError **error)
{
  g_autoptr (GBytes) bytes = dv_png_encode_rgba8 (rgba, width, height, error);
  return bytes != NULL && save_bytes (path, bytes, error);
}

static guint8
float_to_byte (float v)
{
  /* NaN fails both comparisons and becomes 0. */
  if (!(v > 0.0f))
    return 0;
  if (v >= 1.0f)
    return 255;
  return (guint8) lrintf (v * 255.0f);
}

gboolean
dv_png_write_image (const char *path, const DvImage *img, GError **error)
{
  DV_CHECK (img != NULL && img->rgb != NULL, "dv_png_write_image: empty image");
  size_t n = (size_t) img->width * img->height * 3;
  g_autofree guint8 *rgb = g_malloc (n);
  for (size_t i = 0; i < n; i++)
    rgb[i] = float_to_byte (img->rgb[i]);
  return dv_png_write_rgb8 (path, rgb, img->width, img->height, error);
}
