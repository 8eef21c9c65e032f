/* Tensor shapes: up to DV_SHAPE_MAX_DIMS dimensions, as DvParams and safetensors keep them. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

#define DV_SHAPE_MAX_DIMS 4

/* Writes e.g. "[256, 2]" into buf. */
const char *dv_shape_to_string (int ndim, const int *shape, char *buf, size_t len);
size_t dv_shape_numel (int ndim, const int *shape);

G_END_DECLS
