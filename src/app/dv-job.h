/* DvJob: the one way the app runs engine work off the main thread.
 *
 * A job runs a function on a worker thread. The function reports progress as
 * often as it likes; the main loop sees only the newest snapshot (one pending
 * idle at a time, never a growing queue), through the "progress" signal. The
 * job can be cancelled, and finishes through a GAsyncReadyCallback with a
 * result or a GError (see dv_window_finish_job to show it as a toast).
 *
 * Threads: at most dv_job_get_max_workers () jobs run at once, and OpenBLAS is
 * given budget - workers + 1 threads, so that the workers plus OpenBLAS's own
 * helper threads never exceed the configured budget (GSettings "threads").
 *
 * Typical use, from a page:
 *
 *   static gpointer train (DvJob *job, gpointer data, GCancellable *c, GError **error)
 *   { return some_engine_call (data, dv_job_progress_func, job, c, error); }
 *
 *   job = dv_job_new (_("Training"), train, config, config_free, model_free);
 *   g_signal_connect_object (job, "progress", G_CALLBACK (on_progress), self, 0);
 *   dv_job_run_async (job, on_trained, self);
 *   ...
 *   static void on_trained (GObject *job, GAsyncResult *res, gpointer self)
 *   { Model *m = dv_window_finish_job (window, DV_JOB (job), res); if (m) ... }
 */
#pragma once

#include <gio/gio.h>

#include "core/common.h"

G_BEGIN_DECLS

#define DV_TYPE_JOB (dv_job_get_type ())
G_DECLARE_FINAL_TYPE (DvJob, dv_job, DV, JOB, GObject)

/* Runs on a worker thread. Returns the result (freed with the job's
 * result_free if nobody takes it) or NULL with error set. It should check
 * cancellable between steps (dv_check_cancelled). */
typedef gpointer (*DvJobFunc) (DvJob *job, gpointer data, GCancellable *cancellable, GError **error);

DvJob *dv_job_new (const char *title, DvJobFunc func, gpointer data, GDestroyNotify data_free,
                   GDestroyNotify result_free);

const char *dv_job_get_title (DvJob *self);
gboolean dv_job_get_running (DvJob *self);
/* Of the last snapshot delivered to the main loop: done / total, or 0. */
double dv_job_get_fraction (DvJob *self);
/* How many snapshots reached the main loop, and how many the worker made. */
guint64 dv_job_get_delivered_count (DvJob *self);
guint64 dv_job_get_reported_count (DvJob *self);

/* Main thread. A job runs once. */
void dv_job_run_async (DvJob *self, GAsyncReadyCallback callback, gpointer user_data);
gpointer dv_job_run_finish (DvJob *self, GAsyncResult *result, GError **error);
void dv_job_cancel (DvJob *self);
/* At shutdown: cancels every running job (and any that starts later) and
 * waits up to timeout_ms for the workers to return. TRUE if they all did. */
gboolean dv_job_cancel_all_and_wait (guint timeout_ms);

/* Worker thread (any thread): cheap and thread-safe. A published snapshot
 * replaces any older one that the main loop has not picked up yet (which is
 * then freed with snapshot_free). */
void dv_job_report_progress (DvJob *self, const DvProgress *progress);
void dv_job_publish (DvJob *self, const DvProgress *progress, gpointer snapshot,
                     GDestroyNotify snapshot_free);
/* A DvProgressFunc for engine calls: pass the job as user_data. */
void dv_job_progress_func (const DvProgress *progress, gpointer job);

/* The thread budget; 0 means one per processor core. Takes effect at once if
 * no job is running, else when the running ones have finished. */
void dv_job_set_thread_budget (int threads);
int dv_job_get_thread_budget (void);
int dv_job_get_max_workers (void);

G_END_DECLS
