#include "dv-views-page-private.h"

#include <glib/gi18n.h>

#include "dv-class-names.h"
#include "dv-window.h"
#include "views/objects/registry.h"
#include "core/data_file.h"
#include "views/ae_image.h"

#include <string.h>

/* A view larger than this is refused before its pixels are read: a decoded
 * view is kept as floats, and nothing the model draws is anywhere near it. */
#define VIEW_MAX_SIDE 2048

G_DEFINE_FINAL_TYPE (DvViewsPage, dv_views_page, ADW_TYPE_BIN)

enum { SIGNAL_VIEWS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
view_display_name (DvView view)
{
  switch (view)
    {
    case DV_VIEW_FRONT: return _("Front");
    case DV_VIEW_RIGHT: return _("Right");
    case DV_VIEW_BACK: return _("Back");
    case DV_VIEW_LEFT: return _("Left");
    default: g_return_val_if_reached ("?");
    }
}

static const char *
class_display_name (const char *name)
{
  return dv_class_display_name_of (name);
}

static char *
sample_path (const char *class_name, GError **error)
{
  g_autofree char *relative = g_strdup_printf ("samples%c%s.png", G_DIR_SEPARATOR, class_name);
  return dv_find_data_file (relative, error);
}

char **
dv_views_page_list_samples (void)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (int i = 0; i < DV_N_OBJECT_CLASSES; i++)
    {
      g_autofree char *path = sample_path (dv_object_class_name (i), NULL);
      if (path != NULL)
        g_strv_builder_add (builder, dv_object_class_name (i));
    }
  return g_strv_builder_end (builder);
}

/* ---- State ---- */

static void
update_header (DvViewsPage *self)
{
  guint given = 0;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    given += dv_view_slot_get_given (self->slots[v]);
  gtk_label_set_text (self->title_label, self->object_title ? self->object_title : "");
  /* Translators: %u are counts of views, out of four. */
  g_autofree char *subtitle = g_strdup_printf (ngettext ("%u view given, %u to be generated",
                                                         "%u views given, %u to be generated", given),
                                               given, DV_VIEW_COUNT - given);
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_stack_set_visible_child_name (self->stack, self->object_title ? "object" : "empty");
}

guint
_dv_views_page_given_mask (DvViewsPage *self)
{
  guint mask = 0;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    if (dv_view_slot_get_given (self->slots[v]))
      mask |= 1u << v;
  return mask;
}

guint
_dv_views_page_image_mask (DvViewsPage *self)
{
  guint mask = 0;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    if (dv_view_slot_has_image (self->slots[v]))
      mask |= 1u << v;
  return mask;
}

void
_dv_views_page_object_changed (DvViewsPage *self)
{
  /* A run for views that are gone is of no use. */
  if (self->gen.job != NULL)
    dv_job_cancel (self->gen.job);
  _dv_views_page_forget_run (self);
  update_header (self);
  _dv_views_page_update_generate (self);
  _dv_views_page_views_changed (self);
}

void
_dv_views_page_views_changed (DvViewsPage *self)
{
  g_signal_emit (self, signals[SIGNAL_VIEWS_CHANGED], 0);
}

static void
on_given_changed (DvViewSlot *slot, GParamSpec *pspec, DvViewsPage *self)
{
  /* The model generates from what is given: at least one view stays given. */
  if (!self->loading && _dv_views_page_given_mask (self) == 0 && dv_view_slot_has_image (slot))
    {
      dv_view_slot_set_given (slot, TRUE);
      _dv_views_page_show_error (self, _("At least one view must stay given: the model generates from it"));
      return;
    }
  if (!self->loading)
    _dv_views_page_object_changed (self);
}

