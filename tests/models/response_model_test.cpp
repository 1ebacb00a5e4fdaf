// Every architecture: parameter counts against the published ones (docs/models.md), shapes, causality,
// the LC layer's gradient against finite differences, and export/reload.

#include "models/response_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/model_io.h"
#include "model_format/model_presets.h"
#include "model_format/safetensors.h"
#include "support/model_zoo.h"
#include "support/test_support.h"

namespace statenet {
namespace {

ModelConfig config(const std::string& arch, int F, int N) { return default_model_config(parse_architecture(arch), F, N); }

std::int64_t count(const ModelConfig& c) { return make_response_model(c)->parameter_count(); }

// Two copies of c's model with the same initial weights (seed), the second moved to `device`
// and `dtype`; both run forward, then backward of Σ y ⊙ probe, on one random clip (seed + 1).
struct Twins {
  std::shared_ptr<ResponseModel> original, moved;
  torch::Tensor y_original, y_moved;
};
Twins run_twins(const ModelConfig& c, int F, int N, int T, std::uint64_t seed, torch::Device device, torch::Dtype dtype) {
  Twins t;
  torch::manual_seed(seed);
  t.original = make_response_model(c);
  torch::manual_seed(seed);
  t.moved = make_response_model(c);
  t.moved->to(device, dtype);
  torch::manual_seed(seed + 1);
  const torch::Tensor x = torch::randn({2, F, T}), probe = torch::randn({2, N, T});
  t.y_original = t.original->forward(x);
  t.y_moved = t.moved->forward(x.to(device, dtype));
  (t.y_original * probe).sum().backward();
  (t.y_moved * probe.to(device, dtype)).sum().backward();
  return t;
}

// Every parameter gradient of `model` (any device or dtype) against the same parameter's in
// `reference`: |g − g_ref| ≤ per_tensor·max|g_ref| + whole·(the reference's largest gradient
// over all parameters: biases before a BatchNorm have a zero gradient, judged on that), in double.
void expect_gradients_near(torch::nn::Module& model, torch::nn::Module& reference, double per_tensor, double whole) {
  const auto got = model.named_parameters(), want = reference.named_parameters();
  double model_size = 0;
  for (const auto& p : want) model_size = std::max(model_size, p.value().grad().abs().max().item<double>());
  for (const auto& p : want) {
    const torch::Tensor g_ref = p.value().grad(), g = got[p.key()].grad();
    ASSERT_TRUE(g.defined() && g_ref.defined()) << p.key();
    const torch::Tensor ref64 = g_ref.cpu().to(torch::kFloat64);
    const double diff = (g.cpu().to(torch::kFloat64) - ref64).abs().max().item<double>(), size = ref64.abs().max().item<double>();
    EXPECT_LE(diff, per_tensor * size + whole * model_size)
        << p.key() << ": largest difference " << diff << " (largest gradient " << size << ", model's " << model_size << ")";
  }
}

// The count formulas of every core and of L / LN (the per-dataset defaults: ModelPresets below).
TEST(ResponseModel, parameterCountsMatchThePublishedFormulas) {
  ModelConfig sn = config("statenet", 34, 1);  // NS1: K 7, S 3, C 7 → H 70
  EXPECT_EQ(sn.statenet_hidden(), 70);
  EXPECT_EQ(count(sn), 30465);
  sn.core = RecurrentCore::kRnn;
  EXPECT_EQ(count(sn), 10585);
  sn.core = RecurrentCore::kLstm;
  EXPECT_EQ(count(sn), 40405);
  sn.core = RecurrentCore::kMamba;
  EXPECT_EQ(count(sn), 39145);  // 6H² + 4HR + 110H with R = 5
  sn.core = RecurrentCore::kS4;               // the paper's DPLR S4: 2H² + 260H
  EXPECT_EQ(count(sn), 560 + 14 + 2 * 70 * 70 + 260 * 70 + 71);
  sn.core = RecurrentCore::kS4d;              // S4D: H·(1 + 4·32 + 1) + 2H² + 2H
  EXPECT_EQ(count(sn), 560 + 14 + 70 * 130 + 2 * 70 * 70 + 2 * 70 + 71);
  sn.core = RecurrentCore::kGru;
  sn.num_units = 73;
  EXPECT_EQ(count(sn), 35577);
  ModelConfig l = config("l", 34, 5);
  EXPECT_EQ(count(l), 5 * (34 * 43 + 1) + 2 * 5);          // N(F·T_w + 1) + BN
  EXPECT_EQ(count(config("ln", 34, 5)), count(l) + 4 * 5);
}

// What `statenet train` builds by default on each kind of dataset has the published
// per-neuron parameter count (docs/models.md, "Sizes per dataset"; counts for N = 1).
TEST(ModelPresets, theDefaultModelOfEveryDatasetKindHasThePublishedParameterCount) {
  struct Published {
    const char* kind;
    const char* area;
    int num_bands;
    Architecture architecture;
    std::int64_t parameters;
  };
  const Published published[] = {
      {"ns1", "A1/AAF", 34, Architecture::kStateNet, 30465},    {"ns1", "A1/AAF", 34, Architecture::kCnn2d, 36275},
      {"ns1", "A1/AAF", 34, Architecture::kTransformer, 29205}, {"nat4", "A1", 18, Architecture::kStateNet, 40271},
      {"nat4", "PEG", 18, Architecture::kStateNet, 40271},      {"nat4", "A1", 18, Architecture::kTransformer, 28437},
      {"aa1", "MLd", 32, Architecture::kStateNet, 32334},       {"aa1", "MLd", 32, Architecture::kCnn2d, 34475},
      {"aa1", "MLd", 32, Architecture::kTransformer, 29109},    {"aa1", "Field_L", 32, Architecture::kCnn2d, 26915},
      {"aa1", "Field_L", 32, Architecture::kTransformer, 29109}, {"aa1", "Field_L", 32, Architecture::kStateNet, 24900},
      {"wehr", "A1", 49, Architecture::kStateNet, 20966},       {"wehr", "A1", 49, Architecture::kNrf, 40265},
      {"wehr", "A1", 49, Architecture::kDnet, 10886},           {"asari", "A1", 54, Architecture::kStateNet, 22631},
      {"asari", "A1", 54, Architecture::kNrf, 44365},           {"asari", "A1", 54, Architecture::kDnet, 44386},
      {"asari", "MGB", 54, Architecture::kStateNet, 22631},     {"asari", "MGB", 54, Architecture::kDnet, 1186},
      {"asari", "MGB", 54, Architecture::kTransformer, 30165},
  };
  for (const Published& p : published) {
    const ModelPreset preset = preset_model_config(p.architecture, {p.kind, p.area}, p.num_bands, 1);
    EXPECT_EQ(count(preset.config), p.parameters) << p.kind << " " << p.area << " " << preset.config.model_name() << ": "
                                                  << describe_sizes(preset.config);
    EXPECT_EQ(preset.source, "the paper's sizes for " + std::string(p.kind) +
                                 (std::string(p.kind) == "aa1" || std::string(p.kind) == "asari" ? " " + std::string(p.area) : ""));
  }
  // NAT4's 2D-CNN + AdapTrans (`--adaptrans`): 2 input channels, 3 AdapTrans parameters per
  // band, the 3-parameter sigmoid output: the 2024 count.
  ModelConfig adaptrans = preset_model_config(Architecture::kCnn2d, {"nat4", "A1"}, 18, 1).config;
  adaptrans.adaptrans = true;
  adaptrans.adaptrans_taps = adaptrans_taps_for({200.0, 20000.0});
  adaptrans.output = Nonlinearity::kSigmoid;
  EXPECT_EQ(adaptrans.adaptrans_taps, 776) << "3·(500 − 105·log10 200) + 1";
  EXPECT_EQ(count(adaptrans), 15748);
  // AdapTrans in front of any model adds its 3 parameters per band and the first layer's
  // weights for the second (OFF) channel, nothing else.
  for (Architecture a : all_architectures()) {
    for (FirstLayer first : {FirstLayer::kLocallyConnected, FirstLayer::kFullyConnected, FirstLayer::kConvolution}) {
      if (a != Architecture::kStateNet && first != FirstLayer::kLocallyConnected) continue;
      ModelConfig plain = default_model_config(a, 34, 5);
      plain.first_layer = first;
      ModelConfig prefiltered = plain;
      prefiltered.adaptrans = true;
      prefiltered.adaptrans_taps = 30;
      const ModelConfig& c = plain;
      std::int64_t second_channel = 0;
      if (a == Architecture::kL || a == Architecture::kLn) second_channel = std::int64_t{c.num_units} * c.num_bands * c.window_bins;
      if (a == Architecture::kNrf || a == Architecture::kDnet) second_channel = std::int64_t{c.hidden} * c.num_bands * c.window_bins;
      if (a == Architecture::kCnn2d) second_channel = std::int64_t{c.cnn_channels} * c.cnn_kernel_f * c.cnn_kernel_t;
      if (a == Architecture::kTransformer) second_channel = std::int64_t{c.embed} * c.num_bands;
      if (a == Architecture::kStateNet)
        second_channel = first == FirstLayer::kLocallyConnected   ? std::int64_t{c.lc_channels} * c.lc_kernel * c.lc_positions()
                         : first == FirstLayer::kFullyConnected ? std::int64_t{c.statenet_hidden()} * c.num_bands
                                                                : std::int64_t{c.lc_channels} * c.lc_kernel;
      EXPECT_EQ(count(prefiltered) - count(plain), 3 * c.num_bands + second_channel) << prefiltered.model_name() << " " << to_string(first);
    }
  }
  // Unknown and simulated data get the generic defaults, NS1's sizes.
  const ModelPreset generic = preset_model_config(Architecture::kStateNet, {"simulated", ""}, 34, 1);
  EXPECT_EQ(count(generic.config), 30465);
  EXPECT_EQ(generic.source, "generic defaults (no published model for simulated data)");
  EXPECT_EQ(preset_model_config(Architecture::kCnn2d, {"", ""}, 34, 1).source, "generic defaults (the dataset does not say what it is)");
}

TEST(ResponseModel, everyModelMapsBFTtoBNTAndIsCausal) {
  torch::manual_seed(0);
  const int F = 34, N = 3, T = 60, t0 = 37;
  for (const ModelConfig& c : test::model_zoo(F, N)) {
    SCOPED_TRACE(test::model_name(c));
    auto model = make_response_model(c);
    const torch::Tensor x = torch::randn({2, F, T});
    model->train();
    EXPECT_EQ(model->forward(x).sizes(), (std::vector<std::int64_t>{2, N, T}));
    model->eval();  // running statistics: BN is a fixed affine map, so causality is exact
    torch::NoGradGuard no_grad;
    const torch::Tensor y = model->forward(x);
    torch::Tensor x2 = x.clone();
    x2.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), t0}, 5.0);
    const torch::Tensor y2 = model->forward(x2);
    const auto before = torch::indexing::Slice(0, t0);
    const torch::Tensor past = y.index({torch::indexing::Slice(), torch::indexing::Slice(), before});
    const torch::Tensor past2 = y2.index({torch::indexing::Slice(), torch::indexing::Slice(), before});
    if ((c.core == RecurrentCore::kS4 || c.core == RecurrentCore::kS4d) && c.is_statenet()) {
      // The FFT convolution spreads rounding (not signal) over the whole clip.
      EXPECT_LE((past - past2).abs().max().item<double>(), 1e-5 * (1 + past.abs().max().item<double>()));
    } else {
      EXPECT_TRUE(torch::equal(past, past2)) << "an output before t0 changed";
    }
    EXPECT_FALSE(torch::equal(y.index({torch::indexing::Slice(), torch::indexing::Slice(), t0}),
                              y2.index({torch::indexing::Slice(), torch::indexing::Slice(), t0})))
        << "the output at t0 must see the input at t0";
  }
}

