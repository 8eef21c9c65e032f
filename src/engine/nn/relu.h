/* ReLU: max(x, 0).
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input. */
#pragma once

#include <stddef.h>

void dv_relu_forward (float *out, const float *inp, size_t N);
void dv_relu_backward (float *dinp, const float *dout, const float *inp, size_t N);
