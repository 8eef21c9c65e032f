/* The Views page's exports: the 4-view strip of the last run (64×64 views,
 * or upscaled by nearest neighbour), the unfolding as a contact sheet (steps
 * × views) or a folder of frames, the run's settings and metrics as JSON;
 * the file chooser they share. */
#include "dv-views-page-private.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "io/png.h"

#define JSON_FORMAT "dimvida-views-run-1"
#define LARGE_SCALE 4
#define CONTACT_SHEET_ROWS 12

typedef gboolean (*PageFileFunc) (DvViewsPage *self, const char *path, GError **error);

static gboolean
check_run (DvViewsPage *self, GError **error)
{
  if (self->gen.run == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("Nothing to export yet: generate the missing views first"));
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_views_page_export_strip (DvViewsPage *self, const char *path, int scale, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_return_val_if_fail (scale >= 1 && scale <= 16, FALSE);
  if (!check_run (self, error))
    return FALSE;
  const int side = VIEW_SIDE * scale, width = 4 * side, P = VIEW_SIDE * VIEW_SIDE;
  g_autofree guint8 *rgb = g_malloc ((gsize) width * side * 3);
  const float *views = self->gen.run->views;
  for (int y = 0; y < side; y++)
    for (int x = 0; x < width; x++)
      {
        int v = x / side, sx = (x % side) / scale, sy = y / scale;
        const float *view = views + (size_t) v * VIEW_FLOATS;
        for (int c = 0; c < 3; c++)
          rgb[((size_t) y * width + x) * 3 + c] =
            (guint8) (CLAMP (view[c * P + sy * VIEW_SIDE + sx], 0.0f, 1.0f) * 255.0f + 0.5f);
      }
  return dv_png_write_rgb8 (path, rgb, width, side, error);
}

/* One frame of the run as a 4-view strip [S][4S][3] into rgb (row stride 4S·3 · columns):
 * the given views as loaded, the missing ones as the frame shows them (x_t or x̂₀). */
static void
frame_strip (const ViewsRun *run, const ViewsFrame *frame, int kind, guint8 *rgb, size_t stride)
{
  const int P = VIEW_SIDE * VIEW_SIDE;
  for (int v = 0; v < 4; v++)
    for (int y = 0; y < VIEW_SIDE; y++)
      for (int x = 0; x < VIEW_SIDE; x++)
        {
          guint8 *q = rgb + (size_t) y * stride + ((size_t) v * VIEW_SIDE + x) * 3;
          if (frame->rgb[kind][v] != NULL)
            memcpy (q, frame->rgb[kind][v] + ((size_t) y * VIEW_SIDE + x) * 3, 3);
          else
            for (int c = 0; c < 3; c++)
              q[c] = (guint8) (CLAMP (run->views[(size_t) v * VIEW_FLOATS + c * P + y * VIEW_SIDE + x], 0.0f, 1.0f)
                                 * 255.0f + 0.5f);
        }
}

gboolean
dv_views_page_export_contact_sheet (DvViewsPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  if (!check_run (self, error))
    return FALSE;
  const ViewsRun *run = self->gen.run;
  /* Evenly spaced kept frames, the first (noise) and the last (the result) always. */
  const guint rows = MIN (run->frames->len, CONTACT_SHEET_ROWS);
  const int width = 4 * VIEW_SIDE, height = (int) rows * VIEW_SIDE;
  g_autofree guint8 *rgb = g_malloc ((gsize) width * height * 3);
  for (guint r = 0; r < rows; r++)
    {
      guint index = rows > 1 ? (guint) ((guint64) r * (run->frames->len - 1) / (rows - 1)) : 0;
      frame_strip (run, g_ptr_array_index (run->frames, index), self->gen.show_estimate ? 1 : 0,
                   rgb + (size_t) r * VIEW_SIDE * width * 3, (size_t) width * 3);
    }
  return dv_png_write_rgb8 (path, rgb, width, height, error);
}

gboolean
dv_views_page_export_frames (DvViewsPage *self, const char *dir, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  if (!check_run (self, error))
    return FALSE;
  const ViewsRun *run = self->gen.run;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, _("Could not create the folder %s"), dir);
      return FALSE;
    }
  const int width = 4 * VIEW_SIDE;
  g_autofree guint8 *rgb = g_malloc ((gsize) width * VIEW_SIDE * 3);
  const char *names[2] = { "xt", "x0" };
  for (int kind = 0; kind < 2; kind++)
    for (guint i = 0; i < run->frames->len; i++)
      {
        const ViewsFrame *frame = g_ptr_array_index (run->frames, i);
        frame_strip (run, frame, kind, rgb, (size_t) width * 3);
        g_autofree char *name = g_strdup_printf ("%s-%04d.png", names[kind], frame->step);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        if (!dv_png_write_rgb8 (path, rgb, width, VIEW_SIDE, error))
          return FALSE;
      }
  return TRUE;
}

static gboolean
export_strip_small (DvViewsPage *self, const char *path, GError **error)
{
  return dv_views_page_export_strip (self, path, 1, error);
}

static gboolean
export_strip_large (DvViewsPage *self, const char *path, GError **error)
{
  return dv_views_page_export_strip (self, path, LARGE_SCALE, error);
}

