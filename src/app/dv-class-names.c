#include "dv-class-names.h"

#include <glib/gi18n.h>

#include "views/objects/registry.h"

static const char *const class_display_names[] = {
  N_("Airplane"), N_("Bench"), N_("Cabinet"), N_("Car"), N_("Chair"), N_("Display"), N_("Lamp"),
  N_("Loudspeaker"), N_("Rifle"), N_("Sofa"), N_("Table"), N_("Telephone"), N_("Watercraft"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (class_display_names) == DV_N_OBJECT_CLASSES);

const char *
dv_class_display_name (int index)
{
  if (index < 0 || index >= DV_N_OBJECT_CLASSES)
    return NULL;
  return _(class_display_names[index]);
}

const char *
dv_class_display_name_of (const char *name)
{
  const char *display = dv_class_display_name (dv_object_class_index (name));
  return display ? display : name;
}
