/* DvPlaygroundPage: 2D diffusion (and GAN-diffusion) training live.
 *
 * Controls on the left, grouped Data / Diffusion / Model / GAN / Seed and
 * speed; the live scatter (one run, or A | B in compare mode on shared axes),
 * the denoising field, the reverse-process player, and loss and divergence
 * curves on the right. Its actions (group "page"): play-pause (Space, through
 * the window), step, reset, compare, copy-a-to-b, swap, export (Ctrl+S: PNG),
 * export-png, export-csv, export-json, export-weights, save-config,
 * load-config, import-csv, undo-stroke, clear-drawing, dataset (string). */
#pragma once

#include <adwaita.h>

#include "dv-curve-plot.h"
#include "dv-playground-run.h"
#include "dv-scatter-plot.h"

G_BEGIN_DECLS

#define DV_TYPE_PLAYGROUND_PAGE (dv_playground_page_get_type ())
G_DECLARE_FINAL_TYPE (DvPlaygroundPage, dv_playground_page, DV, PLAYGROUND_PAGE, AdwBin)

/* What tests and the screenshot tool look at; side 0 is A, 1 is B. */
DvScatterPlot *dv_playground_page_get_scatter (DvPlaygroundPage *self, int side);
DvCurvePlot *dv_playground_page_get_loss_plot (DvPlaygroundPage *self);
DvCurvePlot *dv_playground_page_get_divergence_plot (DvPlaygroundPage *self);
/* A side's run (NULL: none). */
DvPlaygroundRun *dv_playground_page_get_run (DvPlaygroundPage *self, int side);
gint64 dv_playground_page_get_step (DvPlaygroundPage *self, int side);
double dv_playground_page_get_steps_per_second (DvPlaygroundPage *self, int side);
gboolean dv_playground_page_get_playing (DvPlaygroundPage *self);
/* The kNN KL (bits) measured at the end of a run, NaN before. */
double dv_playground_page_get_knn_kl (DvPlaygroundPage *self, int side);
/* The text over the plots (final scores). */
const char *dv_playground_page_get_status (DvPlaygroundPage *self);
/* TRUE while a run's worker is training, sampling or measuring. */
gboolean dv_playground_page_get_busy (DvPlaygroundPage *self);
/* The message under the Data group ("" when there is none). */
/* The last message shown as a toast ("" when none yet). */
const char *dv_playground_page_get_last_toast (DvPlaygroundPage *self);
const char *dv_playground_page_get_data_error (DvPlaygroundPage *self);

/* The file actions without their file choosers. Errors are also shown on the page. */
gboolean dv_playground_page_import_csv (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_export_png (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_export_csv (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_export_json (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_export_weights (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_save_config (DvPlaygroundPage *self, const char *path, GError **error);
gboolean dv_playground_page_load_config (DvPlaygroundPage *self, const char *path, GError **error);

/* The page's settings and data (drawn or imported points included), kept
 * from one session to the next: written when the window closes, read when it
 * opens (a file that cannot be read is said in a toast, and the defaults stay). */
gboolean dv_playground_page_save_session (DvPlaygroundPage *self, const char *path, GError **error);
void dv_playground_page_restore_session (DvPlaygroundPage *self, const char *path);

/* A side's run settings, as the controls show them. */
void dv_playground_page_get_run_config (DvPlaygroundPage *self, int side, DvPlaygroundConfig *cfg);

/* The points drawn or imported (before they are spread into the cloud the
 * runs learn, which the scatter plot shows); for the built-in sets, the set. */
const float *dv_playground_page_get_source_points (DvPlaygroundPage *self, size_t *n);

/* Adds a painted point at (x, y) in data units, as a click in "draw your own" does. */
void dv_playground_page_paint (DvPlaygroundPage *self, double x, double y, gboolean new_stroke);

G_END_DECLS