static void
add_double_or_null (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  if (isnan (value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, value);
}

gboolean
dv_views_page_export_json (DvViewsPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  if (!check_run (self, error))
    return FALSE;
  const ViewsRun *run = self->gen.run;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, JSON_FORMAT);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, self->object_title ? self->object_title : "");
  json_builder_set_member_name (builder, "sampler");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, dv_masked_sampler_kind_to_string (run->sampler.kind));
  json_builder_set_member_name (builder, "steps");
  json_builder_add_int_value (builder, run->sampler.steps);
  json_builder_set_member_name (builder, "network_calls");
  json_builder_add_int_value (builder, run->n_steps);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) run->sampler.seed);
  json_builder_set_member_name (builder, "t_min");
  json_builder_add_double_value (builder, run->sampler.t_min);
  if (run->sampler.kind == DV_MASKED_SAMPLER_REPAINT)
    {
      json_builder_set_member_name (builder, "jump_length");
      json_builder_add_int_value (builder, run->sampler.jump_length);
      json_builder_set_member_name (builder, "jump_n_sample");
      json_builder_add_int_value (builder, run->sampler.jump_n_sample);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "variations");
  json_builder_add_int_value (builder, run->variations);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, run->seconds);
  json_builder_set_member_name (builder, "views");
  json_builder_begin_array (builder);
  for (int v = 0; v < 4; v++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "view");
      json_builder_add_string_value (builder, _dv_views_page_view_id (v));
      json_builder_set_member_name (builder, "given");
      json_builder_add_boolean_value (builder, (run->given_mask >> v) & 1u);
      add_double_or_null (builder, "psnr", run->psnr[v]);
      add_double_or_null (builder, "ssim", run->ssim[v]);
      /* Every variation's, the first being the one above. */
      json_builder_set_member_name (builder, "variations");
      json_builder_begin_array (builder);
      for (int k = 0; k < run->variations; k++)
        {
          json_builder_begin_object (builder);
          add_double_or_null (builder, "psnr", run->psnr[k * 4 + v]);
          add_double_or_null (builder, "ssim", run->ssim[k * 4 + v]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  gsize length;
  g_autofree char *text = json_generator_to_data (generator, &length);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, text, (gssize) length, &local))
    {
      /* Translators: a file name, then why it could not be written. */
      g_set_error (error, DV_ERROR, DV_ERROR_IO, _("Could not write %s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- The chooser ---- */

static void
on_chooser_response (GtkNativeDialog *dialog, int response, DvViewsPage *self)
{
  PageFileFunc func = g_object_get_data (G_OBJECT (dialog), "dv-file-func");
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path != NULL && !func (self, path, &error))
        _dv_views_page_show_error (self, error->message);
      else if (path != NULL)
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *message = g_strdup_printf (_("Saved %s"), base);
          _dv_views_page_show_error (self, message);
        }
    }
  g_clear_object (&self->chooser);
}

/* A file to save (pattern given) or a folder to write into (pattern NULL). */
static void
choose_file (DvViewsPage *self, const char *title, const char *suggested, const char *pattern, PageFileFunc func)
{
  if (self->chooser != NULL)
    return;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    pattern ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Save"), _("_Cancel"));
  if (pattern != NULL)
    {
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_add_pattern (filter, pattern);
      gtk_file_filter_set_name (filter, pattern);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  g_object_set_data (G_OBJECT (chooser), "dv-file-func", func);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static char *
suggested_name (DvViewsPage *self, const char *suffix)
{
  g_autofree char *base = g_strdup (self->object_title ? self->object_title : "views");
  char *dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_strdelimit (base, " /\\", '-');
  return g_strconcat (base, suffix, NULL);
}

static void
file_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  if (g_str_equal (name, "page.export"))
    gtk_menu_button_popup (self->export_button);
  else if (g_str_equal (name, "views.export-strip"))
    {
      g_autofree char *suggested = suggested_name (self, "-views.png");
      choose_file (self, _("Export the 4-View Strip"), suggested, "*.png", export_strip_small);
    }
  else if (g_str_equal (name, "views.export-strip-large"))
    {
      g_autofree char *suggested = suggested_name (self, "-views-large.png");
      choose_file (self, _("Export the 4-View Strip, Enlarged"), suggested, "*.png", export_strip_large);
    }
  else if (g_str_equal (name, "views.export-contact-sheet"))
    {
      g_autofree char *suggested = suggested_name (self, "-unfolding.png");
      choose_file (self, _("Export the Unfolding as a Contact Sheet"), suggested, "*.png",
                   dv_views_page_export_contact_sheet);
    }
  else if (g_str_equal (name, "views.export-frames"))
    choose_file (self, _("Export the Unfolding into a Folder"), NULL, NULL, dv_views_page_export_frames);
  else
    {
      g_autofree char *suggested = suggested_name (self, "-run.json");
      choose_file (self, _("Export the Run"), suggested, "*.json", dv_views_page_export_json);
    }
}

void
_dv_views_page_files_class_init (GtkWidgetClass *widget_class)
{
  const char *actions[] = {
    "views.export-strip", "views.export-strip-large", "views.export-contact-sheet", "views.export-frames",
    "views.export-json",
  };
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i], NULL, file_action);
  /* Ctrl+S (win.export) on this page. */
  gtk_widget_class_install_action (widget_class, "page.export", NULL, file_action);
}

void
_dv_views_page_files_dispose (DvViewsPage *self)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
}
