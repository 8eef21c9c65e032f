/* The one table-driven way to turn an enum into its identifier and back
 * (configs, JSON, command-line options): the identifiers are an array
 * indexed by the enum's values 0..n−1. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  const char *what;          /* names the kind in messages, e.g. "noise schedule" */
  const char *const *names;  /* names[value] */
  guint n;
} DvEnumNames;

#define DV_ENUM_NAMES(what, array) { (what), (array), G_N_ELEMENTS (array) }

/* The identifier of value; a value out of range is a programming error (DV_CHECK). */
const char *dv_enum_names_to_string (const DvEnumNames *names, int value);
/* The value named `name`, or DV_ERROR_INVALID naming the choices. */
gboolean dv_enum_names_from_string (const DvEnumNames *names, const char *name, int *value, GError **error);
/* TRUE when value is one of the enum's. */
gboolean dv_enum_names_is_valid (const DvEnumNames *names, int value);

G_END_DECLS