/* The slot's view at the model's size, as the autoencoder will see it. */
static void
store_view (DvViewsPage *self, int view, const DvImage *img, int x0, int side)
{
  DvImage crop;
  dv_image_init (&crop, side, side);
  for (int y = 0; y < side; y++)
    memcpy (crop.rgb + (size_t) y * side * 3, img->rgb + ((size_t) y * img->width + x0) * 3,
            sizeof (float) * side * 3);
  g_autofree float *views = NULL;
  dv_ae_image_to_views (&crop, DV_AE_LAYOUT_SINGLE, VIEW_SIDE, &views);
  memcpy (self->views + (size_t) view * VIEW_FLOATS, views, sizeof (float) * VIEW_FLOATS);
  dv_image_clear (&crop);
}

static void
set_slot_image (DvViewsPage *self, int view, const DvImage *img, int x0, int side, const char *source)
{
  dv_view_slot_set_image (self->slots[view], img, x0, side, source);
  store_view (self, view, img, x0, side);
}

static void
set_object_title (DvViewsPage *self, const char *title)
{
  g_free (self->object_title);
  self->object_title = g_strdup (title);
  self->true_class = -1;
}

/* Every view of a 4:1 strip becomes the object shown. */
static void
show_strip (DvViewsPage *self, const DvImage *strip, const char *title, const char *source)
{
  int side = strip->height;
  self->loading = TRUE;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    set_slot_image (self, v, strip, v * side, side, source);
  self->loading = FALSE;
  set_object_title (self, title);
  _dv_views_page_object_changed (self);
}

void
_dv_views_page_show_strip (DvViewsPage *self, const DvImage *strip, const char *title, const char *source,
                           guint given_mask)
{
  show_strip (self, strip, title, source);
  self->loading = TRUE;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    dv_view_slot_set_given (self->slots[v], (given_mask >> v) & 1u);
  self->loading = FALSE;
  _dv_views_page_object_changed (self);
}

/* A square view fills the next free slot, one not given (its image, if any,
 * was to be generated anyway); with none free it starts a new object. */
static int
show_single_view (DvViewsPage *self, const DvImage *view, const char *source, int slot)
{
  int free_slot = slot;
  for (int v = 0; v < DV_VIEW_COUNT && free_slot < 0; v++)
    if (self->object_title == NULL || !dv_view_slot_get_given (self->slots[v]))
      free_slot = v;
  self->loading = TRUE;
  if (free_slot < 0 || self->object_title == NULL)
    {
      for (int v = 0; v < DV_VIEW_COUNT; v++)
        dv_view_slot_clear (self->slots[v]);
      memset (self->views, 0, sizeof (float) * DV_VIEW_COUNT * VIEW_FLOATS);
      set_object_title (self, source);
      free_slot = slot >= 0 ? slot : 0;
    }
  set_slot_image (self, free_slot, view, 0, view->width, source);
  self->loading = FALSE;
  _dv_views_page_object_changed (self);
  return free_slot;
}

/* Any image as one view, as the model will see it: padded to a square with
 * white (centred, aspect kept; alpha was composited on white when read), then
 * brought to VIEW_SIDE × VIEW_SIDE by an area filter (bilinear when growing). */
static void
image_to_view (const DvImage *img, DvImage *view)
{
  const int side = MAX (img->width, img->height);
  DvImage square;
  dv_image_init (&square, side, side);
  const int x0 = (side - img->width) / 2, y0 = (side - img->height) / 2;
  for (int y = 0; y < img->height; y++)
    memcpy (square.rgb + ((size_t) (y + y0) * side + x0) * 3, img->rgb + (size_t) y * img->width * 3,
            sizeof (float) * img->width * 3);
  dv_image_init (view, VIEW_SIDE, VIEW_SIDE);
  dv_ae_resize (view->rgb, VIEW_SIDE, VIEW_SIDE, square.rgb, side, side);
  dv_image_clear (&square);
}

/* The file as opened, aspect kept, its longer side DV_VIEW_SLOT_TRUTH_SIDE. */
static GdkTexture *
original_texture (const DvImage *img)
{
  const int longer = MAX (img->width, img->height), n = DV_VIEW_SLOT_TRUTH_SIDE;
  const int w = MAX (1, img->width * n / longer), h = MAX (1, img->height * n / longer);
  g_autofree float *small = g_new (float, (size_t) w * h * 3);
  dv_ae_resize (small, w, h, img->rgb, img->width, img->height);
  guint8 *rgb = g_malloc ((gsize) w * h * 3);
  for (int i = 0; i < w * h * 3; i++)
    rgb[i] = (guint8) (CLAMP (small[i], 0.0f, 1.0f) * 255.0f + 0.5f);
  g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, (gsize) w * h * 3);
  return gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8, bytes, (gsize) w * 3);
}

