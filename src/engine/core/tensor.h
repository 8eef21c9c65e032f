/* A float32 tensor of up to 4 dimensions, owning (64-byte aligned) or viewing memory. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_TENSOR_MAX_DIMS 4
#define DV_ALIGNMENT 64

typedef struct {
  float *data;
  int ndim;
  int shape[DV_TENSOR_MAX_DIMS];
  size_t numel;
  gboolean owns_data;
} DvTensor;

/* Aligned, zeroed float buffers for layer activations and parameters. */
float *dv_alloc_floats (size_t count);
void dv_free_floats (float *data);

/* shape has ndim entries, each > 0. Returns NULL and sets error on bad shape. */
DvTensor *dv_tensor_new (int ndim, const int *shape, GError **error);
DvTensor *dv_tensor_new_2d (int rows, int cols);
/* A view over memory the caller keeps alive. */
DvTensor *dv_tensor_view (float *data, int ndim, const int *shape);
void dv_tensor_free (DvTensor *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DvTensor, dv_tensor_free)

gboolean dv_tensor_same_shape (const DvTensor *a, const DvTensor *b);
/* Checks t against an expected shape; the message names both shapes. */
gboolean dv_tensor_check_shape (const DvTensor *t, const char *what, int ndim, const int *shape, GError **error);
/* Reinterprets the shape without copying; fails if the element count differs. */
gboolean dv_tensor_reshape (DvTensor *t, int ndim, const int *shape, GError **error);
/* Writes e.g. "[256, 2]" into buf. */
const char *dv_shape_to_string (int ndim, const int *shape, char *buf, size_t len);
size_t dv_shape_numel (int ndim, const int *shape);

G_END_DECLS
