#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DV_TYPE_VIEWS_PAGE (dv_views_page_get_type ())
G_DECLARE_FINAL_TYPE (DvViewsPage, dv_views_page, DV, VIEWS_PAGE, AdwBin)

/* The Views page: from the views of an object one has, generate the missing
 * ones. It collects the PNG images the window receives (Ctrl+O, drag and drop). */
void dv_views_page_add_images (DvViewsPage *self, GFile *const *files, guint n_files);
/* A GListModel of GFile, in the order they arrived. */
GListModel *dv_views_page_get_images (DvViewsPage *self);

G_END_DECLS
