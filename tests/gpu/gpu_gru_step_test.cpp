// The GPU step engine against the CPU step engine (the reference: itself checked against
// LibTorch to 1e-5, step_model_test.cpp). Tests that need a GPU end in _CUDA and skip, saying
// why, where none is usable; the others run everywhere, the kernel's code emulated on the CPU
// among them.

#include "gpu/gpu_gru_step.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "model_format/model_config.h"
#include "model_format/safetensors.h"
#include "step/step_model.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kModel = STATENET_DEMO_MODEL_PATH;  // NS1 StateNet-GRU, F = 34, H = 70, N = 73

// The committed model with a per-unit double-exponential output stage added.
std::string with_double_exponential_output() {
  SafetensorsFile f = read_safetensors(kModel);
  ModelConfig c = ModelConfig::from_json(f.metadata.at("config"));
  c.output = Nonlinearity::kDoubleExponential;
  f.metadata["config"] = c.to_json();
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-0.5f, 1.5f);
  for (const char* p : {"output.a", "output.b", "output.k", "output.s"}) {
    NamedTensor t{{c.num_units}, std::vector<float>(c.num_units)};
    for (auto& v : t.data) v = uniform(rng);
    f.tensors[p] = t;
  }
  const std::string path = test::temp_dir() + "/de.safetensors";
  write_safetensors(path, f);
  return path;
}

// Steps `streams` streams of independent random frames (dB-like, −70…40) for `frames`
// frames on the GPU and on one CPU engine per stream; returns the largest |GPU − CPU|
// relative to the largest |CPU| rate.
double largest_relative_difference(const std::string& model_path, int streams, int frames, GpuGruStepOptions options = {}) {
  GpuGruStep gpu(read_gru_step_weights(model_path), streams, options);
  std::vector<std::unique_ptr<StepModel>> cpu;
  for (int s = 0; s < streams; ++s) cpu.push_back(load_step_model(model_path));
  const int F = gpu.num_bands(), N = gpu.num_units();
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> level(-70.0f, 40.0f);
  std::vector<float> x(static_cast<std::size_t>(streams) * F), y(static_cast<std::size_t>(streams) * N), ref(N);
  double largest_diff = 0, largest_rate = 0;
  for (int t = 0; t < frames; ++t) {
    for (auto& v : x) v = level(rng);
    gpu.step(x.data(), y.data());
    for (int s = 0; s < streams; ++s) {
      cpu[s]->step(x.data() + static_cast<std::size_t>(s) * F, ref.data());
      for (int k = 0; k < N; ++k) {
        largest_diff = std::max(largest_diff, std::fabs(static_cast<double>(y[static_cast<std::size_t>(s) * N + k]) - ref[k]));
        largest_rate = std::max(largest_rate, std::fabs(static_cast<double>(ref[k])));
      }
    }
  }
  return largest_diff / largest_rate;
}

TEST(GpuGruStep_CUDA, everyStreamMatchesTheCpuStepEngine) {
  if (const std::string why = GpuGruStep::device_problem(); !why.empty()) GTEST_SKIP() << why;
  // 37 streams: four full blocks of 8 and a partial one; 3 streams: one stream per block; then
  // each layout forced, with the frames and rates copied by the graph or read and written by
  // the kernel in host memory.
  for (auto [streams, per_block] : {std::pair{37, 8}, {3, 0}}) {
    const double rel = largest_relative_difference(kModel, streams, 300, {per_block, true});
    std::printf("identity output: largest relative difference %.3g over %d streams × 300 frames\n", rel, streams);
    EXPECT_LE(rel, 1e-5) << streams << " streams";
  }
  for (int per_block : {1, 8, 16, 32})
    for (bool zero_copy : {true, false}) {
      const double rel = largest_relative_difference(kModel, 45, 100, {per_block, zero_copy});
      std::printf("%d stream(s) per block, %s: largest relative difference %.3g over 45 streams × 100 frames\n", per_block,
                  zero_copy ? "zero-copy" : "copies", rel);
      EXPECT_LE(rel, 1e-5) << per_block << " per block, zero_copy " << zero_copy;
    }
}

TEST(GpuGruStep_CUDA, doubleExponentialOutputMatchesTheCpuStepEngine) {
  if (const std::string why = GpuGruStep::device_problem(); !why.empty()) GTEST_SKIP() << why;
  const double rel = largest_relative_difference(with_double_exponential_output(), 9, 200);
  std::printf("double-exponential output: largest relative difference %.3g\n", rel);
  EXPECT_LE(rel, 1e-5);
}

