/* The oneDNN backend of nn/conv2d (private to it): the convolutions of
 * Debian's libdnnl 2.6, the library PyTorch 1.13 runs its own through. Inputs
 * and outputs stay in our NCHW / OIHW layouts; oneDNN's blocked layouts live
 * inside, behind reorders, and gradients are accumulated by those reorders. */
#pragma once

#include "nn/conv2d.h"

G_BEGIN_DECLS

/* FALSE if oneDNN could not make a primitive for this shape (the caller falls back). */
gboolean dv_conv2d_dnnl_forward (float *out, const float *inp, const float *weight, const float *bias,
                                 const DvConv2dShape *s);
gboolean dv_conv2d_dnnl_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                                  const float *weight, const DvConv2dShape *s);
void dv_conv2d_dnnl_set_threads (int n);

G_END_DECLS
