/* Element-wise activations. Forward writes out (may alias in); backward
 * writes din = dout ⊙ f'(in) (din may alias dout), taking the forward input. */
#pragma once

#include <stddef.h>

void dv_relu_forward (float *out, const float *in, size_t n);
void dv_relu_backward (float *din, const float *dout, const float *in, size_t n);
void dv_leaky_relu_forward (float *out, const float *in, size_t n, float slope);
void dv_leaky_relu_backward (float *din, const float *dout, const float *in, size_t n, float slope);
void dv_silu_forward (float *out, const float *in, size_t n);
void dv_silu_backward (float *din, const float *dout, const float *in, size_t n);
/* Exact GELU, x·Φ(x), as PyTorch's default. */
void dv_gelu_forward (float *out, const float *in, size_t n);
void dv_gelu_backward (float *din, const float *dout, const float *in, size_t n);
void dv_sigmoid_forward (float *out, const float *in, size_t n);
void dv_sigmoid_backward (float *din, const float *dout, const float *in, size_t n);
/* x·relu6(x+3)/6 */
void dv_hardswish_forward (float *out, const float *in, size_t n);
void dv_hardswish_backward (float *din, const float *dout, const float *in, size_t n);
