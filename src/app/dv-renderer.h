/* Which GTK renderer the app asks for, decided before GTK starts.
 *
 * Without a GPU, GTK 4's GL renderer runs in software (Mesa's llvmpipe): on
 * a 2-core laptop it draws the Playground at 10-17 frames/s while training
 * takes the other core, where the Cairo renderer draws 38-52 (bench/). So
 * when the machine has no DRM render node and the user has not named a
 * renderer in GSK_RENDERER, the app asks for Cairo. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The renderer to ask for, or NULL to leave GTK's choice: "cairo" when
 * nothing was requested (NULL or empty) and there is no GPU. */
const char *dv_renderer_choose (const char *requested, gboolean has_gpu);

/* Whether dir (normally /dev/dri) holds a render node (renderD*). */
gboolean dv_renderer_has_render_node (const char *dir);

/* Sets GSK_RENDERER from the two above; call before GTK initialises. */
void dv_renderer_apply (void);

G_END_DECLS
