#include "step/step_kernels.h"

#include <cstdint>
#include <cstring>

#include "util/avx2_clone.h"

namespace statenet {

namespace {

// e^x by range reduction x = n·ln2 + r, |r| ≤ ln2/2, and Cephes' degree-6 polynomial for
// e^r; 2^n is built in the exponent bits. Branch-free so that loops over it vectorise.
inline float exp_kernel(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  // n = round(x·log2 e), to nearest even, by the 1.5·2²³ trick (exact for |n| < 2²²).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  // A NaN input stays NaN through e; n must not be converted to an integer then (undefined).
  const float n_finite = n == n ? n : 0.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n_finite) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

}  // namespace

float exp_approx(float x) noexcept { return exp_kernel(x); }

PanelMatrix::PanelMatrix(int rows, int cols, const float* row_major, const float* bias)
    : rows_(rows), cols_(cols), padded_rows_((rows + kPanelRows - 1) / kPanelRows * kPanelRows),
      panels_(static_cast<std::size_t>(padded_rows_) * cols, 0.0f), bias_(padded_rows_, 0.0f) {
  for (int r = 0; r < rows; ++r) {
    const int p = r / kPanelRows, i = r % kPanelRows;
    for (int j = 0; j < cols; ++j)
      panels_[(static_cast<std::size_t>(p) * cols + j) * kPanelRows + i] = row_major[static_cast<std::size_t>(r) * cols + j];
    if (bias) bias_[r] = bias[r];
  }
}

STATENET_AVX2_CLONE
void PanelMatrix::apply(const float* __restrict x, float* __restrict y) const noexcept {
  const int cols = cols_, panels = padded_rows_ / kPanelRows;
  const std::size_t panel_size = static_cast<std::size_t>(cols) * kPanelRows;
  int p = 0;
  // Two panels per pass: 8 AVX accumulators in flight hide the FMA latency (4 would stall
  // on it), and each x[j] is loaded once for 64 rows.
  for (; p + 2 <= panels; p += 2) {
    const float* __restrict w0 = panels_.data() + p * panel_size;
    const float* __restrict w1 = w0 + panel_size;
    float acc0[kPanelRows], acc1[kPanelRows];
    for (int i = 0; i < kPanelRows; ++i) acc0[i] = bias_[p * kPanelRows + i], acc1[i] = bias_[(p + 1) * kPanelRows + i];
    for (int j = 0; j < cols; ++j) {
      const float xj = x[j];
      for (int i = 0; i < kPanelRows; ++i) acc0[i] += w0[j * kPanelRows + i] * xj;
      for (int i = 0; i < kPanelRows; ++i) acc1[i] += w1[j * kPanelRows + i] * xj;
    }
    for (int i = 0; i < kPanelRows; ++i) y[p * kPanelRows + i] = acc0[i], y[(p + 1) * kPanelRows + i] = acc1[i];
  }
  for (; p < panels; ++p) {
    const float* __restrict w = panels_.data() + p * panel_size;
    float acc[kPanelRows];
    for (int i = 0; i < kPanelRows; ++i) acc[i] = bias_[p * kPanelRows + i];
    for (int j = 0; j < cols; ++j) {
      const float xj = x[j];
      for (int i = 0; i < kPanelRows; ++i) acc[i] += w[j * kPanelRows + i] * xj;
    }
    for (int i = 0; i < kPanelRows; ++i) y[p * kPanelRows + i] = acc[i];
  }
}

namespace {

// Panel p of W times V vectors: V × 32 accumulators (4 AVX registers each), every weight
// column loaded once for the V vectors.
template <int V>
__attribute__((always_inline)) inline void panel_times_vectors(const float* __restrict w, const float* __restrict bias, int cols,
                                                               const float* __restrict x, int x_stride, float* __restrict y,
                                                               int y_stride) {
  float acc[V][kPanelRows];
  for (int v = 0; v < V; ++v)
    for (int i = 0; i < kPanelRows; ++i) acc[v][i] = bias[i];
  for (int j = 0; j < cols; ++j)
    for (int v = 0; v < V; ++v) {
      const float xj = x[v * x_stride + j];
      for (int i = 0; i < kPanelRows; ++i) acc[v][i] += w[j * kPanelRows + i] * xj;
    }
  for (int v = 0; v < V; ++v)
    for (int i = 0; i < kPanelRows; ++i) y[v * y_stride + i] = acc[v][i];
}

}  // namespace

STATENET_AVX2_CLONE
void PanelMatrix::apply_many(const float* __restrict x, int x_stride, int count, float* __restrict y, int y_stride) const noexcept {
  const std::size_t panel_size = static_cast<std::size_t>(cols_) * kPanelRows;
  for (int p = 0; p < padded_rows_ / kPanelRows; ++p) {
    const float* w = panels_.data() + p * panel_size;
    const float* b = bias_.data() + p * kPanelRows;
    float* yp = y + p * kPanelRows;
    int v = 0;
    for (; v + 3 <= count; v += 3)
      panel_times_vectors<3>(w, b, cols_, x + static_cast<std::size_t>(v) * x_stride, x_stride,
                             yp + static_cast<std::size_t>(v) * y_stride, y_stride);
    for (; v < count; ++v)
      panel_times_vectors<1>(w, b, cols_, x + static_cast<std::size_t>(v) * x_stride, x_stride,
                             yp + static_cast<std::size_t>(v) * y_stride, y_stride);
  }
}

BandConv::BandConv(int out_channels, int in_channels, int in_bands, int kf, int kt, const float* weight, const float* bias)
    : out_channels_(out_channels), in_channels_(in_channels), kf_(kf), kt_(kt), out_bands_(in_bands - kf + 1),
      stride_((in_bands - kf + 1 + 7) / 8 * 8 + kf - 1),
      weight_(static_cast<std::size_t>(out_channels) * in_channels * kf * kt), bias_(bias, bias + out_channels) {
  for (int o = 0; o < out_channels; ++o)
    for (int c = 0; c < in_channels; ++c)
      for (int i = 0; i < kf; ++i)
        for (int j = 0; j < kt; ++j)
          weight_[((static_cast<std::size_t>(j) * in_channels + c) * kf + i) * out_channels + o] =
              weight[((static_cast<std::size_t>(o) * in_channels + c) * kf + i) * kt + j];
}

namespace {

typedef float Vec8 __attribute__((vector_size(32)));
typedef float Vec8Unaligned __attribute__((vector_size(32), aligned(4), may_alias));

// Output channels o0 … o0 + OB − 1 at bands fb … fb + 7: OB accumulators stay in registers
// while the kf·kt·in_channels taps stream past.
template <int OB>
__attribute__((always_inline)) inline void band_conv_block(const float* window, int row, int stride, int in_channels, int kf, int kt,
                                                           const float* weight, int out_channels, const float* bias, int o0, int fb,
                                                           int out_bands, float* out) {
  Vec8 acc[OB];
  for (int b = 0; b < OB; ++b) acc[b] = Vec8{} + bias[o0 + b];
  const float* w = weight + o0;
  for (int j = 0; j < kt; ++j)
    for (int c = 0; c < in_channels; ++c) {
      const float* src = window + static_cast<std::size_t>(j) * row + c * stride + fb;
      for (int i = 0; i < kf; ++i, w += out_channels) {
        const Vec8 x = *reinterpret_cast<const Vec8Unaligned*>(src + i);
        for (int b = 0; b < OB; ++b) acc[b] += x * w[b];
      }
    }
  const int n = out_bands - fb < 8 ? out_bands - fb : 8;
  for (int b = 0; b < OB; ++b)
    for (int l = 0; l < n; ++l) out[(o0 + b) * out_bands + fb + l] = acc[b][l];
}

}  // namespace

STATENET_AVX2_CLONE
void BandConv::apply(const float* __restrict window, float* __restrict out) const noexcept {
  const int row = input_row_width();
  for (int fb = 0; fb < out_bands_; fb += 8) {
    int o0 = 0;
    for (; o0 + 8 <= out_channels_; o0 += 8)
      band_conv_block<8>(window, row, stride_, in_channels_, kf_, kt_, weight_.data(), out_channels_, bias_.data(), o0, fb, out_bands_, out);
    for (; o0 + 4 <= out_channels_; o0 += 4)
      band_conv_block<4>(window, row, stride_, in_channels_, kf_, kt_, weight_.data(), out_channels_, bias_.data(), o0, fb, out_bands_, out);
    for (; o0 + 2 <= out_channels_; o0 += 2)
      band_conv_block<2>(window, row, stride_, in_channels_, kf_, kt_, weight_.data(), out_channels_, bias_.data(), o0, fb, out_bands_, out);
    for (; o0 < out_channels_; ++o0)
      band_conv_block<1>(window, row, stride_, in_channels_, kf_, kt_, weight_.data(), out_channels_, bias_.data(), o0, fb, out_bands_, out);
  }
}

STATENET_AVX2_CLONE
void sigmoid_inplace(float* x, int n) noexcept {
  for (int i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + exp_kernel(-x[i]));
}

STATENET_AVX2_CLONE
void tanh_inplace(float* x, int n) noexcept {
  // tanh x = 1 − 2/(e^{2x} + 1): absolute error ~1e-7, saturating cleanly at ±1.
  for (int i = 0; i < n; ++i) x[i] = 1.0f - 2.0f / (exp_kernel(2.0f * x[i]) + 1.0f);
}

STATENET_AVX2_CLONE
void silu_inplace(float* x, int n) noexcept {
  for (int i = 0; i < n; ++i) x[i] = x[i] / (1.0f + exp_kernel(-x[i]));
}

void leaky_relu_inplace(float* x, int n, float negative_slope) noexcept {
  for (int i = 0; i < n; ++i) x[i] = x[i] < 0 ? x[i] * negative_slope : x[i];
}

}  // namespace statenet
