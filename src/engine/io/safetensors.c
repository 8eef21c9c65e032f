/* safetensors files, read and written the way the Python `safetensors` library
 * does: an 8-byte little-endian header length, a compact JSON header padded
 * with spaces to a multiple of 8 bytes, then the tensors' bytes back to back.
 *
 * The reader trusts nothing in the file: every length, offset and shape is
 * checked against the data actually present before any tensor is read. */
#include "io/safetensors.h"

#include "core/common.h"
#include "core/shape.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_LENGTH_BYTES 8
#define MAX_HEADER_BYTES ((guint64) 100 * 1000 * 1000)
#define MAX_NDIM 4
#define METADATA_KEY "__metadata__"

/* ---- IEEE half precision ---- */

guint16
dv_float_to_half (float f)
{
  guint32 x;
  memcpy (&x, &f, sizeof x);
  guint32 sign = (x >> 16) & 0x8000u;
  guint32 exponent = (x >> 23) & 0xffu;
  guint32 mantissa = x & 0x7fffffu;

  if (exponent == 0xff)  /* inf, or NaN kept quiet and non-zero */
    return (guint16) (sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0));
  if (exponent > 142)  /* |f| >= 2^16: beyond the largest half even before rounding */
    return (guint16) (sign | 0x7c00u);
  if (exponent >= 113)  /* a normal half: 2^-14 <= |f| */
    {
      guint32 h = ((exponent - 112) << 10) | (mantissa >> 13);
      guint32 rest = mantissa & 0x1fffu;
      /* A carry out of the mantissa correctly bumps the exponent, up to inf. */
      if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
        h++;
      return (guint16) (sign | h);
    }
  if (exponent < 102)  /* below half the smallest subnormal half (2^-25): rounds to zero */
    return (guint16) sign;
  /* A subnormal half counts units of 2^-24. */
  guint32 significand = mantissa | 0x800000u;
  guint32 shift = 126 - exponent;  /* 14 to 24 */
  guint32 h = significand >> shift;
  guint32 rest = significand & ((1u << shift) - 1);
  guint32 halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (h & 1)))
    h++;
  return (guint16) (sign | h);
}

float
dv_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000u) << 16;
  guint32 exponent = (h >> 10) & 0x1fu;
  guint32 mantissa = h & 0x3ffu;
  guint32 x;
  if (exponent == 0)
    {
      float magnitude = (float) mantissa * 0x1p-24f;  /* exact: subnormal or zero */
      return sign ? -magnitude : magnitude;
    }
  if (exponent == 0x1f)
    x = sign | 0x7f800000u | (mantissa << 13);
  else
    x = sign | ((exponent + 112) << 23) | (mantissa << 13);
  float f;
  memcpy (&f, &x, sizeof f);
  return f;
}

static const char *
dtype_name (DvDtype dtype)
{
  return dtype == DV_DTYPE_F16 ? "F16" : "F32";
}

static size_t
dtype_size (DvDtype dtype)
{
  return dtype == DV_DTYPE_F16 ? 2 : 4;
}

/* ---- reader ---- */

typedef struct {
  char *name;
  DvDtype dtype;
  int ndim;
  int shape[MAX_NDIM];
  guint64 begin;  /* byte offsets within the data section */
  guint64 end;
} Entry;

struct _DvSafetensors {
  GBytes *bytes;  /* the whole file */
  const guint8 *data;  /* the data section */
  guint64 data_len;
  GPtrArray *entries;  /* Entry *, in data order */
  GHashTable *by_name;  /* name -> Entry * */
  const char **names;  /* NULL-terminated, data order */
  GHashTable *metadata;
};

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->name);
  g_free (e);
}

void
dv_safetensors_close (DvSafetensors *st)
{
  if (st == NULL)
    return;
  g_bytes_unref (st->bytes);
  g_clear_pointer (&st->by_name, g_hash_table_unref);
  g_clear_pointer (&st->entries, g_ptr_array_unref);
  g_free (st->names);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  g_free (st);
}

static gboolean
format_error (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
format_error (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *message = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, DV_ERROR, DV_ERROR_FORMAT, message);
  g_free (message);
  return FALSE;
}

