/* safetensors: half conversion, round trips, the Python byte layout, every
 * malformed case the reader must refuse, and checkpoints of a DvParams. */
#include "core/params.h"
#include "io/params_io.h"
#include "io/safetensors.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static gboolean
same_float_bits (float a, float b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

/* ---- half precision ---- */

static void
test_half_known_values (void)
{
  static const struct { float f; guint16 h; } cases[] = {
    { 0.0f, 0x0000 }, { -0.0f, 0x8000 }, { 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { 0.5f, 0x3800 },
    { 65504.0f, 0x7bff },             /* largest half */
    { 65519.0f, 0x7bff },             /* below the midpoint to inf: stays finite */
    { 65520.0f, 0x7c00 },             /* the midpoint rounds (to even) to inf */
    { 1e10f, 0x7c00 }, { -1e10f, 0xfc00 },
    { 0x1p-14f, 0x0400 },             /* smallest normal */
    { 0x1p-24f, 0x0001 },             /* smallest subnormal */
    { 1023 * 0x1p-24f, 0x03ff },      /* largest subnormal */
    { 0x1p-25f, 0x0000 },             /* half the smallest subnormal: tie to even, zero */
    { 0x1.8p-25f, 0x0001 },           /* above the tie: rounds up */
    { 3 * 0x1p-25f, 0x0002 },         /* tie between 1 and 2 units: to even, 2 */
    { 1.0f + 0x1p-11f, 0x3c00 },      /* tie between 0x3c00 and 0x3c01: to even */
    { 1.0f + 3 * 0x1p-11f, 0x3c02 },  /* tie between 0x3c01 and 0x3c02: to even */
    { 1.0f + 0x1p-11f + 0x1p-20f, 0x3c01 },
    { 2047 * 0x1p-25f, 0x0400 },      /* rounding carries from subnormal to normal */
    { 1e-30f, 0x0000 }, { 1e-40f, 0x0000 },  /* a float subnormal */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%a -> 0x%04x", (double) cases[i].f, cases[i].h);
      g_assert_cmphex (dv_float_to_half (cases[i].f), ==, cases[i].h);
    }
  g_assert_cmphex (dv_float_to_half (INFINITY), ==, 0x7c00);
  g_assert_cmphex (dv_float_to_half (-INFINITY), ==, 0xfc00);
  guint16 nan = dv_float_to_half (NAN);
  g_assert_cmphex (nan & 0x7c00, ==, 0x7c00);
  g_assert_cmphex (nan & 0x03ff, !=, 0);

  g_assert_cmpfloat (dv_half_to_float (0x7bff), ==, 65504.0f);
  g_assert_cmpfloat (dv_half_to_float (0x0001), ==, 0x1p-24f);
  g_assert_cmpfloat (dv_half_to_float (0x8001), ==, -0x1p-24f);
  g_assert_cmpfloat (dv_half_to_float (0x03ff), ==, 1023 * 0x1p-24f);
  g_assert_true (isinf (dv_half_to_float (0x7c00)) && dv_half_to_float (0x7c00) > 0);
  g_assert_true (isinf (dv_half_to_float (0xfc00)) && dv_half_to_float (0xfc00) < 0);
  g_assert_true (isnan (dv_half_to_float (0x7e00)));
  g_assert_true (signbit (dv_half_to_float (0x8000)));
}

static void
test_half_every_value (void)
{
  /* Every half survives half -> float -> half; NaNs stay NaN. */
  for (guint32 h = 0; h <= 0xffff; h++)
    {
      float f = dv_half_to_float ((guint16) h);
      gboolean is_nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
      if (is_nan)
        g_assert_true (isnan (f));
      else
        g_assert_cmphex (dv_float_to_half (f), ==, h);
    }
}

static void
test_half_against_compiler (void)
{
#if defined(__FLT16_MAX__)
  /* GCC's _Float16 conversion rounds to nearest even too: compare over a
   * stride through all float bit patterns. */
  guint64 checked = 0;
  for (guint64 x = 0; x <= 0xffffffffu; x += 997)
    {
      guint32 bits = (guint32) x;
      float f;
      memcpy (&f, &bits, sizeof f);
      if (isnan (f))
        continue;
      _Float16 ref = (_Float16) f;
      guint16 ref_bits;
      memcpy (&ref_bits, &ref, sizeof ref_bits);
      if (dv_float_to_half (f) != ref_bits)
        g_error ("float %a (0x%08x): ours 0x%04x, compiler 0x%04x", (double) f, bits, dv_float_to_half (f), ref_bits);
      checked++;
    }
  g_test_message ("%" G_GUINT64_FORMAT " floats agree with _Float16", checked);
#else
  g_test_skip ("the compiler has no _Float16");
#endif
}

/* ---- round trips ---- */

static const float tricky[] = {
  0.0f, -0.0f, 1.0f, -1.5f, 3.14159265f, 65504.0f, -65504.0f, 1e-40f /* float subnormal */,
  3 * 0x1p-24f /* half subnormal */, 0x1p-14f, 1e6f, INFINITY, -INFINITY, NAN, 1e-8f, 0.1f,
};

static void
test_roundtrip_f32_f16 (void)
{
  g_autofree char *path = tmp_path ("roundtrip.safetensors");
  int shape_a[2] = { 4, 4 }, shape_b[1] = { 16 }, shape_empty[2] = { 0, 3 };
  float scalar = 42.5f;
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    dv_safetensors_writer_add (w, "z.f32", DV_DTYPE_F32, 2, shape_a, tricky);
    dv_safetensors_writer_add (w, "a.f16", DV_DTYPE_F16, 1, shape_b, tricky);
    dv_safetensors_writer_add (w, "empty", DV_DTYPE_F32, 2, shape_empty, NULL);
    dv_safetensors_writer_add (w, "scalar", DV_DTYPE_F32, 0, NULL, &scalar);
    g_autoptr (GError) error = NULL;
    g_assert_true (dv_safetensors_writer_save (w, path, &error));
    g_assert_no_error (error);
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, &error);
  g_assert_no_error (error);

  /* F32 before F16, by name within a dtype. */
  const char *const *names = dv_safetensors_names (st);
  g_assert_cmpstr (names[0], ==, "empty");
  g_assert_cmpstr (names[1], ==, "scalar");
  g_assert_cmpstr (names[2], ==, "z.f32");
  g_assert_cmpstr (names[3], ==, "a.f16");
  g_assert_null (names[4]);

  int ndim, shape[4];
  DvDtype dtype;
  g_assert_true (dv_safetensors_shape (st, "a.f16", &ndim, shape, &dtype));
  g_assert_cmpint (ndim, ==, 1);
  g_assert_cmpint (shape[0], ==, 16);
  g_assert_cmpint (dtype, ==, DV_DTYPE_F16);
  g_assert_false (dv_safetensors_shape (st, "nope", &ndim, shape, &dtype));
  g_assert_false (dv_safetensors_has (st, "nope"));

  float out[16];
  g_assert_true (dv_safetensors_read_raw (st, "z.f32", 2, shape_a, out, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    g_assert_true (isnan (tricky[i]) ? isnan (out[i]) : same_float_bits (out[i], tricky[i]));

  g_assert_true (dv_safetensors_read_raw (st, "a.f16", 1, shape_b, out, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    {
      float want = dv_half_to_float (dv_float_to_half (tricky[i]));
      g_assert_true (isnan (tricky[i]) ? isnan (out[i]) : same_float_bits (out[i], want));
    }
  g_assert_cmpfloat (out[5], ==, 65504.0f);
  g_assert_cmpfloat (out[8], ==, 3 * 0x1p-24f);
  g_assert_true (isinf (out[11]) && out[11] > 0);
  g_assert_true (isinf (out[12]) && out[12] < 0);
  /* The checked read refuses them, naming the tensor and the first bad element. */
  g_assert_false (dv_safetensors_read (st, "z.f32", 2, shape_a, out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "'z.f32'"));
  g_assert_nonnull (strstr (error->message, "+inf at element 11"));
  g_clear_error (&error);
  g_assert_false (dv_safetensors_read (st, "a.f16", 1, shape_b, out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "'a.f16'"));
  g_clear_error (&error);

  float s = 0;
  g_assert_true (dv_safetensors_read (st, "scalar", 0, NULL, &s, &error));
  g_assert_cmpfloat (s, ==, 42.5f);
  g_assert_true (dv_safetensors_read (st, "empty", 2, shape_empty, out, &error));
  g_assert_no_error (error);

  /* Reading with the wrong shape names both shapes. */
  int wrong[2] = { 2, 8 };
  g_assert_false (dv_safetensors_read (st, "z.f32", 2, wrong, out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "'z.f32' has shape [4, 4] but [2, 8] was expected"));
  g_clear_error (&error);
  g_assert_false (dv_safetensors_read (st, "missing", 2, wrong, out, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "'missing'"));
}

static void
test_metadata_roundtrip (void)
{
  g_autofree char *path = tmp_path ("metadata.safetensors");
  float v[2] = { 1, 2 };
  int shape[1] = { 2 };
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    dv_safetensors_writer_add (w, "v", DV_DTYPE_F32, 1, shape, v);
    dv_safetensors_writer_set_metadata (w, "format", "pt");
    dv_safetensors_writer_set_metadata (w, "notes", "quote \" backslash \\ newline\n ünïcödé ✓");
    dv_safetensors_writer_set_metadata (w, "empty", "");
    dv_safetensors_writer_set_metadata (w, "format", "dimvida");  /* replaces */
    g_autoptr (GError) error = NULL;
    g_assert_true (dv_safetensors_writer_save (w, path, &error));
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dv_safetensors_metadata (st, "format"), ==, "dimvida");
  g_assert_cmpstr (dv_safetensors_metadata (st, "notes"), ==, "quote \" backslash \\ newline\n ünïcödé ✓");
  g_assert_cmpstr (dv_safetensors_metadata (st, "empty"), ==, "");
  g_assert_null (dv_safetensors_metadata (st, "absent"));
  g_assert_cmpuint (g_hash_table_size (dv_safetensors_metadata_table (st)), ==, 3);
}

/* A file as Python's safetensors.torch.save_file({"a": tensor([1., -2.]),
 * "b": tensor([[1., .5]], dtype=float16)}, metadata={"format": "pt"}) lays it
 * out, built byte by byte. */
static GBytes *
python_layout_file (void)
{
  static const char json[] = "{\"__metadata__\":{\"format\":\"pt\"},"
                             "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}";
  static const guint8 data[] = {
    0x00, 0x00, 0x80, 0x3f,  /* 1.0f */
    0x00, 0x00, 0x00, 0xc0,  /* -2.0f */
    0x00, 0x3c,              /* half 1.0 */
    0x00, 0x38,              /* half 0.5 */
  };
  gsize json_len = strlen (json);
  gsize padded = (json_len + 7) / 8 * 8;
  GByteArray *file = g_byte_array_new ();
  for (int i = 0; i < 8; i++)
    {
      guint8 b = (guint8) ((guint64) padded >> (8 * i));
      g_byte_array_append (file, &b, 1);
    }
  g_byte_array_append (file, (const guint8 *) json, (guint) json_len);
  for (gsize i = json_len; i < padded; i++)
    g_byte_array_append (file, (const guint8 *) " ", 1);
  g_byte_array_append (file, data, sizeof data);
  return g_byte_array_free_to_bytes (file);
}

static void
test_python_layout (void)
{
  g_autoptr (GBytes) expected = python_layout_file ();
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open_bytes (expected, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dv_safetensors_metadata (st, "format"), ==, "pt");
  float a[2], b[2];
  int sa[1] = { 2 }, sb[2] = { 1, 2 };
  g_assert_true (dv_safetensors_read (st, "a", 1, sa, a, &error));
  g_assert_true (dv_safetensors_read (st, "b", 2, sb, b, &error));
  g_assert_cmpfloat (a[0], ==, 1.0f);
  g_assert_cmpfloat (a[1], ==, -2.0f);
  g_assert_cmpfloat (b[0], ==, 1.0f);
  g_assert_cmpfloat (b[1], ==, 0.5f);

  /* Our writer produces exactly these bytes, whatever the insertion order. */
  g_autofree char *path = tmp_path ("python.safetensors");
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  dv_safetensors_writer_add (w, "b", DV_DTYPE_F16, 2, sb, b);
  dv_safetensors_writer_add (w, "a", DV_DTYPE_F32, 1, sa, a);
  dv_safetensors_writer_set_metadata (w, "format", "pt");
  g_assert_true (dv_safetensors_writer_save (w, path, &error));
  g_autofree char *written = NULL;
  gsize written_len;
  g_assert_true (g_file_get_contents (path, &written, &written_len, NULL));
  gsize expected_len;
  const guint8 *expected_data = g_bytes_get_data (expected, &expected_len);
  g_assert_cmpmem (written, written_len, expected_data, expected_len);
  g_assert_cmpuint ((written_len - 12) % 8, ==, 0);  /* data section 8-byte aligned */
}

/* ---- malformed files ---- */

/* A file with a correct header length in front of `header` and `data_len`
 * zero bytes of data. */
static GBytes *
file_with_header (const char *header, gsize data_len)
{
  gsize len = strlen (header);
  guint8 *file = g_malloc0 (8 + len + data_len);
  for (int i = 0; i < 8; i++)
    file[i] = (guint8) ((guint64) len >> (8 * i));
  memcpy (file + 8, header, len);
  return g_bytes_new_take (file, 8 + len + data_len);
}

static void
expect_refused (GBytes *bytes, DvErrorCode code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  DvSafetensors *st = dv_safetensors_open_bytes (bytes, &error);
  g_assert_null (st);
  g_assert_error (error, DV_ERROR, (gint) code);
  g_test_message ("refused: %s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected \"%s\" in \"%s\"", fragment, error->message);
}

static void
expect_header_refused (const char *header, gsize data_len, const char *fragment)
{
  g_autoptr (GBytes) bytes = file_with_header (header, data_len);
  expect_refused (bytes, DV_ERROR_FORMAT, fragment);
}

static void
test_malformed_lengths (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  expect_refused (empty, DV_ERROR_FORMAT, "empty");
  g_autoptr (GBytes) short_file = g_bytes_new ("\x02\0\0\0\0", 5);
  expect_refused (short_file, DV_ERROR_FORMAT, "too short");

  /* Header length larger than the file. */
  guint8 bad_len[18] = { 100, 0, 0, 0, 0, 0, 0, 0, '{', '}' };
  g_autoptr (GBytes) too_long = g_bytes_new (bad_len, 10);
  expect_refused (too_long, DV_ERROR_FORMAT, "header claims 100 bytes but only 2");
  /* Header length beyond the 100 MB limit, and one that would overflow. */
  guint8 huge[16] = { 0, 0, 0, 0x10, 0, 0, 0, 0, '{', '}' };
  g_autoptr (GBytes) huge_header = g_bytes_new (huge, 16);
  expect_refused (huge_header, DV_ERROR_TOO_LARGE, "limit");
  memset (huge, 0xff, 8);
  g_autoptr (GBytes) max_header = g_bytes_new (huge, 16);
  expect_refused (max_header, DV_ERROR_TOO_LARGE, "limit");

  /* Empty file and missing file on disk. */
  g_autofree char *path = tmp_path ("empty.safetensors");
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (dv_safetensors_open (path, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_clear_error (&error);
  g_autofree char *missing = tmp_path ("does-not-exist.safetensors");
  g_assert_null (dv_safetensors_open (missing, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
}

static void
test_malformed_json (void)
{
  expect_header_refused ("{\"a\": ", 0, "not valid JSON");
  expect_header_refused ("", 0, "not a JSON object");
  expect_header_refused ("[1, 2]", 0, "not a JSON object");
  expect_header_refused ("\"text\"", 0, "not a JSON object");
  expect_header_refused ("{\"\xff\xfe\": 1}", 0, "UTF-8");
  g_autoptr (GBytes) with_nul = g_bytes_new ("\x04\0\0\0\0\0\0\0{}\0 ", 12);
  expect_refused (with_nul, DV_ERROR_FORMAT, "UTF-8");
  expect_header_refused ("{\"w\": 3}", 0, "tensor 'w': entry is not a JSON object");
}

static void
test_malformed_entries (void)
{
  expect_header_refused ("{\"w\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2,
                         "tensor 'w' has dtype BF16; only F32 and F16");
  expect_header_refused ("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "dtype I64");
  expect_header_refused ("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w': \"dtype\"");
  expect_header_refused ("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w': \"dtype\"");

  /* Bad shapes. */
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
                         "tensor 'w': shape entry 0");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4,
                         "tensor 'w': shape entry 0");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,\"2\"],\"data_offsets\":[0,8]}}", 8,
                         "tensor 'w': shape entry 1");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
                         "tensor 'w' has 5 dimensions");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,12]}}", 12,
                         "tensor 'w': \"shape\"");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],"
                         "\"data_offsets\":[0,4]}}", 4, "tensor 'w': shape is too large");

  /* Bad offsets. */
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'w': \"data_offsets\"");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
                         "tensor 'w': \"data_offsets\"");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4,
                         "tensor 'w': \"data_offsets\"");
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4,
                         "end before they begin");
  /* Size mismatch: 3 floats need 12 bytes. */
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                         "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8");
  expect_header_refused ("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,12]}}", 12,
                         "needs 6 bytes");
  /* Out of range. */
  expect_header_refused ("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8,
                         "tensor 'w': data_offsets [8, 16] lie outside the data section of 8 bytes");
  /* Overlapping, gap, leftover bytes. */
  expect_header_refused ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                         "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                         "tensor 'b': data_offsets [4, 12] overlap tensor 'a'");
  expect_header_refused ("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                         "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "overlap");
  expect_header_refused ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
                         "tensor 'b': data_offsets begin at 8, leaving a gap");
  expect_header_refused ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
                         "the data section has 8 bytes but the tensors use 4");

  /* Metadata. */
  expect_header_refused ("{\"__metadata__\":{\"k\":1}}", 0, "\"__metadata__\" value of 'k' is not a string");
  expect_header_refused ("{\"__metadata__\":{\"k\":null}}", 0, "value of 'k'");
  expect_header_refused ("{\"__metadata__\":[\"k\"]}", 0, "\"__metadata__\" is not a JSON object");

  /* A well-formed header with nothing in it is fine. */
  g_autoptr (GBytes) empty_object = file_with_header ("{}      ", 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (DvSafetensors) st = dv_safetensors_open_bytes (empty_object, &error);
  g_assert_no_error (error);
  g_assert_null (dv_safetensors_names (st)[0]);
}

