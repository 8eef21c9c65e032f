/* Parametric generators for the 13 object classes of the multi-view data
 * (the 13 largest ShapeNet classes used by NMR, built here from primitives).
 *
 * Each generator draws proportions, part counts, optional parts and colours
 * from the RNG, so a class covers a wide range of shapes. Some classes are
 * made to look alike from single views, as real objects do, because that
 * ambiguity is what extra views resolve: cabinet vs loudspeaker from the
 * front (cloth grilles and plain doors), table vs bench from the side (low
 * coffee tables, backless benches), sofa vs chair (armchair-sized sofas),
 * display vs telephone (stand-less panels, dark screens). */
#pragma once

#include "views/mesh.h"
#include "core/rng.h"

G_BEGIN_DECLS

#define DV_N_OBJECT_CLASSES 13

/* "airplane", "bench", ... in alphabetical order, which is also the label order. */
const char *dv_object_class_name (int class_index);
/* -1 when `name` is not a class. */
int dv_object_class_index (const char *name);

/* Appends one random object of the class to `mesh` (reset it first for a
 * fresh object): y up, front towards +z, standing on y = 0, in any units
 * (the renderer normalises the size). The result depends only on the RNG state. */
void dv_object_generate (int class_index, DvRng *rng, DvMesh *mesh);

G_END_DECLS
