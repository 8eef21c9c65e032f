/* The engine's error domain: what callers must handle comes as a GError of DV_ERROR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DV_ERROR (dv_error_quark ())
GQuark dv_error_quark (void);

typedef enum {
  DV_ERROR_INVALID,    /* bad argument or configuration */
  DV_ERROR_SHAPE,      /* tensor shape mismatch */
  DV_ERROR_IO,         /* file could not be read or written */
  DV_ERROR_FORMAT,     /* file is malformed, truncated or of the wrong kind */
  DV_ERROR_TOO_LARGE,  /* input exceeds a sanity limit */
  DV_ERROR_NAN,        /* training diverged (NaN or inf) */
  DV_ERROR_CANCELLED,  /* the caller cancelled the job */
} DvErrorCode;

G_END_DECLS