TEST(GpuGruStep_CUDA, stepOnTheEnginesBuffersEqualsStepWithCopies) {
  if (const std::string why = GpuGruStep::device_problem(); !why.empty()) GTEST_SKIP() << why;
  const GruStepWeights w = read_gru_step_weights(kModel);
  const int B = 20, F = w.num_bands, N = w.num_units;
  GpuGruStep copying(w, B), direct(w, B);
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> level(-70.0f, 40.0f);
  std::vector<float> x(B * F), y(B * N);
  for (int t = 0; t < 30; ++t) {
    for (auto& v : x) v = level(rng);
    copying.step(x.data(), y.data());
    std::copy(x.begin(), x.end(), direct.frames_buffer());
    direct.step();
    ASSERT_TRUE(std::equal(y.begin(), y.end(), direct.rates_buffer())) << "frame " << t;
  }
}

TEST(GpuGruStep_CUDA, resetStartsEveryStreamAfresh) {
  if (const std::string why = GpuGruStep::device_problem(); !why.empty()) GTEST_SKIP() << why;
  GpuGruStep gpu(read_gru_step_weights(kModel), 3);
  const int F = gpu.num_bands(), N = gpu.num_units();
  std::vector<float> x(3 * F, -20.0f), first(3 * N), later(3 * N);
  gpu.step(x.data(), first.data());
  for (int t = 0; t < 50; ++t) gpu.step(x.data(), later.data());
  EXPECT_NE(first, later) << "the state must carry over between steps";
  gpu.reset();
  gpu.step(x.data(), later.data());
  EXPECT_EQ(first, later);
}

// Runs everywhere: the kernel's own code, emulated on the CPU thread by thread and phase by
// phase, against the CPU step engine — the kernel's indexing and arithmetic are checked even
// where no GPU is present (every block layout).
TEST(GpuGruStep, emulatedKernelMatchesTheCpuStepEngine) {
  for (const std::string& path : {kModel, with_double_exponential_output()}) {
    const GruStepWeights w = read_gru_step_weights(path);
    // 11 streams at 8 per block (the last block partial), 3 in the automatic layout (1 per
    // block), 37 at 16 and 32 per block (a partial last block each).
    for (auto [streams, per_block] : {std::pair{11, 8}, {3, 0}, {37, 16}, {37, 32}}) {
      SCOPED_TRACE(path + ", " + std::to_string(streams) + " streams, " + std::to_string(per_block) + " per block");
      std::vector<std::unique_ptr<StepModel>> cpu;
      for (int s = 0; s < streams; ++s) cpu.push_back(load_step_model(path));
      const int F = w.num_bands, H = w.hidden, N = w.num_units;
      std::mt19937 rng(4);
      std::uniform_real_distribution<float> level(-70.0f, 40.0f);
      std::vector<float> x(static_cast<std::size_t>(streams) * F), hidden(static_cast<std::size_t>(streams) * H, 0.0f),
          y(static_cast<std::size_t>(streams) * N), ref(N);
      double largest_diff = 0, largest_rate = 0;
      for (int t = 0; t < 40; ++t) {
        for (auto& v : x) v = level(rng);
        emulate_gpu_gru_step(w, streams, x.data(), hidden.data(), y.data(), per_block);
        for (int s = 0; s < streams; ++s) {
          cpu[s]->step(x.data() + static_cast<std::size_t>(s) * F, ref.data());
          for (int k = 0; k < N; ++k) {
            largest_diff = std::max(largest_diff, std::fabs(static_cast<double>(y[static_cast<std::size_t>(s) * N + k]) - ref[k]));
            largest_rate = std::max(largest_rate, std::fabs(static_cast<double>(ref[k])));
          }
        }
      }
      EXPECT_LE(largest_diff / largest_rate, 1e-5) << "largest difference " << largest_diff;
    }
  }
}

// Runs everywhere: without a GPU the engine refuses to start and says why.
TEST(GpuGruStep, withoutADeviceTheEngineSaysWhy) {
  const std::string why = GpuGruStep::device_problem();
  if (why.empty()) GTEST_SKIP() << "a CUDA device is present";
  try {
    GpuGruStep gpu(read_gru_step_weights(kModel), 4);
    FAIL() << "constructed without a device";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}

// Runs everywhere: only StateNet-GRU models are batched on the GPU.
TEST(GpuGruStep, otherArchitecturesAreRefusedByName) {
  SafetensorsFile f = read_safetensors(kModel);
  ModelConfig c = ModelConfig::from_json(f.metadata.at("config"));
  c.core = RecurrentCore::kLstm;
  f.metadata["config"] = c.to_json();
  const std::string path = test::temp_dir() + "/lstm.safetensors";
  write_safetensors(path, f);
  try {
    read_gru_step_weights(path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a StateNet-GRU model without AdapTrans, this one is statenet-lstm"), std::string::npos)
        << e.what();
  }
  // The batched step has no AdapTrans prefilter: a StateNet-GRU with one is refused by name.
  c.core = RecurrentCore::kGru;
  c.adaptrans = true;
  c.adaptrans_taps = 12;
  f.metadata["config"] = c.to_json();
  write_safetensors(path, f);
  try {
    read_gru_step_weights(path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("this one is statenet-gru-adaptrans"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace statenet