static gboolean
node_to_uint (JsonNode *node, guint64 *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  gint64 v = json_node_get_int (node);
  if (v < 0)
    return FALSE;
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_entry (const char *name, JsonNode *node, Entry *e, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return format_error (error, "tensor '%s': entry is not a JSON object", name);
  JsonObject *obj = json_node_get_object (node);

  JsonNode *dtype = json_object_get_member (obj, "dtype");
  if (dtype == NULL || json_node_get_value_type (dtype) != G_TYPE_STRING)
    return format_error (error, "tensor '%s': \"dtype\" is missing or not a string", name);
  const char *dtype_str = json_node_get_string (dtype);
  if (strcmp (dtype_str, "F32") == 0)
    e->dtype = DV_DTYPE_F32;
  else if (strcmp (dtype_str, "F16") == 0)
    e->dtype = DV_DTYPE_F16;
  else
    return format_error (error, "tensor '%s' has dtype %s; only F32 and F16 are supported", name, dtype_str);

  JsonNode *shape = json_object_get_member (obj, "shape");
  if (shape == NULL || !JSON_NODE_HOLDS_ARRAY (shape))
    return format_error (error, "tensor '%s': \"shape\" is missing or not an array", name);
  JsonArray *dims = json_node_get_array (shape);
  guint ndim = json_array_get_length (dims);
  if (ndim > MAX_NDIM)
    return format_error (error, "tensor '%s' has %u dimensions; at most %d are supported", name, ndim, MAX_NDIM);
  e->ndim = (int) ndim;
  guint64 numel = 1;
  for (guint i = 0; i < ndim; i++)
    {
      guint64 d;
      if (!node_to_uint (json_array_get_element (dims, i), &d) || d > G_MAXINT)
        return format_error (error, "tensor '%s': shape entry %u is not a non-negative integer", name, i);
      e->shape[i] = (int) d;
      if (!g_uint64_checked_mul (&numel, numel, d))
        return format_error (error, "tensor '%s': shape is too large", name);
    }
  guint64 nbytes;
  if (!g_uint64_checked_mul (&nbytes, numel, dtype_size (e->dtype)))
    return format_error (error, "tensor '%s': shape is too large", name);

  JsonNode *offsets = json_object_get_member (obj, "data_offsets");
  if (offsets == NULL || !JSON_NODE_HOLDS_ARRAY (offsets)
      || json_array_get_length (json_node_get_array (offsets)) != 2
      || !node_to_uint (json_array_get_element (json_node_get_array (offsets), 0), &e->begin)
      || !node_to_uint (json_array_get_element (json_node_get_array (offsets), 1), &e->end))
    return format_error (error, "tensor '%s': \"data_offsets\" is not a pair of non-negative integers", name);
  if (e->end < e->begin)
    return format_error (error, "tensor '%s': data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                         "] end before they begin", name, e->begin, e->end);
  if (e->end - e->begin != nbytes)
    {
      char s[64];
      return format_error (error, "tensor '%s': shape %s of %s needs %" G_GUINT64_FORMAT " bytes but data_offsets [%"
                           G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] hold %" G_GUINT64_FORMAT, name,
                           dv_shape_to_string (e->ndim, e->shape, s, sizeof s), dtype_str, nbytes, e->begin, e->end,
                           e->end - e->begin);
    }
  return TRUE;
}

static gboolean
parse_metadata (DvSafetensors *st, JsonNode *node, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return format_error (error, "\"" METADATA_KEY "\" is not a JSON object");
  JsonObject *obj = json_node_get_object (node);
  g_autoptr (GList) keys = json_object_get_members (obj);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (obj, l->data);
      if (json_node_get_value_type (value) != G_TYPE_STRING)
        return format_error (error, "\"" METADATA_KEY "\" value of '%s' is not a string", (const char *) l->data);
      g_hash_table_insert (st->metadata, g_strdup (l->data), g_strdup (json_node_get_string (value)));
    }
  return TRUE;
}

static int
compare_entries_by_offset (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry *const *) a, *y = *(Entry *const *) b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp (x->name, y->name);
}

/* Tensors must tile the data section exactly, as the Python library requires:
 * no overlap, no gap, nothing past the end, nothing left over. */
static gboolean
check_layout (DvSafetensors *st, GError **error)
{
  g_ptr_array_sort (st->entries, compare_entries_by_offset);
  guint64 expected = 0;
  const Entry *previous = NULL;
  for (guint i = 0; i < st->entries->len; i++)
    {
      const Entry *e = st->entries->pdata[i];
      if (e->end > st->data_len)
        return format_error (error, "tensor '%s': data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                             "] lie outside the data section of %" G_GUINT64_FORMAT " bytes (truncated file?)",
                             e->name, e->begin, e->end, st->data_len);
      if (e->begin < expected)
        return format_error (error, "tensor '%s': data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                             "] overlap tensor '%s'", e->name, e->begin, e->end, previous->name);
      if (e->begin > expected)
        return format_error (error, "tensor '%s': data_offsets begin at %" G_GUINT64_FORMAT
                             ", leaving a gap of unused bytes from %" G_GUINT64_FORMAT, e->name, e->begin, expected);
      expected = e->end;
      previous = e;
    }
  if (expected != st->data_len)
    return format_error (error, "the data section has %" G_GUINT64_FORMAT " bytes but the tensors use %"
                         G_GUINT64_FORMAT, st->data_len, expected);
  return TRUE;
}

