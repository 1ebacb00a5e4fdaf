#pragma once
// STATENET_AVX2_CLONE before a hot kernel: GCC builds an AVX2 + FMA clone beside the portable
// code and picks one at load time. Clang 14 (the sanitizer and fuzzing builds) cannot link
// target_clones on member functions, so under clang the kernels are portable code only.
#if defined(__clang__)
#define STATENET_AVX2_CLONE
#else
#define STATENET_AVX2_CLONE __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
