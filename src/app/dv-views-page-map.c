/* The Views page's latent map (the shipped PCA of the training latents as a
 * cloud, and the missing views' paths over it, live and replayed) and the
 * rows of a run's variations. */
#include "dv-views-page-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/data_file.h"

#define ROW_VIEW_SIDE 72

static const char *
view_name (int view)
{
  switch (view)
    {
    case 0: return C_("view", "Front");
    case 1: return C_("view", "Right");
    case 2: return C_("view", "Back");
    default: return C_("view", "Left");
    }
}

/* $DIMVIDA_VIEWS_WEIGHTS/latent-map.safetensors when that is set, else the shipped one. */
static char *
find_map (void)
{
  const char *dir = g_getenv ("DIMVIDA_VIEWS_WEIGHTS");
  if (dir != NULL && dir[0] != '\0')
    {
      char *path = g_build_filename (dir, "latent-map.safetensors", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
      return NULL;
    }
  g_autofree char *relative = g_build_filename ("weights", "views", "latent-map.safetensors", NULL);
  return dv_find_data_file (relative, NULL);
}

static void
set_problem (DvViewsPage *self, const char *problem)
{
  g_free (self->map_problem);
  self->map_problem = g_strdup (problem);
  gtk_label_set_text (self->map_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->map_label), problem != NULL);
}

/* Reads the map (a small file) again: the weights' folder may have changed. */
void
_dv_views_page_map_reload (DvViewsPage *self)
{
  dv_latent_map_clear (&self->map);
  g_autofree char *path = find_map ();
  g_autoptr (GError) error = NULL;
  if (path == NULL)
    set_problem (self, _("No latent map is installed (weights/views/latent-map.safetensors): the paths cannot be "
                         "drawn"));
  else if (!dv_latent_map_load (&self->map, path, &error))
    {
      /* Translators: why the latent map could not be read follows. */
      g_autofree char *message = g_strdup_printf (_("The latent map could not be read: %s"), error->message);
      set_problem (self, message);
    }
  else
    set_problem (self, NULL);
  dv_latent_plot_set_cloud (self->latent_plot, self->map.points, self->map.point_views, self->map.n_points);
  g_autofree char *caption = NULL;
  if (self->map.n_points > 0)
    /* Translators: the latent map's caption; %d is a count of points, the two %.0f are percentages. */
    caption = g_strdup_printf (_("%d training views' latents on their two main directions (PCA: %.0f %% and "
                                 "%.0f %% of the variance). Watch the missing views' latents move from noise "
                                 "onto the cloud."),
                               self->map.n_points, 100 * self->map.explained[0], 100 * self->map.explained[1]);
  dv_latent_plot_set_caption (self->latent_plot, caption);
}

void
_dv_views_page_map_mismatch (DvViewsPage *self)
{
  dv_latent_map_clear (&self->map);
  dv_latent_plot_set_cloud (self->latent_plot, NULL, NULL, 0);
  dv_latent_plot_set_caption (self->latent_plot, NULL);
  set_problem (self, _("The latent map was made for another autoencoder than the one installed: it is not shown"));
}

void
_dv_views_page_show_path (DvViewsPage *self, ViewsPath *path, int n)
{
  if (path == NULL || self->map.n_points == 0)
    {
      dv_latent_plot_set_paths (self->latent_plot, NULL, 0, 0, NULL);
      dv_latent_plot_set_marks (self->latent_plot, NULL, 0, NULL, 0);
      return;
    }
  int available = g_atomic_int_get (&path->n);
  n = n < 0 ? available : MIN (n, available);
  const int K = path->variations, kind = self->gen.show_estimate ? 1 : 0;
  int missing[4], n_missing = 0;
  for (int v = 0; v < 4; v++)
    if (!((path->given_mask >> v) & 1u))
      missing[n_missing++] = v;
  const int n_paths = K * n_missing;
  g_autofree float *xy = g_new (float, (size_t) MAX (n, 1) * n_paths * 2);
  int views[16];
  for (int k = 0; k < K; k++)
    for (int i = 0; i < n_missing; i++)
      views[k * n_missing + i] = missing[i];
  for (int t = 0; t < n; t++)
    {
      const float *record = path->xy + (size_t) t * VIEWS_PATH_RECORD (K) + (size_t) kind * K * 4 * 2;
      for (int k = 0; k < K; k++)
        for (int i = 0; i < n_missing; i++)
          memcpy (xy + ((size_t) t * n_paths + k * n_missing + i) * 2, record + (k * 4 + missing[i]) * 2,
                  sizeof (float) * 2);
    }
  dv_latent_plot_set_paths (self->latent_plot, xy, n_paths, n, views);
  if (n > 0)
    dv_latent_plot_set_marks (self->latent_plot, path->given_xy, path->given_mask, path->truth_xy, path->truth_mask);
}

/* ---- Variations ---- */

