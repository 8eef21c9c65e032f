#pragma once

#include <adwaita.h>

#include "dv-view-slot.h"
#include "views/rasterizer.h"

G_BEGIN_DECLS

#define DV_TYPE_VIEWS_PAGE (dv_views_page_get_type ())
G_DECLARE_FINAL_TYPE (DvViewsPage, dv_views_page, DV, VIEWS_PAGE, AdwBin)

/* The Views page: from the views of an object one has, generate the missing
 * ones. It collects the PNG images the window receives (Ctrl+O, drag and
 * drop): a 4:1 strip (front, right, back, left) becomes the object shown; a
 * square image fills the next view not given (with none, it starts a new object). Files it cannot use give a toast
 * and leave the object shown as it was. */
void dv_views_page_add_images (DvViewsPage *self, GFile *const *files, guint n_files);
/* A GListModel of GFile, in the order they arrived. */
GListModel *dv_views_page_get_images (DvViewsPage *self);

/* Shows data/samples/<class_name>.png (found as dv_find_data_file finds
 * data files), e.g. "chair". */
gboolean dv_views_page_open_sample (DvViewsPage *self, const char *class_name, GError **error);
/* The classes that have a sample, NULL-terminated (transfer full). */
char **dv_views_page_list_samples (void);

DvViewSlot *dv_views_page_get_slot (DvViewsPage *self, DvView view);
/* What is shown: a class name for a sample, a file name otherwise; NULL
 * while the page is empty. */
const char *dv_views_page_get_object_title (DvViewsPage *self);

G_END_DECLS
