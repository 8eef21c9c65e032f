#include "core/enum_names.h"

const char *
dv_enum_names_to_string (const DvEnumNames *names, int value)
{
  DV_CHECK (dv_enum_names_is_valid (names, value), "bad %s %d", names->what, value);
  return names->names[value];
}

gboolean
dv_enum_names_is_valid (const DvEnumNames *names, int value)
{
  return value >= 0 && (guint) value < names->n;
}

gboolean
dv_enum_names_from_string (const DvEnumNames *names, const char *name, int *value, GError **error)
{
  for (guint i = 0; i < names->n; i++)
    if (g_strcmp0 (name, names->names[i]) == 0)
      {
        *value = (int) i;
        return TRUE;
      }
  /* "a, b or c" */
  g_autoptr (GString) choices = g_string_new (NULL);
  for (guint i = 0; i < names->n; i++)
    {
      if (i > 0)
        g_string_append (choices, i + 1 == names->n ? " or " : ", ");
      g_string_append (choices, names->names[i]);
    }
  g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown %s “%s” (expected %s)", names->what, name ? name : "",
               choices->str);
  return FALSE;
}
