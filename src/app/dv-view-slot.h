#pragma once

#include <adwaita.h>

#include "io/png.h"

G_BEGIN_DECLS

/* The side, in pixels, at which a view is drawn: 64×64 views grow 3×, by
 * nearest neighbour so that their pixels stay crisp. */
#define DV_VIEW_SLOT_SIDE 192
/* The true view, small in a corner, beside a generated one. */
#define DV_VIEW_SLOT_TRUTH_SIDE 64

#define DV_TYPE_VIEW_SLOT (dv_view_slot_get_type ())
G_DECLARE_FINAL_TYPE (DvViewSlot, dv_view_slot, DV, VIEW_SLOT, GtkWidget)

/* One view of an object (front, right, back or left): its image, drawn
 * large, and a toggle saying whether the view is given or is to be generated.
 * A slot without an image is always to be generated. */
DvViewSlot *dv_view_slot_new (const char *view_name);

/* Shows the square region of img whose left edge is x0 and side `side`
 * (rows 0..side-1), scaled to DV_VIEW_SLOT_SIDE, and marks the view given.
 * source names where it came from (shown under the view). */
void dv_view_slot_set_image (DvViewSlot *self, const DvImage *img, int x0, int side, const char *source);
void dv_view_slot_clear (DvViewSlot *self);

/* The file as opened (aspect kept, small), shown in a corner beside the view made of it; NULL for none. Set
 * after dv_view_slot_set_image, which takes it away. */
void dv_view_slot_set_original (DvViewSlot *self, GdkTexture *original, const char *description);
GdkTexture *dv_view_slot_get_original (DvViewSlot *self);

gboolean dv_view_slot_has_image (DvViewSlot *self);
/* The scaled image shown, or NULL. */
GdkTexture *dv_view_slot_get_texture (DvViewSlot *self);

/* What the model made of a view not given: rgb [side][side][3] bytes, shown
 * instead of the loaded view (which goes small in a corner) while the slot is
 * not given; NULL takes it away. A given slot keeps showing its own view. */
void dv_view_slot_set_generated (DvViewSlot *self, const guint8 *rgb, int side);
GdkTexture *dv_view_slot_get_generated (DvViewSlot *self);
/* A line under a generated view (its PSNR and SSIM against the true one); NULL or "" for none. */
void dv_view_slot_set_metrics (DvViewSlot *self, const char *text);
const char *dv_view_slot_get_metrics (DvViewSlot *self);
/* Enlarged smoothly (GTK's filtering of the view at its own size) rather than by nearest neighbour. */
void dv_view_slot_set_smooth (DvViewSlot *self, gboolean smooth);
/* While locked, clicks do not change whether the view is given. */
void dv_view_slot_set_locked (DvViewSlot *self, gboolean locked);

gboolean dv_view_slot_get_given (DvViewSlot *self);
/* Ignored (stays FALSE) while the slot has no image. */
void dv_view_slot_set_given (DvViewSlot *self, gboolean given);

G_END_DECLS
