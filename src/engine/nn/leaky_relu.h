/* LeakyReLU: out = x if x > 0 else slope·x (PyTorch's convention at 0).
 * The forward and the overwriting backward (din = dout ⊙ f'(x)) live in
 * activations.c with the other activations; this adds the accumulating
 * backward the convolutional blocks need (dinp +=). */
#pragma once

#include "activations.h"
#include "dv_common.h"

G_BEGIN_DECLS

/* dinp += dout · (inp > 0 ? 1 : slope). inp is the forward's input. */
void dv_leaky_relu_backward_add (float *dinp, const float *dout, const float *inp, size_t n, float slope);

G_END_DECLS
