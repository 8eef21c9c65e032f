/* The Views page's Open (Ctrl+O on this page): PNG images, with a choice of
 * the view a single image goes to, and Wavefront OBJ models, rendered by the
 * engine's rasteriser into the four views, with an up axis (+Y or +Z: real
 * files use both) and a turn that picks which side is the front. */
#include "dv-views-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "views/obj.h"

/* The chooser's choice of where a single view goes ("auto": the next view not given). */
#define SLOT_CHOICE "dv-slot"

static const char *slot_ids[] = { "auto", "front", "right", "back", "left", NULL };

/* ---- OBJ models ---- */

typedef struct {
  char *path;  /* NULL: re-render mesh */
  char *name;
  DvMesh mesh; /* as in the file */
  int up, turn;
} ImportData;

typedef struct {
  DvMesh mesh;
  guint8 *rgb; /* [4][S][S][3] */
} ImportResult;

static void
import_data_free (gpointer data)
{
  ImportData *d = data;
  g_free (d->path);
  g_free (d->name);
  dv_mesh_clear (&d->mesh);
  g_free (d);
}

static void
import_result_free (gpointer data)
{
  ImportResult *r = data;
  dv_mesh_clear (&r->mesh);
  g_free (r->rgb);
  g_free (r);
}

/* The mesh as the rasteriser wants it: y up, the front facing +z. */
void
_dv_views_orient_mesh (DvMesh *mesh, int up, int turn)
{
  /* +Z up: a quarter turn about x takes +z to +y. */
  DvXform xf = dv_xform_rotate_x (up == DV_VIEWS_UP_Z ? (float) -G_PI_2 : 0.0f);
  DvXform spin = dv_xform_rotate_y ((float) (turn * G_PI_2));
  DvXform both = dv_xform_mul (&spin, &xf);
  dv_mesh_transform (mesh, &both);
}

static gpointer
import_func (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  ImportData *d = data;
  ImportResult *r = g_new0 (ImportResult, 1);
  dv_mesh_init (&r->mesh);
  if (d->path != NULL && !dv_obj_load (d->path, &r->mesh, error))
    {
      import_result_free (r);
      return NULL;
    }
  if (d->path == NULL)
    dv_mesh_append (&r->mesh, &d->mesh);
  if (dv_check_cancelled (cancellable, error))
    {
      import_result_free (r);
      return NULL;
    }
  DvMesh oriented;
  dv_mesh_init (&oriented);
  dv_mesh_append (&oriented, &r->mesh);
  _dv_views_orient_mesh (&oriented, d->up, d->turn);
  DvRasterizerConfig config;
  dv_rasterizer_config_init (&config);
  config.width = config.height = VIEW_SIDE;
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (&config);
  r->rgb = g_malloc ((gsize) 4 * VIEW_SIDE * VIEW_SIDE * 3);
  gboolean ok = dv_mesh_validate (&oriented, error);
  if (ok)
    dv_rasterizer_render_views (rasterizer, &oriented, r->rgb);
  dv_mesh_clear (&oriented);
  if (!ok)
    {
      import_result_free (r);
      return NULL;
    }
  return r;
}

static void
update_obj_controls (DvViewsPage *self)
{
  gboolean shown = self->obj.name != NULL;
  gtk_widget_set_visible (self->obj_box, shown);
  gtk_widget_set_sensitive (self->obj_box, self->obj.job == NULL && self->gen.job == NULL);
  if (gtk_toggle_button_get_active (self->up_z_button) != (self->obj.up == DV_VIEWS_UP_Z))
    gtk_toggle_button_set_active (self->obj.up == DV_VIEWS_UP_Z ? self->up_z_button : self->up_y_button, TRUE);
  g_autofree char *text = NULL;
  if (self->obj.turn == 0)
    text = g_strdup (_("Front as in the file"));
  else
    /* Translators: how far the model was turned about its up axis to choose its front, in degrees. */
    text = g_strdup_printf (_("Turned %d°"), self->obj.turn * 90);
  gtk_label_set_text (self->obj_label, text);
}