static gboolean
parse_header (DvSafetensors *st, const char *header, gsize header_len, GError **error)
{
  /* The Python library requires a JSON object, no NUL, valid UTF-8. */
  if (memchr (header, '\0', header_len) != NULL || !g_utf8_validate (header, (gssize) header_len, NULL))
    return format_error (error, "header is not valid UTF-8 JSON");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) json_error = NULL;
  if (!json_parser_load_from_data (parser, header, (gssize) header_len, &json_error))
    return format_error (error, "header is not valid JSON: %s", json_error->message);
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return format_error (error, "header is not a JSON object");
  JsonObject *obj = json_node_get_object (root);

  g_autoptr (GList) members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      if (strcmp (name, METADATA_KEY) == 0)
        {
          if (!parse_metadata (st, node, error))
            return FALSE;
          continue;
        }
      Entry *e = g_new0 (Entry, 1);
      e->name = g_strdup (name);
      g_ptr_array_add (st->entries, e);
      if (!parse_entry (name, node, e, error))
        return FALSE;
      g_hash_table_insert (st->by_name, e->name, e);
    }
  if (!check_layout (st, error))
    return FALSE;
  st->names = g_new0 (const char *, st->entries->len + 1);
  for (guint i = 0; i < st->entries->len; i++)
    st->names[i] = ((Entry *) st->entries->pdata[i])->name;
  return TRUE;
}

DvSafetensors *
dv_safetensors_open_bytes (GBytes *bytes, GError **error)
{
  gsize len;
  const guint8 *file = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      format_error (error, "file is empty");
      return NULL;
    }
  if (len < HEADER_LENGTH_BYTES)
    {
      format_error (error, "file has only %" G_GSIZE_FORMAT " bytes, too short for the 8-byte header length", len);
      return NULL;
    }
  if ((guint64) len > (guint64) DV_SAFETENSORS_MAX_FILE)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "file has %" G_GSIZE_FORMAT " bytes; the limit is %"
                   G_GUINT64_FORMAT, len, (guint64) DV_SAFETENSORS_MAX_FILE);
      return NULL;
    }
  guint64 header_len;
  memcpy (&header_len, file, sizeof header_len);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > MAX_HEADER_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "header claims %" G_GUINT64_FORMAT
                   " bytes; the limit is %" G_GUINT64_FORMAT, header_len, MAX_HEADER_BYTES);
      return NULL;
    }
  if (header_len > len - HEADER_LENGTH_BYTES)
    {
      format_error (error, "header claims %" G_GUINT64_FORMAT " bytes but only %" G_GSIZE_FORMAT
                    " follow the header length (truncated file?)", header_len, len - HEADER_LENGTH_BYTES);
      return NULL;
    }

  DvSafetensors *st = g_new0 (DvSafetensors, 1);
  st->bytes = g_bytes_ref (bytes);
  st->data = file + HEADER_LENGTH_BYTES + header_len;
  st->data_len = len - HEADER_LENGTH_BYTES - header_len;
  st->entries = g_ptr_array_new_with_free_func (entry_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!parse_header (st, (const char *) file + HEADER_LENGTH_BYTES, (gsize) header_len, error))
    {
      dv_safetensors_close (st);
      return NULL;
    }
  return st;
}

DvSafetensors *
dv_safetensors_open (const char *path, GError **error)
{
  g_autoptr (GError) file_error = NULL;
  /* Mapped, not read: only the tensors asked for are paged in. The writer
   * replaces files by rename, so a mapped file never shrinks under us. */
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &file_error);
  if (file == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot read %s: %s", path, file_error->message);
      return NULL;
    }
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (file);
  DvSafetensors *st = dv_safetensors_open_bytes (bytes, error);
  if (st == NULL)
    g_prefix_error (error, "%s: ", path);
  return st;
}

const char *const *
dv_safetensors_names (DvSafetensors *st)
{
  return st->names;
}

gboolean
dv_safetensors_has (DvSafetensors *st, const char *name)
{
  return g_hash_table_contains (st->by_name, name);
}

gboolean
dv_safetensors_shape (DvSafetensors *st, const char *name, int *ndim, int shape[4], DvDtype *dtype)
{
  const Entry *e = g_hash_table_lookup (st->by_name, name);
  if (e == NULL)
    return FALSE;
  if (ndim)
    *ndim = e->ndim;
  if (shape)
    memcpy (shape, e->shape, sizeof e->shape);
  if (dtype)
    *dtype = e->dtype;
  return TRUE;
}

