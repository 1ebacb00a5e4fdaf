// The step engine against the LibTorch models it was exported from: stepping a sequence
// frame by frame gives the whole-sequence forward for every architecture (relative error
// ≤ 1e-5 in float32, relative to the output's largest magnitude); steps allocate nothing
// (support/allocation_counter.h); bad files get errors that name what is wrong.

#include "step/step_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "models/model_io.h"
#include "models/response_model.h"
#include "support/allocation_counter.h"
#include "support/model_zoo.h"
#include "support/test_support.h"

namespace statenet {
namespace {

constexpr int kBands = 20, kUnits = 5, kFrames = 300;

// A randomly initialised model with non-trivial batch-norm statistics and affine
// parameters (so folding them is tested), exported to a .safetensors file.
std::shared_ptr<ResponseModel> exported_model(const ModelConfig& c, const std::string& path) {
  torch::manual_seed(7);
  auto model = make_response_model(c);
  torch::NoGradGuard no_grad;
  for (auto& b : model->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0.0, 0.3);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
  for (auto& p : model->named_parameters()) {
    if (p.key().rfind("bn", 0) == 0) p.value().uniform_(0.5, 1.5);
    if (p.key().rfind("adaptrans.", 0) == 0) p.value().uniform_(0.3, 2.0);  // ON/OFF FIRs that differ per band
  }
  // A Transformer's input standardisation (others ignore it).
  model->fit_to_stimuli(torch::randn({c.num_bands}), torch::rand({c.num_bands}) + 0.5);
  model->eval();
  export_model(path, *model);
  return model;
}

TEST(StepModel, steppingEqualsTheLibTorchForwardForEveryArchitecture) {
  const std::string dir = test::temp_dir();
  for (const ModelConfig& c : test::model_zoo(kBands, kUnits)) {
    SCOPED_TRACE(test::model_name(c));
    const std::string path = dir + "/" + test::model_name(c) + ".safetensors";
    auto model = exported_model(c, path);
    torch::manual_seed(11);
    const torch::Tensor x = torch::randn({1, kBands, kFrames});
    const torch::Tensor ref = [&] {
      torch::NoGradGuard no_grad;
      return model->forward(x).contiguous();  // [1, N, T]
    }();
    auto engine = load_step_model(path);
    ASSERT_EQ(engine->num_bands(), kBands);
    ASSERT_EQ(engine->num_units(), kUnits);
    const torch::Tensor frames = x[0].t().contiguous();  // [T, F]
    std::vector<float> out(static_cast<std::size_t>(kFrames) * kUnits), ref_tn(out.size());
    for (int round = 0; round < 2; ++round) {  // the second round checks reset()
      engine->reset();
      for (int t = 0; t < kFrames; ++t) engine->step(frames.data_ptr<float>() + t * kBands, out.data() + t * kUnits);
      for (int t = 0; t < kFrames; ++t)
        for (int n = 0; n < kUnits; ++n) ref_tn[t * kUnits + n] = ref[0][n][t].item<float>();
      const auto diff = test::max_abs_diff(out.data(), ref_tn.data(), out.size());
      const double scale = ref.abs().max().item<double>();
      if (round == 0) std::printf("  %-36s relative error %.2e\n", test::model_name(c).c_str(), diff.value / scale);
      EXPECT_LE(diff.value, 1e-5 * scale) << "round " << round << ": largest difference " << diff.value << " at frame "
                                          << diff.index / kUnits << ", unit " << diff.index % kUnits << " (output scale "
                                          << scale << ")";
    }
  }
}

TEST(StepModel, aStepAllocatesNothing) {
  {  // the counter sees allocations (so zero below means none)
    test::CountAllocations count;
    std::vector<float> probe(100, 1.0f);
    ASSERT_EQ(count.allocations(), 1) << probe[0];
  }
  const std::string dir = test::temp_dir();
  for (const ModelConfig& c : test::model_zoo(kBands, kUnits)) {
    SCOPED_TRACE(test::model_name(c));
    const std::string path = dir + "/" + test::model_name(c) + ".safetensors";
    exported_model(c, path);
    auto engine = load_step_model(path);
    std::vector<float> frame(kBands, 0.5f), rates(kUnits);
    test::CountAllocations count;
    for (int t = 0; t < 200; ++t) {
      frame[t % kBands] += 1.0f;
      engine->step(frame.data(), rates.data());
    }
    engine->reset();
    engine->step(frame.data(), rates.data());
    EXPECT_EQ(count.allocations(), 0);
  }
}

TEST(StepModel, committedNs1ModelStepsLikeItsLibTorchForward) {
  const std::string path = STATENET_DEMO_MODEL_PATH;
  auto model = load_model(path);
  auto engine = load_step_model(path);
  EXPECT_EQ(engine->num_bands(), 34);
  EXPECT_EQ(engine->num_units(), 73);
  EXPECT_EQ(engine->window_frames(), 0);
  // dB-like input of the ns1 cochleagram's range.
  torch::manual_seed(3);
  const torch::Tensor x = torch::rand({1, 34, 400}) * 60 - 70;
  torch::Tensor ref;
  {
    torch::NoGradGuard no_grad;
    ref = model->forward(x)[0].t().contiguous();  // [T, N]
  }
  const torch::Tensor frames = x[0].t().contiguous();
  std::vector<float> out(400 * 73);
  for (int t = 0; t < 400; ++t) engine->step(frames.data_ptr<float>() + t * 34, out.data() + t * 73);
  const auto diff = test::max_abs_diff(out.data(), ref.data_ptr<float>(), out.size());
  EXPECT_LE(diff.value, 1e-5 * ref.abs().max().item<double>()) << "largest difference " << diff.value << " at " << diff.index;
}

TEST(StepModel, badFilesGetErrorsThatNameTheProblem) {
  const std::string dir = test::temp_dir();
  const std::string path = dir + "/gru.safetensors";
  exported_model(default_model_config(Architecture::kStateNet, kBands, kUnits), path);
  SafetensorsFile file = read_safetensors(path);

  auto expect_error = [&](const SafetensorsFile& f, const std::string& needle) {
    const std::string bad = dir + "/bad.safetensors";
    write_safetensors(bad, f);
    try {
      load_step_model(bad);
      ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  };
  SafetensorsFile missing = file;
  missing.tensors.erase("core.weight_hh_l0");
  expect_error(missing, "missing tensor core.weight_hh_l0");
  SafetensorsFile misshapen = file;
  misshapen.tensors["readout.bias"].shape = {kUnits + 1};
  misshapen.tensors["readout.bias"].data.push_back(0.0f);
  expect_error(misshapen, "readout.bias has shape [6]");
  SafetensorsFile extra = file;
  extra.tensors["surprise"] = NamedTensor{{1}, {1.0f}};
  expect_error(extra, "unexpected tensor surprise");
  SafetensorsFile foreign = file;
  foreign.metadata.erase("format");
  expect_error(foreign, "not a statenet model");
  SafetensorsFile wrong_bands = file;
  ModelConfig c = ModelConfig::from_json(file.metadata["config"]);
  c.num_bands = 34;  // the LC weights were made for 20 bands
  wrong_bands.metadata["config"] = c.to_json();
  expect_error(wrong_bands, "lc_weight has shape");
  SafetensorsFile poisoned = file;
  poisoned.tensors["readout.bias"].data[1] = std::numeric_limits<float>::quiet_NaN();
  expect_error(poisoned, "tensor readout.bias holds NaN at flat index 1");
  poisoned = file;
  poisoned.tensors["core.weight_hh_l0"].data[7] = -std::numeric_limits<float>::infinity();
  expect_error(poisoned, "tensor core.weight_hh_l0 holds an infinite value at flat index 7");
  EXPECT_THROW(load_step_model(dir + "/absent.safetensors"), std::runtime_error);

  // A configuration asking for a huge model beside small tensors: LibTorch's loader checks the
  // configuration against the tensors before it allocates (6 000 channels × 5 positions would
  // be a 30 000-wide GRU, 10¹⁰ weights); sizes beyond 2^16 are refused as configuration.
  SafetensorsFile huge = file;
  c = ModelConfig::from_json(file.metadata["config"]);
  c.lc_channels = 6000;
  huge.metadata["config"] = c.to_json();
  write_safetensors(dir + "/huge.safetensors", huge);
  try {
    load_model(dir + "/huge.safetensors");
    ADD_FAILURE() << "a 30 000-wide model was built";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lc_weight has shape"), std::string::npos) << e.what();
  }
  c.lc_channels = 70000;
  huge.metadata["config"] = c.to_json();
  expect_error(huge, "model config 'lc_channels': 70000 exceeds the largest size, 65536");
}

// A header whose shape's product overflows (2^62 × 4 wraps to 0 in 64 bits, matching empty
// data) or has a negative extent is refused by name, not read as an empty or huge tensor.
TEST(Safetensors, shapesThatOverflowOrAreNegativeAreRefused) {
  const std::string dir = test::temp_dir();
  for (const char* shape : {"[4611686018427387904, 4]", "[-1, -4]", "[3037000500, 3037000500, 2]"}) {
    const std::string header = std::string(R"({"w": {"dtype": "F32", "shape": )") + shape + R"(, "data_offsets": [0, 0]}})";
    const std::string path = dir + "/overflow.safetensors";
    {
      std::ofstream f(path, std::ios::binary);
      const std::uint64_t n = header.size();
      f.write(reinterpret_cast<const char*>(&n), 8);
      f << header;
    }
    try {
      read_safetensors(path);
      ADD_FAILURE() << "shape " << shape << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("tensor w has a shape with a negative extent or more elements than the file holds"), std::string::npos)
          << shape << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace statenet