static void
test_truncated_data (void)
{
  g_autofree char *path = tmp_path ("truncated.safetensors");
  float v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  int shape[2] = { 2, 4 };
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  dv_safetensors_writer_add (w, "a", DV_DTYPE_F32, 2, shape, v);
  dv_safetensors_writer_add (w, "b", DV_DTYPE_F32, 2, shape, v);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_safetensors_writer_save (w, path, &error));
  g_autofree char *whole = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &whole, &len, NULL));
  /* Every cut of the file is refused with a FORMAT error, never read. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GBytes) part = g_bytes_new (whole, cut);
      DvSafetensors *st = dv_safetensors_open_bytes (part, &error);
      g_assert_null (st);
      g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
      g_clear_error (&error);
    }
  g_autoptr (GBytes) last_byte_missing = g_bytes_new (whole, len - 1);
  expect_refused (last_byte_missing, DV_ERROR_FORMAT, "tensor 'b': data_offsets [32, 64] lie outside");
}

static void
test_save_error (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "no-such-dir", "x.safetensors", NULL);
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_safetensors_writer_save (w, path, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
}

/* ---- checkpoints of a DvParams ---- */

static void
make_params (DvParams *p, int in, int out, gboolean with_extra)
{
  dv_params_init (p);
  int w_shape[2] = { out, in }, b_shape[1] = { out };
  dv_params_add (p, "blocks.0.weight", 2, w_shape);
  dv_params_add (p, "blocks.0.bias", 1, b_shape);
  if (with_extra)
    dv_params_add (p, "head.weight", 2, w_shape);
  dv_params_alloc (p);
}