// On a CUDA device every model computes what it computes on the CPU: outputs and parameter
// gradients (cuDNN, cuFFT, LibTorch's CUDA kernels instead of our CPU operations) within 1e-3
// of the largest value, and every tensor a model makes while running is made on its device
// (the paper's S4 once built its roots of unity on the CPU). Skips without a CUDA device.
TEST(ResponseModel_CUDA, everyModelGivesTheCpusOutputsAndGradients) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch build sees no CUDA device";
  const int F = 34, N = 3, T = 60;
  for (const ModelConfig& c : test::model_zoo(F, N)) {
    SCOPED_TRACE(test::model_name(c));
    const Twins t = run_twins(c, F, N, T, 5, torch::kCUDA, torch::kFloat32);
    ASSERT_TRUE(t.y_moved.is_cuda());
    const double y_diff = (t.y_moved.cpu() - t.y_original).abs().max().item<double>(),
                 y_size = t.y_original.abs().max().item<double>();
    EXPECT_LE(y_diff, 1e-3 * y_size) << "outputs: largest difference " << y_diff << " (largest output " << y_size << ")";
    expect_gradients_near(*t.moved, *t.original, 0, 1e-3);
  }
}

TEST(ResponseModel, lcLayerGradientMatchesFiniteDifferences) {
  torch::manual_seed(1);
  auto model = make_response_model(config("statenet", 16, 2));
  model->to(torch::kFloat64);
  model->eval();
  const torch::Tensor x = torch::randn({1, 16, 20}, torch::kFloat64);
  torch::Tensor w;
  for (auto& p : model->named_parameters())
    if (p.key() == "lc_weight") w = p.value();
  ASSERT_TRUE(w.defined());
  auto loss = [&] { return (model->forward(x) * torch::linspace(-1, 1, 20, torch::kFloat64)).sum(); };
  model->zero_grad();
  loss().backward();
  const torch::Tensor grad = w.grad().clone();
  const double h = 1e-6;
  double worst = 0;
  torch::NoGradGuard no_grad;
  auto flat = w.view({-1});
  for (std::int64_t i = 0; i < flat.numel(); i += 7) {
    const double v = flat[i].item<double>();
    flat[i] = v + h;
    const double up = loss().item<double>();
    flat[i] = v - h;
    const double down = loss().item<double>();
    flat[i] = v;
    const double fd = (up - down) / (2 * h);
    worst = std::max(worst, std::fabs(fd - grad.view({-1})[i].item<double>()) / std::max(1.0, std::fabs(fd)));
  }
  EXPECT_LT(worst, 1e-6) << "largest relative difference between autograd and finite differences";
}

