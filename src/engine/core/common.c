#include "core/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gboolean
dv_check_cancelled (GCancellable *cancellable, GError **error)
{
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, DV_ERROR, DV_ERROR_CANCELLED, "Cancelled");
      return TRUE;
    }
  return FALSE;
}

void
dv_fatal (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("dimvida: fatal: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  abort ();
}

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
