/* 2D convolution over NCHW float buffers, the llm.c way: batched im2col over the
 * whole batch, then one cblas_sgemm per group per call; im2col and col2im are
 * split over threads by (image, channel). */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

typedef struct {
  int batch, in_channels, in_h, in_w;
  int out_channels, kernel_h, kernel_w, stride, padding, groups;
} DvConv2dShape;

/* Fills a shape; kernel square, groups 1. Adjust fields afterwards for other cases. */
void dv_conv2d_shape_init (DvConv2dShape *s, int batch, int in_channels, int in_h, int in_w, int out_channels,
                           int kernel, int stride, int padding);
int dv_conv2d_out_h (const DvConv2dShape *s);
int dv_conv2d_out_w (const DvConv2dShape *s);
/* Weight floats: out_channels × in_channels/groups × kernel_h × kernel_w (PyTorch's layout). */
size_t dv_conv2d_weight_size (const DvConv2dShape *s);
/* Scratch floats the forward and backward need (columns + output rearrangement). */
size_t dv_conv2d_workspace_size (const DvConv2dShape *s);

/* Threads for oneDNN (OpenMP) and for im2col/col2im (1 by default; the sgemm uses OpenBLAS's own count). */
void dv_conv2d_set_threads (int n);
int dv_conv2d_get_threads (void);

/* How convolutions run: oneDNN's (the default when built with it; measured 3–5× faster than
 * im2col here, see bench/RESULTS-views.md) or batched im2col + one OpenBLAS sgemm per group. */
typedef enum {
  DV_CONV2D_ONEDNN,
  DV_CONV2D_IM2COL,
} DvConv2dBackend;

/* Returns FALSE (and keeps the current one) when the backend is not built in. */
gboolean dv_conv2d_set_backend (DvConv2dBackend backend);
DvConv2dBackend dv_conv2d_get_backend (void);
const char *dv_conv2d_backend_name (void);

/* out: [batch][out_channels][out_h][out_w]; inp: [batch][in_channels][in_h][in_w];
 * weight: [out_channels][in_channels/groups][kernel_h][kernel_w]; bias: [out_channels] or NULL;
 * work: dv_conv2d_workspace_size floats (used by the im2col backend). Safe to call from several
 * threads: oneDNN's cached primitives for a shape are locked while they run. */
void dv_conv2d_forward (float *out, const float *inp, const float *weight, const float *bias,
                        const DvConv2dShape *s, float *work);
/* Accumulates: dinp += ∂L/∂inp (skipped when NULL), dweight += ∂L/∂weight (skipped when NULL),
 * dbias += ∂L/∂bias (skipped when NULL). dout has out's shape. */
void dv_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                         const float *weight, const DvConv2dShape *s, float *work);

G_END_DECLS

#include "core/rng.h"
G_BEGIN_DECLS
/* PyTorch's default initialisation: weight and bias (when non-NULL) uniform in ±1/√fan_in,
 * fan_in = in_channels/groups · kernel_h · kernel_w. */
void dv_conv2d_init (float *weight, float *bias, const DvConv2dShape *s, DvRng *rng);
G_END_DECLS
