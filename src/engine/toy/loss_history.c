#include "toy/loss_history.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#define N_COLUMNS 7
#define HEADER "step,loss,mse,adv,d_loss,gp,lr\n"

GArray *
dv_toy_loss_history_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (DvToyLossRecord));
}

void
dv_toy_loss_history_append (GArray *records, const DvToyStepInfo *info)
{
  DvToyLossRecord record = { info->step, info->loss, info->mse, info->adv, info->d_loss, info->gp, info->lr };
  g_array_append_val (records, record);
}

/* In memory first: the file is then written in one atomic replace. */
static GBytes *
gzip_bytes (const char *data, gsize length, GError **error)
{
  g_autoptr (GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  if (!g_output_stream_write_all (out, data, length, NULL, NULL, error) || !g_output_stream_close (out, NULL, error))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

gboolean
dv_toy_loss_history_write (const DvToyLossRecord *records, size_t n, const char *path, GError **error)
{
  g_autoptr (GString) csv = g_string_new (HEADER);
  for (size_t i = 0; i < n; i++)
    {
      const DvToyLossRecord *r = &records[i];
      const float values[N_COLUMNS - 1] = { r->loss, r->mse, r->adv, r->d_loss, r->gp, r->lr };
      g_string_append_printf (csv, "%" G_GINT64_FORMAT, r->step);
      for (int c = 0; c < N_COLUMNS - 1; c++)
        {
          /* Not printf: a decimal comma would break the CSV. */
          char text[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_c (csv, ',');
          g_string_append (csv, g_ascii_formatd (text, sizeof text, "%.6g", values[c]));
        }
      g_string_append_c (csv, '\n');
    }
  g_autoptr (GBytes) gz = gzip_bytes (csv->str, csv->len, error);
  if (gz == NULL)
    return FALSE;
  gsize size;
  const char *data = g_bytes_get_data (gz, &size);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, data, (gssize) size, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not write %s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* One row; FALSE if malformed. */
static gboolean
parse_row (const char *line, DvToyLossRecord *record)
{
  g_auto (GStrv) fields = g_strsplit (line, ",", 0);
  if (g_strv_length (fields) != N_COLUMNS)
    return FALSE;
  double values[N_COLUMNS];
  for (int i = 0; i < N_COLUMNS; i++)
    {
      char *end = NULL;
      values[i] = g_ascii_strtod (fields[i], &end);
      if (end == fields[i] || *end != '\0' || !isfinite (values[i]))
        return FALSE;
    }
  *record = (DvToyLossRecord) { (gint64) values[0], (float) values[1], (float) values[2], (float) values[3],
                                (float) values[4], (float) values[5], (float) values[6] };
  return record->step == values[0];
}

GArray *
dv_toy_loss_history_read (const char *path, gint64 last_step, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) raw = g_file_read (file, NULL, error);
  if (raw == NULL)
    return NULL;
  g_autoptr (GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) unzipped = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gunzip));
  g_autoptr (GDataInputStream) lines = g_data_input_stream_new (unzipped);
  g_autoptr (GArray) records = dv_toy_loss_history_new ();
  g_autoptr (GError) local = NULL;
  char *line;
  for (guint number = 1; (line = g_data_input_stream_read_line (lines, NULL, NULL, &local)) != NULL; number++)
    {
      g_autofree char *owned = line;
      if (number == 1 && g_str_has_prefix (line, "step,"))
        continue;
      DvToyLossRecord record;
      if (!parse_row (line, &record) || record.step != (gint64) records->len + 1 || record.step > last_step)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                       "%s, line %u: expected step %u (of at most %" G_GINT64_FORMAT ") as %.*s", path, number,
                       records->len + 1, last_step, (int) strlen (HEADER) - 1, HEADER);
          return NULL;
        }
      g_array_append_val (records, record);
    }
  if (local)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: %s", path, local->message);
      return NULL;
    }
  return g_steal_pointer (&records);
}
