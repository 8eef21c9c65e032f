/* The Views page's latent map: see dv-latent-plot.h. */
#include "dv-latent-plot.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define MARGIN 12.0
#define CLOUD_RADIUS 1.6
#define CLOUD_ALPHA_LIGHT 0.16
#define CLOUD_ALPHA_DARK 0.22
#define HEAD_RADIUS 5.0

struct _DvLatentPlot
{
  GtkDrawingArea parent_instance;

  float *cloud;
  guint8 *cloud_views;
  int n_cloud;
  double x0, x1, y0, y1; /* the limits, fitted to the cloud and the marks */

  float *paths;
  int *path_views;
  int n_paths, n_frames;

  float given_xy[8], truth_xy[8];
  guint given_mask, truth_mask;
  char *caption;

  /* The cloud drawn once per size and style. */
  cairo_surface_t *layer;
  int layer_width, layer_height;
  double layer_scale;
  gboolean layer_dark;

  guint draw_count;
};

G_DEFINE_FINAL_TYPE (DvLatentPlot, dv_latent_plot, GTK_TYPE_DRAWING_AREA)

/* The views' colours, as the legend names them. */
static const DvPlotColor view_colors[4] = { DV_PLOT_BLUE, DV_PLOT_ORANGE, DV_PLOT_GREEN, DV_PLOT_PURPLE };

static void
drop_layer (DvLatentPlot *self)
{
  g_clear_pointer (&self->layer, cairo_surface_destroy);
}

static void
fit_limits (DvLatentPlot *self)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int i = 0; i < self->n_cloud; i++)
    {
      x0 = MIN (x0, self->cloud[2 * i]), x1 = MAX (x1, self->cloud[2 * i]);
      y0 = MIN (y0, self->cloud[2 * i + 1]), y1 = MAX (y1, self->cloud[2 * i + 1]);
    }
  for (int v = 0; v < 4; v++)
    for (int k = 0; k < 2; k++)
      {
        const float *xy = k ? self->truth_xy : self->given_xy;
        if (((k ? self->truth_mask : self->given_mask) >> v) & 1u)
          {
            x0 = MIN (x0, xy[2 * v]), x1 = MAX (x1, xy[2 * v]);
            y0 = MIN (y0, xy[2 * v + 1]), y1 = MAX (y1, xy[2 * v + 1]);
          }
      }
  if (!(x1 > x0) || !(y1 > y0))
    x0 = y0 = -1, x1 = y1 = 1;
  double mx = 0.06 * (x1 - x0), my = 0.06 * (y1 - y0);
  self->x0 = x0 - mx, self->x1 = x1 + mx, self->y0 = y0 - my, self->y1 = y1 + my;
}

typedef struct {
  double scale, cx, cy;
} Frame;

static void
to_widget (const DvLatentPlot *self, const Frame *f, double x, double y, double *wx, double *wy)
{
  *wx = f->cx + (x - 0.5 * (self->x0 + self->x1)) * f->scale;
  *wy = f->cy - (y - 0.5 * (self->y0 + self->y1)) * f->scale;
}

static void
draw_cloud (DvLatentPlot *self, cairo_t *cr, const DvPlotStyle *style, const Frame *f)
{
  dv_plot_set_source (cr, &style->foreground, style->dark ? CLOUD_ALPHA_DARK : CLOUD_ALPHA_LIGHT);
  for (int i = 0; i < self->n_cloud; i++)
    {
      double x, y;
      to_widget (self, f, self->cloud[2 * i], self->cloud[2 * i + 1], &x, &y);
      cairo_rectangle (cr, x - CLOUD_RADIUS, y - CLOUD_RADIUS, 2 * CLOUD_RADIUS, 2 * CLOUD_RADIUS);
    }
  cairo_fill (cr);
}

