#include "dv-job.h"

#include "core/blas.h"

struct _DvJob
{
  GObject parent_instance;

  char *title;
  DvJobFunc func;
  gpointer data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
  GCancellable *cancellable;
  GMainContext *context; /* where the caller runs: progress and the result go there */
  gboolean started;
  gboolean running;

  /* Written by the worker, read on the main loop once the job has finished. */
  gpointer result;
  GError *error;

  /* The newest snapshot not yet delivered; guarded by lock. */
  GMutex lock;
  gboolean has_latest;
  gboolean idle_pending;
  gint64 latest_done;
  gint64 latest_total;
  char *latest_what;
  gpointer latest_snapshot;
  GDestroyNotify latest_snapshot_free;
  guint64 reported;

  /* Main thread only. */
  double fraction;
  guint64 delivered;
};

G_DEFINE_FINAL_TYPE (DvJob, dv_job, G_TYPE_OBJECT)

enum { PROP_0, PROP_TITLE, PROP_RUNNING, PROP_FRACTION, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- The worker pool and the thread budget (process-wide) ---- */

static GMutex pool_lock;
static GThreadPool *pool;
static int budget_requested;     /* as set: 0 = one per core */
static int budget_effective = 1; /* resolved and applied */
static int workers_effective = 1;
static int jobs_running;
static gboolean budget_pending;
/* Jobs on a worker now, so shutdown can cancel them and wait: a worker still
 * inside OpenBLAS when the process exits crashes in its teardown. */
static GPtrArray *active_jobs;
static GCond jobs_idle; /* broadcast whenever a job ends */
static gboolean shutting_down;

static void run_job_on_worker (gpointer task, gpointer unused);

/* Two workers let two jobs overlap (a Playground comparison trains A and B
 * side by side, or training and sampling); OpenBLAS's helper threads are
 * shared by all callers, so giving it budget - workers + 1 threads keeps
 * workers + helpers within the budget. */
static void
apply_budget_locked (void)
{
  int budget = budget_requested > 0 ? budget_requested : (int) g_get_num_processors ();
  budget = MAX (budget, 1);
  int workers = MIN (budget, 2);

  if (pool == NULL)
    pool = g_thread_pool_new (run_job_on_worker, NULL, workers, FALSE, NULL);
  else
    g_thread_pool_set_max_threads (pool, workers, NULL);
  dv_blas_set_threads (budget - workers + 1);
  budget_effective = budget;
  workers_effective = workers;
  budget_pending = FALSE;
}

void
dv_job_set_thread_budget (int threads)
{
  g_mutex_lock (&pool_lock);
  budget_requested = MAX (threads, 0);
  /* Changing OpenBLAS's thread count while a worker is inside a BLAS call is
   * not safe: wait until none is. */
  if (jobs_running == 0)
    apply_budget_locked ();
  else
    budget_pending = TRUE;
  g_mutex_unlock (&pool_lock);
}

int
dv_job_get_thread_budget (void)
{
  g_mutex_lock (&pool_lock);
  int budget = budget_effective;
  g_mutex_unlock (&pool_lock);
  return budget;
}

int
dv_job_get_max_workers (void)
{
  g_mutex_lock (&pool_lock);
  int workers = workers_effective;
  g_mutex_unlock (&pool_lock);
  return workers;
}

/* ---- Progress: newest wins ---- */

static void
deliver_latest (DvJob *self)
{
  g_mutex_lock (&self->lock);
  self->idle_pending = FALSE;
  if (!self->has_latest)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->has_latest = FALSE;
  g_autofree char *what = g_strdup (self->latest_what);
  DvProgress progress = { what, self->latest_done, self->latest_total };
  gpointer snapshot = g_steal_pointer (&self->latest_snapshot);
  GDestroyNotify snapshot_free = self->latest_snapshot_free;
  self->latest_snapshot_free = NULL;
  g_mutex_unlock (&self->lock);

  self->delivered++;
  self->fraction = progress.total > 0 ? CLAMP ((double) progress.done / (double) progress.total, 0.0, 1.0) : 0.0;
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, &progress, snapshot);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  if (snapshot != NULL && snapshot_free != NULL)
    snapshot_free (snapshot);
}

static gboolean
deliver_latest_idle (gpointer user_data)
{
  deliver_latest (DV_JOB (user_data));
  return G_SOURCE_REMOVE;
}

/* Low priority, so that input and redraws go first and snapshots coalesce
 * while the main loop is busy. */
static void
attach_idle (DvJob *self, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[dv-job]");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
dv_job_publish (DvJob *self, const DvProgress *progress, gpointer snapshot, GDestroyNotify snapshot_free)
{
  g_return_if_fail (DV_IS_JOB (self));

  g_mutex_lock (&self->lock);
  self->reported++;
  if (progress != NULL)
    {
      if (g_strcmp0 (self->latest_what, progress->what) != 0)
        {
          g_free (self->latest_what);
          self->latest_what = g_strdup (progress->what);
        }
      self->latest_done = progress->done;
      self->latest_total = progress->total;
    }
  gpointer old_snapshot = self->latest_snapshot;
  GDestroyNotify old_free = self->latest_snapshot_free;
  self->latest_snapshot = snapshot;
  self->latest_snapshot_free = snapshot_free;
  self->has_latest = TRUE;
  gboolean schedule = !self->idle_pending;
  self->idle_pending = TRUE;
  g_mutex_unlock (&self->lock);

  if (old_snapshot != NULL && old_free != NULL)
    old_free (old_snapshot);
  if (schedule)
    attach_idle (self, deliver_latest_idle, g_object_ref (self), g_object_unref);
}

void
dv_job_report_progress (DvJob *self, const DvProgress *progress)
{
  dv_job_publish (self, progress, NULL, NULL);
}

void
dv_job_progress_func (const DvProgress *progress, gpointer job)
{
  dv_job_report_progress (DV_JOB (job), progress);
}

/* ---- Running ---- */

static gboolean
finish_on_main (gpointer user_data)
{
  GTask *task = user_data;
  DvJob *self = g_task_get_source_object (task);

  deliver_latest (self); /* a last snapshot comes before the result */
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (self->error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&self->result), self->result_free);
  return G_SOURCE_REMOVE;
}

