/* Wavefront OBJ import for the renderer: `v`, `vn` and `f` (forms v, v/vt,
 * v//vn, v/vt/vn, negative indices relative to the end); polygons are
 * triangulated as fans; `usemtl` picks a colour per material name; other
 * statements (o, g, s, mtllib, vt, l, ...) are ignored. Malformed input gives
 * a GError naming the file and line; files over DV_OBJ_MAX_* are refused. */
#pragma once

#include "views/mesh.h"

G_BEGIN_DECLS

#define DV_OBJ_MAX_VERTICES 5000000
#define DV_OBJ_MAX_FACES 5000000
#define DV_OBJ_MAX_BYTES ((gsize) 1 << 30)

/* `name` labels error messages. The mesh is reset first; it is left empty on error. */
gboolean dv_obj_parse (const char *data, gsize length, const char *name, DvMesh *mesh, GError **error);
gboolean dv_obj_load (const char *path, DvMesh *mesh, GError **error);

G_END_DECLS
