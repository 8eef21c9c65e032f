/* libFuzzer: the multi-view dataset cache loader (dv_multiview_set_load). */
#include "views/multiview.h"

#include "fuzz-util.h"

#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DvMultiviewSet set;
  GError *error = NULL;
  if (dv_multiview_set_load (dv_fuzz_file (data, size), &set, &error))
    {
      volatile guint sum = 0;
      for (guint i = 0; i < set.n_objects; i++)
        sum += dv_multiview_set_view (&set, i, set.n_views - 1)[set.height * set.width * 3 - 1];
      dv_multiview_set_clear (&set);
    }
  else
    g_clear_error (&error);
  return 0;
}
