/* Hard swish: x·relu6(x + 3)/6.
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input. */
#pragma once

#include <stddef.h>

void dv_hardswish_forward (float *out, const float *inp, size_t N);
void dv_hardswish_backward (float *dinp, const float *dout, const float *inp, size_t N);
