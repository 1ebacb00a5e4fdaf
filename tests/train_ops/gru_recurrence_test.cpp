// The GRU recurrence as one operation against LibTorch's GRU and its step-by-step form.

#include "train_ops/gru_recurrence.h"

#include <gtest/gtest.h>

namespace statenet {
namespace {

struct Result {
  torch::Tensor h, g_gi, g_h0, g_w, g_b;
};

template <typename Recurrence>
Result run(Recurrence f, const torch::Tensor& gi0, const torch::Tensor& h00, const torch::Tensor& w0,
           const torch::Tensor& b0, const torch::Tensor& probe) {
  torch::Tensor gi = gi0.clone().requires_grad_(), h0 = h00.clone().requires_grad_();
  torch::Tensor w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
  const torch::Tensor h = f(gi, h0, w, b);
  (h * probe).sum().backward();
  return {h.detach(), gi.grad(), h0.grad(), w.grad(), b.grad()};
}

double largest_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Float32 ours against the reference in float64 (LibTorch operations): absolute differences,
// every tensor's entries being O(1) (gates in (0, 1), probe N(0, 1)) — 1e-4 covers float32
// accumulation over 300 bins, a wrong term is O(0.1). B ≥ 8 takes the batched path.
TEST(GruRecurrence, outputAndGradientsMatchTheStepByStepCellInDoublePrecision) {
  torch::manual_seed(8);
  for (const auto& [B, T, H] : std::vector<std::array<int, 3>>{{1, 300, 70}, {3, 17, 5}, {2, 1, 3}, {12, 40, 9}, {9, 1, 4}}) {
    const torch::Tensor gi = torch::randn({B, T, 3 * H}), h0 = torch::randn({B, H}) * 0.5;
    const torch::Tensor w = torch::randn({3 * H, H}) / std::sqrt(static_cast<double>(H)), b = torch::randn({3 * H}) * 0.1;
    const torch::Tensor probe = torch::randn({B, T, H});
    const Result ours = run(gru_recurrence, gi, h0, w, b, probe);
    const auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
    const Result ref = run(gru_recurrence_reference, d(gi), d(h0), d(w), d(b), d(probe));
    const std::string at = "B " + std::to_string(B) + " T " + std::to_string(T) + " H " + std::to_string(H);
    EXPECT_LT(largest_difference(ours.h, ref.h), 1e-5) << at << ": output";
    EXPECT_LT(largest_difference(ours.g_gi, ref.g_gi), 1e-4) << at << ": input-projection gradient";
    EXPECT_LT(largest_difference(ours.g_h0, ref.g_h0), 1e-4) << at << ": initial-state gradient";
    EXPECT_LT(largest_difference(ours.g_w, ref.g_w) / (ref.g_w.abs().max().item<double>() + 1), 1e-4) << at << ": W_hh gradient";
    EXPECT_LT(largest_difference(ours.g_b, ref.g_b) / (ref.g_b.abs().max().item<double>() + 1), 1e-4) << at << ": b_hh gradient";
  }
}

// TBPTT(1, K) with warm-up written out: bin t's output from its own window of K bins, run in
// float64 by the reference from the true state before it (detached), for t ≥ K; bins t < K
// from h0 with their whole history. Independent of the ring of adjoints it checks.
torch::Tensor windows_from_true_states(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w,
                                       const torch::Tensor& b, std::int64_t K) {
  const std::int64_t T = gi.size(1);
  torch::Tensor states;
  {
    torch::NoGradGuard no_grad;
    states = gru_recurrence_reference(gi, h0, w, b);  // [B, T, H]
  }
  std::vector<torch::Tensor> outputs;
  for (std::int64_t t = 0; t < T; ++t) {
    const std::int64_t first = std::max<std::int64_t>(0, t - K + 1);
    const torch::Tensor start = first == 0 ? h0 : states.select(1, first - 1);
    outputs.push_back(gru_recurrence_reference(gi.narrow(1, first, t - first + 1), start, w, b).select(1, t - first));
  }
  return torch::stack(outputs, 1);
}

// Float32 ours against the written-out windows in float64 (tolerances as above): output and every
// gradient, K below, equal to and above the clip length, one and several sequences.
TEST(GruRecurrence, truncatedBackwardEqualsEveryBinsWindowFromItsTrueState) {
  torch::manual_seed(10);
  for (const auto& [B, T, H, K] : std::vector<std::array<int, 4>>{{1, 60, 7, 5}, {2, 30, 4, 1}, {1, 25, 6, 25}, {3, 12, 5, 40}}) {
    const torch::Tensor gi = torch::randn({B, T, 3 * H}), h0 = torch::randn({B, H}) * 0.5;
    const torch::Tensor w = torch::randn({3 * H, H}) / std::sqrt(static_cast<double>(H)), b = torch::randn({3 * H}) * 0.1;
    const torch::Tensor probe = torch::randn({B, T, H});
    const auto truncated = [K = K](const torch::Tensor& g, const torch::Tensor& h, const torch::Tensor& ww, const torch::Tensor& bb) {
      return gru_recurrence_truncated(g, h, ww, bb, K);
    };
    const auto windows = [K = K](const torch::Tensor& g, const torch::Tensor& h, const torch::Tensor& ww, const torch::Tensor& bb) {
      return windows_from_true_states(g, h, ww, bb, K);
    };
    const Result ours = run(truncated, gi, h0, w, b, probe);
    const auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
    const Result ref = run(windows, d(gi), d(h0), d(w), d(b), d(probe));
    const std::string at = "B " + std::to_string(B) + " T " + std::to_string(T) + " H " + std::to_string(H) + " K " + std::to_string(K);
    EXPECT_LT(largest_difference(ours.h, ref.h), 1e-5) << at << ": output";
    EXPECT_LT(largest_difference(ours.g_gi, ref.g_gi), 1e-4) << at << ": input-projection gradient";
    EXPECT_LT(largest_difference(ours.g_h0, ref.g_h0), 1e-4) << at << ": initial-state gradient";
    EXPECT_LT(largest_difference(ours.g_w, ref.g_w) / (ref.g_w.abs().max().item<double>() + 1), 1e-4) << at << ": W_hh gradient";
    EXPECT_LT(largest_difference(ours.g_b, ref.g_b) / (ref.g_b.abs().max().item<double>() + 1), 1e-4) << at << ": b_hh gradient";
  }
  // K = T: nothing is truncated, the full recurrence's gradients.
  const torch::Tensor gi = torch::randn({1, 20, 12}), h0 = torch::randn({1, 4}), w = torch::randn({12, 4}) * 0.5, b = torch::randn({12});
  const torch::Tensor probe = torch::randn({1, 20, 4});
  const Result full = run(gru_recurrence, gi, h0, w, b, probe);
  const Result k_is_t = run([](const torch::Tensor& g, const torch::Tensor& h, const torch::Tensor& ww, const torch::Tensor& bb) {
    return gru_recurrence_truncated(g, h, ww, bb, 20);
  }, gi, h0, w, b, probe);
  EXPECT_LT(largest_difference(full.g_gi, k_is_t.g_gi), 1e-5);
  EXPECT_LT(largest_difference(full.g_w, k_is_t.g_w), 1e-4);
}

// The reference itself against LibTorch's GRU module (its gate order and equations).
TEST(GruRecurrence, referenceIsLibTorchsGru) {
  torch::manual_seed(9);
  const int B = 2, T = 13, H = 6;
  torch::nn::GRU gru(torch::nn::GRUOptions(H, H).batch_first(true));
  const torch::Tensor x = torch::randn({B, T, H}), h0 = torch::randn({1, B, H});
  const auto p = gru->named_parameters();
  torch::NoGradGuard no_grad;
  const torch::Tensor gi = torch::nn::functional::linear(x, p["weight_ih_l0"], p["bias_ih_l0"]);
  const torch::Tensor ours = gru_recurrence(gi, h0[0], p["weight_hh_l0"], p["bias_hh_l0"]);
  const torch::Tensor theirs = std::get<0>(gru->forward(x, h0));
  EXPECT_LT(largest_difference(ours, theirs), 1e-5);
}

TEST(GruRecurrence, rejectsMismatchedShapes) {
  const torch::Tensor gi = torch::rand({1, 4, 6}), h0 = torch::rand({1, 2}), w = torch::rand({6, 2}), b = torch::rand({6});
  EXPECT_NO_THROW(gru_recurrence(gi, h0, w, b));
  EXPECT_THROW(gru_recurrence(gi, h0, w.narrow(0, 0, 3), b), c10::Error);
  EXPECT_THROW(gru_recurrence(gi.narrow(1, 0, 0), h0, w, b), c10::Error);
}

}  // namespace
}  // namespace statenet
