// The pruned zero-padded DFT against FFTW's real transform of the same padded frame.

#include "cochlea/pruned_real_dft.h"

#include <fftw3.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace statenet {
namespace {

TEST(PrunedRealDft, equalsFftwOnZeroPaddedFrames) {
  for (const auto& [n, nonzero] : {std::pair{1952, 488}, std::pair{1952, 300}, std::pair{32 * 17, 100}}) {
    SCOPED_TRACE(std::to_string(n) + " points, " + std::to_string(nonzero) + " non-zero");
    ASSERT_TRUE(PrunedRealDft::worthwhile(n, nonzero));
    std::vector<float> in(n, 0.0f);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int i = 0; i < nonzero; ++i) in[i] = normal(rng);
    std::vector<float> expected(n + 2), got(n + 2);
    fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in.data(), reinterpret_cast<fftwf_complex*>(expected.data()), FFTW_ESTIMATE);
    fftwf_execute(plan);
    fftwf_destroy_plan(plan);
    PrunedRealDft dft(n, nonzero);
    dft.execute(in.data(), got.data());
    double largest = 0, worst = 0;
    int worst_at = 0;
    for (int i = 0; i < n + 2; ++i) largest = std::max(largest, std::fabs(static_cast<double>(expected[i])));
    for (int i = 0; i < n + 2; ++i) {
      const double d = std::fabs(static_cast<double>(got[i]) - expected[i]);
      if (d > worst) worst = d, worst_at = i;
    }
    // float32 sums of ≤ 2000 terms: a few ulps of the largest coefficient.
    EXPECT_LE(worst / largest, 2e-6) << "largest difference " << worst << " at value " << worst_at;
  }
  EXPECT_FALSE(PrunedRealDft::worthwhile(2048, 488));   // FFTW's own radix-2 is fast
  EXPECT_FALSE(PrunedRealDft::worthwhile(1952, 1000));  // too little zero padding to gain
}

}  // namespace
}  // namespace statenet
