/* A row of widgets that wraps onto more rows when the width runs out, so a
 * toolbar never makes the window wider (a 1024-pixel projector, large text,
 * Plot Zoom 2). Children are added with <child> in a template or
 * dv_wrap_box_append; a child with hexpand takes its row's spare width. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DV_TYPE_WRAP_BOX (dv_wrap_box_get_type ())
G_DECLARE_FINAL_TYPE (DvWrapBox, dv_wrap_box, DV, WRAP_BOX, GtkWidget)

GtkWidget *dv_wrap_box_new (void);
void dv_wrap_box_append (DvWrapBox *self, GtkWidget *child);
/* How many rows the last allocation used (for tests). */
int dv_wrap_box_get_n_rows (DvWrapBox *self);

G_END_DECLS