TEST(ResponseModel, exportedModelsReloadToIdenticalOutputs) {
  torch::manual_seed(2);
  const std::string dir = test::temp_dir();
  for (ModelConfig c : test::model_zoo(20, 4)) {
    SCOPED_TRACE(test::model_name(c));
    c.unit_ids = {"a", "b", "c", "d"};
    c.dt_ms = 5;
    auto model = make_response_model(c);
    model->train();
    model->forward(torch::randn({2, 20, 30}));  // move the BN running statistics
    model->eval();
    const torch::Tensor x = torch::randn({1, 20, 50});
    torch::NoGradGuard no_grad;
    const torch::Tensor y = model->forward(x);
    export_model(dir + "/m.safetensors", *model);
    auto loaded = load_model(dir + "/m.safetensors");
    EXPECT_EQ(loaded->config().to_json(), c.to_json());
    EXPECT_TRUE(torch::equal(loaded->forward(x), y));
  }
}

std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(ResponseModel, corruptOrForeignModelFilesAreRefusedWithTheReason) {
  const std::string dir = test::temp_dir(), path = dir + "/m.safetensors";
  auto model = make_response_model(config("statenet", 20, 2));
  export_model(path, *model);
  EXPECT_NE(load_error(dir + "/none.safetensors").find("no such file"), std::string::npos);
  std::ofstream(dir + "/text.safetensors") << "hello world, not tensors";
  EXPECT_NE(load_error(dir + "/text.safetensors").find("not a safetensors file"), std::string::npos);
  // Truncated.
  std::filesystem::copy_file(path, dir + "/cut.safetensors");
  std::filesystem::resize_file(dir + "/cut.safetensors", std::filesystem::file_size(path) - 100);
  EXPECT_NE(load_error(dir + "/cut.safetensors").find("outside the file"), std::string::npos) << load_error(dir + "/cut.safetensors");
  // Foreign: a valid safetensors file without our metadata; one with a tensor missing; one extra.
  SafetensorsFile f = read_safetensors(path);
  SafetensorsFile foreign = f;
  foreign.metadata.clear();
  write_safetensors(dir + "/foreign.safetensors", foreign);
  EXPECT_NE(load_error(dir + "/foreign.safetensors").find("not a statenet model"), std::string::npos);
  SafetensorsFile missing = f;
  missing.tensors.erase("readout.weight");
  write_safetensors(dir + "/missing.safetensors", missing);
  EXPECT_NE(load_error(dir + "/missing.safetensors").find("missing tensor readout.weight"), std::string::npos);
  SafetensorsFile extra = f;
  extra.tensors["ghost"] = NamedTensor{{1}, {0.0f}};
  write_safetensors(dir + "/extra.safetensors", extra);
  EXPECT_NE(load_error(dir + "/extra.safetensors").find("unexpected tensor ghost"), std::string::npos);
  SafetensorsFile shaped = f;
  shaped.tensors["readout.weight"].shape = {1, static_cast<std::int64_t>(shaped.tensors["readout.weight"].data.size())};
  write_safetensors(dir + "/shape.safetensors", shaped);
  EXPECT_NE(load_error(dir + "/shape.safetensors").find("tensor readout.weight has shape"), std::string::npos);
}