static void
show_any_view (DvViewsPage *self, const DvImage *img, const char *source, int slot)
{
  if (img->width == VIEW_SIDE && img->height == VIEW_SIDE)
    {
      show_single_view (self, img, source, slot);
      return;
    }
  DvImage view;
  image_to_view (img, &view);
  int shown = show_single_view (self, &view, source, slot);
  dv_image_clear (&view);
  g_autoptr (GdkTexture) original = original_texture (img);
  /* Translators: the image a view was made from: its file name, width and height in pixels. */
  g_autofree char *description = g_strdup_printf (_("%s as opened: %d×%d pixels, made a %d×%d view"), source,
                                                  img->width, img->height, VIEW_SIDE, VIEW_SIDE);
  dv_view_slot_set_original (self->slots[shown], original, description);
}

/* ---- Loading ---- */

/* Reads the size from the PNG header, so that a huge image is refused
 * before its pixels are decoded. Anything else wrong is left to dv_png_read. */
static gboolean
check_png_size (const char *path, const char *name, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;
  guint8 header[24];
  gsize got = 0;
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), header, sizeof header, &got, NULL, error))
    return FALSE;
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (got < sizeof header || memcmp (header, signature, 8) != 0 || memcmp (header + 12, "IHDR", 4) != 0)
    return TRUE;
  guint32 width = (guint32) header[16] << 24 | (guint32) header[17] << 16 | (guint32) header[18] << 8 | header[19];
  guint32 height = (guint32) header[20] << 24 | (guint32) header[21] << 16 | (guint32) header[22] << 8 | header[23];
  if (height > VIEW_MAX_SIDE || width > (guint32) DV_VIEW_COUNT * VIEW_MAX_SIDE)
    {
      /* Translators: %s is a file name, then its width and height in pixels and the largest side allowed. */
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE,
                   _("“%s” is %u×%u pixels: views larger than %d pixels are not supported"), name,
                   width, height, VIEW_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_png (DvViewsPage *self, const char *path, const char *name, const char *title, int slot, GError **error)
{
  if (!check_png_size (path, name, error))
    return FALSE;
  DvImage img = { 0 };
  g_autoptr (GError) read_error = NULL;
  if (!dv_png_read (path, &img, &read_error))
    {
      /* Translators: %s is a file name, then why it could not be read. */
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("“%s”: %s"), name, read_error->message);
      return FALSE;
    }
  /* Not the imported model any more. */
  _dv_views_page_forget_obj (self);
  /* A 4:1 strip is the four views (a single slot asked for or not); anything else is one view. */
  if (img.width == DV_VIEW_COUNT * img.height)
    show_strip (self, &img, title, name);
  else
    show_any_view (self, &img, name, slot);
  dv_image_clear (&img);
  return TRUE;
}

gboolean
dv_views_page_open_sample (DvViewsPage *self, const char *class_name, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_autofree char *path = sample_path (class_name, error);
  if (path == NULL)
    return FALSE;
  g_autofree char *basename = g_path_get_basename (path);
  if (!open_png (self, path, basename, class_display_name (class_name), -1, error))
    return FALSE;
  self->true_class = dv_object_class_index (class_name);
  /* A sample's views are all known: the front is given, the model imagines the rest. */
  self->loading = TRUE;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    dv_view_slot_set_given (self->slots[v], v == DV_VIEW_FRONT);
  self->loading = FALSE;
  _dv_views_page_object_changed (self);
  return TRUE;
}

