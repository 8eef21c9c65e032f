/* The GTK renderer the app asks for: see dv-renderer.h. */
#include "dv-renderer.h"

const char *
dv_renderer_choose (const char *requested, gboolean has_gpu)
{
  if (requested != NULL && *requested != '\0')
    return NULL;
  return has_gpu ? NULL : "cairo";
}

gboolean
dv_renderer_has_render_node (const char *dir)
{
  g_autoptr (GDir) entries = g_dir_open (dir, 0, NULL);
  if (entries == NULL)
    return FALSE;
  const char *name;
  while ((name = g_dir_read_name (entries)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

void
dv_renderer_apply (void)
{
  const char *renderer = dv_renderer_choose (g_getenv ("GSK_RENDERER"), dv_renderer_has_render_node ("/dev/dri"));
  if (renderer != NULL)
    g_setenv ("GSK_RENDERER", renderer, TRUE);
}
