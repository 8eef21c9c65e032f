/* libFuzzer: the Playground's points CSV (dv_toy_data_parse_csv) and the loss
 * history CSV a resumed run reads back (dv_toy_loss_history_read). */
#include "toy/data.h"
#include "toy/loss_history.h"

#include "fuzz-util.h"

#include <math.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DvToyData points = { 0 };
  GError *error = NULL;
  if (dv_toy_data_parse_csv (&points, (const char *) data, size, "fuzz", &error))
    {
      if (points.n < DV_TOY_MIN_POINTS || points.n > DV_TOY_MAX_POINTS)
        __builtin_trap ();
      for (size_t i = 0; i < 2 * points.n; i++)
        if (!isfinite (points.xy[i]))
          __builtin_trap ();
      dv_toy_data_clear (&points);
    }
  else
    g_clear_error (&error);

  GArray *history = dv_toy_loss_history_read (dv_fuzz_file (data, size), 1000, &error);
  if (history != NULL)
    g_array_unref (history);
  g_clear_error (&error);
  return 0;
}
