// Per-step cost of the step engine against LibTorch stepping the same weights, one frame at
// a time, one thread, in one binary and one run. Models have the NS1 sizes
// (F = 34 bands, N = 73 units; StateNet LC 7×7 → H = 70) with random weights and batch-norm
// statistics; every engine is checked against the LibTorch forward before timing.
//
//   build/bench/step_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Engine/<model>:         our engine, step() per frame (state feedback inside the loop)
// LibTorchCell/<model>:   StateNet-RNN/GRU/LSTM: LC layer + BN + sigmoid as tensor ops, then
//                         at::{rnn_tanh,gru,lstm}_cell and the readout, InferenceMode
// LibTorchWindow/<model>: stateless models: the module's forward on the last W frames,
//                         keeping the last output (how one steps a windowed model in PyTorch;
//                         the 2D-CNN with LibTorch's conv2d, not our training kernels)

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "train_ops/causal_conv2d.h"
#include "models/model_io.h"
#include "models/response_model.h"
#include "step/step_model.h"

namespace {

using namespace statenet;
constexpr int kBands = 34, kUnits = 73, kFrames = 2048;

ModelConfig config_of(const std::string& name) {
  // "statenet-gru", "l", "cnn2d", …
  if (name.rfind("statenet-", 0) == 0) {
    ModelConfig c = default_model_config(Architecture::kStateNet, kBands, kUnits);
    c.core = parse_core(name.substr(9));
    return c;
  }
  return default_model_config(parse_architecture(name), kBands, kUnits);
}

struct Fixture {
  std::shared_ptr<ResponseModel> model;
  std::unique_ptr<StepModel> engine;
  torch::Tensor frames;  // [T, F], dB-like values
};

Fixture& fixture(const std::string& name) {
  static std::map<std::string, Fixture> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  torch::manual_seed(1);
  Fixture f;
  f.model = make_response_model(config_of(name));
  {
    torch::NoGradGuard no_grad;
    for (auto& b : f.model->named_buffers()) {
      if (b.key().find("running_mean") != std::string::npos) b.value().fill_(-35.0);  // centre dB input
      if (b.key().find("running_var") != std::string::npos) b.value().fill_(100.0);
    }
  }
  f.model->eval();
  const std::string path = (std::filesystem::temp_directory_path() / ("step_bench_" + name + ".safetensors")).string();
  export_model(path, *f.model);
  f.engine = load_step_model(path);
  std::filesystem::remove(path);
  f.frames = (torch::rand({kFrames, kBands}) * 60 - 70).contiguous();
  // Correctness gate: the engine must match the forward before it is timed.
  torch::NoGradGuard no_grad;
  const torch::Tensor ref = f.model->forward(f.frames.t().unsqueeze(0).narrow(2, 0, 256))[0].t().contiguous();
  std::vector<float> out(kUnits);
  double worst = 0;
  for (int t = 0; t < 256; ++t) {
    f.engine->step(f.frames.data_ptr<float>() + t * kBands, out.data());
    for (int n = 0; n < kUnits; ++n) worst = std::max(worst, std::fabs(double(out[n]) - ref[t][n].item<float>()));
  }
  if (worst > 1e-5 * std::max(1.0, ref.abs().max().item<double>()))
    std::fprintf(stderr, "WARNING: %s engine differs from LibTorch by %g\n", name.c_str(), worst);
  f.engine->reset();
  return cache.emplace(name, std::move(f)).first->second;
}

void Engine(benchmark::State& state, const std::string& name) {
  Fixture& f = fixture(name);
  std::vector<float> rates(kUnits);
  const float* frames = f.frames.data_ptr<float>();
  std::int64_t t = 0;
  for (auto _ : state) {
    f.engine->step(frames + (t++ % kFrames) * kBands, rates.data());
    benchmark::DoNotOptimize(rates.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// StateNet's LC → BN → sigmoid → cell → readout with LibTorch ops, weights from the module.
void LibTorchCell(benchmark::State& state, const std::string& name) {
  Fixture& f = fixture(name);
  c10::InferenceMode guard;
  std::map<std::string, torch::Tensor> p;
  for (const auto& kv : f.model->named_parameters()) p[kv.key()] = kv.value().detach();
  for (const auto& kv : f.model->named_buffers()) p[kv.key()] = kv.value().detach();
  const ModelConfig& c = f.model->config();
  const int H = c.statenet_hidden();
  torch::Tensor h = torch::zeros({1, H}), cell = torch::zeros({1, H});
  std::int64_t t = 0;
  for (auto _ : state) {
    const torch::Tensor x = f.frames[t++ % kFrames];                            // [F]
    const torch::Tensor patches = x.unfold(0, c.lc_kernel, c.lc_stride);        // [L, K]
    torch::Tensor y = torch::einsum("lk,okl->ol", {patches, p["lc_weight"]}) + p["lc_bias"];  // [C, L]
    y = torch::batch_norm(y.unsqueeze(0), p["bn.weight"], p["bn.bias"], p["bn.running_mean"], p["bn.running_var"], false, 0.1, 1e-5, false);
    const torch::Tensor u = torch::sigmoid(y).reshape({1, H});
    if (c.core == RecurrentCore::kGru) {
      h = at::gru_cell(u, h, p["core.weight_ih_l0"], p["core.weight_hh_l0"], p["core.bias_ih_l0"], p["core.bias_hh_l0"]);
    } else if (c.core == RecurrentCore::kRnn) {
      h = at::rnn_tanh_cell(u, h, p["core.weight_ih_l0"], p["core.weight_hh_l0"], p["core.bias_ih_l0"], p["core.bias_hh_l0"]);
    } else {
      std::tie(h, cell) = at::lstm_cell(u, {h, cell}, p["core.weight_ih_l0"], p["core.weight_hh_l0"], p["core.bias_ih_l0"], p["core.bias_hh_l0"]);
    }
    torch::Tensor r = torch::linear(h, p["readout.weight"], p["readout.bias"]);
    benchmark::DoNotOptimize(r.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations());
}

void LibTorchWindow(benchmark::State& state, const std::string& name) {
  Fixture& f = fixture(name);
  c10::InferenceMode guard;
  use_libtorch_conv2d(true);
  const int W = f.engine->window_frames();
  const torch::Tensor x = f.frames.t().unsqueeze(0).contiguous();  // [1, F, T]
  std::int64_t t = W;
  for (auto _ : state) {
    const std::int64_t start = t++ % (kFrames - W);
    torch::Tensor r = f.model->forward(x.narrow(2, start, W)).select(2, W - 1);
    benchmark::DoNotOptimize(r.data_ptr<float>());
  }
  use_libtorch_conv2d(false);
  state.SetItemsProcessed(state.iterations());
}

int register_all() {
  for (const char* m : {"statenet-gru", "statenet-lstm", "statenet-rnn", "statenet-s4", "statenet-mamba", "l", "ln", "nrf", "dnet",
                        "cnn2d", "transformer"})
    benchmark::RegisterBenchmark(("Engine/" + std::string(m)).c_str(), Engine, std::string(m));
  for (const char* m : {"statenet-gru", "statenet-lstm", "statenet-rnn"})
    benchmark::RegisterBenchmark(("LibTorchCell/" + std::string(m)).c_str(), LibTorchCell, std::string(m));
  for (const char* m : {"l", "ln", "nrf", "cnn2d", "transformer"})
    benchmark::RegisterBenchmark(("LibTorchWindow/" + std::string(m)).c_str(), LibTorchWindow, std::string(m));
  return 0;
}
const int registered = register_all();

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  torch::set_num_interop_threads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