TEST(ResponseModel, exportedFilesAreReadableByAPlainNumpyReader) {
  // The public safetensors layout, read without the safetensors package (Debian has none).
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) GTEST_SKIP() << "python3-numpy not installed";
  const std::string dir = test::temp_dir();
  auto model = make_response_model(config("statenet", 34, 73));
  export_model(dir + "/m.safetensors", *model);
  std::ofstream(dir + "/read.py") << "import json, struct, sys, numpy as np\n"
                                    "b = open(sys.argv[1], 'rb').read()\n"
                                    "n = struct.unpack('<Q', b[:8])[0]\n"
                                    "h = json.loads(b[8:8 + n])\n"
                                    "meta = h.pop('__metadata__')\n"
                                    "cfg = json.loads(meta['config'])\n"
                                    "info = h['readout.weight']\n"
                                    "s, e = info['data_offsets']\n"
                                    "w = np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(info['shape'])\n"
                                    "print(meta['format'], cfg['architecture'], cfg['core'], w.shape)\n";
  FILE* p = popen(("/usr/bin/python3 " + dir + "/read.py " + dir + "/m.safetensors 2>&1").c_str(), "r");
  char buf[256] = {};
  const std::string out = fgets(buf, sizeof buf, p) ? buf : "";
  pclose(p);
  EXPECT_EQ(out, "statenet-model statenet gru (73, 70)\n");
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

