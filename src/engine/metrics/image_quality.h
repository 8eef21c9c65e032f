/* Image quality of a reconstruction against its reference, both [h][w][3]
 * floats (HWC) in [0, 1] (data range 1).
 * PSNR = 10·log10(1 / MSE) over all pixels and channels (capped at 100 dB for identical images).
 * SSIM after Wang et al. 2004: an 11-tap Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03,
 * C1 = K1², C2 = K2², population (biased) local statistics; computed per channel,
 * then averaged. Border convention as scikit-image's structural_similarity with
 * gaussian_weights=True, use_sample_covariance=False: the local means are
 * filtered with the image reflected at the border (scipy's "reflect", edge
 * sample repeated), and the SSIM map is averaged over the pixels at least 5
 * (= (11 − 1)/2) from every border. */
#pragma once

#include "core/common.h"

G_BEGIN_DECLS

double dv_psnr (const float *a, const float *b, int height, int width);
/* Needs height and width ≥ 11. */
double dv_ssim (const float *a, const float *b, int height, int width);

G_END_DECLS
