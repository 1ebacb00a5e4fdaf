// The training operations we write ourselves, at NS1's sizes (one 999-bin clip, one thread),
// against LibTorch doing the same on the same tensors:
//   - the 2D-CNN's causal convolution (kernel 6 × 15, 10 channels), forward and forward +
//     backward, against LibTorch's conv2d (oneDNN);
//   - Mamba's selective scan (D = 140 channels, S = 16 states), forward + backward, against the
//     recursion as LibTorch operations, one step per bin;
//   - S4D's convolution kernel (H = 70 channels, 32 modes), forward + backward, against the
//     same map as LibTorch operations on [H, n, T] tensors;
//   - the GRU recurrence (H = 70), forward + backward, on one 999-bin clip and on TBPTT's
//     batches of windows (979 windows of 20 bins, 899 of 100), against LibTorch's GRU
//     equations one step per bin.
//
// With freed memory kept for reuse, as in `statenet` (util/allocator.h).
//
//   build/bench/training_ops_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <ATen/Parallel.h>

#include "train_ops/causal_conv2d.h"
#include "train_ops/gru_recurrence.h"
#include "train_ops/s4d_kernel.h"
#include "train_ops/selective_scan.h"
#include "util/allocator.h"

namespace {

using statenet::causal_conv2d;
using statenet::causal_conv2d_reference;

// Layer l of the NS1 2D-CNN: 1 → 10 channels on 34 bands, then 10 → 10 on 29 and on 24.
struct Layer {
  torch::Tensor x, w, b;
};
Layer layer(int l, bool input_grad) {
  torch::manual_seed(0);
  const int Ci = l == 0 ? 1 : 10, F = 34 - 5 * l;
  return {torch::randn({1, Ci, F, 999}).requires_grad_(input_grad), torch::randn({10, Ci, 6, 15}).requires_grad_(),
          torch::randn({10}).requires_grad_()};
}

template <typename Conv>
void Forward(benchmark::State& state, Conv conv) {
  at::set_num_threads(1);
  torch::NoGradGuard no_grad;
  const Layer s = layer(static_cast<int>(state.range(0)), false);
  for (auto _ : state) benchmark::DoNotOptimize(conv(s.x, s.w, s.b));
}

// Forward and backward as in training: the input gradient for layers 1 and 2 (layer 0's input
// is the cochleagram), the weight and bias gradients always.
template <typename Conv>
void ForwardBackward(benchmark::State& state, Conv conv) {
  at::set_num_threads(1);
  const Layer s = layer(static_cast<int>(state.range(0)), state.range(0) > 0);
  for (auto _ : state) {
    conv(s.x, s.w, s.b).sum().backward();
    s.w.mutable_grad().reset();
  }
}

BENCHMARK_CAPTURE(Forward, ours, causal_conv2d)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Forward, libtorch, causal_conv2d_reference)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ForwardBackward, ours, causal_conv2d)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ForwardBackward, libtorch, causal_conv2d_reference)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

template <typename Scan>
void SelectiveScanForwardBackward(benchmark::State& state, Scan scan) {
  at::set_num_threads(1);
  torch::manual_seed(0);
  const std::int64_t T = 999, D = 140, S = 16;
  const torch::Tensor decay = (torch::rand({1, T, D, S}) * 0.5 + 0.5).requires_grad_();
  const torch::Tensor drive = torch::randn({1, T, D, S}).requires_grad_(), c = torch::randn({1, T, S}).requires_grad_();
  for (auto _ : state) {
    scan(decay, drive, c).sum().backward();
    decay.mutable_grad().reset();
    drive.mutable_grad().reset();
    c.mutable_grad().reset();
  }
}
BENCHMARK_CAPTURE(SelectiveScanForwardBackward, ours, statenet::selective_scan)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(SelectiveScanForwardBackward, libtorch, statenet::selective_scan_reference)->Unit(benchmark::kMillisecond);

template <typename Kernel>
void S4dKernelForwardBackward(benchmark::State& state, Kernel kernel) {
  at::set_num_threads(1);
  torch::manual_seed(0);
  const std::int64_t T = 999, H = 70, n = 32;
  const torch::Tensor dt = torch::exp(torch::rand({H, 1}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3));
  const torch::Tensor c_re = torch::randn({H, n}).requires_grad_(), c_im = torch::randn({H, n}).requires_grad_();
  const torch::Tensor log_re = (-0.5 * dt).expand({H, n}).contiguous().requires_grad_();
  const torch::Tensor log_im = (dt * M_PI * torch::arange(n, torch::kFloat32)).requires_grad_();
  for (auto _ : state) {
    kernel(c_re, c_im, log_re, log_im, T).sum().backward();
    for (const auto* t : {&c_re, &c_im, &log_re, &log_im}) t->mutable_grad().reset();
  }
}
BENCHMARK_CAPTURE(S4dKernelForwardBackward, ours, statenet::s4d_kernel)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(S4dKernelForwardBackward, libtorch, statenet::s4d_kernel_reference)->Unit(benchmark::kMillisecond);

// Args: B sequences of T bins.
template <typename Recurrence>
void GruRecurrenceForwardBackward(benchmark::State& state, Recurrence recurrence) {
  at::set_num_threads(1);
  torch::manual_seed(0);
  const std::int64_t B = state.range(0), T = state.range(1), H = 70;
  const torch::Tensor gi = torch::randn({B, T, 3 * H}).requires_grad_(), h0 = (torch::randn({B, H}) * 0.5).requires_grad_();
  const torch::Tensor w = (torch::randn({3 * H, H}) / std::sqrt(70.0)).requires_grad_(), b = (torch::randn({3 * H}) * 0.1).requires_grad_();
  for (auto _ : state) {
    recurrence(gi, h0, w, b).sum().backward();
    for (const auto* t : {&gi, &h0, &w, &b}) t->mutable_grad().reset();
  }
  state.counters["bins"] = benchmark::Counter(static_cast<double>(B * T), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(GruRecurrenceForwardBackward, ours, statenet::gru_recurrence)
    ->Args({1, 999})->Args({979, 20})->Args({899, 100})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(GruRecurrenceForwardBackward, libtorch, statenet::gru_recurrence_reference)
    ->Args({1, 999})->Args({979, 20})->Args({899, 100})->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  statenet::keep_freed_memory_for_reuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
