#pragma once

#include <gtk/gtk.h>

#include "dv-plot-common.h"

G_BEGIN_DECLS

/* The Views page's latent map: the 2D projection (PCA) of the training
 * views' latents as a faint cloud, and over it the paths the missing views'
 * latents take during the reverse process, one colour per view (front blue,
 * right orange, back green, left purple), with a dot where each is now; the
 * given views' latents as squares and the true ones, when known, as rings.
 * Axes keep equal units and stay fitted to the cloud, so that a run's paths
 * can be followed from noise to their place on it. */
#define DV_TYPE_LATENT_PLOT (dv_latent_plot_get_type ())
G_DECLARE_FINAL_TYPE (DvLatentPlot, dv_latent_plot, DV, LATENT_PLOT, GtkDrawingArea)

GtkWidget *dv_latent_plot_new (void);

/* xy[n][2], views[n] (0–3): copied. n 0 clears the cloud. */
void dv_latent_plot_set_cloud (DvLatentPlot *self, const float *xy, const guint8 *views, int n);
/* paths: n_frames frames of n_paths points (x, y), frame-major; path_views[n_paths] the colour of each. NULL or
 * n_frames 0 removes them. Copied. */
void dv_latent_plot_set_paths (DvLatentPlot *self, const float *paths, int n_paths, int n_frames,
                               const int *path_views);
/* xy[4][2] of the given views (bit v of given_mask) and of the true views of missing ones (truth_mask). */
void dv_latent_plot_set_marks (DvLatentPlot *self, const float *given_xy, guint given_mask, const float *truth_xy,
                               guint truth_mask);
void dv_latent_plot_set_caption (DvLatentPlot *self, const char *caption);

/* For tests and the bench. */
int dv_latent_plot_get_n_cloud (DvLatentPlot *self);
int dv_latent_plot_get_n_paths (DvLatentPlot *self);
int dv_latent_plot_get_n_frames (DvLatentPlot *self);
/* The newest point of path p, FALSE when there is none. */
gboolean dv_latent_plot_get_head (DvLatentPlot *self, int path, float *x, float *y);
guint dv_latent_plot_get_draw_count (DvLatentPlot *self);
/* Draws into any Cairo context of the given logical size (exports, tests). */
void dv_latent_plot_render (DvLatentPlot *self, cairo_t *cr, int width, int height);

G_END_DECLS
