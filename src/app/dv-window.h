/* DvWindow: the main window: header bar with the view switcher, the three
 * pages, the primary menu, toasts, drag and drop of PNG images.
 *
 * Pages take part in the window's actions by installing widget actions
 * (gtk_widget_class_install_action): "page.export" (Ctrl+S, on the visible
 * page) and, on the Playground, "page.play-pause" (Space). While a page has
 * none, or it is disabled, a toast says there is nothing to do yet. */
#pragma once

#include <adwaita.h>

#include "dv-application.h"
#include "dv-job.h"

G_BEGIN_DECLS

#define DV_TYPE_WINDOW (dv_window_get_type ())
G_DECLARE_FINAL_TYPE (DvWindow, dv_window, DV, WINDOW, AdwApplicationWindow)

DvWindow *dv_window_new (DvApplication *application);

/* "views", "votes" or "playground". */
const char *dv_window_get_page (DvWindow *self);
void dv_window_set_page (DvWindow *self, const char *name);

void dv_window_show_toast (DvWindow *self, const char *message);
/* The same with a button (button_label NULL: none) that activates action_name, a win. action. */
void dv_window_show_toast_with_action (DvWindow *self, const char *message, const char *button_label,
                                       const char *action_name);

/* Finishes a job started with dv_job_run_async: returns its result, or NULL
 * after showing the error (or that it was cancelled) as a toast. */
gpointer dv_window_finish_job (DvWindow *self, DvJob *job, GAsyncResult *result);

/* What Ctrl+O and drag and drop deliver: PNG images go to the Views page, and
 * a toast names what arrived and what was refused. */
void dv_window_open_files (DvWindow *self, GSList *files);

G_END_DECLS
