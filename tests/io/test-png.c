/* PNG: every colour type and bit depth written with libpng directly and
 * decoded by dv_png_read, our own writer read back, and truncated, corrupt,
 * non-PNG and oversized data refused with a GError. */
#include "io/png.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>

static char *tmp_dir;

/* ---- encoding test images with libpng itself ---- */

typedef struct {
  int color_type;
  int bit_depth;
  int interlace;
  int n_palette;       /* palette images: entries */
  int n_trans;         /* palette images: tRNS entries */
  gboolean trans_key;  /* gray / RGB images: one colour marked transparent by tRNS */
} Format;

typedef struct {
  Format format;
  int width;
  int height;
  int channels;
  guint16 *samples;  /* [height][width][channels] */
  png_color palette[256];
  png_byte trans[256];
  png_color_16 key;  /* the transparent colour when trans_key */
} TestImage;

static int
channels_of (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGBA: return 4;
    case PNG_COLOR_TYPE_PALETTE: return 1;
    default: g_assert_not_reached ();
    }
}

static void
test_image_make (TestImage *img, Format format, int width, int height, guint32 seed)
{
  memset (img, 0, sizeof *img);
  img->format = format;
  img->width = width;
  img->height = height;
  img->channels = channels_of (format.color_type);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint32 levels = format.color_type == PNG_COLOR_TYPE_PALETTE ? (guint32) format.n_palette
                                                                : 1u << format.bit_depth;
  size_t n = (size_t) width * height * img->channels;
  img->samples = g_new (guint16, n);
  for (size_t i = 0; i < n; i++)
    img->samples[i] = (guint16) g_rand_int_range (rand, 0, (gint32) levels);
  for (int i = 0; i < format.n_palette; i++)
    {
      img->palette[i].red = (png_byte) g_rand_int_range (rand, 0, 256);
      img->palette[i].green = (png_byte) g_rand_int_range (rand, 0, 256);
      img->palette[i].blue = (png_byte) g_rand_int_range (rand, 0, 256);
    }
  for (int i = 0; i < format.n_trans; i++)
    img->trans[i] = (png_byte) (i == 0 ? 0 : g_rand_int_range (rand, 0, 256));
  if (format.trans_key)
    {
      /* Make the first pixel's colour the transparent one, so it occurs. */
      img->key.gray = img->samples[0];
      img->key.red = img->samples[0];
      img->key.green = img->channels >= 3 ? img->samples[1] : 0;
      img->key.blue = img->channels >= 3 ? img->samples[2] : 0;
    }
}

static void
test_image_clear (TestImage *img)
{
  g_free (img->samples);
}

/* What the decoder must produce for pixel (x, y), channel k. */
static float
expected_value (const TestImage *img, int x, int y, int k)
{
  const guint16 *s = img->samples + ((size_t) y * img->width + x) * img->channels;
  float max = (float) ((1u << img->format.bit_depth) - 1);
  float c, alpha = 1.0f;
  switch (img->format.color_type)
    {
    case PNG_COLOR_TYPE_PALETTE:
      {
        const png_color *p = &img->palette[s[0]];
        c = (k == 0 ? p->red : k == 1 ? p->green : p->blue) / 255.0f;
        if (s[0] < img->format.n_trans)
          alpha = img->trans[s[0]] / 255.0f;
        break;
      }
    case PNG_COLOR_TYPE_GRAY:
      c = s[0] / max;
      if (img->format.trans_key && s[0] == img->key.gray)
        alpha = 0.0f;
      break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      c = s[0] / max;
      alpha = s[1] / max;
      break;
    case PNG_COLOR_TYPE_RGB:
      c = s[k] / max;
      if (img->format.trans_key && s[0] == img->key.red && s[1] == img->key.green && s[2] == img->key.blue)
        alpha = 0.0f;
      break;
    default:
      c = s[k] / max;
      alpha = s[3] / max;
      break;
    }
  return c * alpha + (1.0f - alpha);
}

