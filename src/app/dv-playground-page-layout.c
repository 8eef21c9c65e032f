/* The Playground page's layout: when the settings fold away (the zoom
 * decides, as well as the width), and its toasts, which wait for a window. */
#include "dv-playground-page-private.h"

#include "dv-plot-common.h"
#include "dv-window.h"

#include <math.h>


/* ---- Folding the settings ---- */

/* The settings sit beside the plots while the plots keep the width they
 * need at the current zoom; narrower than that, they fold away and slide
 * over the plots (below the toolbar, which stays in sight). */
#define SIDEBAR_WIDTH 360
#define PLOTS_MIN_WIDTH 640
/* The loss and divergence charts: their base height (dv-curve-plot.c) and
 * the most of the page's height they take when zoomed. */
#define CHART_BASE_HEIGHT 165
#define CHART_SHARE 0.25

/* The page's layout: its one child, as GtkBinLayout does, with the fold
 * decided from the width it is given. */
#define DV_TYPE_PLAYGROUND_LAYOUT (dv_playground_layout_get_type ())
G_DECLARE_FINAL_TYPE (DvPlaygroundLayout, dv_playground_layout, DV, PLAYGROUND_LAYOUT, GtkLayoutManager)

struct _DvPlaygroundLayout {
  GtkLayoutManager parent_instance;
};

G_DEFINE_FINAL_TYPE (DvPlaygroundLayout, dv_playground_layout, GTK_TYPE_LAYOUT_MANAGER)

static void
layout_measure (GtkLayoutManager *manager, GtkWidget *widget, GtkOrientation orientation, int for_size,
                int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);
  *minimum = *natural = 0;
  *minimum_baseline = *natural_baseline = -1;
  if (child && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

gboolean
_dv_playground_page_should_fold (int width, double zoom)
{
  return width - SIDEBAR_WIDTH < PLOTS_MIN_WIDTH * zoom;
}

static void
layout_allocate (GtkLayoutManager *manager, GtkWidget *widget, int width, int height, int baseline)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  if (self->controls.flap) {
    AdwFlapFoldPolicy policy = _dv_playground_page_should_fold (width, dv_plot_get_zoom (widget))
                                 ? ADW_FLAP_FOLD_POLICY_ALWAYS
                                 : ADW_FLAP_FOLD_POLICY_NEVER;
    if (adw_flap_get_fold_policy (ADW_FLAP (self->controls.flap)) != policy)
      adw_flap_set_fold_policy (ADW_FLAP (self->controls.flap), policy);
  }
  /* The small charts grow with the zoom only up to a share of the height:
   * the samples plot gets the rest (a box would share the room evenly). */
  for (int i = 0; i < 2; i++) {
    GtkWidget *chart = GTK_WIDGET (i == 0 ? self->plots.loss_plot : self->plots.divergence_plot);
    if (chart == NULL)
      continue;
    double zoom = dv_plot_get_zoom (chart);
    double growth = MIN (1.0, MAX (CHART_BASE_HEIGHT, CHART_SHARE * height) / (CHART_BASE_HEIGHT * zoom));
    if (fabs (dv_plot_get_natural_growth (chart) - growth) > 0.01)
      dv_plot_set_natural_growth (chart, growth);
  }
  GtkWidget *child = gtk_widget_get_first_child (widget);
  if (child && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
dv_playground_layout_class_init (DvPlaygroundLayoutClass *klass)
{
  GtkLayoutManagerClass *manager_class = GTK_LAYOUT_MANAGER_CLASS (klass);
  manager_class->measure = layout_measure;
  manager_class->allocate = layout_allocate;
}

static void
dv_playground_layout_init (DvPlaygroundLayout *self)
{
}

void
_dv_playground_page_class_layout_init (DvPlaygroundPageClass *klass)
{
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), DV_TYPE_PLAYGROUND_LAYOUT);
}

/* ---- Toasts ---- */

void
_dv_playground_page_show_toast (DvPlaygroundPage *self, const char *message)
{
  g_free (self->toasts.last);
  self->toasts.last = g_strdup (message);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root == NULL || !DV_IS_WINDOW (root)) {
    /* The page loads its first run while it is built: say it once it is in a window. */
    g_free (self->toasts.pending);
    self->toasts.pending = g_strdup (message);
    return;
  }
    dv_window_show_toast (DV_WINDOW (root), message);
}

static gboolean
show_pending_toast (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  g_autofree char *message = g_steal_pointer (&self->toasts.pending);
  if (message)
    _dv_playground_page_show_toast (self, message);
  return G_SOURCE_REMOVE;
}

void
_dv_playground_page_on_root_changed (DvPlaygroundPage *self, GParamSpec *pspec, gpointer unused)
{
  /* On the next turn of the loop: the window is still being built now. */
  if (self->toasts.pending && gtk_widget_get_root (GTK_WIDGET (self)))
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_pending_toast, g_object_ref (self), g_object_unref);
}

