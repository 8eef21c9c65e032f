/* Checkpoints: a DvParams store saved as, and loaded from, a safetensors file
 * with one F32 tensor per named parameter. */
#include "io/params_io.h"
#include "io/safetensors.h"

#include <string.h>

gboolean
dv_params_save (const DvParams *params, const char *path, GHashTable *metadata, GError **error)
{
  DV_CHECK (params->allocated, "dv_params_save: parameters not allocated");
  g_autoptr (DvSafetensorsWriter) writer = dv_safetensors_writer_new ();
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    {
      const DvParamInfo *info = dv_params_info (params, i);
      dv_safetensors_writer_add (writer, info->name, DV_DTYPE_F32, info->ndim, info->shape,
                                 params->data + info->offset);
    }
  if (metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        dv_safetensors_writer_set_metadata (writer, key, value);
    }
  return dv_safetensors_writer_save (writer, path, error);
}

/* Appends "'name'" to a comma-separated list. */
static void
append_name (GString *list, const char *name)
{
  if (list->len > 0)
    g_string_append (list, ", ");
  g_string_append_printf (list, "'%s'", name);
}

/* Every tensor of the model present with its shape, and nothing else: a
 * checkpoint of another architecture is refused instead of half-loaded. */
static gboolean
check_tensors (const DvParams *params, DvSafetensors *st, const char *path, GError **error)
{
  g_autoptr (GString) missing = g_string_new (NULL);
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    {
      const DvParamInfo *info = dv_params_info (params, i);
      int ndim, shape[4];
      if (!dv_safetensors_shape (st, info->name, &ndim, shape, NULL))
        {
          append_name (missing, info->name);
          continue;
        }
      gboolean same = ndim == info->ndim;
      for (int d = 0; same && d < ndim; d++)
        same = shape[d] == info->shape[d];
      if (!same)
        {
          char have[64], want[64];
          g_set_error (error, DV_ERROR, DV_ERROR_SHAPE,
                       "checkpoint %s: tensor '%s' has shape %s but the model expects %s", path, info->name,
                       dv_shape_to_string (ndim, shape, have, sizeof have),
                       dv_shape_to_string (info->ndim, info->shape, want, sizeof want));
          return FALSE;
        }
    }
  g_autoptr (GString) extra = g_string_new (NULL);
  for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
    if (dv_params_find (params, *name) == NULL)
      append_name (extra, *name);
  if (missing->len > 0 || extra->len > 0)
    {
      g_autoptr (GString) message = g_string_new (NULL);
      g_string_printf (message, "checkpoint %s does not match the model:", path);
      if (missing->len > 0)
        g_string_append_printf (message, " missing tensors %s", missing->str);
      if (missing->len > 0 && extra->len > 0)
        g_string_append_c (message, ';');
      if (extra->len > 0)
        g_string_append_printf (message, " unexpected tensors %s", extra->str);
      g_set_error_literal (error, DV_ERROR, DV_ERROR_FORMAT, message->str);
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_params_load (DvParams *params, const char *path, GHashTable **metadata_out, GError **error)
{
  DV_CHECK (params->allocated, "dv_params_load: parameters not allocated");
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return FALSE;
  /* All checks before the first copy: a refused file leaves params untouched. */
  if (!check_tensors (params, st, path, error))
    return FALSE;
  /* Read into a copy: a tensor refused for a NaN or an inf leaves params untouched too. */
  g_autofree float *fresh = g_try_new (float, MAX (params->count, 1));
  if (fresh == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "checkpoint %s: not enough memory", path);
      return FALSE;
    }
  for (guint i = 0; i < dv_params_n_tensors (params); i++)
    {
      const DvParamInfo *info = dv_params_info (params, i);
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, fresh + info->offset, error))
        {
          g_prefix_error (error, "checkpoint %s: ", path);
          return FALSE;
        }
    }
  memcpy (params->data, fresh, params->count * sizeof (float));
  if (metadata_out != NULL)
    {
      GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, dv_safetensors_metadata_table (st));
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
      *metadata_out = copy;
    }
  return TRUE;
}
