// Mamba's selective scan as one operation against the same recursion in LibTorch operations.

#include "train_ops/selective_scan.h"

#include <gtest/gtest.h>

namespace statenet {
namespace {

struct Result {
  torch::Tensor y, g_decay, g_drive, g_c;
};

template <typename Scan>
Result run(Scan scan, const torch::Tensor& decay0, const torch::Tensor& drive0, const torch::Tensor& c0,
           const torch::Tensor& probe) {
  torch::Tensor decay = decay0.clone().requires_grad_(), drive = drive0.clone().requires_grad_();
  torch::Tensor c = c0.clone().requires_grad_();
  const torch::Tensor y = scan(decay, drive, c);
  (y * probe).sum().backward();
  return {y.detach(), decay.grad(), drive.grad(), c.grad()};
}

// Largest |a − b| over the sum of the magnitudes of the terms (the reference run on |inputs|).
double relative_difference(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& magnitude) {
  return ((a - b).abs() / magnitude.clamp_min(1e-30)).max().item<double>();
}

TEST(SelectiveScan, outputAndGradientsMatchTheStepByStepRecursion) {
  torch::manual_seed(3);
  for (const auto& [B, T, D, S] : std::vector<std::array<int, 4>>{{1, 200, 140, 16}, {2, 37, 5, 3}, {1, 1, 2, 1}}) {
    const torch::Tensor decay = torch::rand({B, T, D, S}) * 0.5 + 0.5, drive = torch::randn({B, T, D, S});
    const torch::Tensor c = torch::randn({B, T, S}), probe = torch::randn({B, T, D});
    const Result ours = run(selective_scan, decay, drive, c, probe);
    const Result ref = run(selective_scan_reference, decay, drive, c, probe);
    const Result size = run(selective_scan_reference, decay, drive.abs(), c.abs(), probe.abs());
    const std::string at = "B " + std::to_string(B) + " T " + std::to_string(T) + " D " + std::to_string(D) + " S " +
                           std::to_string(S);
    // float32 sums in a different order: 1e-5 of the summed magnitudes (the recursion's
    // products of decays are all in (0, 1]).
    EXPECT_LT(relative_difference(ours.y, ref.y, size.y), 1e-5) << at << ": output";
    EXPECT_LT(relative_difference(ours.g_drive, ref.g_drive, size.g_drive), 1e-5) << at << ": drive gradient";
    EXPECT_LT(relative_difference(ours.g_decay, ref.g_decay, size.g_decay.abs() + 1e-6), 1e-5) << at << ": decay gradient";
    EXPECT_LT(relative_difference(ours.g_c, ref.g_c, size.g_c), 1e-5) << at << ": c gradient";
  }
}

TEST(SelectiveScan, rejectsMismatchedShapesAndLeavesOtherDtypesToLibTorch) {
  const torch::Tensor decay = torch::rand({1, 4, 3, 2}, torch::kFloat64), c = torch::rand({1, 4, 2}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(selective_scan(decay, decay, c), selective_scan_reference(decay, decay, c)));
  EXPECT_THROW(selective_scan(decay, decay, c.narrow(2, 0, 1)), c10::Error);
}

}  // namespace
}  // namespace statenet
