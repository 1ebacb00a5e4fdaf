// Many streams per step (issue 7): the NS1 StateNet-GRU (F = 34, H = 70, N = 73, the
// committed model) advanced one frame on B independent streams per call.
//   GpuGru/B/S/Z:       our fused CUDA kernel from a CUDA Graph (GpuGruStep::step), B streams
//                       per call, S streams per block, Z = 1: the kernel reads
//                       frames and writes rates in pinned host memory, Z = 0: the graph copies them;
//                       D = 1: frames written straight into the engine's pinned buffer and rates
//                       left there (step()), D = 0: step(frames, rates) copies both on the host
//   CpuEngine/B:        our CPU step engine, B instances stepped in turn on one core
//   LibTorchCudaEager/B: LibTorch on the GPU, eager ops on a [B, ·] batch (LC as unfold +
//                       einsum, batch norm, sigmoid, at::gru_cell, linear), frames copied in
//                       and rates copied out each step — the usual PyTorch way
// items_per_second = stream-steps per second. GPU benchmarks skip without a GPU.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "gpu/gpu_gru_step.h"
#include "step/step_model.h"
#ifdef STATENET_BENCH_WITH_TORCH
#include <torch/torch.h>

#include "models/model_io.h"
#endif

namespace {

using namespace statenet;
const std::string kModel = STATENET_DEMO_MODEL_PATH;
constexpr int kFrames = 64;  // distinct random frames cycled through

std::vector<float> random_frames(std::size_t n) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> level(-70.0f, 40.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = level(rng);
  return v;
}

void GpuGru(benchmark::State& state) {
  if (const std::string why = GpuGruStep::device_problem(); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  const int B = static_cast<int>(state.range(0));
  GpuGruStep gpu(read_gru_step_weights(kModel), B, {static_cast<int>(state.range(1)), state.range(2) != 0});
  const int F = gpu.num_bands(), N = gpu.num_units();
  const std::vector<float> frames = random_frames(static_cast<std::size_t>(kFrames) * B * F);
  std::vector<float> rates(static_cast<std::size_t>(B) * N);
  std::int64_t t = 0;
  if (state.range(3) != 0) {  // the caller's frames are written into the engine's buffer, rates read from it
    for (auto _ : state) {
      const float* x = frames.data() + static_cast<std::size_t>(t++ % kFrames) * B * F;
      std::copy(x, x + static_cast<std::size_t>(B) * F, gpu.frames_buffer());
      gpu.step();
      benchmark::DoNotOptimize(gpu.rates_buffer()[0]);
    }
  } else {
    for (auto _ : state) gpu.step(frames.data() + static_cast<std::size_t>(t++ % kFrames) * B * F, rates.data());
  }
  state.SetItemsProcessed(state.iterations() * B);
  state.SetLabel(gpu.device_name());
}

void CpuEngine(benchmark::State& state) {
  const int B = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<StepModel>> engines;
  for (int s = 0; s < B; ++s) engines.push_back(load_step_model(kModel));
  const int F = engines[0]->num_bands(), N = engines[0]->num_units();
  const std::vector<float> frames = random_frames(static_cast<std::size_t>(kFrames) * B * F);
  std::vector<float> rates(static_cast<std::size_t>(B) * N);
  std::int64_t t = 0;
  for (auto _ : state) {
    const float* x = frames.data() + static_cast<std::size_t>(t++ % kFrames) * B * F;
    for (int s = 0; s < B; ++s) engines[s]->step(x + static_cast<std::size_t>(s) * F, rates.data() + static_cast<std::size_t>(s) * N);
  }
  state.SetItemsProcessed(state.iterations() * B);
}

#ifdef STATENET_BENCH_WITH_TORCH
void LibTorchCudaEager(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("this LibTorch has no CUDA device");
    return;
  }
  const int B = static_cast<int>(state.range(0));
  const torch::Device cuda(torch::kCUDA);
  auto model = load_model(kModel);
  const ModelConfig& c = model->config();
  c10::InferenceMode guard;
  std::map<std::string, torch::Tensor> p;
  for (const auto& kv : model->named_parameters()) p[kv.key()] = kv.value().detach().to(cuda);
  for (const auto& kv : model->named_buffers()) p[kv.key()] = kv.value().detach().to(cuda);
  const int F = c.num_bands, H = c.statenet_hidden();
  const torch::Tensor frames = torch::from_blob(random_frames(static_cast<std::size_t>(kFrames) * B * F).data(), {kFrames, B, F}).clone().pin_memory();
  torch::Tensor h = torch::zeros({B, H}, cuda);
  std::int64_t t = 0;
  for (auto _ : state) {
    const torch::Tensor x = frames[t++ % kFrames].to(cuda, /*non_blocking=*/true);  // [B, F]
    const torch::Tensor patches = x.unfold(1, c.lc_kernel, c.lc_stride);             // [B, L, K]
    torch::Tensor y = torch::einsum("blk,okl->bol", {patches, p["lc_weight"]}) + p["lc_bias"];  // [B, C, L]
    y = torch::batch_norm(y, p["bn.weight"], p["bn.bias"], p["bn.running_mean"], p["bn.running_var"], false, 0.1, 1e-5, false);
    const torch::Tensor u = torch::sigmoid(y).reshape({B, H});
    h = at::gru_cell(u, h, p["core.weight_ih_l0"], p["core.weight_hh_l0"], p["core.bias_ih_l0"], p["core.bias_hh_l0"]);
    const torch::Tensor r = torch::linear(h, p["readout.weight"], p["readout.bias"]).cpu();
    benchmark::DoNotOptimize(r.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * B);
}
BENCHMARK(LibTorchCudaEager)->RangeMultiplier(8)->Range(1, 65536)->UseRealTime();
#endif

BENCHMARK(GpuGru)
    ->ArgsProduct({{1, 8, 64, 512, 4096, 32768, 65536}, {1, 8, 16, 32}, {1, 0}, {1, 0}})
    ->ArgNames({"B", "S", "Z", "D"})
    ->UseRealTime();
BENCHMARK(CpuEngine)->RangeMultiplier(8)->Range(1, 4096)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
