#pragma once
// Hand-written kernels of the step engine: a matrix–vector product on a row-panel weight
// layout, and vectorisable activations. Every function is noexcept and allocation-free;
// the hot ones are compiled twice (x86-64-v3 = AVX2/FMA, and portable x86-64) and the
// right clone is chosen at load time, so a portable build is still fast on a modern CPU.
// [real-time path: no LibTorch]

#include <cstddef>
#include <vector>

namespace statenet {

// Rows handled together by one pass over the input: 32 floats = 4 AVX registers of
// accumulators, kept in registers while the columns stream past.
constexpr int kPanelRows = 32;

// y = W·x + b for a dense rows × cols matrix stored as panels of kPanelRows rows, each
// panel column-major: panel p holds W[p·32 + i][j] at data[(p·cols + j)·32 + i]. Rows are
// padded to a multiple of 32 with zeros, so y needs padded_rows() floats.
class PanelMatrix {
 public:
  PanelMatrix() = default;
  /// From a row-major rows × cols matrix (PyTorch's Linear layout) and an optional bias.
  PanelMatrix(int rows, int cols, const float* row_major, const float* bias = nullptr);
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  int padded_rows() const { return padded_rows_; }
  /// y[0 … padded_rows) = W·x + b; x has cols() floats; y must not alias x. [RT]
  void apply(const float* x, float* y) const noexcept;

 private:
  int rows_ = 0, cols_ = 0, padded_rows_ = 0;
  std::vector<float> panels_, bias_;
};

// In-place activations over n floats. exp is a Cephes-style polynomial (relative error
// below 2e-7 on [−87, 88], saturating outside), so loops vectorise. [RT]
void sigmoid_inplace(float* x, int n) noexcept;
void tanh_inplace(float* x, int n) noexcept;
void silu_inplace(float* x, int n) noexcept;
void leaky_relu_inplace(float* x, int n, float negative_slope) noexcept;

// The scalar exp the kernels use, exposed for tests. [RT]
float exp_approx(float x) noexcept;

}  // namespace statenet
