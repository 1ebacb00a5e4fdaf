#include "cpu_kernels/conv2d_kernels.h"

#include "util/avx2_clone.h"

// The vector helpers below are always inlined: no v8 crosses a call, whatever the ABI says.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace statenet {

namespace {

// Eight floats; GCC lowers the arithmetic to AVX in the x86-64-v3 clones below and to pairs
// of SSE registers in the portable ones.
typedef float v8 __attribute__((vector_size(32)));

#define STATENET_INLINE __attribute__((always_inline)) inline

STATENET_INLINE v8 load(const float* p) {
  v8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
STATENET_INLINE void store(float* p, v8 v) { __builtin_memcpy(p, &v, sizeof v); }
STATENET_INLINE float sum(v8 v) {
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

// Output channels [o, o + OB) of row f, all time tiles: OB × 2 accumulators of 8 floats, each
// input vector loaded once for OB channels. The last, partial tile goes through a local copy.
template <int OB>
STATENET_INLINE void correlate_block(const SignalView& in, const float* w, int o, int kf, int kt, int f, int T,
                                     float* out, int out_stride) {
  const int Ci = in.channels, Fo = in.rows - kf + 1;
  const long w_per_out = static_cast<long>(Ci) * kf * kt;
  for (int t = 0; t < T; t += kTimeTile) {
    v8 acc[OB][2] = {};
    for (int i = 0; i < Ci; ++i)
      for (int a = 0; a < kf; ++a) {
        const float* x = in.row(i, f + a) + t;
        const float* wr = w + (static_cast<long>(o) * Ci + i) * kf * kt + a * kt;  // w[o][i][a][·]
        for (int j = 0; j < kt; ++j) {
          const v8 x0 = load(x + j), x1 = load(x + j + 8);
#pragma GCC unroll 8
          for (int q = 0; q < OB; ++q) {
            const float wq = wr[q * w_per_out + j];
            acc[q][0] += wq * x0;
            acc[q][1] += wq * x1;
          }
        }
      }
    const int n = T - t < kTimeTile ? T - t : kTimeTile;
#pragma GCC unroll 8
    for (int q = 0; q < OB; ++q) {
      float* y = out + (static_cast<long>(o + q) * Fo + f) * out_stride + t;
      if (n == kTimeTile) {
        store(y, acc[q][0]);
        store(y + 8, acc[q][1]);
      } else {
        float tile[kTimeTile];
        store(tile, acc[q][0]);
        store(tile + 8, acc[q][1]);
        for (int k = 0; k < n; ++k) y[k] = tile[k];
      }
    }
  }
}

// gw[o + q][i][a][j0 + p] for q < OB, p < JB: OB × JB accumulators over every (f, t); the
// last T mod 8 bins in scalars.
template <int OB, int JB>
STATENET_INLINE void weight_gradient_block(const SignalView& g, const SignalView& in, int o, int i, int a, int j0, int kf,
                                           int kt, int T, float* gw) {
  const int T8 = T / 8 * 8;
  v8 acc[OB][JB] = {};
  float tail[OB][JB] = {};
  for (int f = 0; f < g.rows; ++f) {
    const float* x = in.row(i, f + a) + j0;
    const float* gr[OB];
#pragma GCC unroll 8
    for (int q = 0; q < OB; ++q) gr[q] = g.row(o + q, f);
    for (int t = 0; t < T8; t += 8) {
      v8 gv[OB];
#pragma GCC unroll 8
      for (int q = 0; q < OB; ++q) gv[q] = load(gr[q] + t);
#pragma GCC unroll 8
      for (int p = 0; p < JB; ++p) {
        const v8 xv = load(x + t + p);
#pragma GCC unroll 8
        for (int q = 0; q < OB; ++q) acc[q][p] += gv[q] * xv;
      }
    }
    for (int t = T8; t < T; ++t)
#pragma GCC unroll 8
      for (int q = 0; q < OB; ++q)
#pragma GCC unroll 8
        for (int p = 0; p < JB; ++p) tail[q][p] += gr[q][t] * x[t + p];
  }
  const int Ci = in.channels;
#pragma GCC unroll 8
  for (int q = 0; q < OB; ++q)
#pragma GCC unroll 8
    for (int p = 0; p < JB; ++p)
      gw[((static_cast<long>(o + q) * Ci + i) * kf + a) * kt + j0 + p] = sum(acc[q][p]) + tail[q][p];
}

template <int OB>
STATENET_INLINE void weight_gradient_row(const SignalView& g, const SignalView& in, int o, int i, int a, int kf, int kt,
                                         int T, float* gw) {
  int j = 0;
  for (; j + 5 <= kt; j += 5) weight_gradient_block<OB, 5>(g, in, o, i, a, j, kf, kt, T, gw);
  switch (kt - j) {
    case 4: weight_gradient_block<OB, 4>(g, in, o, i, a, j, kf, kt, T, gw); break;
    case 3: weight_gradient_block<OB, 3>(g, in, o, i, a, j, kf, kt, T, gw); break;
    case 2: weight_gradient_block<OB, 2>(g, in, o, i, a, j, kf, kt, T, gw); break;
    case 1: weight_gradient_block<OB, 1>(g, in, o, i, a, j, kf, kt, T, gw); break;
    default: break;
  }
}

}  // namespace

STATENET_AVX2_CLONE
void correlate_valid(const SignalView& in, const float* w, int out_channels, int kf, int kt, int T, int f_begin,
                     int f_end, float* out, int out_stride) noexcept {
  for (int f = f_begin; f < f_end; ++f) {
    int o = 0;
    for (; o + 5 <= out_channels; o += 5) correlate_block<5>(in, w, o, kf, kt, f, T, out, out_stride);
    switch (out_channels - o) {
      case 4: correlate_block<4>(in, w, o, kf, kt, f, T, out, out_stride); break;
      case 3: correlate_block<3>(in, w, o, kf, kt, f, T, out, out_stride); break;
      case 2: correlate_block<2>(in, w, o, kf, kt, f, T, out, out_stride); break;
      case 1: correlate_block<1>(in, w, o, kf, kt, f, T, out, out_stride); break;
      default: break;
    }
  }
}

STATENET_AVX2_CLONE
void correlate_weight_gradient(const SignalView& g, const SignalView& in, int kf, int kt, int T, int o_begin,
                               int o_end, float* gw) noexcept {
  for (int i = 0; i < in.channels; ++i)
    for (int a = 0; a < kf; ++a) {
      int o = o_begin;
      for (; o + 2 <= o_end; o += 2) weight_gradient_row<2>(g, in, o, i, a, kf, kt, T, gw);
      if (o < o_end) weight_gradient_row<1>(g, in, o, i, a, kf, kt, T, gw);
    }
}

}  // namespace statenet
