#include "core/params.h"

#include <math.h>
#include <string.h>

static void
clear_info (gpointer p)
{
  g_free (((DvParamInfo *) p)->name);
}

void
dv_params_init (DvParams *params)
{
  memset (params, 0, sizeof *params);
  params->infos = g_array_new (FALSE, TRUE, sizeof (DvParamInfo));
  g_array_set_clear_func (params->infos, clear_info);
}

void
dv_params_clear (DvParams *params)
{
  dv_free_floats (params->data);
  dv_free_floats (params->grad);
  if (params->infos)
    g_array_unref (params->infos);
  memset (params, 0, sizeof *params);
}

size_t
dv_params_add (DvParams *params, const char *name, int ndim, const int *shape)
{
  DV_CHECK (!params->allocated, "dv_params_add(%s): parameters already allocated", name);
  DV_CHECK (ndim >= 1 && ndim <= DV_SHAPE_MAX_DIMS, "dv_params_add(%s): bad ndim %d", name, ndim);
  DV_CHECK (dv_params_find (params, name) == NULL, "dv_params_add: duplicate parameter %s", name);
  DvParamInfo info = { 0 };
  info.name = g_strdup (name);
  info.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    {
      DV_CHECK (shape[i] > 0, "dv_params_add(%s): bad shape", name);
      info.shape[i] = shape[i];
    }
  info.numel = dv_shape_numel (ndim, shape);
  /* Each tensor starts on a 64-byte boundary so slices stay aligned. */
  info.offset = (params->count + 15) / 16 * 16;
  params->count = info.offset + info.numel;
  g_array_append_val (params->infos, info);
  return info.offset;
}

void
dv_params_alloc (DvParams *params)
{
  DV_CHECK (!params->allocated, "dv_params_alloc: already allocated");
  params->data = dv_alloc_floats (params->count);
  params->grad = dv_alloc_floats (params->count);
  params->allocated = TRUE;
}

const DvParamInfo *
dv_params_find (const DvParams *params, const char *name)
{
  for (guint i = 0; i < params->infos->len; i++)
    {
      const DvParamInfo *info = &g_array_index (params->infos, DvParamInfo, i);
      if (strcmp (info->name, name) == 0)
        return info;
    }
  return NULL;
}

guint
dv_params_n_tensors (const DvParams *params)
{
  return params->infos->len;
}

const DvParamInfo *
dv_params_info (const DvParams *params, guint index)
{
  DV_CHECK (index < params->infos->len, "dv_params_info: index %u out of range", index);
  return &g_array_index (params->infos, DvParamInfo, index);
}

void
dv_params_zero_grad (DvParams *params)
{
  memset (params->grad, 0, params->count * sizeof (float));
}

void
dv_params_copy_data (DvParams *dst, const DvParams *src)
{
  DV_CHECK (dst->count == src->count, "dv_params_copy_data: layouts differ (%zu vs %zu floats)",
            dst->count, src->count);
  memcpy (dst->data, src->data, src->count * sizeof (float));
}

gboolean
dv_params_all_finite (const DvParams *params)
{
  for (size_t i = 0; i < params->count; i++)
    if (!isfinite (params->data[i]))
      return FALSE;
  return TRUE;
}
