/* The order in which a trainer visits its n items: sample g of an endless
 * sequence of epochs, each epoch a permutation of 0..n-1 drawn from the
 * stream (seed, epoch · stride) — a function of (seed, g) only, so a resumed
 * run sees the batches an uninterrupted one would. The stride leaves the
 * other streams of a trainer (augmentation, noise) to it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 *perm; /* the current epoch's permutation */
  guint64 n;
  guint64 seed;
  guint64 stride;
  gint64 epoch; /* -1 before the first */
} DvEpochOrder;

void dv_epoch_order_init (DvEpochOrder *order, guint64 n, guint64 seed, guint64 stride);
void dv_epoch_order_clear (DvEpochOrder *order);
/* The item of sample g (g = step · batch + i). */
guint32 dv_epoch_order_item (DvEpochOrder *order, guint64 g);

G_END_DECLS