static void
write_to_array (png_structp png, png_bytep data, size_t n)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) n);
}

static void
flush_nothing (png_structp png)
{
}

static void
fail_on_error (png_structp png, png_const_charp message)
{
  g_error ("libpng failed while writing a test image: %s", message);
}

/* Packs one row of samples at the image's bit depth (MSB first, 16-bit big-endian). */
static void
pack_row (const TestImage *img, int y, guint8 *row)
{
  int depth = img->format.bit_depth;
  size_t n = (size_t) img->width * img->channels;
  const guint16 *s = img->samples + (size_t) y * n;
  memset (row, 0, (n * depth + 7) / 8);
  for (size_t i = 0; i < n; i++)
    {
      if (depth == 16)
        {
          row[2 * i] = (guint8) (s[i] >> 8);
          row[2 * i + 1] = (guint8) (s[i] & 0xff);
        }
      else if (depth == 8)
        row[i] = (guint8) s[i];
      else
        {
          size_t bit = i * depth;
          row[bit / 8] |= (guint8) (s[i] << (8 - depth - bit % 8));
        }
    }
}

static GBytes *
encode_with_libpng (const TestImage *img)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, fail_on_error, NULL);
  png_infop info = png_create_info_struct (png);
  png_set_write_fn (png, out, write_to_array, flush_nothing);
  const Format *f = &img->format;
  png_set_IHDR (png, info, (png_uint_32) img->width, (png_uint_32) img->height, f->bit_depth, f->color_type,
                f->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  if (f->color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_PLTE (png, info, img->palette, f->n_palette);
  if (f->n_trans > 0)
    png_set_tRNS (png, info, img->trans, f->n_trans, NULL);
  if (f->trans_key)
    png_set_tRNS (png, info, NULL, 0, (png_color_16p) &img->key);
  png_write_info (png, info);
  size_t row_bytes = ((size_t) img->width * img->channels * f->bit_depth + 7) / 8;
  guint8 *pixels = g_malloc ((size_t) img->height * row_bytes);
  png_bytep *rows = g_new (png_bytep, img->height);
  for (int y = 0; y < img->height; y++)
    {
      rows[y] = pixels + (size_t) y * row_bytes;
      pack_row (img, y, rows[y]);
    }
  png_write_image (png, rows);  /* handles the Adam7 passes itself */
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  g_free (rows);
  g_free (pixels);
  return g_byte_array_free_to_bytes (out);
}

static void
check_decoded (const TestImage *img, const DvImage *out)
{
  g_assert_cmpint (out->width, ==, img->width);
  g_assert_cmpint (out->height, ==, img->height);
  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      for (int k = 0; k < 3; k++)
        {
          float want = expected_value (img, x, y, k);
          float got = out->rgb[((size_t) y * img->width + x) * 3 + k];
          if (fabsf (got - want) > 1e-6f)
            g_error ("pixel (%d, %d) channel %d: got %g, expected %g", x, y, k, (double) got, (double) want);
        }
}

static const struct { const char *name; Format format; } formats[] = {
  { "gray1", { PNG_COLOR_TYPE_GRAY, 1, 0, 0, 0, FALSE } },
  { "gray2", { PNG_COLOR_TYPE_GRAY, 2, 0, 0, 0, FALSE } },
  { "gray4", { PNG_COLOR_TYPE_GRAY, 4, 0, 0, 0, FALSE } },
  { "gray8", { PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, FALSE } },
  { "gray16", { PNG_COLOR_TYPE_GRAY, 16, 0, 0, 0, FALSE } },
  { "gray8-trns", { PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, TRUE } },
  { "gray-alpha8", { PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 0, 0, FALSE } },
  { "gray-alpha16", { PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, 0, 0, FALSE } },
  { "rgb8", { PNG_COLOR_TYPE_RGB, 8, 0, 0, 0, FALSE } },
  { "rgb16", { PNG_COLOR_TYPE_RGB, 16, 0, 0, 0, FALSE } },
  { "rgb8-trns", { PNG_COLOR_TYPE_RGB, 8, 0, 0, 0, TRUE } },
  { "rgba8", { PNG_COLOR_TYPE_RGBA, 8, 0, 0, 0, FALSE } },
  { "rgba16", { PNG_COLOR_TYPE_RGBA, 16, 0, 0, 0, FALSE } },
  { "palette8", { PNG_COLOR_TYPE_PALETTE, 8, 0, 200, 0, FALSE } },
  { "palette8-trns", { PNG_COLOR_TYPE_PALETTE, 8, 0, 200, 50, FALSE } },
  { "palette4-trns", { PNG_COLOR_TYPE_PALETTE, 4, 0, 16, 5, FALSE } },
  { "palette1", { PNG_COLOR_TYPE_PALETTE, 1, 0, 2, 0, FALSE } },
  { "interlaced-gray8", { PNG_COLOR_TYPE_GRAY, 8, 1, 0, 0, FALSE } },
  { "interlaced-gray2", { PNG_COLOR_TYPE_GRAY, 2, 1, 0, 0, FALSE } },
  { "interlaced-rgb8", { PNG_COLOR_TYPE_RGB, 8, 1, 0, 0, FALSE } },
  { "interlaced-rgba16", { PNG_COLOR_TYPE_RGBA, 16, 1, 0, 0, FALSE } },
  { "interlaced-palette8-trns", { PNG_COLOR_TYPE_PALETTE, 8, 1, 100, 30, FALSE } },
};

static const int sizes[][2] = { { 13, 7 }, { 1, 1 }, { 1, 9 }, { 37, 2 } };

static void
test_read_every_format (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        TestImage img;
        test_image_make (&img, formats[f].format, sizes[s][0], sizes[s][1], 1000 * f + s);
        g_autoptr (GBytes) png = encode_with_libpng (&img);
        gsize len;
        const guint8 *data = g_bytes_get_data (png, &len);
        DvImage out;
        g_autoptr (GError) error = NULL;
        if (!dv_png_read_bytes (data, len, &out, &error))
          g_error ("%s %d×%d: %s", formats[f].name, sizes[s][0], sizes[s][1], error->message);
        check_decoded (&img, &out);
        dv_image_clear (&out);
        g_assert_null (out.rgb);

        /* The same through a file. */
        if (s == 0)
          {
            g_autofree char *name = g_strdup_printf ("%s.png", formats[f].name);
            g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
            g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, NULL));
            g_assert_true (dv_png_read (path, &out, &error));
            g_assert_no_error (error);
            check_decoded (&img, &out);
            dv_image_clear (&out);
          }
        test_image_clear (&img);
      }
}