std::vector<torch::Tensor> gradients(ResponseModel& m, const torch::Tensor& out, const torch::Tensor& target) {
  m.zero_grad();
  (out - target).pow(2).mean().backward();
  std::vector<torch::Tensor> g;
  for (const auto& p : m.parameters()) g.push_back(p.grad().clone());
  return g;
}

double max_relative_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>() / (1e-8 + b[i].abs().max().item<double>()));
  return worst;
}

TEST(ResponseModel, tbpttWithKEqualToTheClipIsFullBptt) {
  for (const char* core : {"gru", "lstm", "rnn"}) {
    SCOPED_TRACE(core);
    torch::manual_seed(4);
    ModelConfig c = default_model_config(Architecture::kStateNet, 16, 3);
    c.core = parse_core(core);
    auto m = make_response_model(c);
    m->train();
    const torch::Tensor x = torch::randn({2, 16, 40}), y = torch::randn({2, 3, 40});
    const auto full = gradients(*m, m->forward(x), y);
    const auto tbptt = gradients(*m, m->forward_tbptt(x, 40, true), y);
    EXPECT_LT(max_relative_difference(tbptt, full), 1e-5) << "largest relative gradient difference";
    // K < T with warm-up: the same outputs (the windows restart from the true states) but
    // truncated gradients; without warm-up the outputs change.
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(m->forward_tbptt(x, 8, true), m->forward(x), 1e-5, 1e-6));
    EXPECT_FALSE(torch::allclose(m->forward_tbptt(x, 8, false), m->forward(x), 1e-4, 1e-5));
  }
  auto cnn = make_response_model(default_model_config(Architecture::kCnn2d, 34, 2));
  EXPECT_THROW(cnn->forward_tbptt(torch::randn({1, 34, 30}), 5, true), std::invalid_argument);
}

