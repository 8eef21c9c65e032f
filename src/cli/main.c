/* dimvida: the headless command of DiMViDA Studio. */
#include "dv-config.h"
#include "core/blas.h"
#include "commands.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const DvCommand commands[] = {
#ifdef DV_HAVE_TOY
  { "toy", "2D diffusion and GAN-diffusion: train, table, kl", dv_cmd_toy },
#endif
#ifdef DV_HAVE_VIEWS
  { "views", "Multi-view objects: dataset, render, sheet", dv_cmd_views },
#endif
#ifdef DV_HAVE_VOTES
  { "votes", "View classifiers: generated views, train, Table II, classify", dv_cmd_votes },
#endif
  { "inspect", "What a file is (image, weights, dataset, mesh, points, config), or why it is refused", dv_cmd_inspect },
  { NULL, NULL, NULL },
};

int
dv_cli_fail (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("dimvida: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  return 1;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: dimvida COMMAND [OPTIONS]\n\n"
                "Train, evaluate and benchmark the models of DiMViDA Studio.\n\n"
                "Commands:\n");
  for (const DvCommand *c = commands; c->name; c++)
    fprintf (out, "  %-10s %s\n", c->name, c->summary);
  fprintf (out, "\nOptions:\n"
                "  -h, --help     Show this help\n"
                "  --version      Show the version and the OpenBLAS kernel in use\n\n"
                "Run 'dimvida COMMAND --help' for a command's options.\n");
}

int
main (int argc, char **argv)
{
  dv_blas_choose_kernel (argc, argv);
  setlocale (LC_ALL, "");
  /* Numbers in files we write must not depend on the user's locale. */
  setlocale (LC_NUMERIC, "C");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      const char *env = g_getenv ("OPENBLAS_CORETYPE");
      printf ("dimvida %s\nOpenBLAS core: %s (OPENBLAS_CORETYPE=%s), %d threads\n", DV_VERSION,
              dv_blas_core_name (), env ? env : "unset", dv_blas_get_threads ());
      return 0;
    }
  for (const DvCommand *c = commands; c->name; c++)
    if (strcmp (argv[1], c->name) == 0)
      return c->run (argc - 1, argv + 1);
  fprintf (stderr, "dimvida: unknown command '%s'\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