static void
test_params_roundtrip (void)
{
  g_autofree char *path = tmp_path ("params.safetensors");
  DvParams saved, loaded;
  make_params (&saved, 5, 3, TRUE);
  for (size_t i = 0; i < saved.count; i++)
    saved.data[i] = (float) i * 0.25f - 3.0f;
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (meta, "model", "toy");
  g_hash_table_insert (meta, "step", "1200");
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_params_save (&saved, path, meta, &error));
  g_assert_no_error (error);

  make_params (&loaded, 5, 3, TRUE);
  g_autoptr (GHashTable) meta_out = NULL;
  g_assert_true (dv_params_load (&loaded, path, &meta_out, &error));
  g_assert_no_error (error);
  for (guint t = 0; t < dv_params_n_tensors (&saved); t++)
    {
      const DvParamInfo *info = dv_params_info (&saved, t);
      g_assert_cmpmem (saved.data + info->offset, info->numel * sizeof (float), loaded.data + info->offset,
                       info->numel * sizeof (float));
    }
  g_assert_cmpuint (g_hash_table_size (meta_out), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (meta_out, "model"), ==, "toy");
  g_assert_cmpstr (g_hash_table_lookup (meta_out, "step"), ==, "1200");

  /* Without metadata, and loading without asking for it. */
  g_assert_true (dv_params_save (&saved, path, NULL, &error));
  g_assert_true (dv_params_load (&loaded, path, NULL, &error));
  g_assert_no_error (error);
  dv_params_clear (&saved);
  dv_params_clear (&loaded);
}

