/* A model's parameters in one flat buffer, with a flat gradient buffer beside it
 * (the llm.c way): optimisers, EMA, clipping and checkpoints work on the whole
 * model at once, while each named tensor is a slice of the buffer. */
#pragma once

#include "core/common.h"
#include "core/shape.h"
#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  int ndim;
  int shape[DV_SHAPE_MAX_DIMS];
  size_t offset;  /* in floats, from the start of data/grad */
  size_t numel;
} DvParamInfo;

typedef struct {
  float *data;
  float *grad;
  size_t count;   /* total floats */
  GArray *infos;  /* DvParamInfo */
  gboolean allocated;
} DvParams;

void dv_params_init (DvParams *params);
void dv_params_clear (DvParams *params);
/* Registers a tensor; returns its offset. Only before dv_params_alloc. */
size_t dv_params_add (DvParams *params, const char *name, int ndim, const int *shape);
/* Allocates data and grad (zeroed, 64-byte aligned). */
void dv_params_alloc (DvParams *params);
const DvParamInfo *dv_params_find (const DvParams *params, const char *name);
guint dv_params_n_tensors (const DvParams *params);
const DvParamInfo *dv_params_info (const DvParams *params, guint index);
void dv_params_zero_grad (DvParams *params);
/* Copies values from another store with the same layout. */
void dv_params_copy_data (DvParams *dst, const DvParams *src);
/* TRUE if every parameter is finite. */
gboolean dv_params_all_finite (const DvParams *params);

G_END_DECLS
