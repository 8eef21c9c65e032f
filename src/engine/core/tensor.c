#include "core/tensor.h"

#include <stdlib.h>
#include <string.h>

float *
dv_alloc_floats (size_t count)
{
  size_t bytes = ((count * sizeof (float)) + DV_ALIGNMENT - 1) / DV_ALIGNMENT * DV_ALIGNMENT;
  if (bytes == 0)
    bytes = DV_ALIGNMENT;
  float *p = aligned_alloc (DV_ALIGNMENT, bytes);
  if (p == NULL)
    dv_fatal ("out of memory allocating %zu floats", count);
  memset (p, 0, bytes);
  return p;
}

void
dv_free_floats (float *data)
{
  free (data);
}

size_t
dv_shape_numel (int ndim, const int *shape)
{
  size_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= (size_t) shape[i];
  return n;
}

const char *
dv_shape_to_string (int ndim, const int *shape, char *buf, size_t len)
{
  size_t used = 0;
  used += (size_t) g_snprintf (buf, len, "[");
  for (int i = 0; i < ndim && used < len; i++)
    used += (size_t) g_snprintf (buf + used, len - used, i ? ", %d" : "%d", shape[i]);
  if (used < len)
    g_snprintf (buf + used, len - used, "]");
  return buf;
}

static gboolean
valid_shape (int ndim, const int *shape, GError **error)
{
  if (ndim < 1 || ndim > DV_TENSOR_MAX_DIMS)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "A tensor has 1 to %d dimensions, not %d",
                   DV_TENSOR_MAX_DIMS, ndim);
      return FALSE;
    }
  for (int i = 0; i < ndim; i++)
    if (shape[i] <= 0)
      {
        char s[96];
        g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "Invalid tensor shape %s",
                     dv_shape_to_string (ndim, shape, s, sizeof s));
        return FALSE;
      }
  return TRUE;
}

DvTensor *
dv_tensor_new (int ndim, const int *shape, GError **error)
{
  if (!valid_shape (ndim, shape, error))
    return NULL;
  DvTensor *t = g_new0 (DvTensor, 1);
  t->ndim = ndim;
  memcpy (t->shape, shape, sizeof (int) * (size_t) ndim);
  t->numel = dv_shape_numel (ndim, shape);
  t->data = dv_alloc_floats (t->numel);
  t->owns_data = TRUE;
  return t;
}

DvTensor *
dv_tensor_new_2d (int rows, int cols)
{
  int shape[2] = { rows, cols };
  GError *error = NULL;
  DvTensor *t = dv_tensor_new (2, shape, &error);
  if (t == NULL)
    dv_fatal ("%s", error->message);
  return t;
}

DvTensor *
dv_tensor_view (float *data, int ndim, const int *shape)
{
  GError *error = NULL;
  if (!valid_shape (ndim, shape, &error))
    dv_fatal ("%s", error->message);
  DvTensor *t = g_new0 (DvTensor, 1);
  t->ndim = ndim;
  memcpy (t->shape, shape, sizeof (int) * (size_t) ndim);
  t->numel = dv_shape_numel (ndim, shape);
  t->data = data;
  t->owns_data = FALSE;
  return t;
}

void
dv_tensor_free (DvTensor *t)
{
  if (t == NULL)
    return;
  if (t->owns_data)
    dv_free_floats (t->data);
  g_free (t);
}

gboolean
dv_tensor_same_shape (const DvTensor *a, const DvTensor *b)
{
  if (a->ndim != b->ndim)
    return FALSE;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i])
      return FALSE;
  return TRUE;
}

gboolean
dv_tensor_check_shape (const DvTensor *t, const char *what, int ndim, const int *shape, GError **error)
{
  gboolean same = t->ndim == ndim;
  for (int i = 0; same && i < ndim; i++)
    same = t->shape[i] == shape[i];
  if (!same)
    {
      char got[96], want[96];
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "%s has shape %s, expected %s", what,
                   dv_shape_to_string (t->ndim, t->shape, got, sizeof got),
                   dv_shape_to_string (ndim, shape, want, sizeof want));
    }
  return same;
}

gboolean
dv_tensor_reshape (DvTensor *t, int ndim, const int *shape, GError **error)
{
  if (!valid_shape (ndim, shape, error))
    return FALSE;
  if (dv_shape_numel (ndim, shape) != t->numel)
    {
      char got[96], want[96];
      g_set_error (error, DV_ERROR, DV_ERROR_SHAPE, "Cannot reshape %s into %s: element counts differ",
                   dv_shape_to_string (t->ndim, t->shape, got, sizeof got),
                   dv_shape_to_string (ndim, shape, want, sizeof want));
      return FALSE;
    }
  t->ndim = ndim;
  memcpy (t->shape, shape, sizeof (int) * (size_t) ndim);
  return TRUE;
}
