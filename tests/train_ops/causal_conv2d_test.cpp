// Our direct 2D-CNN convolution kernels against LibTorch's conv2d on the left-padded input:
// outputs and all three gradients, over shapes that exercise every register-block remainder.

#include "train_ops/causal_conv2d.h"

#include <gtest/gtest.h>

#include <ATen/Parallel.h>

namespace statenet {
namespace {

struct Shape {
  int B, Ci, Co, F, T, kf, kt;
};

// Largest |a − b| relative to the sum of the magnitudes of the terms that make each value
// (a float32 sum's rounding error scales with it, whatever the cancellation).
double relative_difference(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& magnitude) {
  return ((a - b).abs() / magnitude.clamp_min(1e-30)).max().item<double>();
}

struct Result {
  torch::Tensor y, gx, gw, gb;
};

template <typename Conv>
Result run(Conv conv, const torch::Tensor& x0, const torch::Tensor& w0, const torch::Tensor& b0, const torch::Tensor& probe) {
  torch::Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
  torch::Tensor y = conv(x, w, b);
  (y * probe).sum().backward();
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

TEST(CausalConv2d, forwardAndGradientsMatchLibTorchConv2d) {
  // NS1's three layers (kernel 6 × 15), then remainders of the 5-channel, 2-channel and 5-lag
  // blocks, a single lag, a single band and T below one time tile.
  const std::vector<Shape> shapes = {{1, 1, 10, 34, 999, 6, 15}, {1, 10, 10, 29, 999, 6, 15}, {2, 3, 7, 9, 37, 3, 4},
                                     {1, 2, 9, 5, 20, 2, 7},      {2, 4, 1, 6, 16, 6, 1},       {1, 1, 3, 1, 5, 1, 3}};
  torch::manual_seed(1);
  for (const Shape& s : shapes) {
    const torch::Tensor x = torch::randn({s.B, s.Ci, s.F, s.T}), w = torch::randn({s.Co, s.Ci, s.kf, s.kt}) * 0.1;
    const torch::Tensor b = torch::randn({s.Co}), probe = torch::randn({s.B, s.Co, s.F - s.kf + 1, s.T});
    const Result ours = run(causal_conv2d, x, w, b, probe), ref = run(causal_conv2d_reference, x, w, b, probe);
    const Result size = run(causal_conv2d_reference, x.abs(), w.abs(), b.abs(), probe.abs());  // Σ|terms|
    const std::string at = "B " + std::to_string(s.B) + " Ci " + std::to_string(s.Ci) + " Co " + std::to_string(s.Co) +
                           " F " + std::to_string(s.F) + " T " + std::to_string(s.T) + " kernel " +
                           std::to_string(s.kf) + "x" + std::to_string(s.kt);
    ASSERT_EQ(ours.y.sizes(), ref.y.sizes()) << at;
    // float32 sums of up to Ci·kf·kt (or F·T) terms in different orders: 1e-6 of Σ|terms|.
    EXPECT_LT(relative_difference(ours.y, ref.y, size.y), 1e-6) << at << ": output";
    EXPECT_LT(relative_difference(ours.gx, ref.gx, size.gx), 1e-6) << at << ": input gradient";
    EXPECT_LT(relative_difference(ours.gw, ref.gw, size.gw), 1e-6) << at << ": weight gradient";
    EXPECT_LT(relative_difference(ours.gb, ref.gb, size.gb), 1e-6) << at << ": bias gradient";
  }
}

TEST(CausalConv2d, isCausalAndIdenticalForAnyThreadCount) {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({1, 10, 12, 100}), w = torch::randn({10, 10, 6, 15}), b = torch::randn({10});
  const torch::Tensor probe = torch::randn({1, 10, 7, 100});
  torch::Tensor later = x.clone();
  later.narrow(3, 60, 40).normal_();
  const torch::Tensor y = causal_conv2d(x, w, b), y_later = causal_conv2d(later, w, b);
  EXPECT_TRUE(torch::equal(y.narrow(3, 0, 60), y_later.narrow(3, 0, 60))) << "outputs before bin 60 changed";
  EXPECT_FALSE(torch::equal(y.narrow(3, 60, 1), y_later.narrow(3, 60, 1)));

  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const Result one = run(causal_conv2d, x, w, b, probe);
  at::set_num_threads(2);
  const Result two = run(causal_conv2d, x, w, b, probe);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one.y, two.y) && torch::equal(one.gx, two.gx) && torch::equal(one.gw, two.gw));
}

TEST(CausalConv2d, otherDtypesAndTheProcessSwitchUseLibTorch) {
  const torch::Tensor x = torch::randn({1, 2, 8, 30}, torch::kFloat64), w = torch::randn({3, 2, 3, 5}, torch::kFloat64);
  const torch::Tensor b = torch::randn({3}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(causal_conv2d(x, w, b), causal_conv2d_reference(x, w, b)));
  EXPECT_THROW(causal_conv2d(x, w.narrow(1, 0, 1), b), c10::Error);

  const torch::Tensor xf = x.to(torch::kFloat32), wf = w.to(torch::kFloat32), bf = b.to(torch::kFloat32);
  use_libtorch_conv2d(true);
  const torch::Tensor forced = causal_conv2d(xf, wf, bf);
  use_libtorch_conv2d(false);
  EXPECT_TRUE(torch::equal(forced, causal_conv2d_reference(xf, wf, bf)));
}

}  // namespace
}  // namespace statenet