static void
on_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (DvViewsPage) self = user_data;
  DvJob *job = DV_JOB (source);
  g_autoptr (GError) error = NULL;
  ImportResult *r = dv_job_run_finish (job, result, &error);
  ImportData *d = g_object_get_data (G_OBJECT (job), "dv-import-data");
  gboolean current = job == self->obj.job;
  if (current)
    g_clear_object (&self->obj.job);
  if (r == NULL || !current)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, DV_ERROR, DV_ERROR_CANCELLED))
        {
          /* Translators: the reason a 3D model could not be imported follows. */
          g_autofree char *message = g_strdup_printf (_("Could not import the model: %s"), error->message);
          _dv_views_page_show_error (self, message);
        }
      if (r != NULL)
        import_result_free (r);
      update_obj_controls (self);
      _dv_views_page_update_generate (self);
      return;
    }
  /* A new model: front given, as a sample opens; a turn keeps what is given. */
  gboolean first = d->path != NULL;
  guint given = first ? 1u << DV_VIEW_FRONT : _dv_views_page_given_mask (self);
  if (first)
    {
      dv_mesh_reset (&self->obj.mesh);
      dv_mesh_append (&self->obj.mesh, &r->mesh);
      g_free (self->obj.name);
      self->obj.name = g_strdup (d->name);
    }
  self->obj.up = d->up;
  self->obj.turn = d->turn;
  DvImage strip;
  dv_image_init (&strip, 4 * VIEW_SIDE, VIEW_SIDE);
  for (int v = 0; v < 4; v++)
    for (int y = 0; y < VIEW_SIDE; y++)
      for (int x = 0; x < VIEW_SIDE; x++)
        for (int c = 0; c < 3; c++)
          strip.rgb[((size_t) y * 4 * VIEW_SIDE + v * VIEW_SIDE + x) * 3 + c] =
            r->rgb[(((size_t) v * VIEW_SIDE + y) * VIEW_SIDE + x) * 3 + c] / 255.0f;
  _dv_views_page_show_strip (self, &strip, self->obj.name, self->obj.name, given);
  dv_image_clear (&strip);
  import_result_free (r);
  update_obj_controls (self);
}

static void
start_import (DvViewsPage *self, GFile *file, int up, int turn)
{
  if (self->obj.job != NULL)
    dv_job_cancel (self->obj.job);
  g_clear_object (&self->obj.job);
  ImportData *d = g_new0 (ImportData, 1);
  dv_mesh_init (&d->mesh);
  d->up = up, d->turn = turn;
  if (file != NULL)
    {
      d->path = g_file_get_path (file);
      g_autofree char *basename = g_file_get_basename (file);
      d->name = g_filename_display_name (basename ? basename : "?");
    }
  else
    {
      dv_mesh_append (&d->mesh, &self->obj.mesh);
      d->name = g_strdup (self->obj.name);
    }
  DvJob *job = dv_job_new (_("Importing a model"), import_func, d, import_data_free, import_result_free);
  g_object_set_data (G_OBJECT (job), "dv-import-data", d);
  self->obj.job = job;
  dv_job_run_async (job, on_imported, g_object_ref (self));
  update_obj_controls (self);
  _dv_views_page_update_generate (self);
}

gboolean
dv_views_page_import_obj (DvViewsPage *self, GFile *file, DvViewsUpAxis up, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *name = g_filename_display_name (basename ? basename : "?");
  if (self->gen.job != NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("Wait for the model to finish, or cancel it, first"));
      return FALSE;
    }
  if (path == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, _("“%s” is not a local file"), name);
      return FALSE;
    }
  start_import (self, file, up, 0);
  return TRUE;
}

gboolean
dv_views_page_get_importing (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  return self->obj.job != NULL;
}

void
dv_views_page_set_obj_orientation (DvViewsPage *self, DvViewsUpAxis up, int turn)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  if (self->obj.name == NULL || self->gen.job != NULL)
    return;
  turn = ((turn % 4) + 4) % 4;
  if (up == self->obj.up && turn == self->obj.turn && self->obj.job == NULL)
    return;
  start_import (self, NULL, up, turn);
}

gboolean
dv_views_page_get_obj_orientation (DvViewsPage *self, DvViewsUpAxis *up, int *turn)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  if (self->obj.name == NULL)
    return FALSE;
  *up = self->obj.up;
  *turn = self->obj.turn;
  return TRUE;
}

static void
on_up_toggled (DvViewsPage *self)
{
  DvViewsUpAxis up = gtk_toggle_button_get_active (self->up_z_button) ? DV_VIEWS_UP_Z : DV_VIEWS_UP_Y;
  if (self->obj.name != NULL && up != self->obj.up)
    dv_views_page_set_obj_orientation (self, up, self->obj.turn);
}