TEST(ResponseModel, tbpttTruncatesTheGradient) {
  torch::manual_seed(5);
  auto m = make_response_model(default_model_config(Architecture::kStateNet, 16, 2));
  m->train();
  const torch::Tensor x = torch::randn({1, 16, 40}), y = torch::randn({1, 2, 40});
  const auto full = gradients(*m, m->forward(x), y);
  const auto short_k = gradients(*m, m->forward_tbptt(x, 4, true), y);
  EXPECT_GT(max_relative_difference(short_k, full), 1e-3);
}

// Without warm-up bin t's output is the model run on bins t − K + 1 … t alone, from zero (the
// windows are batched: 295 of them here, in the order of their bins).
TEST(ResponseModel, tbpttWithoutWarmupOutputsEachBinsWindowFromZero) {
  torch::manual_seed(8);
  auto m = make_response_model(default_model_config(Architecture::kStateNet, 16, 3));
  m->eval();  // BN from its running statistics: a window's output does not depend on the rest
  torch::NoGradGuard no_grad;
  const int K = 5, T = 300;
  const torch::Tensor x = torch::randn({1, 16, T}), windowed = m->forward_tbptt(x, K, false);
  for (int t : {0, 3, 4, 127, 132, 133, 200, 299}) {
    const int first = std::max(0, t - K + 1);
    const torch::Tensor alone = m->forward(x.narrow(2, first, t - first + 1)).select(2, t - first);
    EXPECT_TRUE(torch::allclose(windowed.select(2, t), alone, 1e-5, 1e-6)) << "bin " << t << ": largest difference "
        << (windowed.select(2, t) - alone).abs().max().item<double>();
  }
}