/* ---- our writer ---- */

static void
test_write_roundtrip (void)
{
  const int w = 19, h = 11;
  g_autofree guint8 *rgb = g_malloc ((size_t) w * h * 3);
  g_autofree guint8 *rgba = g_malloc ((size_t) w * h * 4);
  for (int i = 0; i < w * h * 3; i++)
    rgb[i] = (guint8) (i * 37 + 11);
  for (int i = 0; i < w * h * 4; i++)
    rgba[i] = (guint8) (i * 53 + 7);

  g_autofree char *rgb_path = g_build_filename (tmp_dir, "ours-rgb.png", NULL);
  g_autofree char *rgba_path = g_build_filename (tmp_dir, "ours-rgba.png", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_write_rgb8 (rgb_path, rgb, w, h, &error));
  g_assert_no_error (error);
  g_assert_true (dv_png_write_rgba8 (rgba_path, rgba, w, h, &error));
  g_assert_no_error (error);

  DvImage out;
  g_assert_true (dv_png_read (rgb_path, &out, &error));
  g_assert_cmpint (out.width, ==, w);
  g_assert_cmpint (out.height, ==, h);
  for (int i = 0; i < w * h * 3; i++)
    g_assert_cmpfloat_with_epsilon (out.rgb[i], rgb[i] / 255.0f, 1e-7f);
  dv_image_clear (&out);

  g_assert_true (dv_png_read (rgba_path, &out, &error));
  for (int p = 0; p < w * h; p++)
    for (int k = 0; k < 3; k++)
      {
        float a = rgba[4 * p + 3] / 255.0f;
        g_assert_cmpfloat_with_epsilon (out.rgb[3 * p + k], rgba[4 * p + k] / 255.0f * a + 1.0f - a, 1e-6f);
      }
  dv_image_clear (&out);

  /* In memory. */
  g_autoptr (GBytes) encoded = dv_png_encode_rgb8 (rgb, w, h, &error);
  g_assert_nonnull (encoded);
  gsize len;
  const guint8 *data = g_bytes_get_data (encoded, &len);
  g_assert_true (dv_png_read_bytes (data, len, &out, &error));
  for (int i = 0; i < w * h * 3; i++)
    g_assert_cmpfloat_with_epsilon (out.rgb[i], rgb[i] / 255.0f, 1e-7f);
  dv_image_clear (&out);

  /* A float image: clamped, rounded, NaN as black. */
  DvImage img;
  dv_image_init (&img, 4, 1);
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat (img.rgb[i], ==, 1.0f);
  const float values[12] = { -0.5f, 0.0f, 0.2f, 0.5f, 1.0f, 1.5f, NAN, INFINITY, -INFINITY, 0.999f, 0.001f, 0.75f };
  memcpy (img.rgb, values, sizeof values);
  g_autofree char *float_path = g_build_filename (tmp_dir, "float.png", NULL);
  g_assert_true (dv_png_write_image (float_path, &img, &error));
  g_assert_true (dv_png_read (float_path, &out, &error));
  const int bytes[12] = { 0, 0, 51, 128, 255, 255, 0, 255, 0, 255, 0, 191 };
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat_with_epsilon (out.rgb[i], bytes[i] / 255.0f, 1e-7f);
  dv_image_clear (&out);
  dv_image_clear (&img);
}

