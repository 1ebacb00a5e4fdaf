#include "data/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "data/dataset_api.h"
#include "metrics/response_metrics.h"

namespace statenet {
namespace {

TEST(Simulator, isDeterministicForASeed) {
  const SimulationOptions o = simulation_preset("tiny");
  const Dataset a = simulate_dataset(o), b = simulate_dataset(o);
  SimulationOptions other = o;
  other.seed = 2;
  const Dataset c = simulate_dataset(other);
  ASSERT_EQ(a.stimuli.size(), b.stimuli.size());
  for (std::size_t k = 0; k < a.stimuli.size(); ++k) {
    EXPECT_EQ(a.stimuli[k].responses, b.stimuli[k].responses);
    EXPECT_EQ(a.stimuli[k].cochleagram, b.stimuli[k].cochleagram);
  }
  EXPECT_NE(a.stimuli[0].responses, c.stimuli[0].responses);
  EXPECT_EQ(a.unit_ids, (std::vector<std::string>{"strf-0", "adapting-0", "onoff-0", "recurrent-0"}));
}

TEST(Simulator, trialsArePoissonAroundTheStoredTrueRate) {
  // The true rate is the noiseless response: as a prediction its CC_norm is ≈ 1.
  SimulationOptions o = simulation_preset("tiny");
  o.trials = 20;
  const Dataset d = simulate_dataset(o);
  const auto stimuli = all_stimuli(d);
  for (int u = 0; u < d.num_units(); ++u) {
    const ConcatenatedTrials c = concatenate_trials(d, stimuli, u);
    std::vector<float> rate;
    for (int k : stimuli) {
      const TruthArray& r = d.truth.at("rates/" + stimulus_key(k));
      const std::int64_t T = d.stimuli[k].num_frames;
      rate.insert(rate.end(), r.data.begin() + u * T, r.data.begin() + (u + 1) * T);
    }
    const ResponseScores s = score_response(rate.data(), TrialsView{c.values.data(), c.num_trials, c.num_bins});
    EXPECT_NEAR(s.cc_norm, 1.0, 0.08) << d.unit_ids[u];
    // Mean count per bin matches the expected count.
    double mean_trials = 0, mean_rate = 0;
    for (float v : c.values) mean_trials += v;
    for (float v : rate) mean_rate += v;
    EXPECT_NEAR(mean_trials / c.values.size(), mean_rate / rate.size(), 0.1 * mean_rate / rate.size()) << d.unit_ids[u];
  }
}

// The DRCs (odd stimuli) must drive every band: when their chords stopped below the top band,
// that band was near its floor in DRCs only, became a stimulus-class indicator, and fitted
// STRF models put weight on it at every lag (GradMap-vs-STRF 0.71–0.80 for one unit).
TEST(Simulator, dynamicRandomChordsVaryEveryBandAlike) {
  SimulationOptions o = simulation_preset("tiny");
  o.kinds = {"strf"};
  const Dataset d = simulate_dataset(o);
  const int F = static_cast<int>(d.freqs_hz.size());
  std::vector<double> sd(F);
  for (int f = 0; f < F; ++f) {
    double s1 = 0, s2 = 0, n = 0;
    for (std::size_t k = 1; k < d.stimuli.size(); k += 2) {
      const Stimulus& s = d.stimuli[k];
      for (std::int64_t t = 0; t < s.num_frames; ++t) {
        const double v = s.cochleagram[f * s.num_frames + t];
        s1 += v, s2 += v * v, ++n;
      }
    }
    sd[f] = std::sqrt(s2 / n - (s1 / n) * (s1 / n));
  }
  std::vector<double> sorted = sd;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[F / 2];
  for (int f = 0; f < F; ++f)
    EXPECT_GT(sd[f], 0.6 * median) << "band " << f << " (" << d.freqs_hz[f] << " Hz): s.d. " << sd[f]
                                   << " dB in the DRCs, median band " << median;
}

TEST(Simulator, adaptationAndMemoryStatesFollowTheirTimeConstants) {
  SimulationOptions o = simulation_preset("tiny");
  o.units_per_kind = 2;  // adapting τ = 50 ms and 4 s
  const Dataset d = simulate_dataset(o);
  ASSERT_EQ(d.unit_ids[2], "adapting-0");
  ASSERT_EQ(d.unit_ids[3], "adapting-1");
  const TruthArray& states = d.truth.at("states/0000");
  const std::int64_t T = d.stimuli[0].num_frames;
  // Lag-1 s autocorrelation-like smoothness: the mean |Δ| per bin relative to the s.d.
  auto roughness = [&](int u) {
    double diff = 0, mean = 0, var = 0;
    for (std::int64_t t = 0; t < T; ++t) mean += states.data[u * T + t];
    mean /= T;
    for (std::int64_t t = 1; t < T; ++t) diff += std::fabs(states.data[u * T + t] - states.data[u * T + t - 1]);
    for (std::int64_t t = 0; t < T; ++t) var += std::pow(states.data[u * T + t] - mean, 2);
    return diff / (T - 1) / std::sqrt(var / T);
  };
  EXPECT_GT(roughness(2), 5 * roughness(3)) << "τ = 50 ms changes much faster than τ = 4 s";
  EXPECT_NE(d.truth_attributes.at("units").find("\"tau_s\": 4"), std::string::npos);
  EXPECT_EQ(d.truth.at("strf").shape, (Shape{8, 34, 20}));
}

}  // namespace
}  // namespace statenet
