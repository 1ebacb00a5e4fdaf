// GradMaps and Dreams: the L model's GradMap is its (BN-scaled) weights, stateless models
// see nothing beyond their receptive field, batched dreams equal unit-by-unit dreams.

#include "train/interpret.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/model_io.h"
#include "model_format/safetensors.h"
#include "support/test_support.h"

namespace statenet {
namespace {

std::string exported(const ModelConfig& c, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto m = make_response_model(c);
  m->train();
  m->forward(torch::randn({2, c.num_bands, 60}));  // non-trivial BatchNorm running statistics
  const std::string path = test::temp_dir() + "/m.safetensors";
  export_model(path, *m);
  return path;
}

TEST(Interpret, theGradMapOfAnLModelIsItsWeightsScaledByBatchNorm) {
  ModelConfig c = default_model_config(Architecture::kL, 12, 3);
  c.window_bins = 9;
  const std::string path = exported(c, 1);
  InterpretOptions o;
  o.length_bins = 20;
  const InterpretMaps g = compute_gradmaps(path, o);
  const SafetensorsFile f = read_safetensors(path);
  const auto& w = f.tensors.at("strf.weight").data;  // [N, 1, F, T_w]
  const auto& gamma = f.tensors.at("bn.weight").data;
  const auto& var = f.tensors.at("bn.running_var").data;
  double worst = 0;
  for (int u = 0; u < 3; ++u) {
    const double scale = gamma[u] / std::sqrt(var[u] + 1e-5);
    for (int fb = 0; fb < 12; ++fb)
      for (int t = 0; t < 20; ++t) {
        const int k = t - (20 - 9);  // the last tap multiplies the output bin
        const double expected = k >= 0 ? -scale * w[(u * 12 + fb) * 9 + k] : 0.0;
        worst = std::max(worst, std::fabs(g.map(u, fb, t) - expected));
      }
  }
  EXPECT_LT(worst, 1e-6) << "largest |GradMap − (−γ/σ·W)|";
}

TEST(Interpret, statelessModelsAreBlindBeyondTheirReceptiveField) {
  InterpretOptions o;
  o.length_bins = 80;
  for (const char* arch : {"cnn2d", "transformer", "nrf"}) {
    SCOPED_TRACE(arch);
    const ModelConfig c = default_model_config(parse_architecture(arch), 34, 2);
    const InterpretMaps g = compute_gradmaps(exported(c, 2), o);
    const int rf = c.window_bins;  // 43, 48, 41
    double outside = 0, inside = 0;
    for (int u = 0; u < 2; ++u)
      for (int f = 0; f < 34; ++f)
        for (int t = 0; t < 80; ++t) (t < 80 - rf ? outside : inside) += std::fabs(g.map(u, f, t));
    EXPECT_EQ(outside, 0.0);
    EXPECT_GT(inside, 0.0);
    const auto memory = memory_length_bins(g);
    for (int m : memory) EXPECT_LE(m, rf);
    for (int e : energy_extent_bins(g)) {
      EXPECT_LE(e, rf);
      EXPECT_GE(e, rf / 2) << "the energy reaches well into the window";
    }
  }
  // A recurrent model is not.
  const InterpretMaps s = compute_gradmaps(exported(default_model_config(Architecture::kStateNet, 34, 2), 3), o);
  double far = 0;
  for (int f = 0; f < 34; ++f) far += std::fabs(s.map(0, f, 0));
  EXPECT_GT(far, 0.0);
  // The null stimulus's level moves the operating point of a nonlinear model, not of L.
  o.null_level = -40.0f;
  const InterpretMaps s40 = compute_gradmaps(exported(default_model_config(Architecture::kStateNet, 34, 2), 3), o);
  EXPECT_EQ(s40.null_level, -40.0f);
  EXPECT_NE(s40.map(0, 5, 79), s.map(0, 5, 79));
}

TEST(Interpret, energyExtentIsTheLastLatencyAboveTheRelativeFloor) {
  InterpretMaps m;
  m.units = {0, 1};
  m.length_bins = 6;
  m.energy = {4, 1, 1e-3f, 0, 5e-7f, 0,   // latencies 0…5 of unit 0: 1e-6·4 = 4e-6 floor
              0, 0, 0, 0, 0, 0};           // an all-zero map
  EXPECT_EQ(energy_extent_bins(m), (std::vector<int>{3, 0}));
  EXPECT_EQ(energy_extent_bins(m, 1e-7), (std::vector<int>{5, 0}));
}

TEST(Interpret, batchedDreamsEqualUnitByUnitDreams) {
  const std::string path = exported(default_model_config(Architecture::kStateNet, 16, 3), 4);
  InterpretOptions o;
  o.length_bins = 30;
  o.dream_iterations = 25;
  o.threads = 1;
  const InterpretMaps all = compute_dreams(path, o);
  ASSERT_EQ(all.units, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(all.loss_curve.size(), 3u * 25);
  for (int u = 0; u < 3; ++u) {
    InterpretOptions one = o;
    one.units = {u};
    const InterpretMaps single = compute_dreams(path, one);
    double worst = 0;
    for (int f = 0; f < 16; ++f)
      for (int t = 0; t < 30; ++t) worst = std::max(worst, static_cast<double>(std::fabs(single.map(0, f, t) - all.map(u, f, t))));
    EXPECT_LT(worst, 1e-5) << "unit " << u;
    EXPECT_LT(all.loss_curve[u * 25 + 24], all.loss_curve[u * 25]) << "the dream lowers the loss";
  }
}

TEST(Interpret, badUnitsAndLengthsAreRefused) {
  const std::string path = exported(default_model_config(Architecture::kL, 12, 3), 5);
  InterpretOptions o;
  o.units = {1, 5};
  try {
    compute_gradmaps(path, o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unit 5 does not exist (the model has units 0–2)"), std::string::npos) << e.what();
  }
  o.units = {};
  o.length_bins = 0;
  EXPECT_THROW(compute_gradmaps(path, o), std::invalid_argument);
  o.length_bins = 10;
  o.dream_iterations = 0;
  EXPECT_THROW(compute_dreams(path, o), std::invalid_argument);
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

TEST(Interpret, similarityIsOneOnTheDiagonalAndMinusOneForANegatedStrf) {
  ModelConfig c = default_model_config(Architecture::kL, 12, 3);
  c.window_bins = 9;
  const std::string a = exported(c, 7);
  // The same L model with its weights negated: every GradMap flips sign.
  SafetensorsFile f = read_safetensors(a);
  for (float& w : f.tensors.at("strf.weight").data) w = -w;
  const std::string b = test::temp_dir() + "/negated.safetensors";
  write_safetensors(b, f);
  const std::string other = exported(default_model_config(Architecture::kStateNet, 12, 3), 8);
  InterpretOptions o;
  o.length_bins = 20;
  const auto sim = gradmap_similarity({compute_gradmaps(a, o), compute_gradmaps(b, o), compute_gradmaps(other, o)});
  ASSERT_EQ(sim.size(), 9u);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(sim[i * 3 + i], 1.0, 1e-9);
  EXPECT_NEAR(sim[0 * 3 + 1], -1.0, 1e-6);
  EXPECT_NEAR(sim[0 * 3 + 2], sim[2 * 3 + 0], 1e-12) << "symmetric";
  EXPECT_LT(std::fabs(sim[0 * 3 + 2]), 0.99);
  // Models of different units cannot be compared.
  const std::string fewer = exported(default_model_config(Architecture::kL, 12, 2), 9);
  EXPECT_THROW(gradmap_similarity({compute_gradmaps(a, o), compute_gradmaps(fewer, o)}), std::invalid_argument);
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

// strf_correlation reads latency ℓ from column T − 1 − ℓ, compares −g, and picks each unit's
// own reference by its index.
TEST(Interpret, strfCorrelationComparesTheLastColumnsOfEachUnitsMapWithItsOwnStrf) {
  const int F = 5, T = 8, L = 3, N = 3;
  std::vector<float> strf(static_cast<std::size_t>(N) * F * L);
  for (std::size_t i = 0; i < strf.size(); ++i) strf[i] = std::sin(0.7f * i) + 0.1f * (i % 4);
  InterpretMaps m;
  m.units = {2, 0};
  m.num_bands = F;
  m.length_bins = T;
  m.maps.assign(m.units.size() * F * T, 0.0f);
  for (std::size_t u = 0; u < m.units.size(); ++u)
    for (int f = 0; f < F; ++f)
      for (int l = 0; l < L; ++l)
        m.maps[(u * F + f) * T + (T - 1 - l)] = -2.5f * strf[(static_cast<std::size_t>(m.units[u]) * F + f) * L + l];
  m.maps[(0 * F + 1) * T + 0] = 9.0f;  // beyond the STRF's lags: ignored
  const std::vector<double> cc = strf_correlation(m, strf, N, L);
  ASSERT_EQ(cc.size(), 2u);
  EXPECT_NEAR(cc[0], 1.0, 1e-6);
  EXPECT_NEAR(cc[1], 1.0, 1e-6);
  // Against the wrong unit's STRF the match is lost.
  m.units = {1, 0};
  EXPECT_LT(strf_correlation(m, strf, N, L)[0], 0.9);
  EXPECT_THROW(strf_correlation(m, strf, N, T + 1), std::invalid_argument);
  EXPECT_THROW(strf_correlation(m, strf, N + 1, L), std::invalid_argument);
}

}  // namespace
}  // namespace statenet
