// The S4D kernel as one operation against the same map in LibTorch operations (float64).

#include "train_ops/s4d_kernel.h"

#include <gtest/gtest.h>

#include <cmath>

namespace statenet {
namespace {

struct Result {
  torch::Tensor kernel;
  std::vector<torch::Tensor> grads;  // c_re, c_im, log_z_re, log_z_im
};

template <typename Kernel>
Result run(Kernel kernel, const std::vector<torch::Tensor>& inputs, std::int64_t length, const torch::Tensor& probe) {
  std::vector<torch::Tensor> x;
  for (const auto& t : inputs) x.push_back(t.clone().requires_grad_());
  const torch::Tensor k = kernel(x[0], x[1], x[2], x[3], length);
  (k * probe).sum().backward();
  Result r{k.detach(), {}};
  for (const auto& t : x) r.grads.push_back(t.grad());
  return r;
}

// S4D-Lin at NS1's sizes and a few odd ones: log z = dt·(−½ + iπn), dt log-uniform in
// [1e-3, 0.1], c̃ ~ N(0, 1).
std::vector<torch::Tensor> s4d_inputs(int H, int n) {
  const torch::Tensor dt = torch::exp(torch::rand({H, 1}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3));
  return {torch::randn({H, n}), torch::randn({H, n}), (-0.5 * dt).expand({H, n}).contiguous(),
          dt * M_PI * torch::arange(n, torch::kFloat32)};
}

TEST(S4dKernel, kernelAndGradientsMatchLibTorchInDoublePrecision) {
  torch::manual_seed(5);
  for (const auto& [H, n, L] : std::vector<std::array<int, 3>>{{70, 32, 999}, {3, 5, 17}, {1, 1, 1}}) {
    const std::vector<torch::Tensor> inputs = s4d_inputs(H, n);
    const torch::Tensor probe = torch::randn({H, L});
    std::vector<torch::Tensor> inputs64;
    for (const auto& t : inputs) inputs64.push_back(t.to(torch::kFloat64));
    const Result ours = run(s4d_kernel, inputs, L, probe);
    const Result ref = run(s4d_kernel_reference, inputs64, L, probe.to(torch::kFloat64));
    // Bounds on each sum's terms: |K| ≤ 2 Σ_n |c̃|, |∂/∂c̃| ≤ 2 Σ_l |g|·|z|^l,
    // |∂/∂log z| ≤ 2 Σ_l |g|·l·|z|^l·|c̃| (|c̃| ≤ |a| + |b|, |z| = e^{log_z_re} ≤ 1).
    const torch::Tensor c_abs = inputs64[0].abs() + inputs64[1].abs();
    const torch::Tensor l = torch::arange(L, torch::kFloat64).view({1, 1, L});
    const torch::Tensor g_mag = probe.abs().to(torch::kFloat64).unsqueeze(1) * torch::exp(inputs64[2].unsqueeze(2) * l);
    const torch::Tensor k_bound = 2 * c_abs.sum(1, true).expand({H, L});
    const torch::Tensor c_bound = 2 * g_mag.sum(2), log_z_bound = 2 * (g_mag * l).sum(2) * c_abs;
    const auto worst = [](const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& bound) {
      return ((a.to(torch::kFloat64) - b).abs() / (bound + 1e-30)).max().item<double>();
    };
    const std::string at = "H " + std::to_string(H) + " n " + std::to_string(n) + " L " + std::to_string(L);
    // float32 results of double sums (ours) against float64 (LibTorch): a few float32 ulps of
    // the terms' magnitude.
    EXPECT_LT(worst(ours.kernel, ref.kernel, k_bound), 1e-6) << at << ": kernel";
    const char* names[] = {"c_re", "c_im", "log_z_re", "log_z_im"};
    for (int i = 0; i < 4; ++i)
      EXPECT_LT(worst(ours.grads[i], ref.grads[i], i < 2 ? c_bound : log_z_bound), 1e-6) << at << ": gradient of " << names[i];
  }
}

TEST(S4dKernel, rejectsMismatchedShapesAndLeavesOtherDtypesToLibTorch) {
  const torch::Tensor x = torch::rand({2, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(s4d_kernel(x, x, -x, x, 7), s4d_kernel_reference(x, x, -x, x, 7)));
  EXPECT_THROW(s4d_kernel(x, x, -x, x.narrow(1, 0, 2), 7), c10::Error);
}

}  // namespace
}  // namespace statenet
