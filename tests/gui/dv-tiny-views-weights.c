/* dv-tiny-views-weights DIR: tiny view model weights for screenshots and the
 * end-to-end test (point DIMVIDA_VIEWS_WEIGHTS at DIR). */
#include "tiny-views-weights.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: dv-tiny-views-weights DIR\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  if (!tiny_views_weights_write (argv[1], &error))
    {
      fprintf (stderr, "dv-tiny-views-weights: %s\n", error->message);
      return 1;
    }
  return 0;
}
