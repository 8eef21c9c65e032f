/* dv-tiny-views-weights DIR [--full-size]: tiny (or shipped-size) random view
 * model weights for screenshots, the end-to-end test and timing the page
 * (point DIMVIDA_VIEWS_WEIGHTS at DIR). */
#include <string.h>
#include "tiny-views-weights.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  gboolean full = argc == 3 && strcmp (argv[2], "--full-size") == 0;
  if (argc != 2 && !full)
    {
      fprintf (stderr, "usage: dv-tiny-views-weights DIR [--full-size]\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  if (!tiny_views_weights_write (argv[1], full, &error))
    {
      fprintf (stderr, "dv-tiny-views-weights: %s\n", error->message);
      return 1;
    }
  return 0;
}
