#include "stream/step_kernels.h"

#include <cstdint>
#include <cstring>

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
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
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

__attribute__((target_clones("arch=x86-64-v3", "default")))
void PanelMatrix::apply(const float* __restrict x, float* __restrict y) const noexcept {
  const int cols = cols_;
  for (int p = 0; p < padded_rows_ / kPanelRows; ++p) {
    const float* __restrict w = panels_.data() + static_cast<std::size_t>(p) * cols * kPanelRows;
    float acc[kPanelRows];
    for (int i = 0; i < kPanelRows; ++i) acc[i] = bias_[p * kPanelRows + i];
    for (int j = 0; j < cols; ++j) {
      const float xj = x[j];
      for (int i = 0; i < kPanelRows; ++i) acc[i] += w[j * kPanelRows + i] * xj;
    }
    for (int i = 0; i < kPanelRows; ++i) y[p * kPanelRows + i] = acc[i];
  }
}

__attribute__((target_clones("arch=x86-64-v3", "default")))
void sigmoid_inplace(float* x, int n) noexcept {
  for (int i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + exp_kernel(-x[i]));
}

__attribute__((target_clones("arch=x86-64-v3", "default")))
void tanh_inplace(float* x, int n) noexcept {
  // tanh x = 1 − 2/(e^{2x} + 1): absolute error ~1e-7, saturating cleanly at ±1.
  for (int i = 0; i < n; ++i) x[i] = 1.0f - 2.0f / (exp_kernel(2.0f * x[i]) + 1.0f);
}

__attribute__((target_clones("arch=x86-64-v3", "default")))
void silu_inplace(float* x, int n) noexcept {
  for (int i = 0; i < n; ++i) x[i] = x[i] / (1.0f + exp_kernel(-x[i]));
}

void leaky_relu_inplace(float* x, int n, float negative_slope) noexcept {
  for (int i = 0; i < n; ++i) x[i] = x[i] < 0 ? x[i] * negative_slope : x[i];
}

}  // namespace statenet
