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

/* Defines prefix_to_string (Type) and prefix_from_string (name, Type *, error)
 * over the identifiers given, e.g. DV_ENUM_NAMES_DEFINE (dv_sampler_kind,
 * DvSamplerKind, "sampler", "ddpm", "ddim"), and a DvEnumNames prefix_names. */
#define DV_ENUM_NAMES_DEFINE(prefix, Type, what, ...) \
  static const char *const prefix##_identifiers[] = { __VA_ARGS__ }; \
  static const DvEnumNames prefix##_names = DV_ENUM_NAMES (what, prefix##_identifiers); \
  const char *prefix##_to_string (Type value) \
  { \
    return dv_enum_names_to_string (&prefix##_names, (int) value); \
  } \
  gboolean prefix##_from_string (const char *name, Type *value, GError **error) \
  { \
    int v; \
    if (!dv_enum_names_from_string (&prefix##_names, name, &v, error)) \
      return FALSE; \
    *value = (Type) v; \
    return TRUE; \
  }

G_END_DECLS
