#include "core/shape.h"

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
