/* Private to nn/: glibc's libmvec has SIMD versions of expf, erff, sinf and
 * cosf; its header announces them only under -ffast-math, which the engine
 * does not use (it would also relax NaN checks). Declaring them lets the
 * element-wise loops vectorise (-lm links libmvec as needed). */
#pragma once

#include <math.h>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__) && !defined(__clang__) && \
  !defined(__FAST_MATH__)
__attribute__ ((__simd__ ("notinbranch"))) float expf (float);
__attribute__ ((__simd__ ("notinbranch"))) float erff (float);
__attribute__ ((__simd__ ("notinbranch"))) float sinf (float);
__attribute__ ((__simd__ ("notinbranch"))) float cosf (float);
#endif

/* 1/(1+e^-x): for very negative x, e^-x overflows to inf and the result is 0, never NaN. */
static inline float
dv_sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}