static void
test_write_errors (void)
{
  g_autoptr (GError) error = NULL;
  guint8 pixel[3] = { 0 };
  g_autofree char *bad_dir = g_build_filename (tmp_dir, "no-such-dir", "x.png", NULL);
  g_assert_false (dv_png_write_rgb8 (bad_dir, pixel, 1, 1, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_clear_error (&error);
  /* A side we would refuse to read is refused on write, before the pixels are touched. */
  g_assert_null (dv_png_encode_rgb8 (pixel, DV_PNG_MAX_SIDE + 1, 1, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
}

/* ---- refused input ---- */

static void
expect_refused (const guint8 *data, size_t len, DvErrorCode code, const char *fragment)
{
  DvImage out;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_png_read_bytes (data, len, &out, &error));
  g_assert_error (error, DV_ERROR, (gint) code);
  g_assert_null (out.rgb);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
}

static GBytes *
sample_png (int width, int height, gboolean interlace)
{
  Format format = { PNG_COLOR_TYPE_RGB, 8, interlace, 0, 0, FALSE };
  TestImage img;
  test_image_make (&img, format, width, height, 77);
  GBytes *png = encode_with_libpng (&img);
  test_image_clear (&img);
  return png;
}

static void
test_not_png (void)
{
  static const char text[] = "This is a text file, not an image.\n";
  expect_refused ((const guint8 *) text, sizeof text - 1, DV_ERROR_FORMAT, "not a PNG file");
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01 };
  expect_refused (jpeg, sizeof jpeg, DV_ERROR_FORMAT, "not a PNG file (it looks like a JPEG)");
  expect_refused (NULL, 0, DV_ERROR_FORMAT, "not a PNG file");
  static const guint8 almost[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, 0x0b, 0, 0, 0, 13 };
  expect_refused (almost, sizeof almost, DV_ERROR_FORMAT, "not a PNG file");

  /* From files: the message starts with the path; a missing file is an IO error. */
  g_autofree char *path = g_build_filename (tmp_dir, "text.png", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  DvImage out;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_png_read (path, &out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_autofree char *want = g_strdup_printf ("%s: not a PNG file", path);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  g_autofree char *empty = g_build_filename (tmp_dir, "empty.png", NULL);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_false (dv_png_read (empty, &out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.png", NULL);
  g_assert_false (dv_png_read (missing, &out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_assert_null (out.rgb);
}

static void
test_truncated (void)
{
  for (int interlace = 0; interlace < 2; interlace++)
    {
      g_autoptr (GBytes) png = sample_png (40, 30, interlace);
      gsize len;
      const guint8 *data = g_bytes_get_data (png, &len);
      /* Every cut, including one byte short of IEND's CRC. */
      for (gsize cut = 0; cut < len; cut++)
        expect_refused (data, cut, DV_ERROR_FORMAT, cut >= 8 ? "truncated or corrupt PNG" : NULL);
      expect_refused (data, 5, DV_ERROR_FORMAT, "truncated or corrupt PNG: ends inside the signature");
      expect_refused (data, len / 2, DV_ERROR_FORMAT, "truncated or corrupt PNG: chunk IDAT at byte 33 claims");
      g_test_message ("%s: all %" G_GSIZE_FORMAT " cuts refused", interlace ? "interlaced" : "plain", len);
    }
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
write_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint32
crc32_of (const guint8 *data, size_t len)
{
  guint32 crc = 0xffffffffu;
  for (size_t i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int b = 0; b < 8; b++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
  return crc ^ 0xffffffffu;
}

/* Offset of the first chunk of this type (its length field). */
static size_t
find_chunk (const guint8 *png, size_t len, const char *type)
{
  size_t pos = 8;
  while (pos + 8 <= len)
    {
      if (memcmp (png + pos + 4, type, 4) == 0)
        return pos;
      pos += 12 + read_be32 (png + pos);
    }
  g_error ("no %s chunk", type);
}

static void
fix_crc (guint8 *png, size_t chunk)
{
  guint32 n = read_be32 (png + chunk);
  write_be32 (png + chunk + 8 + n, crc32_of (png + chunk + 4, n + 4));
}

static void
test_corrupt (void)
{
  g_autoptr (GBytes) png = sample_png (40, 30, FALSE);
  gsize len;
  const guint8 *original = g_bytes_get_data (png, &len);
  g_autofree guint8 *copy = g_memdup2 (original, len);
  size_t idat = find_chunk (copy, len, "IDAT");
  guint32 idat_len = read_be32 (copy + idat);

  /* Any single flipped bit past the signature is caught (CRC, lengths, types). */
  for (size_t i = 8; i < len; i++)
    for (int bit = 0; bit < 8; bit += 3)
      {
        copy[i] ^= (guint8) (1u << bit);
        expect_refused (copy, len, DV_ERROR_FORMAT, "truncated or corrupt PNG");
        copy[i] ^= (guint8) (1u << bit);
      }
  copy[idat + 8 + idat_len / 2] ^= 0x40;
  expect_refused (copy, len, DV_ERROR_FORMAT, "truncated or corrupt PNG: IDAT: ");
  copy[idat + 8 + idat_len / 2] ^= 0x40;
  copy[idat + 8 + idat_len] ^= 0x01;  /* IDAT's CRC itself */
  expect_refused (copy, len, DV_ERROR_FORMAT, "IDAT: CRC error");
  copy[idat + 8 + idat_len] ^= 0x01;
  copy[19] ^= 0x01;  /* low byte of the width in IHDR */
  expect_refused (copy, len, DV_ERROR_FORMAT, "IHDR: CRC error");
  copy[19] ^= 0x01;
  copy[10] ^= 1;  /* IHDR's length field */
  expect_refused (copy, len, DV_ERROR_FORMAT, "truncated or corrupt PNG");
  copy[10] ^= 1;

  /* Bytes changed inside IDAT with a correct CRC: zlib or the filters may or
   * may not notice, but every outcome is either a FORMAT error or a whole image. */
  int refused = 0, decoded = 0;
  for (guint32 i = 0; i < idat_len; i++)
    {
      copy[idat + 8 + i] ^= 0xa5;
      fix_crc (copy, idat);
      DvImage out;
      g_autoptr (GError) error = NULL;
      if (dv_png_read_bytes (copy, len, &out, &error))
        {
          g_assert_cmpint (out.width, ==, 40);
          g_assert_cmpint (out.height, ==, 30);
          dv_image_clear (&out);
          decoded++;
        }
      else
        {
          g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
          g_assert_null (out.rgb);
          refused++;
        }
      copy[idat + 8 + i] ^= 0xa5;
    }
  fix_crc (copy, idat);
  g_test_message ("IDAT byte changes with valid CRC: %d refused, %d decoded", refused, decoded);
  g_assert_cmpint (refused, >, 0);

  DvImage out;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read_bytes (copy, len, &out, &error));  /* restored intact */
  dv_image_clear (&out);
}

/* A PNG built by hand: IHDR, one IDAT holding the scanlines (filter byte
 * included) in a stored, uncompressed zlib stream, IEND. */
static void
append_chunk (GByteArray *png, const char *type, const guint8 *data, guint32 len)
{
  guint8 word[4];
  write_be32 (word, len);
  g_byte_array_append (png, word, 4);
  guint start = png->len;
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (png, data, len);
  write_be32 (word, crc32_of (png->data + start, len + 4));
  g_byte_array_append (png, word, 4);
}

static GBytes *
hand_built_png (guint32 width, guint32 height, guint8 color_type, const guint8 *scanlines, guint16 len,
                guint8 zlib_check)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *png = g_byte_array_new ();
  g_byte_array_append (png, signature, 8);
  guint8 ihdr[13] = { 0 };
  write_be32 (ihdr, width);
  write_be32 (ihdr + 4, height);
  ihdr[8] = 8;
  ihdr[9] = color_type;
  append_chunk (png, "IHDR", ihdr, 13);

  GByteArray *z = g_byte_array_new ();
  guint8 head[7] = { 0x78, zlib_check, 0x01, (guint8) len, (guint8) (len >> 8), (guint8) ~len,
                     (guint8) (~len >> 8) };
  g_byte_array_append (z, head, 7);
  g_byte_array_append (z, scanlines, len);
  guint32 a = 1, b = 0;
  for (guint i = 0; i < len; i++)
    {
      a = (a + scanlines[i]) % 65521;
      b = (b + a) % 65521;
    }
  guint8 adler[4];
  write_be32 (adler, (b << 16) | a);
  g_byte_array_append (z, adler, 4);
  append_chunk (png, "IDAT", z->data, z->len);
  g_byte_array_unref (z);
  append_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

static void
test_hand_built (void)
{
  /* 2×2 RGB: filter 0 rows. 0x01 is the zlib check that makes 0x7801 valid. */
  guint8 rows[14] = { 0, 255, 0, 0, 0, 255, 0, /* red, green */
                      0, 0, 0, 255, 255, 255, 255 /* blue, white */ };
  g_autoptr (GBytes) good = hand_built_png (2, 2, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x01);
  gsize len;
  const guint8 *data = g_bytes_get_data (good, &len);
  DvImage out;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read_bytes (data, len, &out, &error));
  g_assert_no_error (error);
  const float want[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 };
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat (out.rgb[i], ==, want[i]);
  dv_image_clear (&out);

  /* The same with an invalid filter type on the second row. */
  rows[7] = 9;
  g_autoptr (GBytes) bad_filter = hand_built_png (2, 2, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x01);
  data = g_bytes_get_data (bad_filter, &len);
  expect_refused (data, len, DV_ERROR_FORMAT, "bad adaptive filter value");
  rows[7] = 0;

  /* One row of data for a two-row image. */
  g_autoptr (GBytes) short_data = hand_built_png (2, 2, PNG_COLOR_TYPE_RGB, rows, 7, 0x01);
  data = g_bytes_get_data (short_data, &len);
  expect_refused (data, len, DV_ERROR_FORMAT, "Not enough image data");

  /* A broken zlib header (valid CRC). */
  g_autoptr (GBytes) bad_zlib = hand_built_png (2, 2, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x02);
  data = g_bytes_get_data (bad_zlib, &len);
  expect_refused (data, len, DV_ERROR_FORMAT, "truncated or corrupt PNG");

  /* IHDR with a zero width, a bad colour type. */
  g_autoptr (GBytes) zero_width = hand_built_png (0, 2, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x01);
  data = g_bytes_get_data (zero_width, &len);
  expect_refused (data, len, DV_ERROR_FORMAT, "truncated or corrupt PNG");
  g_autoptr (GBytes) bad_type = hand_built_png (2, 2, 5, rows, sizeof rows, 0x01);
  data = g_bytes_get_data (bad_type, &len);
  expect_refused (data, len, DV_ERROR_FORMAT, "truncated or corrupt PNG");

  /* An IHDR claiming 10000×20 is refused by size, before any pixel data is read:
   * the one IDAT here holds only two short rows. */
  g_autoptr (GBytes) huge = hand_built_png (10000, 20, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x01);
  data = g_bytes_get_data (huge, &len);
  expect_refused (data, len, DV_ERROR_TOO_LARGE, "image is 10000×20 pixels; the largest side accepted is 8192");
  /* Up to the largest 31-bit side. */
  g_autoptr (GBytes) giant = hand_built_png (0x7fffffff, 0x7fffffff, PNG_COLOR_TYPE_RGB, rows, sizeof rows, 0x01);
  data = g_bytes_get_data (giant, &len);
  expect_refused (data, len, DV_ERROR_TOO_LARGE, "image is 2147483647×2147483647 pixels");
}

static void
test_oversized (void)
{
  /* Real images, encoded by libpng, one side over the limit. */
  static const int cases[][2] = { { 10000, 10 }, { 10, 10000 }, { DV_PNG_MAX_SIDE + 1, 1 } };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GBytes) png = sample_png (cases[c][0], cases[c][1], FALSE);
      gsize len;
      const guint8 *data = g_bytes_get_data (png, &len);
      g_autofree char *want = g_strdup_printf ("image is %d×%d pixels; the largest side accepted is 8192",
                                               cases[c][0], cases[c][1]);
      DvImage out;
      g_autoptr (GError) error = NULL;
      g_assert_false (dv_png_read_bytes (data, len, &out, &error));
      g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
      g_assert_cmpstr (error->message, ==, want);
      g_assert_null (out.rgb);
    }
  /* The largest side itself is accepted. */
  g_autoptr (GBytes) png = sample_png (DV_PNG_MAX_SIDE, 2, FALSE);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  DvImage out;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read_bytes (data, len, &out, &error));
  g_assert_cmpint (out.width, ==, DV_PNG_MAX_SIDE);
  dv_image_clear (&out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-png-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/png/read/every-format", test_read_every_format);
  g_test_add_func ("/png/write/roundtrip", test_write_roundtrip);
  g_test_add_func ("/png/write/errors", test_write_errors);
  g_test_add_func ("/png/refuse/not-png", test_not_png);
  g_test_add_func ("/png/refuse/truncated", test_truncated);
  g_test_add_func ("/png/refuse/corrupt", test_corrupt);
  g_test_add_func ("/png/refuse/hand-built", test_hand_built);
  g_test_add_func ("/png/refuse/oversized", test_oversized);
  int status = g_test_run ();
  dv_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
