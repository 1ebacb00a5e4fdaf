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
  /// The same for count vectors: y_v = W·x_v + b with x_v = x + v·x_stride, y_v = y + v·y_stride
  /// (y_stride ≥ padded_rows()); each weight loaded once per 3 vectors. [RT]
  void apply_many(const float* x, int x_stride, int count, float* y, int y_stride) const noexcept;

 private:
  int rows_ = 0, cols_ = 0, padded_rows_ = 0;
  std::vector<float> panels_, bias_;
};

// One output column of a valid 2-D convolution over (band, time) — the 2-D CNN's step:
//   out[o·Fo + f] = bias[o] + Σ_{c,i,j} W[o][c][i][j] · in[j][c·stride + i + f],
// f < Fo = in_bands − kf + 1, j = 0 … kt − 1 over the last kt input rows (oldest first). Each
// input row holds in_channels runs of input_stride() floats: the channel's bands, then zeros
// (the kernel reads whole 8-band blocks). Output bands are computed 8 at a time with up to 8
// output channels' accumulators in registers.
class BandConv {
 public:
  BandConv() = default;
  /// weight: PyTorch's Conv2d layout [out, in, kf, kt], row-major; bias: [out].
  BandConv(int out_channels, int in_channels, int in_bands, int kf, int kt, const float* weight, const float* bias);
  int out_bands() const { return out_bands_; }
  int input_stride() const { return stride_; }
  int input_row_width() const { return in_channels_ * stride_; }
  /// window: kt rows of input_row_width() floats; out: out_channels·out_bands() floats. [RT]
  void apply(const float* window, float* out) const noexcept;

 private:
  int out_channels_ = 0, in_channels_ = 0, kf_ = 0, kt_ = 0, out_bands_ = 0, stride_ = 0;
  std::vector<float> weight_, bias_;  // weight_[((j·in + c)·kf + i)·out + o]
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
