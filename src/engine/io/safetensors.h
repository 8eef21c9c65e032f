/* The safetensors format: 8-byte little-endian header length N, N bytes of JSON
 * ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}),
 * then the raw little-endian tensor bytes. F32 and F16. JSON through json-glib. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef enum { DV_DTYPE_F32, DV_DTYPE_F16 } DvDtype;

/* Files larger than this, or headers larger than 100 MB, are refused. */
#define DV_SAFETENSORS_MAX_FILE ((goffset) 4 << 30)

typedef struct _DvSafetensors DvSafetensors;

/* Reads and validates the whole file: header length within the file, valid
 * JSON object, every entry with a known dtype, a non-negative shape whose
 * byte size matches its data_offsets, offsets inside the data section, sorted
 * and non-overlapping, covering it exactly. Errors name the offending tensor. */
DvSafetensors *dv_safetensors_open (const char *path, GError **error);
DvSafetensors *dv_safetensors_open_bytes (GBytes *bytes, GError **error);
void dv_safetensors_close (DvSafetensors *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvSafetensors, dv_safetensors_close)

/* Tensor names in the order of their bytes in the data section, which is also
 * the header's order for files written by us or by the Python library
 * (NULL-terminated, owned by st). */
const char *const *dv_safetensors_names (DvSafetensors *st);
gboolean dv_safetensors_has (DvSafetensors *st, const char *name);
/* Shape of a tensor; returns FALSE if absent. */
gboolean dv_safetensors_shape (DvSafetensors *st, const char *name, int *ndim, int shape[4], DvDtype *dtype);
/* Copies a tensor into out as float32 (F16 converted), after checking it exists
 * and has exactly this shape; the error names the tensor and both shapes. A
 * tensor holding NaN or ±inf is refused (DV_ERROR_FORMAT, naming the tensor and
 * the element; out is then partly written): every weight, moment and latent
 * loader reads through here, so none accepts a poisoned file. */
gboolean dv_safetensors_read (DvSafetensors *st, const char *name, int ndim, const int *shape,
                              float *out, GError **error);
/* The same, non-finite values passed through (for tests and inspection). */
gboolean dv_safetensors_read_raw (DvSafetensors *st, const char *name, int ndim, const int *shape,
                                  float *out, GError **error);
/* A __metadata__ value, or NULL. */
const char *dv_safetensors_metadata (DvSafetensors *st, const char *key);
GHashTable *dv_safetensors_metadata_table (DvSafetensors *st);  /* owned by st */

typedef struct _DvSafetensorsWriter DvSafetensorsWriter;

DvSafetensorsWriter *dv_safetensors_writer_new (void);
/* data is copied (converted to F16 when dtype is F16). */
void dv_safetensors_writer_add (DvSafetensorsWriter *w, const char *name, DvDtype dtype,
                                int ndim, const int *shape, const float *data);
void dv_safetensors_writer_set_metadata (DvSafetensorsWriter *w, const char *key, const char *value);
/* Atomic: written to a temporary file in the same folder, then renamed.
 * Layout as the Python library writes it: compact JSON header with
 * __metadata__ first (keys sorted), tensors F32 before F16 and by name
 * (bytewise) within a dtype, header padded with spaces to a multiple of 8. */
gboolean dv_safetensors_writer_save (DvSafetensorsWriter *w, const char *path, GError **error);
void dv_safetensors_writer_free (DvSafetensorsWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvSafetensorsWriter, dv_safetensors_writer_free)

/* IEEE half conversions (round to nearest even). */
guint16 dv_float_to_half (float f);
float dv_half_to_float (guint16 h);

G_END_DECLS
