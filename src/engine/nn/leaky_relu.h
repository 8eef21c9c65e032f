/* Leaky ReLU: x for x > 0, slope·x otherwise.
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input. */
#pragma once

#include <stddef.h>

void dv_leaky_relu_forward (float *out, const float *inp, size_t N, float slope);
void dv_leaky_relu_backward (float *dinp, const float *dout, const float *inp, size_t N, float slope);