gboolean
dv_safetensors_read_raw (DvSafetensors *st, const char *name, int ndim, const int *shape, float *out,
                         GError **error)
{
  const Entry *e = g_hash_table_lookup (st->by_name, name);
  if (e == NULL)
    return format_error (error, "no tensor '%s' in the file", name);
  gboolean same = e->ndim == ndim;
  for (int i = 0; same && i < ndim; i++)
    same = e->shape[i] == shape[i];
  if (!same)
    {
      char have[64], want[64];
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "tensor '%s' has shape %s but %s was expected", name,
                   dv_shape_to_string (e->ndim, e->shape, have, sizeof have),
                   dv_shape_to_string (ndim, shape, want, sizeof want));
      return FALSE;
    }
  const guint8 *src = st->data + e->begin;
  size_t numel = (size_t) ((e->end - e->begin) / dtype_size (e->dtype));
  if (numel == 0)
    return TRUE;
  if (e->dtype == DV_DTYPE_F32)
    {
      memcpy (out, src, numel * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (size_t i = 0; i < numel; i++)
        {
          guint32 x;
          memcpy (&x, out + i, 4);
          x = GUINT32_SWAP_LE_BE (x);
          memcpy (out + i, &x, 4);
        }
#endif
    }
  else
    {
      for (size_t i = 0; i < numel; i++)
        out[i] = dv_half_to_float ((guint16) (src[2 * i] | (src[2 * i + 1] << 8)));
    }
  return TRUE;
}

gboolean
dv_safetensors_read (DvSafetensors *st, const char *name, int ndim, const int *shape, float *out, GError **error)
{
  if (!dv_safetensors_read_raw (st, name, ndim, shape, out, error))
    return FALSE;
  size_t numel = dv_shape_numel (ndim, shape);
  for (size_t i = 0; i < numel; i++)
    if (!isfinite (out[i]))
      {
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                     "tensor '%s' holds %s at element %zu of %zu: weights and data must be finite", name,
                     isnan (out[i]) ? "NaN" : out[i] > 0 ? "+inf" : "-inf", i, numel);
        return FALSE;
      }
  return TRUE;
}

const char *
dv_safetensors_metadata (DvSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

GHashTable *
dv_safetensors_metadata_table (DvSafetensors *st)
{
  return st->metadata;
}

/* ---- writer ---- */

typedef struct {
  char *name;
  DvDtype dtype;
  int ndim;
  int shape[MAX_NDIM];
  GBytes *bytes;  /* little-endian, in dtype */
} WriterTensor;

struct _DvSafetensorsWriter {
  GPtrArray *tensors;  /* WriterTensor * */
  GHashTable *metadata;
};

static void
writer_tensor_free (gpointer p)
{
  WriterTensor *t = p;
  g_free (t->name);
  g_bytes_unref (t->bytes);
  g_free (t);
}

DvSafetensorsWriter *
dv_safetensors_writer_new (void)
{
  DvSafetensorsWriter *w = g_new0 (DvSafetensorsWriter, 1);
  w->tensors = g_ptr_array_new_with_free_func (writer_tensor_free);
  w->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return w;
}

void
dv_safetensors_writer_free (DvSafetensorsWriter *w)
{
  if (w == NULL)
    return;
  g_ptr_array_unref (w->tensors);
  g_hash_table_unref (w->metadata);
  g_free (w);
}

void
dv_safetensors_writer_add (DvSafetensorsWriter *w, const char *name, DvDtype dtype, int ndim, const int *shape,
                           const float *data)
{
  DV_CHECK (name != NULL && g_utf8_validate (name, -1, NULL) && strcmp (name, METADATA_KEY) != 0,
            "dv_safetensors_writer_add: bad tensor name");
  DV_CHECK (ndim >= 0 && ndim <= MAX_NDIM, "dv_safetensors_writer_add(%s): bad ndim %d", name, ndim);
  for (guint i = 0; i < w->tensors->len; i++)
    DV_CHECK (strcmp (((WriterTensor *) w->tensors->pdata[i])->name, name) != 0,
              "dv_safetensors_writer_add: duplicate tensor %s", name);
  WriterTensor *t = g_new0 (WriterTensor, 1);
  t->name = g_strdup (name);
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    {
      DV_CHECK (shape[i] >= 0, "dv_safetensors_writer_add(%s): negative dimension", name);
      t->shape[i] = shape[i];
    }
  size_t numel = dv_shape_numel (ndim, shape);
  DV_CHECK (numel == 0 || data != NULL, "dv_safetensors_writer_add(%s): no data", name);
  if (dtype == DV_DTYPE_F32)
    {
      guint32 *le = g_new (guint32, numel);
      for (size_t i = 0; i < numel; i++)
        {
          memcpy (&le[i], &data[i], 4);
          le[i] = GUINT32_TO_LE (le[i]);
        }
      t->bytes = g_bytes_new_take (le, numel * 4);
    }
  else
    {
      guint8 *le = g_new (guint8, numel * 2);
      for (size_t i = 0; i < numel; i++)
        {
          guint16 h = dv_float_to_half (data[i]);
          le[2 * i] = (guint8) (h & 0xff);
          le[2 * i + 1] = (guint8) (h >> 8);
        }
      t->bytes = g_bytes_new_take (le, numel * 2);
    }
  g_ptr_array_add (w->tensors, t);
}

void
dv_safetensors_writer_set_metadata (DvSafetensorsWriter *w, const char *key, const char *value)
{
  DV_CHECK (key != NULL && value != NULL && g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL),
            "dv_safetensors_writer_set_metadata: key and value must be UTF-8 strings");
  g_hash_table_replace (w->metadata, g_strdup (key), g_strdup (value));
}

