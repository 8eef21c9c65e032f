#include "views/objects/registry.h"

#include "views/objects/parts.h"

static const char *const class_names[DV_N_OBJECT_CLASSES] = {
  "airplane", "bench", "cabinet", "car", "chair", "display", "lamp",
  "loudspeaker", "rifle", "sofa", "table", "telephone", "watercraft",
};

const char *
dv_object_class_name (int class_index)
{
  DV_CHECK (class_index >= 0 && class_index < DV_N_OBJECT_CLASSES, "dv_object_class_name: class %d out of range",
            class_index);
  return class_names[class_index];
}

int
dv_object_class_index (const char *name)
{
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    if (g_strcmp0 (name, class_names[k]) == 0)
      return k;
  return -1;
}

/* ---- palettes ---- */


typedef void (*GeneratorFunc) (DvObjectBuilder *g);

static const GeneratorFunc generators[DV_N_OBJECT_CLASSES] = {
  dv_object_airplane_generate, dv_object_bench_generate, dv_object_cabinet_generate, dv_object_car_generate,
  dv_object_chair_generate, dv_object_display_generate, dv_object_lamp_generate, dv_object_loudspeaker_generate,
  dv_object_rifle_generate, dv_object_sofa_generate, dv_object_table_generate, dv_object_telephone_generate,
  dv_object_watercraft_generate,
};

void
dv_object_generate (int class_index, DvRng *rng, DvMesh *mesh)
{
  DV_CHECK (class_index >= 0 && class_index < DV_N_OBJECT_CLASSES, "dv_object_generate: class %d out of range",
            class_index);
  DvObjectBuilder g = { mesh, rng, dv_xform_identity () };
  generators[class_index](&g);
}
