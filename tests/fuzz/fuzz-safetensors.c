/* libFuzzer: the safetensors reader, every tensor read (checked and raw) and the metadata. */
#include "io/safetensors.h"
#include "core/shape.h"

#include <stdint.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *bytes = g_bytes_new (data, size);
  GError *error = NULL;
  DvSafetensors *st = dv_safetensors_open_bytes (bytes, &error);
  g_bytes_unref (bytes);
  if (st == NULL)
    {
      g_error_free (error);
      return 0;
    }
  for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
    {
      int ndim, shape[4] = { 0 };
      DvDtype dtype;
      if (!dv_safetensors_shape (st, *name, &ndim, shape, &dtype))
        __builtin_trap ();
      float *out = g_new (float, MAX (dv_shape_numel (ndim, shape), 1));
      if (!dv_safetensors_read_raw (st, *name, ndim, shape, out, &error))
        g_clear_error (&error);
      if (!dv_safetensors_read (st, *name, ndim, shape, out, &error))
        g_clear_error (&error);
      /* A wrong shape is refused, not read. */
      int wrong[4] = { ndim > 0 && shape[0] > 0 ? shape[0] - 1 : 1, shape[1], shape[2], shape[3] };
      if (dv_safetensors_read (st, *name, ndim > 0 ? ndim : 1, wrong, out, &error))
        __builtin_trap ();
      g_clear_error (&error);
      g_free (out);
    }
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, dv_safetensors_metadata_table (st));
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (strlen (key) > size || dv_safetensors_metadata (st, key) != value)
      __builtin_trap ();
  dv_safetensors_close (st);
  return 0;
}