/* A view [3][S][S] enlarged by nearest neighbour to side × side. */
static GdkTexture *
view_texture (const float *chw, int side)
{
  const int P = VIEW_SIDE * VIEW_SIDE;
  guint8 *rgb = g_malloc ((gsize) side * side * 3);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        int sy = y * VIEW_SIDE / side, sx = x * VIEW_SIDE / side;
        for (int c = 0; c < 3; c++)
          rgb[((size_t) y * side + x) * 3 + c] =
            (guint8) (CLAMP (chw[c * P + sy * VIEW_SIDE + sx], 0.0f, 1.0f) * 255.0f + 0.5f);
      }
  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, (gsize) side * side * 3);
  return gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8, bytes, (gsize) side * 3);
}

static GtkWidget *
variation_row (const ViewsRun *run, int k)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *number = g_strdup_printf ("%d", k + 1);
  GtkWidget *label = gtk_label_new (number);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (label), 2);
  gtk_box_append (GTK_BOX (row), label);
  double psnr = 0, ssim = 0;
  int measured = 0;
  for (int v = 0; v < 4; v++)
    {
      gboolean given = (run->given_mask >> v) & 1u;
      g_autoptr (GdkTexture) texture = view_texture (run->variation_views + ((size_t) k * 4 + v) * VIEW_FLOATS,
                                                     ROW_VIEW_SIDE);
      GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
      gtk_widget_add_css_class (picture, "dv-variation-view");
      gtk_widget_set_opacity (picture, given ? 0.45 : 1.0);
      /* Translators: a view in a variation's row: its number, the view, and whether it was given or generated. */
      g_autofree char *name = g_strdup_printf (_("Variation %d, %s view: %s"), k + 1, view_name (v),
                                               given ? _("given") : _("generated"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_widget_set_tooltip_text (picture, name);
      gtk_box_append (GTK_BOX (row), picture);
      if (!isnan (run->psnr[k * 4 + v]))
        psnr += run->psnr[k * 4 + v], ssim += run->ssim[k * 4 + v], measured++;
    }
  if (measured > 0)
    {
      /* Translators: a variation's mean image quality against the true views: PSNR in dB, then SSIM. */
      g_autofree char *text = g_strdup_printf (_("PSNR %.1f dB\nSSIM %.3f"), psnr / measured, ssim / measured);
      GtkWidget *metrics = gtk_label_new (text);
      gtk_widget_add_css_class (metrics, "caption");
      gtk_widget_add_css_class (metrics, "numeric");
      gtk_label_set_xalign (GTK_LABEL (metrics), 0);
      gtk_box_append (GTK_BOX (row), metrics);
    }
  return row;
}

void
_dv_views_page_show_variations (DvViewsPage *self)
{
  if (self->variation_rows == NULL) /* disposed */
    return;
  for (guint i = 0; i < self->variation_rows->len; i++)
    gtk_box_remove (self->variations_box, g_ptr_array_index (self->variation_rows, i));
  g_ptr_array_set_size (self->variation_rows, 0);
  const ViewsRun *run = self->gen.run;
  if (run != NULL)
    for (int k = 0; k < run->variations; k++)
      {
        GtkWidget *row = variation_row (run, k);
        g_ptr_array_add (self->variation_rows, row);
        gtk_box_append (self->variations_box, row);
      }
  gboolean some = run != NULL && run->variations > 1;
  gtk_label_set_text (self->variations_label,
                      run == NULL ? _("Generate to see the variations: each row is another sample from the same "
                                      "given views.")
                      : some      ? _("Each row is another sample from the same given views: what changes between "
                                      "rows is what the given views leave uncertain.")
                                  : _("One variation: set Variations above 1 to draw several samples at once."));
}

guint
dv_views_page_get_n_variation_rows (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), 0);
  return self->variation_rows->len;
}

gboolean
dv_views_page_get_variation_view (DvViewsPage *self, guint variation, DvView view, float *chw)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  const ViewsRun *run = self->gen.run;
  if (run == NULL || variation >= (guint) run->variations || view >= 4)
    return FALSE;
  memcpy (chw, run->variation_views + ((size_t) variation * 4 + view) * VIEW_FLOATS, sizeof (float) * VIEW_FLOATS);
  return TRUE;
}

DvLatentPlot *
dv_views_page_get_latent_plot (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  return self->latent_plot;
}

void
_dv_views_page_map_init (DvViewsPage *self)
{
  self->variation_rows = g_ptr_array_new ();
  dv_latent_map_init (&self->map);
  _dv_views_page_map_reload (self);
  _dv_views_page_show_variations (self);
}

void
_dv_views_page_map_dispose (DvViewsPage *self)
{
  dv_latent_map_clear (&self->map);
  g_clear_pointer (&self->map_problem, g_free);
  g_clear_pointer (&self->variation_rows, g_ptr_array_unref);
}