static void
run_job_on_worker (gpointer task_ptr, gpointer unused)
{
  GTask *task = task_ptr;
  DvJob *self = g_task_get_source_object (task);

  g_mutex_lock (&pool_lock);
  /* GThreadPool lowers its thread count only as idle threads wake, so a pool
   * shrunk from two workers to one can still run two tasks: the gate keeps
   * the budget exact. */
  while (jobs_running >= workers_effective)
    g_cond_wait (&jobs_idle, &pool_lock);
  jobs_running++;
  if (active_jobs == NULL)
    active_jobs = g_ptr_array_new ();
  g_ptr_array_add (active_jobs, self);
  if (shutting_down)
    g_cancellable_cancel (self->cancellable);
  g_mutex_unlock (&pool_lock);

  GError *error = NULL;
  gpointer result = NULL;
  if (!dv_check_cancelled (self->cancellable, &error))
    result = self->func (self, self->data, self->cancellable, &error);

  g_mutex_lock (&pool_lock);
  jobs_running--;
  g_ptr_array_remove_fast (active_jobs, self);
  if (jobs_running == 0 && budget_pending)
    apply_budget_locked ();
  g_cond_broadcast (&jobs_idle);
  g_mutex_unlock (&pool_lock);

  if (result == NULL && error == NULL && g_cancellable_is_cancelled (self->cancellable))
    dv_check_cancelled (self->cancellable, &error);
  self->result = result;
  self->error = error;
  /* The task's reference passes to the idle, which returns it on the main loop. */
  attach_idle (self, finish_on_main, task, g_object_unref);
}

void
dv_job_run_async (DvJob *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (DV_IS_JOB (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->running = TRUE;
  self->context = g_main_context_ref_thread_default ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, dv_job_run_async);
  g_task_set_name (task, self->title);

  g_mutex_lock (&pool_lock);
  if (pool == NULL)
    apply_budget_locked ();
  g_thread_pool_push (pool, task, NULL);
  g_mutex_unlock (&pool_lock);
}

gpointer
dv_job_run_finish (DvJob *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
dv_job_cancel_all_and_wait (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean idle = TRUE;
  g_mutex_lock (&pool_lock);
  shutting_down = TRUE;
  for (guint i = 0; active_jobs != NULL && i < active_jobs->len; i++)
    g_cancellable_cancel (DV_JOB (g_ptr_array_index (active_jobs, i))->cancellable);
  while (jobs_running > 0 && idle)
    idle = g_cond_wait_until (&jobs_idle, &pool_lock, deadline);
  idle = jobs_running == 0;
  g_mutex_unlock (&pool_lock);
  return idle;
}

void
dv_job_cancel (DvJob *self)
{
  g_return_if_fail (DV_IS_JOB (self));
  g_cancellable_cancel (self->cancellable);
}

/* ---- GObject ---- */

DvJob *
dv_job_new (const char *title, DvJobFunc func, gpointer data, GDestroyNotify data_free,
            GDestroyNotify result_free)
{
  g_return_val_if_fail (func != NULL, NULL);
  DvJob *self = g_object_new (DV_TYPE_JOB, "title", title, NULL);
  self->func = func;
  self->data = data;
  self->data_free = data_free;
  self->result_free = result_free;
  return self;
}

const char *
dv_job_get_title (DvJob *self)
{
  g_return_val_if_fail (DV_IS_JOB (self), NULL);
  return self->title;
}

gboolean
dv_job_get_running (DvJob *self)
{
  g_return_val_if_fail (DV_IS_JOB (self), FALSE);
  return self->running;
}

double
dv_job_get_fraction (DvJob *self)
{
  g_return_val_if_fail (DV_IS_JOB (self), 0.0);
  return self->fraction;
}

guint64
dv_job_get_delivered_count (DvJob *self)
{
  g_return_val_if_fail (DV_IS_JOB (self), 0);
  return self->delivered;
}

guint64
dv_job_get_reported_count (DvJob *self)
{
  g_return_val_if_fail (DV_IS_JOB (self), 0);
  g_mutex_lock (&self->lock);
  guint64 reported = self->reported;
  g_mutex_unlock (&self->lock);
  return reported;
}

static void
dv_job_finalize (GObject *object)
{
  DvJob *self = DV_JOB (object);

  if (self->data != NULL && self->data_free != NULL)
    self->data_free (self->data);
  if (self->result != NULL && self->result_free != NULL)
    self->result_free (self->result);
  if (self->latest_snapshot != NULL && self->latest_snapshot_free != NULL)
    self->latest_snapshot_free (self->latest_snapshot);
  g_clear_error (&self->error);
  g_free (self->latest_what);
  g_free (self->title);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (dv_job_parent_class)->finalize (object);
}

static void
dv_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DvJob *self = DV_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dv_job_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DvJob *self = DV_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dv_job_class_init (DvJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dv_job_finalize;
  object_class->get_property = dv_job_get_property;
  object_class->set_property = dv_job_set_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (const DvProgress *progress, gpointer snapshot): on the main loop; the
   * snapshot belongs to the job and is freed after the emission. */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
}

static void
dv_job_init (DvJob *self)
{
  g_mutex_init (&self->lock);
  self->cancellable = g_cancellable_new ();
}
