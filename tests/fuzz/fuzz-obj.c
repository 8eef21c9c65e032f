/* libFuzzer: the Wavefront OBJ importer (dv_obj_parse). */
#include "views/obj.h"

#include <math.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  GError *error = NULL;
  if (dv_obj_parse ((const char *) data, size, "fuzz.obj", &mesh, &error))
    {
      for (guint t = 0; t < 3 * mesh.n_triangles; t++)
        if (mesh.indices[t] >= mesh.n_vertices)
          __builtin_trap ();
      for (guint v = 0; v < 3 * mesh.n_vertices; v++)
        if (!isfinite (mesh.positions[v]) || !isfinite (mesh.normals[v]))
          __builtin_trap ();
    }
  else
    g_clear_error (&error);
  dv_mesh_clear (&mesh);
  return 0;
}
