#include "core/epoch_order.h"

#include "core/common.h"
#include "core/rng.h"

void
dv_epoch_order_init (DvEpochOrder *order, guint64 n, guint64 seed, guint64 stride)
{
  DV_CHECK (n > 0 && n <= G_MAXUINT32 && stride > 0, "dv_epoch_order_init: bad n %" G_GUINT64_FORMAT " or stride",
            n);
  order->perm = g_new (guint32, n);
  order->n = n;
  order->seed = seed;
  order->stride = stride;
  order->epoch = -1;
}

void
dv_epoch_order_clear (DvEpochOrder *order)
{
  g_clear_pointer (&order->perm, g_free);
}

guint32
dv_epoch_order_item (DvEpochOrder *order, guint64 g)
{
  const gint64 epoch = (gint64) (g / order->n);
  if (epoch != order->epoch)
    {
      DvRng r;
      dv_rng_init_stream (&r, order->seed, (guint64) epoch * order->stride);
      dv_rng_permutation (&r, order->perm, order->n);
      order->epoch = epoch;
    }
  return order->perm[g % order->n];
}
