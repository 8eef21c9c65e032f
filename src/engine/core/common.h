/* Shared conventions of the engine: error domain, progress reporting, cancellation. */
#pragma once

#include <glib.h>
#include <gio/gio.h>

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

/* Every long job reports through one of these; `what` names the stage. The
 * callback runs on the job's thread: it must be cheap and thread-safe. */
typedef struct {
  const char *what;
  gint64 done;
  gint64 total;
} DvProgress;

typedef void (*DvProgressFunc) (const DvProgress *progress, gpointer user_data);

/* TRUE (and sets error) if the job was cancelled. */
gboolean dv_check_cancelled (GCancellable *cancellable, GError **error);

/* Aborts with a clear message: for programming errors such as calling a layer
 * with buffers of the wrong size. Never returns. */
G_NORETURN void dv_fatal (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

#define DV_CHECK(cond, ...) \
  G_STMT_START { if (G_UNLIKELY (!(cond))) dv_fatal (__VA_ARGS__); } G_STMT_END

G_END_DECLS
