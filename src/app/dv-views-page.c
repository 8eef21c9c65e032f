#include "dv-views-page.h"

#include <glib/gi18n.h>

struct _DvViewsPage
{
  AdwBin parent_instance;

  GListStore *images;

  /* Template widgets */
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (DvViewsPage, dv_views_page, ADW_TYPE_BIN)

static void
update_status (DvViewsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  if (n == 0)
    return;

  g_autoptr (GString) names = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GFile) file = g_list_model_get_item (G_LIST_MODEL (self->images), i);
      g_autofree char *basename = g_file_get_basename (file);
      g_autofree char *display = g_filename_display_name (basename);
      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", display);
    }
  g_autofree char *escaped = g_markup_escape_text (names->str, -1);
  g_autofree char *description =
    /* Translators: %u is a count, %s a list of file names. */
    g_strdup_printf (ngettext ("%u view received: %s. The novel view generator will take it from here.",
                               "%u views received: %s. The novel view generator will take them from here.", n),
                     n, escaped);
  adw_status_page_set_description (self->status_page, description);
}

void
dv_views_page_add_images (DvViewsPage *self, GFile *const *files, guint n_files)
{
  g_return_if_fail (DV_IS_VIEWS_PAGE (self));
  g_list_store_splice (self->images, g_list_model_get_n_items (G_LIST_MODEL (self->images)), 0,
                       (gpointer *) files, n_files);
  update_status (self);
}

GListModel *
dv_views_page_get_images (DvViewsPage *self)
{
  g_return_val_if_fail (DV_IS_VIEWS_PAGE (self), NULL);
  return G_LIST_MODEL (self->images);
}

static void
dv_views_page_dispose (GObject *object)
{
  DvViewsPage *self = DV_VIEWS_PAGE (object);

  g_clear_object (&self->images);
  G_OBJECT_CLASS (dv_views_page_parent_class)->dispose (object);
}

static void
dv_views_page_class_init (DvViewsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = dv_views_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-views-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DvViewsPage, status_page);
}

static void
dv_views_page_init (DvViewsPage *self)
{
  self->images = g_list_store_new (G_TYPE_FILE);
  gtk_widget_init_template (GTK_WIDGET (self));
}