// The GRU in float32 on the CPU takes our operations — with warm-up the ring of adjoints,
// without it our recurrence batched over the 588 windows; in float64 the model runs every bin's
// window through LibTorch's GRU: the same gradients.
TEST(ResponseModel, tbpttGruOperationsEqualTheWindowedForm) {
  for (const bool warmup : {true, false}) {
    SCOPED_TRACE(warmup ? "warm-up" : "no warm-up");
    torch::manual_seed(7);
    auto m = make_response_model(default_model_config(Architecture::kStateNet, 16, 3));
    m->train();
    const torch::Tensor x = torch::randn({2, 16, 300}), y = torch::randn({2, 3, 300});
    const auto ours = gradients(*m, m->forward_tbptt(x, 6, warmup), y);
    m->to(torch::kFloat64);
    const auto windows = gradients(*m, m->forward_tbptt(x.to(torch::kFloat64), 6, warmup), y.to(torch::kFloat64));
    std::vector<torch::Tensor> windows32;
    for (const auto& g : windows) windows32.push_back(g.to(torch::kFloat32));
    EXPECT_LT(max_relative_difference(ours, windows32), 1e-4) << "largest relative gradient difference";
  }
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

TEST(ResponseModel, outputNonlinearityStartsOnTheScaleOfTheResponses) {
  for (const char* kind : {"double_exponential", "sigmoid"}) {
    SCOPED_TRACE(kind);
    torch::manual_seed(6);
    OutputNonlinearity f(parse_nonlinearity(kind), 3);
    const torch::Tensor low = torch::tensor({0.0f, 0.1f, 1.0f}), mean = torch::tensor({0.06f, 0.3f, 2.0f}),
                        high = torch::tensor({1.2f, 0.9f, 5.0f});
    f->fit_to_responses(low, mean, high);
    torch::NoGradGuard no_grad;
    const torch::Tensor at_zero = f->forward(torch::zeros({1, 3, 1})).view({3});
    EXPECT_TRUE(torch::allclose(at_zero, mean, 1e-3, 1e-4)) << at_zero;
  }
}

// The operations of our own (2D-CNN and STRF-family convolutions, Mamba's and DNet's scans, S4D's kernel, the GRU's and LSTM's recurrences)
// run in float32 on the CPU; in float64 every model runs LibTorch's operations. Both must give
// the same parameter gradients, up to float32 rounding (1e-4 of each tensor's largest, plus
// 1e-6 of the model's largest).
TEST(ResponseModel, ownFloat32OperationsGiveLibTorchsFloat64Gradients) {
  const int F = 34, N = 3, T = 120;
  for (const std::string arch : {"cnn2d", "l", "nrf", "dnet", "mamba", "s4", "gru", "lstm"}) {
    SCOPED_TRACE(arch);
    const bool core = arch == "mamba" || arch == "s4" || arch == "gru" || arch == "lstm";
    ModelConfig c = default_model_config(core ? Architecture::kStateNet : parse_architecture(arch), F, N);
    if (core) c.core = parse_core(arch);
    const Twins t = run_twins(c, F, N, T, 12, torch::kCPU, torch::kFloat64);
    expect_gradients_near(*t.original, *t.moved, 1e-4, 1e-6);  // float32 against the float64 reference
  }
}

// A Transformer fitted to (μ, σ) maps x exactly as the unfitted model maps the z-scored
// (x − μ)/σ — once the window holds no padding (bins ≥ T_w − 1: the fitted model standardises
// its zero padding, the other sees zeros); models with a normalisation of their own are left
// unchanged.
TEST(ResponseModel, transformerStandardisesItsInputWithTheStimulusStatistics) {
  const int F = 34, N = 2, T = 80;
  torch::manual_seed(7);
  const torch::Tensor mean = torch::randn({F}) * 10 - 10, std = torch::rand({F}) * 10 + 5;
  const torch::Tensor x = mean.view({1, F, 1}) + std.view({1, F, 1}) * torch::randn({1, F, T});
  torch::manual_seed(8);
  auto fitted = make_response_model(default_model_config(Architecture::kTransformer, F, N));
  torch::manual_seed(8);
  auto generic = make_response_model(default_model_config(Architecture::kTransformer, F, N));
  fitted->fit_to_stimuli(mean, std);
  fitted->eval(), generic->eval();
  torch::NoGradGuard no_grad;
  const int W = fitted->config().window_bins;
  const torch::Tensor a = fitted->forward(x).narrow(2, W - 1, T - W + 1);
  const torch::Tensor b = generic->forward((x - mean.view({1, F, 1})) / std.view({1, F, 1})).narrow(2, W - 1, T - W + 1);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-4) << "largest difference";

  torch::manual_seed(9);
  auto gru = make_response_model(default_model_config(Architecture::kStateNet, F, N));
  const torch::Tensor before = gru->forward(x);
  gru->fit_to_stimuli(mean, std);
  EXPECT_TRUE(torch::equal(before, gru->forward(x)));
}

}  // namespace
}  // namespace statenet