gboolean
dv_views_page_open_views (DvViewsPage *self, const guint8 *rgb, int side, guint given_mask, int true_class,
                          const char *title, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_return_val_if_fail (rgb != NULL && side > 0 && side <= VIEW_MAX_SIDE && (given_mask & 0xfu) != 0, FALSE);
  if (self->gen.job != NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("Wait for the model to finish, or cancel it, first"));
      return FALSE;
    }
  DvImage strip;
  dv_image_init (&strip, DV_VIEW_COUNT * side, side);
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++)
        for (int c = 0; c < 3; c++)
          strip.rgb[((size_t) y * strip.width + v * side + x) * 3 + c] =
            rgb[(((size_t) v * side + y) * side + x) * 3 + c] / 255.0f;
  _dv_views_page_forget_obj (self);
  show_strip (self, &strip, title, title);
  dv_image_clear (&strip);
  self->true_class = true_class >= 0 && true_class < DV_N_OBJECT_CLASSES ? true_class : -1;
  self->loading = TRUE;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    dv_view_slot_set_given (self->slots[v], (given_mask >> v) & 1u);
  self->loading = FALSE;
  _dv_views_page_object_changed (self);
  return TRUE;
}

static gboolean
show_pending_errors (gpointer user_data)
{
  DvViewsPage *self = user_data;
  self->error_idle = 0;
  g_ptr_array_add (self->pending_errors, NULL);
  g_autofree char *message = g_strjoinv (" · ", (char **) self->pending_errors->pdata);
  g_ptr_array_set_size (self->pending_errors, 0);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  if (DV_IS_WINDOW (root))
    dv_window_show_toast (DV_WINDOW (root), message);
  else
    g_warning ("%s", message);
  return G_SOURCE_REMOVE;
}

/* After the window's "opened" toast, which would otherwise replace it. */
void
_dv_views_page_show_error (DvViewsPage *self, const char *message)
{
  g_ptr_array_add (self->pending_errors, g_strdup (message));
  if (self->error_idle == 0)
    self->error_idle = g_idle_add (show_pending_errors, self);
}

void
dv_views_page_add_images (DvViewsPage *self, GFile *const *files, guint n_files)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  g_list_store_splice (self->images, g_list_model_get_n_items (G_LIST_MODEL (self->images)), 0,
                       (gpointer *) files, n_files);
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *basename = g_file_get_basename (files[i]);
      g_autofree char *name = g_filename_display_name (basename ? basename : "?");
      g_autofree char *path = g_file_get_path (files[i]);
      g_autoptr (GError) error = NULL;
      if (path == NULL)
        g_set_error (&error, DV_ERROR, DV_ERROR_IO, _("“%s” is not a local file"), name);
      else
        open_png (self, path, name, name, -1, &error);
      if (error != NULL)
        {
          /* Translators: the reason a file could not be opened follows. */
          g_autofree char *message = g_strdup_printf (_("Could not open an image: %s"), error->message);
          _dv_views_page_show_error (self, message);
        }
    }
}

gboolean
dv_views_page_open_in_slot (DvViewsPage *self, GFile *file, DvView view, GError **error)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  g_return_val_if_fail (view < DV_VIEW_COUNT, FALSE);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *name = g_filename_display_name (basename ? basename : "?");
  g_autofree char *path = g_file_get_path (file);
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
  return open_png (self, path, name, name, view, error);
}

static gboolean
on_slot_drop (GtkDropTarget *target, const GValue *value, double x, double y, DvViewsPage *self)
{
  GtkWidget *slot = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    if (GTK_WIDGET (self->slots[v]) == slot)
      {
        g_autoptr (GError) error = NULL;
        if (!dv_views_page_open_in_slot (self, files->data, v, &error))
          {
            g_autofree char *message = g_strdup_printf (_("Could not open an image: %s"), error->message);
            _dv_views_page_show_error (self, message);
          }
      }
  g_slist_free (files);
  return TRUE;
}

GListModel *
dv_views_page_get_images (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  return G_LIST_MODEL (self->images);
}

DvViewSlot *
dv_views_page_get_slot (DvViewsPage *self, DvView view)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  g_return_val_if_fail (view < DV_VIEW_COUNT, NULL);
  return self->slots[view];
}