static void
render (DvLatentPlot *self, cairo_t *cr, int width, int height, gboolean use_cache, double pixel_scale)
{
  DvPlotStyle style;
  dv_plot_style_from_widget (GTK_WIDGET (self), &style);
  dv_plot_set_source (cr, &style.background, 1);
  cairo_paint (cr);

  /* Title and caption, then the legend, above the frame so that nothing hides the paths. */
  double top = MARGIN, th = 0;
  dv_plot_set_source (cr, &style.foreground, 1);
  dv_plot_text (cr, _("Latent map"), DV_PLOT_TITLE_PX, TRUE, MARGIN, top, DV_TEXT_LEFT, NULL, &th);
  top += th + 2;
  if (self->caption != NULL && self->caption[0] != '\0')
    {
      dv_plot_set_source (cr, &style.foreground, 0.75);
      top += dv_plot_text_wrapped (cr, self->caption, DV_PLOT_FONT_PX * 0.9, FALSE, MARGIN, top, width - 2 * MARGIN,
                                   2, TRUE) + 4;
    }
  const DvLegendEntry legend[] = {
    { &style.palette[view_colors[0]], FALSE, DV_LEGEND_LINE, C_("view", "Front") },
    { &style.palette[view_colors[1]], FALSE, DV_LEGEND_LINE, C_("view", "Right") },
    { &style.palette[view_colors[2]], FALSE, DV_LEGEND_LINE, C_("view", "Back") },
    { &style.palette[view_colors[3]], FALSE, DV_LEGEND_LINE, C_("view", "Left") },
    { &style.foreground, FALSE, DV_LEGEND_PATCH, _("given") },
    { &style.foreground, FALSE, DV_LEGEND_RING, _("true view") },
    { &style.foreground, FALSE, DV_LEGEND_DOT, _("training views") },
  };
  top += dv_plot_legend_row (cr, &style, legend, G_N_ELEMENTS (legend), MARGIN, top, width - 2 * MARGIN,
                             DV_TEXT_LEFT, TRUE) + 6;

  /* Equal units on both axes, centred. */
  double fw = width - 2 * MARGIN, fh = height - top - MARGIN;
  if (fw < 20 || fh < 20)
    return;
  Frame f;
  f.scale = MIN (fw / (self->x1 - self->x0), fh / (self->y1 - self->y0));
  f.cx = MARGIN + fw / 2, f.cy = top + fh / 2;
  double left = f.cx - 0.5 * (self->x1 - self->x0) * f.scale, right = f.cx + 0.5 * (self->x1 - self->x0) * f.scale;
  double ftop = f.cy - 0.5 * (self->y1 - self->y0) * f.scale, bottom = f.cy + 0.5 * (self->y1 - self->y0) * f.scale;

  cairo_save (cr);
  cairo_rectangle (cr, left, ftop, right - left, bottom - ftop);
  cairo_clip (cr);
  if (self->n_cloud > 0)
    {
      if (use_cache)
        {
          if (self->layer == NULL || self->layer_width != width || self->layer_height != height
              || self->layer_scale != pixel_scale || self->layer_dark != style.dark)
            {
              drop_layer (self);
              self->layer = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width * pixel_scale),
                                                        (int) ceil (height * pixel_scale));
              cairo_surface_set_device_scale (self->layer, pixel_scale, pixel_scale);
              cairo_t *layer_cr = cairo_create (self->layer);
              draw_cloud (self, layer_cr, &style, &f);
              cairo_destroy (layer_cr);
              self->layer_width = width, self->layer_height = height;
              self->layer_scale = pixel_scale, self->layer_dark = style.dark;
            }
          cairo_set_source_surface (cr, self->layer, 0, 0);
          cairo_paint (cr);
        }
      else
        draw_cloud (self, cr, &style, &f);
    }

  /* The paths, then where each is now. */
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, 2.0);
  for (int p = 0; p < self->n_paths && self->n_frames > 0; p++)
    {
      dv_plot_set_source (cr, &style.palette[view_colors[self->path_views[p] & 3]], 0.75);
      for (int t = 0; t < self->n_frames; t++)
        {
          const float *pt = self->paths + ((size_t) t * self->n_paths + p) * 2;
          double x, y;
          to_widget (self, &f, pt[0], pt[1], &x, &y);
          if (t == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }
  for (int p = 0; p < self->n_paths && self->n_frames > 0; p++)
    {
      const float *pt = self->paths + ((size_t) (self->n_frames - 1) * self->n_paths + p) * 2;
      double x, y;
      to_widget (self, &f, pt[0], pt[1], &x, &y);
      cairo_arc (cr, x, y, HEAD_RADIUS, 0, 2 * G_PI);
      dv_plot_set_source (cr, &style.palette[view_colors[self->path_views[p] & 3]], 1);
      cairo_fill_preserve (cr);
      dv_plot_set_source (cr, &style.background, 1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  for (int v = 0; v < 4; v++)
    {
      double x, y;
      if ((self->truth_mask >> v) & 1u)
        {
          to_widget (self, &f, self->truth_xy[2 * v], self->truth_xy[2 * v + 1], &x, &y);
          cairo_arc (cr, x, y, 8, 0, 2 * G_PI);
          dv_plot_set_source (cr, &style.palette[view_colors[v]], 1);
          cairo_set_line_width (cr, 2.5);
          cairo_stroke (cr);
        }
      if ((self->given_mask >> v) & 1u)
        {
          to_widget (self, &f, self->given_xy[2 * v], self->given_xy[2 * v + 1], &x, &y);
          cairo_rectangle (cr, x - 6, y - 6, 12, 12);
          dv_plot_set_source (cr, &style.palette[view_colors[v]], 1);
          cairo_fill_preserve (cr);
          dv_plot_set_source (cr, &style.background, 1);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  dv_plot_set_source (cr, &style.foreground, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, round (left) + 0.5, round (ftop) + 0.5, round (right - left) - 1, round (bottom - ftop) - 1);
  cairo_stroke (cr);
  if (self->n_cloud == 0)
    {
      dv_plot_set_source (cr, &style.foreground, 0.6);
      dv_plot_text (cr, _("No latent map"), DV_PLOT_FONT_PX, FALSE, f.cx, f.cy - DV_PLOT_FONT_PX, DV_TEXT_CENTER,
                    NULL, NULL);
    }
}

void
dv_latent_plot_render (DvLatentPlot *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (DV_IS_LATENT_PLOT (self));
  render (self, cr, width, height, FALSE, 1);
}

static void
draw_func (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  DvLatentPlot *self = DV_LATENT_PLOT (area);
  double zoom = dv_plot_begin_zoomed (GTK_WIDGET (area), cr, &width, &height);
  render (self, cr, width, height, TRUE, gtk_widget_get_scale_factor (GTK_WIDGET (area)) * zoom);
  self->draw_count++;
}

static void
on_style_changed (GtkWidget *widget)
{
  drop_layer (DV_LATENT_PLOT (widget));
}

void
dv_latent_plot_set_cloud (DvLatentPlot *self, const float *xy, const guint8 *views, int n)
{
  g_return_if_fail (DV_IS_LATENT_PLOT (self));
  g_clear_pointer (&self->cloud, g_free);
  g_clear_pointer (&self->cloud_views, g_free);
  self->n_cloud = MAX (n, 0);
  if (n > 0)
    {
      self->cloud = g_memdup2 (xy, sizeof (float) * 2 * n);
      self->cloud_views = g_memdup2 (views, n);
    }
  fit_limits (self);
  drop_layer (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_latent_plot_set_paths (DvLatentPlot *self, const float *paths, int n_paths, int n_frames, const int *path_views)
{
  g_return_if_fail (DV_IS_LATENT_PLOT (self));
  if (paths == NULL || n_frames <= 0 || n_paths <= 0)
    n_paths = n_frames = 0;
  size_t floats = (size_t) n_paths * n_frames * 2;
  /* Live, the paths only grow: the buffer is reused. */
  if (n_paths != self->n_paths || n_frames > self->n_frames || self->paths == NULL)
    {
      g_free (self->paths);
      self->paths = floats > 0 ? g_new (float, floats) : NULL;
      g_free (self->path_views);
      self->path_views = n_paths > 0 ? g_new (int, n_paths) : NULL;
    }
  if (floats > 0)
    {
      memcpy (self->paths, paths, sizeof (float) * floats);
      memcpy (self->path_views, path_views, sizeof (int) * n_paths);
    }
  self->n_paths = n_paths, self->n_frames = n_frames;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_latent_plot_set_marks (DvLatentPlot *self, const float *given_xy, guint given_mask, const float *truth_xy,
                          guint truth_mask)
{
  g_return_if_fail (DV_IS_LATENT_PLOT (self));
  self->given_mask = given_xy ? given_mask & 0xfu : 0;
  self->truth_mask = truth_xy ? truth_mask & 0xfu : 0;
  if (given_xy)
    memcpy (self->given_xy, given_xy, sizeof self->given_xy);
  if (truth_xy)
    memcpy (self->truth_xy, truth_xy, sizeof self->truth_xy);
  double limits[4] = { self->x0, self->x1, self->y0, self->y1 };
  fit_limits (self);
  if (limits[0] != self->x0 || limits[1] != self->x1 || limits[2] != self->y0 || limits[3] != self->y1)
    drop_layer (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dv_latent_plot_set_caption (DvLatentPlot *self, const char *caption)
{
  g_return_if_fail (DV_IS_LATENT_PLOT (self));
  if (g_strcmp0 (caption, self->caption) == 0)
    return;
  g_free (self->caption);
  self->caption = g_strdup (caption);
  drop_layer (self); /* the frame may move */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
dv_latent_plot_get_n_cloud (DvLatentPlot *self)
{
  g_return_val_if_fail (DV_IS_LATENT_PLOT (self), 0);
  return self->n_cloud;
}

int
dv_latent_plot_get_n_paths (DvLatentPlot *self)
{
  g_return_val_if_fail (DV_IS_LATENT_PLOT (self), 0);
  return self->n_paths;
}

int
dv_latent_plot_get_n_frames (DvLatentPlot *self)
{
  g_return_val_if_fail (DV_IS_LATENT_PLOT (self), 0);
  return self->n_frames;
}

gboolean
dv_latent_plot_get_head (DvLatentPlot *self, int path, float *x, float *y)
{
  g_return_val_if_fail (DV_IS_LATENT_PLOT (self), FALSE);
  if (path < 0 || path >= self->n_paths || self->n_frames == 0)
    return FALSE;
  const float *pt = self->paths + ((size_t) (self->n_frames - 1) * self->n_paths + path) * 2;
  *x = pt[0], *y = pt[1];
  return TRUE;
}

guint
dv_latent_plot_get_draw_count (DvLatentPlot *self)
{
  g_return_val_if_fail (DV_IS_LATENT_PLOT (self), 0);
  return self->draw_count;
}

static void
dv_latent_plot_finalize (GObject *object)
{
  DvLatentPlot *self = DV_LATENT_PLOT (object);
  drop_layer (self);
  g_free (self->cloud);
  g_free (self->cloud_views);
  g_free (self->paths);
  g_free (self->path_views);
  g_free (self->caption);
  G_OBJECT_CLASS (dv_latent_plot_parent_class)->finalize (object);
}

static void
dv_latent_plot_class_init (DvLatentPlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dv_latent_plot_finalize;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
  GTK_WIDGET_CLASS (klass)->measure = dv_plot_measure;
}

static void
dv_latent_plot_init (DvLatentPlot *self)
{
  fit_limits (self);
  dv_plot_set_base_size (GTK_WIDGET (self), 240, 240);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_func, NULL, NULL);
  dv_plot_follow_style (GTK_WIDGET (self), G_CALLBACK (on_style_changed));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Latent map"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Each missing view's latent, projected on the two main directions of the training "
                                 "views' latents, as the reverse process moves it"));
}

GtkWidget *
dv_latent_plot_new (void)
{
  return g_object_new (DV_TYPE_LATENT_PLOT, NULL);
}
