#include "core/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

G_DEFINE_QUARK (dv-error-quark, dv_error)

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