const char *
dv_views_page_get_object_title (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  return self->object_title;
}

int
dv_views_page_get_true_class (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), -1);
  return self->object_title != NULL ? self->true_class : -1;
}

gboolean
dv_views_page_get_views (DvViewsPage *self, float *views, guint *real_mask, guint *generated_mask)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), FALSE);
  guint real = self->object_title != NULL ? _dv_views_page_given_mask (self) : 0;
  guint generated = 0;
  if (self->gen.run != NULL && self->gen.job == NULL)
    {
      real &= self->gen.run->given_mask;
      generated = ~self->gen.run->given_mask & 0xfu;
    }
  for (int v = 0; v < DV_VIEW_COUNT && views != NULL; v++)
    {
      float *to = views + (size_t) v * VIEW_FLOATS;
      if ((generated >> v) & 1u)
        memcpy (to, self->gen.run->views + (size_t) v * VIEW_FLOATS, sizeof (float) * VIEW_FLOATS);
      else if ((real >> v) & 1u)
        memcpy (to, self->views + (size_t) v * VIEW_FLOATS, sizeof (float) * VIEW_FLOATS);
      else
        memset (to, 0, sizeof (float) * VIEW_FLOATS);
    }
  if (real_mask != NULL)
    *real_mask = real;
  if (generated_mask != NULL)
    *generated_mask = generated;
  return real != 0;
}

static void
open_sample_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  DvViewsPage *self = DV_VIEWS_PAGE (widget);
  g_autoptr (GError) error = NULL;
  if (!dv_views_page_open_sample (self, g_variant_get_string (parameter, NULL), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the sample: %s"), error->message);
      _dv_views_page_show_error (self, message);
    }
}

static void
dv_views_page_dispose (GObject *object)
{
  DvViewsPage *self = DV_VIEWS_PAGE (object);

  _dv_views_page_generate_dispose (self);
  _dv_views_page_files_dispose (self);
  _dv_views_page_map_dispose (self);
  _dv_views_page_open_dispose (self);
  g_clear_handle_id (&self->error_idle, g_source_remove);
  g_clear_pointer (&self->views, g_free);
  g_clear_object (&self->images);
  g_clear_pointer (&self->pending_errors, g_ptr_array_unref);
  g_clear_pointer (&self->object_title, g_free);
  G_OBJECT_CLASS (dv_views_page_parent_class)->dispose (object);
}

