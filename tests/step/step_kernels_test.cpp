// PanelMatrix against a double-precision matrix–vector product, one vector and many.

#include "step/step_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace statenet {
namespace {

TEST(PanelMatrix, oneAndManyVectorsMatchADoublePrecisionProduct) {
  std::mt19937 rng(4);
  std::normal_distribution<float> normal;
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{144, 48}, {48, 160}, {73, 70}, {1, 3}, {33, 1}}) {
    std::vector<float> w(static_cast<std::size_t>(rows) * cols), bias(rows);
    for (float& v : w) v = normal(rng);
    for (float& v : bias) v = normal(rng);
    const PanelMatrix m(rows, cols, w.data(), bias.data());
    for (int count : {1, 2, 3, 4, 7, 48}) {
      const int x_stride = cols + 5, y_stride = m.padded_rows() + 3;
      std::vector<float> x(static_cast<std::size_t>(count) * x_stride), y(static_cast<std::size_t>(count) * y_stride, NAN);
      for (float& v : x) v = normal(rng);
      m.apply_many(x.data(), x_stride, count, y.data(), y_stride);
      double worst = 0;
      for (int v = 0; v < count; ++v) {
        std::vector<float> one(m.padded_rows());
        m.apply(x.data() + v * x_stride, one.data());
        for (int r = 0; r < rows; ++r) {
          double exact = bias[r], size = std::abs(bias[r]);
          for (int c = 0; c < cols; ++c) {
            exact += static_cast<double>(w[r * cols + c]) * x[v * x_stride + c];
            size += std::abs(static_cast<double>(w[r * cols + c]) * x[v * x_stride + c]);
          }
          // float32 sums of cols + 1 terms: 1e-6 of Σ|terms|; apply and apply_many agree exactly.
          worst = std::max(worst, std::abs(y[v * y_stride + r] - exact) / size);
          ASSERT_EQ(y[v * y_stride + r], one[r]) << rows << "×" << cols << ", vector " << v << ", row " << r;
        }
      }
      EXPECT_LT(worst, 1e-6) << rows << "×" << cols << ", " << count << " vectors: largest relative difference";
    }
  }
}

}  // namespace
}  // namespace statenet