static void
turn_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  dv_views_page_set_obj_orientation (self, self->obj.up, self->obj.turn + 1);
}

/* The object shown is no longer the imported model (another file or a sample). */
void
_dv_views_page_forget_obj (DvViewsPage *self)
{
  if (self->obj.job != NULL)
    dv_job_cancel (self->obj.job);
  g_clear_object (&self->obj.job);
  g_clear_pointer (&self->obj.name, g_free);
  dv_mesh_reset (&self->obj.mesh);
  self->obj.up = DV_VIEWS_UP_Y;
  self->obj.turn = 0;
  update_obj_controls (self);
}

/* ---- The chooser ---- */

static gboolean
is_obj (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *lower = basename ? g_ascii_strdown (basename, -1) : NULL;
  return lower != NULL && g_str_has_suffix (lower, ".obj");
}

/* PNG images (a single one into the view chosen) and OBJ models. */
void
_dv_views_page_open_files (DvViewsPage *self, GListModel *files, int slot, DvViewsUpAxis up)
{
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr (GFile) file = g_list_model_get_item (files, i);
      g_autoptr (GError) error = NULL;
      if (is_obj (file))
        {
          if (!dv_views_page_import_obj (self, file, up, &error))
            {
              g_autofree char *message = g_strdup_printf (_("Could not import the model: %s"), error->message);
              _dv_views_page_show_error (self, message);
            }
        }
      else if (slot >= 0 && g_list_model_get_n_items (files) == 1)
        {
          if (!dv_views_page_open_in_slot (self, file, slot, &error))
            {
              g_autofree char *message = g_strdup_printf (_("Could not open an image: %s"), error->message);
              _dv_views_page_show_error (self, message);
            }
        }
      else
        g_ptr_array_add (images, g_object_ref (file));
    }
  if (images->len > 0)
    dv_views_page_add_images (self, (GFile **) images->pdata, images->len);
}

static void
on_open_response (GtkNativeDialog *dialog, int response, DvViewsPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      const char *slot_id = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), SLOT_CHOICE);
      const char *up_id = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "dv-up");
      int slot = -1;
      for (int v = 0; v < 4; v++)
        if (g_strcmp0 (slot_id, slot_ids[v + 1]) == 0)
          slot = v;
      _dv_views_page_open_files (self, files, slot, g_strcmp0 (up_id, "z") == 0 ? DV_VIEWS_UP_Z : DV_VIEWS_UP_Y);
    }
  g_clear_object (&self->open_chooser);
}

static void
open_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  if (self->open_chooser != NULL)
    return;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _("Open Images or a Model"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, GTK_FILE_CHOOSER_ACTION_OPEN,
    _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("PNG Images and OBJ Models"));
  gtk_file_filter_add_mime_type (all, "image/png");
  gtk_file_filter_add_suffix (all, "obj");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  const char *slot_labels[] = { _("The next view not given"), C_("view", "Front"), C_("view", "Right"),
                                C_("view", "Back"), C_("view", "Left"), NULL };
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), SLOT_CHOICE, _("A single image is the view"),
                               slot_ids, slot_labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), SLOT_CHOICE, "auto");
  const char *up_ids[] = { "y", "z", NULL };
  const char *up_labels[] = { _("+Y (most modelling tools)"), _("+Z (CAD, some scans)"), NULL };
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "dv-up", _("A model’s up axis"), up_ids, up_labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "dv-up", "y");
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  self->open_chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->open_chooser);
}

void
_dv_views_page_open_class_init (GtkWidgetClass *widget_class)
{
  /* Ctrl+O (win.open) on this page. */
  gtk_widget_class_install_action (widget_class, "page.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "views.turn-model", NULL, turn_action);
}

void
_dv_views_page_open_init (DvViewsPage *self)
{
  dv_mesh_init (&self->obj.mesh);
  g_signal_connect_swapped (self->up_z_button, "toggled", G_CALLBACK (on_up_toggled), self);
  update_obj_controls (self);
}

void
_dv_views_page_open_dispose (DvViewsPage *self)
{
  if (self->obj.job != NULL)
    dv_job_cancel (self->obj.job);
  g_clear_object (&self->obj.job);
  g_clear_pointer (&self->obj.name, g_free);
  dv_mesh_clear (&self->obj.mesh);
  if (self->open_chooser != NULL)
    gtk_native_dialog_destroy (self->open_chooser);
  g_clear_object (&self->open_chooser);
}
