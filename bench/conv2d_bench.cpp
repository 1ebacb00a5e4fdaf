// The 2D-CNN's causal convolution at NS1's sizes (kernel 6 × 15, 10 channels, 999 bins, one
// clip), forward and forward + backward: our direct kernels against LibTorch's conv2d
// (oneDNN) on the same tensors, one thread.
//
//   build/bench/conv2d_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <ATen/Parallel.h>

#include "models/causal_conv2d.h"

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

}  // namespace

BENCHMARK_MAIN();
