/* The resource bounds of docs/limits.md that other test files do not already
 * cover: a PNG's pixel count (checked from the header, before its pixels are
 * decoded), its file size, an ancillary chunk that inflates without bound,
 * and the most training steps each trainer accepts. (Sides of PNGs: test-png;
 * OBJ vertices and faces: test-views; CSV rows and size: test-toy;
 * safetensors header and file: test-safetensors.) */
#include "io/png.h"
#include "toy/train.h"
#include "views/ae_train.h"
#include "views/score_train.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <png.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void
write_to_array (png_structp png, png_bytep data, size_t n)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) n);
}

static void
flush_nothing (png_structp png)
{
}

/* A 1-bit grey image of zeros, quick to encode at any size; text, when not NULL,
 * becomes a zTXt chunk of text_len bytes. */
static GBytes *
grey_png (int width, int height, const char *text, gsize text_len)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_true (setjmp (png_jmpbuf (png)) == 0);
  png_set_write_fn (png, out, write_to_array, flush_nothing);
  png_set_compression_level (png, 1);
  png_set_IHDR (png, info, width, height, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  if (text != NULL)
    {
      png_text chunk = { .compression = PNG_TEXT_COMPRESSION_zTXt, .key = "Comment", .text = (char *) text,
                         .text_length = text_len };
      png_set_text (png, info, &chunk, 1);
    }
  png_write_info (png, info);
  g_autofree guint8 *row = g_malloc0 ((width + 7) / 8);
  for (int y = 0; y < height; y++)
    png_write_row (png, row);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

static void
test_png_pixel_count (void)
{
  /* 8000 × 8000: each side within DV_PNG_MAX_SIDE, but 64 megapixels (768 MB of floats) are refused. */
  const int sizes[][2] = { { 8000, 8000 }, { 4097, 4096 }, { 8192, 2049 } };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GBytes) png = grey_png (sizes[i][0], sizes[i][1], NULL, 0);
      gsize len;
      const guint8 *data = g_bytes_get_data (png, &len);
      DvImage img;
      g_autoptr (GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_assert_false (dv_png_read_bytes (data, len, &img, &error));
      g_test_message ("%d×%d refused in %.1f ms: %s", sizes[i][0], sizes[i][1],
                      (g_get_monotonic_time () - t0) / 1e3, error->message);
      g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
      g_autofree char *want = g_strdup_printf ("image is %d×%d pixels", sizes[i][0], sizes[i][1]);
      g_assert_true (g_str_has_prefix (error->message, want));
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT " in all; at most 16777216 (16.8 megapixels) are accepted",
                                                (guint64) sizes[i][0] * sizes[i][1]);
      g_assert_nonnull (strstr (error->message, count));
      g_assert_null (img.rgb);
    }
  /* Below the cap: read. */
  g_autoptr (GBytes) png = grey_png (2048, 1024, NULL, 0);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  DvImage img;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_png_read_bytes (data, len, &img, &error));
  g_assert_cmpint (img.width, ==, 2048);
  g_assert_cmpfloat (img.rgb[3 * 2048 * 1024 - 1], ==, 0.0f);
  dv_image_clear (&img);
}

static long
max_rss_kib (void)
{
  struct rusage usage;
  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

static void
test_png_chunk_bomb (void)
{
  /* A zTXt of 256 MiB of 'a' compresses to ~250 kB; inflating it is refused
   * past DV_PNG_MAX_CHUNK_BYTES (the chunk is dropped: a benign error), so the
   * image still reads and the peak memory stays far below the text. */
  const gsize text_len = (gsize) 256 << 20;
  char *text = g_malloc (text_len + 1);
  memset (text, 'a', text_len);
  text[text_len] = '\0';
  g_autoptr (GBytes) png = grey_png (16, 16, text, text_len);
  g_free (text);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  g_assert_cmpuint (len, <, 2 << 20);
  if (g_test_subprocess ())
    {
      long before = max_rss_kib ();
      DvImage img;
      g_autoptr (GError) error = NULL;
      g_assert_true (dv_png_read_bytes (data, len, &img, &error));
      g_assert_cmpint (img.width, ==, 16);
      dv_image_clear (&img);
      long grown = max_rss_kib () - before;
      g_test_message ("peak memory grew by %ld KiB reading a %zu-byte PNG holding a 256 MiB zTXt", grown, len);
      g_assert_cmpint (grown, <, 64 << 10);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_png_file_size (void)
{
  /* A sparse file just over DV_PNG_MAX_FILE_BYTES, refused by its size before it is decoded. */
  g_autofree char *dir = g_dir_make_tmp ("dv-limits-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.png", NULL);
  g_autoptr (GBytes) png = grey_png (4, 4, NULL, 0);
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, NULL));
  g_assert_cmpint (truncate (path, (off_t) DV_PNG_MAX_FILE_BYTES + 1), ==, 0);
  DvImage img;
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_png_read (path, &img, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "is more than the 256 MiB a PNG may have"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_training_steps (void)
{
  g_autoptr (GError) error = NULL;
  DvToyTrainConfig toy;
  dv_toy_train_config_init (&toy);
  toy.steps = G_GINT64_CONSTANT (100000001);
  g_assert_false (dv_toy_train_config_check (&toy, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  toy.steps = G_GINT64_CONSTANT (100000000);
  g_assert_true (dv_toy_train_config_check (&toy, &error));

  DvAeTrainConfig ae;
  dv_ae_train_config_init (&ae);
  ae.steps = DV_AE_MAX_STEPS + 1;
  g_assert_false (dv_ae_train_config_check (&ae, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100000001 steps is more than the 100000000 allowed"));
  g_clear_error (&error);
  ae.steps = DV_AE_MAX_STEPS;
  g_assert_true (dv_ae_train_config_check (&ae, &error));

  DvScoreTrainConfig score;
  dv_score_train_config_init (&score);
  score.steps = G_GINT64_CONSTANT (100000001);
  g_assert_false (dv_score_train_config_check (&score, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  score.steps = G_GINT64_CONSTANT (100000000);
  g_assert_true (dv_score_train_config_check (&score, &error));
}

/* Every input the fuzzers found a fault with (tests/fuzz/regressions/, by
 * kind): refused, quickly, without committing memory. */
static void
test_fuzz_regressions (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions", NULL);
  if (g_test_subprocess ())
    {
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      g_assert_nonnull (d);
      int n = 0;
      for (const char *name; (name = g_dir_read_name (d)) != NULL;)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          long before = max_rss_kib ();
          gint64 t0 = g_get_monotonic_time ();
          g_autoptr (GError) error = NULL;
          if (g_str_has_suffix (name, ".png"))
            {
              DvImage img;
              g_assert_false (dv_png_read (path, &img, &error));
            }
          else
            g_error ("%s: no loader for this kind of regression input", name);
          g_assert_nonnull (error);
          double ms = (g_get_monotonic_time () - t0) / 1e3;
          long grown = max_rss_kib () - before;
          g_test_message ("%s refused in %.1f ms, peak memory +%ld KiB: %s", name, ms, grown, error->message);
          g_assert_cmpint (grown, <, 64 << 10);
          g_assert_cmpfloat (ms, <, 2000.0);
          n++;
        }
      g_assert_cmpint (n, >=, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limits/png/pixel-count", test_png_pixel_count);
  g_test_add_func ("/limits/png/chunk-bomb", test_png_chunk_bomb);
  g_test_add_func ("/limits/png/file-size", test_png_file_size);
  g_test_add_func ("/limits/training-steps", test_training_steps);
  g_test_add_func ("/limits/fuzz-regressions", test_fuzz_regressions);
  return g_test_run ();
}