static void
dv_views_page_class_init (DvViewsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_views_page_dispose;
  /* The views that dv_views_page_get_views returns changed: another object,
   * other given views, a finished generation. */
  signals[SIGNAL_VIEWS_CHANGED] = g_signal_new ("views-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 0);
  g_type_ensure (DV_TYPE_VIEW_SLOT);
  g_type_ensure (DV_TYPE_LATENT_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-views-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, empty_sample_button);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, header_sample_button);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, views_box);
  const char *children[] = {
    "hint_label", "weights_box", "weights_label", "sampler_dropdown", "sampler_label", "steps_spin", "seed_spin",
    "generate_button", "progress_bar", "progress_label", "state_button", "estimate_button",
    "timeline_box", "replay_button", "timeline_scale", "timeline_label", "export_button", "smooth_button",
    "variations_spin", "latent_plot", "map_label", "variations_box", "variations_label",
    "obj_box", "up_y_button", "up_z_button", "obj_label",
  };
  const goffset offsets[] = {
    G_STRUCT_OFFSET (DvViewsPage, hint_label), G_STRUCT_OFFSET (DvViewsPage, weights_box), G_STRUCT_OFFSET (DvViewsPage, weights_label),
    G_STRUCT_OFFSET (DvViewsPage, sampler_dropdown), G_STRUCT_OFFSET (DvViewsPage, sampler_label),
    G_STRUCT_OFFSET (DvViewsPage, steps_spin), G_STRUCT_OFFSET (DvViewsPage, seed_spin),
    G_STRUCT_OFFSET (DvViewsPage, generate_button),
    G_STRUCT_OFFSET (DvViewsPage, progress_bar), G_STRUCT_OFFSET (DvViewsPage, progress_label),
    G_STRUCT_OFFSET (DvViewsPage, state_button), G_STRUCT_OFFSET (DvViewsPage, estimate_button),
    G_STRUCT_OFFSET (DvViewsPage, timeline_box), G_STRUCT_OFFSET (DvViewsPage, replay_button),
    G_STRUCT_OFFSET (DvViewsPage, timeline_scale), G_STRUCT_OFFSET (DvViewsPage, timeline_label),
    G_STRUCT_OFFSET (DvViewsPage, export_button), G_STRUCT_OFFSET (DvViewsPage, smooth_button),
    G_STRUCT_OFFSET (DvViewsPage, variations_spin), G_STRUCT_OFFSET (DvViewsPage, latent_plot),
    G_STRUCT_OFFSET (DvViewsPage, map_label), G_STRUCT_OFFSET (DvViewsPage, variations_box),
    G_STRUCT_OFFSET (DvViewsPage, variations_label),
    G_STRUCT_OFFSET (DvViewsPage, obj_box), G_STRUCT_OFFSET (DvViewsPage, up_y_button),
    G_STRUCT_OFFSET (DvViewsPage, up_z_button), G_STRUCT_OFFSET (DvViewsPage, obj_label),
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (children) == G_N_ELEMENTS (offsets));
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    gtk_widget_class_bind_template_child_full (widget_class, children[i], FALSE, offsets[i]);
  _dv_views_page_generate_class_init (widget_class);
  _dv_views_page_player_class_init (widget_class);
  _dv_views_page_files_class_init (widget_class);
  _dv_views_page_open_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "views.open-sample", "s", open_sample_activated);
}

static void
dv_views_page_init (DvViewsPage *self)
{
  self->images = g_list_store_new (G_TYPE_FILE);
  self->pending_errors = g_ptr_array_new_with_free_func (g_free);
  self->views = g_new0 (float, DV_VIEW_COUNT * VIEW_FLOATS);
  self->true_class = -1;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (int v = 0; v < DV_VIEW_COUNT; v++)
    {
      self->slots[v] = dv_view_slot_new (view_display_name (v));
      g_signal_connect (self->slots[v], "notify::given", G_CALLBACK (on_given_changed), self);
      GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
      g_signal_connect (drop, "drop", G_CALLBACK (on_slot_drop), self);
      gtk_widget_add_controller (GTK_WIDGET (self->slots[v]), GTK_EVENT_CONTROLLER (drop));
      gtk_flow_box_append (self->views_box, GTK_WIDGET (self->slots[v]));
      /* The slot's own toggle takes focus; its flow box child need not. */
      gtk_widget_set_focusable (gtk_widget_get_parent (GTK_WIDGET (self->slots[v])), FALSE);
    }

  g_autoptr (GMenu) menu = g_menu_new ();
  g_auto (GStrv) samples = dv_views_page_list_samples ();
  for (guint i = 0; samples[i] != NULL; i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (class_display_name (samples[i]), NULL);
      g_menu_item_set_action_and_target (item, "views.open-sample", "s", samples[i]);
      g_menu_append_item (menu, item);
    }
  GtkMenuButton *buttons[] = { self->empty_sample_button, self->header_sample_button };
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      gtk_menu_button_set_menu_model (buttons[i], G_MENU_MODEL (menu));
      if (samples[0] == NULL)
        {
          gtk_widget_set_sensitive (GTK_WIDGET (buttons[i]), FALSE);
          gtk_widget_set_tooltip_text (GTK_WIDGET (buttons[i]), _("No sample objects were found"));
        }
    }
  _dv_views_page_player_init (self);
  _dv_views_page_map_init (self);
  _dv_views_page_open_init (self);
  _dv_views_page_generate_init (self);
  update_header (self);
  /* Ready to press Generate: a sample, front given (the chair when there). */
  if (samples[0] != NULL)
    dv_views_page_open_sample (self, g_strv_contains ((const char *const *) samples, "chair") ? "chair" : samples[0],
                               NULL);
}