/* The Python library's order: wider dtypes first (so every tensor stays
 * aligned to its element size), then by name, bytewise. */
static int
compare_for_writing (gconstpointer a, gconstpointer b)
{
  const WriterTensor *x = *(WriterTensor *const *) a, *y = *(WriterTensor *const *) b;
  size_t sx = dtype_size (x->dtype), sy = dtype_size (y->dtype);
  if (sx != sy)
    return sx > sy ? -1 : 1;
  return strcmp (x->name, y->name);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The whole file in memory: header length, header, data. */
static GBytes *
writer_serialize (DvSafetensorsWriter *w)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  for (guint i = 0; i < w->tensors->len; i++)
    g_ptr_array_add (order, w->tensors->pdata[i]);
  g_ptr_array_sort (order, compare_for_writing);

  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  if (g_hash_table_size (w->metadata) > 0)
    {
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (w->metadata, NULL);
      guint n_keys = g_hash_table_size (w->metadata);
      qsort (keys, n_keys, sizeof *keys, compare_strings);
      json_builder_set_member_name (builder, METADATA_KEY);
      json_builder_begin_object (builder);
      for (guint i = 0; i < n_keys; i++)
        {
          json_builder_set_member_name (builder, keys[i]);
          json_builder_add_string_value (builder, g_hash_table_lookup (w->metadata, keys[i]));
        }
      json_builder_end_object (builder);
    }
  guint64 offset = 0;
  for (guint i = 0; i < order->len; i++)
    {
      const WriterTensor *t = order->pdata[i];
      json_builder_set_member_name (builder, t->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, dtype_name (t->dtype));
      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (int d = 0; d < t->ndim; d++)
        json_builder_add_int_value (builder, t->shape[d]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, (gint64) offset);
      offset += g_bytes_get_size (t->bytes);
      json_builder_add_int_value (builder, (gint64) offset);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  gsize json_len;
  g_autofree char *json = json_generator_to_data (generator, &json_len);

  /* Spaces pad the header so the data section starts 8-byte aligned. */
  gsize padded_len = (json_len + 7) / 8 * 8;
  gsize total = HEADER_LENGTH_BYTES + padded_len + (gsize) offset;
  guint8 *file = g_malloc (total);
  guint64 le_len = GUINT64_TO_LE ((guint64) padded_len);
  memcpy (file, &le_len, HEADER_LENGTH_BYTES);
  memcpy (file + HEADER_LENGTH_BYTES, json, json_len);
  memset (file + HEADER_LENGTH_BYTES + json_len, ' ', padded_len - json_len);
  guint8 *data = file + HEADER_LENGTH_BYTES + padded_len;
  for (guint i = 0; i < order->len; i++)
    {
      const WriterTensor *t = order->pdata[i];
      gsize n;
      const guint8 *bytes = g_bytes_get_data (t->bytes, &n);
      if (n > 0)
        memcpy (data, bytes, n);
      data += n;
    }
  return g_bytes_new_take (file, total);
}

gboolean
dv_safetensors_writer_save (DvSafetensorsWriter *w, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = writer_serialize (w);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) file_error = NULL;
  /* g_file_set_contents writes a temporary file beside `path` and renames it. */
  if (!g_file_set_contents (path, data, (gssize) len, &file_error))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot write %s: %s", path, file_error->message);
      return FALSE;
    }
  return TRUE;
}
