/* ReLU6: min(max(x, 0), 6).
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input; f' is 1 on
 * the open interval (0, 6) and 0 elsewhere, PyTorch's choice at the kinks. */
#pragma once

#include <stddef.h>

void dv_relu6_forward (float *out, const float *inp, size_t N);
void dv_relu6_backward (float *dinp, const float *dout, const float *inp, size_t N);
