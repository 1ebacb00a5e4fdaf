// The LSTM recurrence as one operation against LibTorch's LSTM and its step-by-step form.

#include "train_ops/lstm_recurrence.h"

#include <gtest/gtest.h>

namespace statenet {
namespace {

struct Result {
  torch::Tensor h;
  std::vector<torch::Tensor> grads;  // gi, h0, c0, w_hh, b_hh
};

template <typename Recurrence>
Result run(Recurrence f, const std::vector<torch::Tensor>& inputs, const torch::Tensor& probe) {
  std::vector<torch::Tensor> x;
  for (const auto& t : inputs) x.push_back(t.clone().requires_grad_());
  const torch::Tensor h = f(x[0], x[1], x[2], x[3], x[4]);
  (h * probe).sum().backward();
  Result r{h.detach(), {}};
  for (const auto& t : x) r.grads.push_back(t.grad());
  return r;
}

double largest_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Float32 ours against the reference in float64: every quantity is O(1) (gates in (0, 1),
// probe N(0, 1)); differences relative to each gradient's largest entry plus 1, 1e-4 (float32
// accumulation over 300 bins; a wrong term is O(0.1)).
TEST(LstmRecurrence, outputAndGradientsMatchTheStepByStepCellInDoublePrecision) {
  torch::manual_seed(10);
  for (const auto& [B, T, H] : std::vector<std::array<int, 3>>{{1, 300, 70}, {3, 17, 5}, {2, 1, 3}}) {
    const std::vector<torch::Tensor> inputs{torch::randn({B, T, 4 * H}), torch::randn({B, H}) * 0.5,
                                            torch::randn({B, H}) * 0.5,
                                            torch::randn({4 * H, H}) / std::sqrt(static_cast<double>(H)),
                                            torch::randn({4 * H}) * 0.1};
    const torch::Tensor probe = torch::randn({B, T, H});
    std::vector<torch::Tensor> inputs64;
    for (const auto& t : inputs) inputs64.push_back(t.to(torch::kFloat64));
    const Result ours = run(lstm_recurrence, inputs, probe);
    const Result ref = run(lstm_recurrence_reference, inputs64, probe.to(torch::kFloat64));
    const std::string at = "B " + std::to_string(B) + " T " + std::to_string(T) + " H " + std::to_string(H);
    EXPECT_LT(largest_difference(ours.h, ref.h), 1e-5) << at << ": output";
    const char* names[] = {"gi", "h0", "c0", "w_hh", "b_hh"};
    for (int i = 0; i < 5; ++i)
      EXPECT_LT(largest_difference(ours.grads[i], ref.grads[i]) / (ref.grads[i].abs().max().item<double>() + 1), 1e-4)
          << at << ": gradient of " << names[i] << ", largest difference " << largest_difference(ours.grads[i], ref.grads[i]);
  }
}

// The reference itself against LibTorch's LSTM module (its gate order and equations).
TEST(LstmRecurrence, referenceIsLibTorchsLstm) {
  torch::manual_seed(11);
  const int B = 2, T = 13, H = 6;
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(H, H).batch_first(true));
  const torch::Tensor x = torch::randn({B, T, H}), h0 = torch::randn({1, B, H}), c0 = torch::randn({1, B, H});
  const auto p = lstm->named_parameters();
  torch::NoGradGuard no_grad;
  const torch::Tensor gi = torch::nn::functional::linear(x, p["weight_ih_l0"], p["bias_ih_l0"]);
  const torch::Tensor ours = lstm_recurrence(gi, h0[0], c0[0], p["weight_hh_l0"], p["bias_hh_l0"]);
  const torch::Tensor theirs = std::get<0>(lstm->forward(x, std::make_tuple(h0, c0)));
  EXPECT_LT(largest_difference(ours, theirs), 1e-5);
}

TEST(LstmRecurrence, rejectsMismatchedShapes) {
  const torch::Tensor gi = torch::rand({1, 4, 8}), h0 = torch::rand({1, 2}), w = torch::rand({8, 2}), b = torch::rand({8});
  EXPECT_NO_THROW(lstm_recurrence(gi, h0, h0, w, b));
  EXPECT_THROW(lstm_recurrence(gi, h0, h0.narrow(1, 0, 1), w, b), c10::Error);
  EXPECT_THROW(lstm_recurrence(gi.narrow(2, 0, 6), h0, h0, w, b), c10::Error);
}

}  // namespace
}  // namespace statenet
