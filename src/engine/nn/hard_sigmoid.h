/* Hard sigmoid: relu6(x + 3)/6.
 * Forward: out[N] = f(inp[N]) (out may alias inp). Backward: dinp[N] +=
 * dout[N] ⊙ f'(inp[N]), accumulated, from the forward's input; f' is 1/6 on
 * the open interval (−3, 3) and 0 elsewhere, PyTorch's choice at the kinks. */
#pragma once

#include <stddef.h>

void dv_hard_sigmoid_forward (float *out, const float *inp, size_t N);
void dv_hard_sigmoid_backward (float *dinp, const float *dout, const float *inp, size_t N);
