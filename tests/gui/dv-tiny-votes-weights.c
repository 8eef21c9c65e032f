/* dv-tiny-votes-weights DIR [CLASS [VIEWS_DIR]]: tiny classifier weights for
 * the end-to-end test and screenshots (point DIMVIDA_VOTES_WEIGHTS at DIR);
 * with a class name ("chair"), every classifier votes for it. DIR/evaluation.json
 * gives them known confusion matrices on 6 objects per class, its ea views
 * said to be those of the view models in VIEWS_DIR when given. */
#include "tiny-votes-weights.h"

#include <stdio.h>

#include "views/objects/registry.h"

int
main (int argc, char **argv)
{
  if (argc < 2 || argc > 4)
    {
      fprintf (stderr, "usage: dv-tiny-votes-weights DIR [CLASS [VIEWS_DIR]]\n");
      return 2;
    }
  int favoured[4] = { -1, -1, -1, -1 };
  if (argc >= 3)
    {
      int c = dv_object_class_index (argv[2]);
      if (c < 0)
        {
          fprintf (stderr, "dv-tiny-votes-weights: no class '%s'\n", argv[2]);
          return 2;
        }
      for (int i = 0; i < 4; i++)
        favoured[i] = c;
    }
  g_autoptr (GError) error = NULL;
  if (!tiny_votes_weights_write (argv[1], favoured, &error) || !tiny_votes_evaluation_write (argv[1], 6, argc == 4 ? argv[3] : NULL, &error))
    {
      fprintf (stderr, "dv-tiny-votes-weights: %s\n", error->message);
      return 1;
    }
  return 0;
}
