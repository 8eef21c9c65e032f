/* Shared conventions of the engine: errors, progress reporting, cancellation,
 * programming-error checks and aligned float buffers. */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "core/errors.h"

G_BEGIN_DECLS

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

/* 64-byte aligned, zeroed float buffers for activations and parameters. */
#define DV_ALIGNMENT 64
float *dv_alloc_floats (size_t count);
void dv_free_floats (float *data);

G_END_DECLS
