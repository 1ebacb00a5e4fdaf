// PanelMatrix against a double-precision matrix–vector product, one vector and many; the
// activations' exp at the edges of its range.

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

TEST(Activations, expSaturatesOutsideItsRangeAndKeepsNaN) {
  // NaN reaches the kernels when finite weights overflow (found by fuzzing the model loader:
  // converting NaN's exponent to an integer was undefined behaviour).
  EXPECT_TRUE(std::isnan(exp_approx(std::nanf(""))));
  EXPECT_FLOAT_EQ(exp_approx(1e30f), exp_approx(88.0f));
  EXPECT_FLOAT_EQ(exp_approx(-1e30f), exp_approx(-87.0f));
  EXPECT_NEAR(exp_approx(1.0f), std::exp(1.0f), 2e-7 * std::exp(1.0f));
  float x[3] = {std::nanf(""), 0.0f, -1e30f};
  sigmoid_inplace(x, 3);
  EXPECT_TRUE(std::isnan(x[0]));
  EXPECT_FLOAT_EQ(x[1], 0.5f);
  EXPECT_LT(x[2], 1e-37f);  // σ(−87) after saturation
}

}  // namespace
}  // namespace statenet