static void
test_params_mismatch (void)
{
  g_autofree char *path = tmp_path ("mismatch.safetensors");
  DvParams file_params;
  make_params (&file_params, 128, 256, FALSE);
  for (size_t i = 0; i < file_params.count; i++)
    file_params.data[i] = 1.0f;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_params_save (&file_params, path, NULL, &error));

  /* Wrong shape: the model wants [256, 256]; nothing is loaded. */
  DvParams model;
  make_params (&model, 256, 256, FALSE);
  g_assert_false (dv_params_load (&model, path, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_SHAPE);
  g_autofree char *want = g_strdup_printf ("checkpoint %s: tensor 'blocks.0.weight' has shape [256, 128] but the "
                                           "model expects [256, 256]", path);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  for (size_t i = 0; i < model.count; i++)
    g_assert_cmpfloat (model.data[i], ==, 0.0f);
  dv_params_clear (&model);

  /* Missing tensor. */
  make_params (&model, 128, 256, TRUE);
  g_assert_false (dv_params_load (&model, path, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "missing tensors 'head.weight'"));
  g_assert_null (strstr (error->message, "unexpected"));
  g_clear_error (&error);
  for (size_t i = 0; i < model.count; i++)
    g_assert_cmpfloat (model.data[i], ==, 0.0f);
  dv_params_clear (&model);

  /* Extra tensor in the file. */
  dv_params_clear (&file_params);
  make_params (&file_params, 128, 256, TRUE);
  g_assert_true (dv_params_save (&file_params, path, NULL, &error));
  make_params (&model, 128, 256, FALSE);
  g_assert_false (dv_params_load (&model, path, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "unexpected tensors 'head.weight'"));
  g_assert_null (strstr (error->message, "missing"));
  g_clear_error (&error);
  dv_params_clear (&model);

  /* Both at once are listed together. */
  DvParams other;
  dv_params_init (&other);
  int w_shape[2] = { 256, 128 }, b_shape[1] = { 256 };
  dv_params_add (&other, "blocks.0.weight", 2, w_shape);
  dv_params_add (&other, "blocks.0.bias", 1, b_shape);
  dv_params_add (&other, "norm.gain", 1, b_shape);
  dv_params_add (&other, "norm.bias", 1, b_shape);
  dv_params_alloc (&other);
  g_assert_false (dv_params_load (&other, path, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "missing tensors 'norm.gain', 'norm.bias'; unexpected tensors "
                                            "'head.weight'"));
  g_clear_error (&error);
  dv_params_clear (&other);

  /* A file that is not a checkpoint at all. */
  g_assert_true (g_file_set_contents (path, "hello", -1, NULL));
  make_params (&model, 128, 256, FALSE);
  g_assert_false (dv_params_load (&model, path, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  dv_params_clear (&model);
  dv_params_clear (&file_params);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-safetensors-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/safetensors/half/known-values", test_half_known_values);
  g_test_add_func ("/safetensors/half/every-value", test_half_every_value);
  g_test_add_func ("/safetensors/half/against-compiler", test_half_against_compiler);
  g_test_add_func ("/safetensors/roundtrip/f32-f16", test_roundtrip_f32_f16);
  g_test_add_func ("/safetensors/roundtrip/metadata", test_metadata_roundtrip);
  g_test_add_func ("/safetensors/python-layout", test_python_layout);
  g_test_add_func ("/safetensors/malformed/lengths", test_malformed_lengths);
  g_test_add_func ("/safetensors/malformed/json", test_malformed_json);
  g_test_add_func ("/safetensors/malformed/entries", test_malformed_entries);
  g_test_add_func ("/safetensors/malformed/truncated-data", test_truncated_data);
  g_test_add_func ("/safetensors/save-error", test_save_error);
  g_test_add_func ("/safetensors/params/roundtrip", test_params_roundtrip);
  g_test_add_func ("/safetensors/params/mismatch", test_params_mismatch);
  int status = g_test_run ();
  dv_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
