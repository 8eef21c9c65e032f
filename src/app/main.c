/* DiMViDA Studio: the GTK application. */
#include "dv-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "core/blas.h"
#include "dv-application.h"
#include "dv-renderer.h"

int
main (int argc, char **argv)
{
  /* Before anything touches OpenBLAS: it may re-execute the program. */
  dv_blas_choose_kernel (argc, argv);

  /* Before GTK starts: Cairo rather than GL drawn in software. */
  dv_renderer_apply ();
  g_debug ("GSK_RENDERER=%s", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "unset");

  setlocale (LC_ALL, "");
  /* Run from the build tree, use the catalogues built there. */
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  gboolean uninstalled = exe != NULL && g_str_has_prefix (exe, DV_BUILD_ROOT "/");
  bindtextdomain (GETTEXT_PACKAGE, uninstalled ? DV_BUILD_LOCALEDIR : DV_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("DiMViDA Studio"));

  g_autoptr (DvApplication) app = dv_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
