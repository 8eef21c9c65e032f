/* Exact GELU, x·Φ(x), as PyTorch's default.
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input. */
#pragma once

#include <stddef.h>

void dv_gelu_forward (float *out, const float *inp, size_t N);
void dv_gelu_backward (float *dinp, const float *dout, const float *inp, size_t N);
