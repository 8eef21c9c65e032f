#pragma once

#include <adwaita.h>

#include "dv-latent-plot.h"
#include "dv-view-slot.h"
#include "views/rasterizer.h"

G_BEGIN_DECLS

#define DV_TYPE_VIEWS_PAGE (dv_views_page_get_type ())
G_DECLARE_FINAL_TYPE (DvViewsPage, dv_views_page, DV, VIEWS_PAGE, AdwBin)

/* The Views page: from the views of an object one has, generate the missing
 * ones. It collects the PNG images the window receives (Ctrl+O, drag and
 * drop): a 4:1 strip (front, right, back, left) becomes the object shown; any
 * other image is one view (padded to a square with white, aspect kept,
 * brought to 64×64 by an area filter) and fills the next view not given (with
 * none, it starts a new object). Files it cannot use give a toast and leave
 * the object shown as it was. */
void dv_views_page_add_images (DvViewsPage *self, GFile *const *files, guint n_files);
/* A GListModel of GFile, in the order they arrived. */
GListModel *dv_views_page_get_images (DvViewsPage *self);

/* Shows data/samples/<class_name>.png (found as dv_find_data_file finds
 * data files), e.g. "chair". */
gboolean dv_views_page_open_sample (DvViewsPage *self, const char *class_name, GError **error);
/* An object whose four views are known (rgb [4][side][side][3], front, right, back, left), e.g. one of split e:
 * the views in given_mask are given, the others are the true views a generation is measured against, as for a
 * sample; true_class (-1: unknown) and title as shown. FALSE while a generation runs. */
gboolean dv_views_page_open_views (DvViewsPage *self, const guint8 *rgb, int side, guint given_mask, int true_class,
                                   const char *title, GError **error);
/* The classes that have a sample, NULL-terminated (transfer full). */
char **dv_views_page_list_samples (void);

DvViewSlot *dv_views_page_get_slot (DvViewsPage *self, DvView view);
/* What is shown: a class name for a sample, a file name otherwise; NULL
 * while the page is empty. */
const char *dv_views_page_get_object_title (DvViewsPage *self);

/* A PNG dropped on one view's slot, or opened with that view chosen: a single view fills that slot (a new
 * object when none is shown), a 4:1 strip all four. On failure the object
 * shown stays as it was. */
gboolean dv_views_page_open_in_slot (DvViewsPage *self, GFile *file, DvView view, GError **error);

/* Wavefront OBJ models (Ctrl+O on this page, or a drop): rendered by the
 * engine into the four views, which become the object shown (front given);
 * the true views are then known. The up axis of the file, and a turn about
 * it in quarter turns (which side is the front), can change afterwards: the
 * views are rendered again. Imports run on a worker; a bad file gives a toast
 * and leaves the object shown. */
typedef enum { DV_VIEWS_UP_Y, DV_VIEWS_UP_Z } DvViewsUpAxis;
gboolean dv_views_page_import_obj (DvViewsPage *self, GFile *file, DvViewsUpAxis up, GError **error);
gboolean dv_views_page_get_importing (DvViewsPage *self);
void dv_views_page_set_obj_orientation (DvViewsPage *self, DvViewsUpAxis up, int turn);
/* FALSE while the object shown is not an imported model. */
gboolean dv_views_page_get_obj_orientation (DvViewsPage *self, DvViewsUpAxis *up, int *turn);

/* Generation (views.generate, Ctrl+Return; views.cancel, Escape). The
 * weights are data/weights/views/{autoencoder,score}.safetensors, or those in
 * the folder $DIMVIDA_VIEWS_WEIGHTS when set; refresh_weights looks again. */
void dv_views_page_refresh_weights (DvViewsPage *self);
gboolean dv_views_page_get_generating (DvViewsPage *self);
/* Live frames shown during the running or last generation. */
guint64 dv_views_page_get_live_frames (DvViewsPage *self);
/* The time from the first of them to the last (the sampler's run as the page saw it), 0 with fewer than two. */
double dv_views_page_get_live_seconds (DvViewsPage *self);
/* The last run's kept frames (0 without one), the one shown, and scrubbing to another. */
guint dv_views_page_get_n_frames (DvViewsPage *self);
guint dv_views_page_get_frame (DvViewsPage *self);
void dv_views_page_show_frame (DvViewsPage *self, guint index);
/* Show the model's estimate x̂₀ rather than the state x_t. */
void dv_views_page_set_show_estimate (DvViewsPage *self, gboolean estimate);
/* PSNR (dB) and SSIM of a generated view against its true one, when known. */
gboolean dv_views_page_get_metrics (DvViewsPage *self, DvView view, double *psnr, double *ssim);
/* The last run's views, given and generated, side by side (each view scale² pixels per view pixel). */
gboolean dv_views_page_export_strip (DvViewsPage *self, const char *path, int scale, GError **error);
/* The unfolding, as x_t or x̂₀ as shown: a contact sheet (up to 12 evenly
 * spaced kept steps as rows of 4 views), or every kept step's strip in dir as
 * xt-NNNN.png and x0-NNNN.png (NNNN the step). */
gboolean dv_views_page_export_contact_sheet (DvViewsPage *self, const char *path, GError **error);
gboolean dv_views_page_export_frames (DvViewsPage *self, const char *dir, GError **error);
/* Variations: the rows of the last run (one per variation), and a view of one of them ([3][64][64]). */
guint dv_views_page_get_n_variation_rows (DvViewsPage *self);
gboolean dv_views_page_get_variation_view (DvViewsPage *self, guint variation, DvView view, float *chw);
/* The latent map: the shipped PCA's cloud, the paths of the run shown. */
DvLatentPlot *dv_views_page_get_latent_plot (DvViewsPage *self);
/* Its settings and metrics. */
gboolean dv_views_page_export_json (DvViewsPage *self, const char *path, GError **error);

/* For the Votes page. The views to classify into views [4][3][64][64] (RGB in
 * [0, 1], the model's layout; may be NULL): real_mask the given views (loaded
 * images), generated_mask those of the last finished generation (0 without
 * one). FALSE while no view is given. "views-changed" says when they change. */
gboolean dv_views_page_get_views (DvViewsPage *self, float *views, guint *real_mask, guint *generated_mask);
/* The class index of a sample shown, -1 when unknown. */
int dv_views_page_get_true_class (DvViewsPage *self);
/* Generate again with a new seed; FALSE (nothing started) when Generate cannot run, the reason then
 * dv_views_page_get_generate_blocked_reason (NULL when it can). */
gboolean dv_views_page_regenerate (DvViewsPage *self);
const char *dv_views_page_get_generate_blocked_reason (DvViewsPage *self);

G_END_DECLS
