/* The object classes as people read them, translated, in the engine's class
 * order (views/objects/registry.h: airplane, bench, …, watercraft). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The translated name of class index, or NULL outside 0 … DV_N_OBJECT_CLASSES - 1. */
const char *dv_class_display_name (int index);
/* The translated name of an engine class name ("chair"); the name itself when it is none. */
const char *dv_class_display_name_of (const char *name);

G_END_DECLS
