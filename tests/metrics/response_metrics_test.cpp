// Response metrics: identities, the textbook formulas computed independently here,
// simulated Poisson trials, and every documented edge case.

#include "metrics/response_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace statenet {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Unbiased variance of a series, the textbook way.
double var(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m += v;
  m /= x.size();
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / (x.size() - 1);
}

// Sahani & Linden's SP = [Var(Σ_m r_m) − Σ_m Var(r_m)] / (M(M − 1)) (docs/metrics.md).
double sahani_linden(const std::vector<float>& r, int M, int T) {
  std::vector<double> sum(T, 0.0);
  double sum_var = 0;
  for (int m = 0; m < M; ++m) {
    std::vector<double> row(r.begin() + m * T, r.begin() + (m + 1) * T);
    sum_var += var(row);
    for (int t = 0; t < T; ++t) sum[t] += row[t];
  }
  return (var(sum) - sum_var) / (M * (M - 1.0));
}

// Poisson trials around a smooth rate.
struct Simulated {
  std::vector<float> rate, trials;
  int M, T;
};
Simulated poisson_trials(int M, int T, std::uint64_t seed) {
  Simulated s{{}, {}, M, T};
  std::mt19937_64 rng(seed);
  for (int t = 0; t < T; ++t)
    s.rate.push_back(static_cast<float>(0.6 + 0.5 * std::sin(t * 0.05) + 0.3 * std::sin(t * 0.013 + 1)));
  for (int m = 0; m < M; ++m)
    for (int t = 0; t < T; ++t) s.trials.push_back(static_cast<float>(std::poisson_distribution<int>(s.rate[t])(rng)));
  return s;
}

TEST(ResponseMetrics, pearsonIdentitiesAndAffineInvariance) {
  std::vector<double> y = {1, 3, 2, 5, 4, 7}, neg, affine;
  for (double v : y) neg.push_back(-v), affine.push_back(3 * v + 10);
  EXPECT_NEAR(pearson_cc(y.data(), y.data(), 6), 1.0, 1e-15);
  EXPECT_NEAR(pearson_cc(y.data(), neg.data(), 6), -1.0, 1e-15);
  std::vector<double> z = {2, 1, 4, 3, 6, 5};
  EXPECT_NEAR(pearson_cc(affine.data(), z.data(), 6), pearson_cc(y.data(), z.data(), 6), 1e-14);
}

TEST(ResponseMetrics, signalPowerEqualsSahaniLindenWhenEveryTrialIsPresent) {
  const Simulated s = poisson_trials(7, 300, 3);
  const TrialsView view{s.trials.data(), s.M, s.T};
  EXPECT_NEAR(signal_power(view), sahani_linden(s.trials, s.M, s.T), 1e-12);
}

TEST(ResponseMetrics, ccNormAndCcMaxOnAHandComputedToyCase) {
  // Two trials r1 = (0, 2, 4, 2), r2 = (2, 2, 2, 2)... M = 2, T = 4.
  const std::vector<float> r = {0, 2, 4, 2, 2, 2, 4, 0};
  const std::vector<float> y = {1, 2, 4, 1};
  const TrialsView view{r.data(), 2, 4};
  // r̄ = (1, 2, 4, 1); Var(r̄) = 2 (mean 2, squares 1,0,4,1 → 6/3).
  // SP = Cov(r1, r2): r1 − 2 = (−2, 0, 2, 0), r2 − 2 = (0, 0, 2, −2) → 4/3.
  const ResponseScores sc = score_response(y.data(), view);
  EXPECT_NEAR(sc.response_power, 2.0, 1e-12);
  EXPECT_NEAR(sc.signal_power, 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(sc.cc_raw, 1.0, 1e-12);  // y = r̄
  EXPECT_NEAR(sc.cc_max, std::sqrt((4.0 / 3.0) / 2.0), 1e-12);
  EXPECT_NEAR(sc.cc_norm, 1.0 / std::sqrt((4.0 / 3.0) / 2.0), 1e-12);
  // One split only ({r1}, {r2}): CC_half = CC(r1, r2) = (4/3)/√(8/3 · 8/3) = 0.5.
  EXPECT_NEAR(sc.cc_half, 0.5, 1e-12);
  EXPECT_NEAR(sc.cc_max_split_half, std::sqrt(2.0 / 3.0), 1e-12);
  EXPECT_NEAR(sc.ttrc, 0.5, 1e-12);
}

TEST(ResponseMetrics, predictingTheTrueRateGivesCcNormNearOneWhileCcRawIsBelow) {
  const Simulated s = poisson_trials(20, 4000, 7);
  const ResponseScores sc = score_response(s.rate.data(), TrialsView{s.trials.data(), s.M, s.T});
  EXPECT_LT(sc.cc_raw, 0.97);
  EXPECT_NEAR(sc.cc_norm, 1.0, 0.03);
  EXPECT_NEAR(sc.cc_norm_split_half, 1.0, 0.05);
  EXPECT_NEAR(sc.cc_ttrc_corrected, 1.0, 0.05);
  EXPECT_EQ(sc.num_trials, 20);
  EXPECT_EQ(sc.num_bins, 4000);
  // A noisier prediction scores lower on every measure.
  std::vector<float> worse = s.rate;
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0, 0.3f);
  for (auto& v : worse) v += noise(rng);
  const ResponseScores w = score_response(worse.data(), TrialsView{s.trials.data(), s.M, s.T});
  EXPECT_LT(w.cc_norm, sc.cc_norm - 0.1);
  // Split halves: 20 trials have C(19, 9) = 92 378 splits; 126 are sampled, deterministically.
  EXPECT_EQ(score_response(worse.data(), TrialsView{s.trials.data(), s.M, s.T}).cc_half, w.cc_half);
}

TEST(ResponseMetrics, aSingleTrialFallsBackToCcRaw) {
  const Simulated s = poisson_trials(1, 500, 9);
  const ResponseScores sc = score_response(s.rate.data(), TrialsView{s.trials.data(), 1, s.T});
  EXPECT_TRUE(std::isnan(sc.signal_power));
  EXPECT_EQ(sc.cc_norm, sc.cc_raw);
  EXPECT_EQ(sc.cc_max, 1.0);
  EXPECT_EQ(sc.ttrc, 1.0);
}

TEST(ResponseMetrics, nonPositiveSignalPowerGivesNanCcNormAndIsExcludedAndCounted) {
  // Two anti-correlated trials: their covariance, hence SP, is negative.
  std::vector<float> r, y;
  for (int t = 0; t < 100; ++t) {
    y.push_back(static_cast<float>(std::sin(t * 0.3)));
  }
  for (int t = 0; t < 100; ++t) r.push_back(1 + y[t]);
  for (int t = 0; t < 100; ++t) r.push_back(1 - y[t] + 0.01f * (t % 3));
  const ResponseScores bad = score_response(y.data(), TrialsView{r.data(), 2, 100});
  EXPECT_LE(bad.signal_power, 0.0);
  EXPECT_TRUE(std::isnan(bad.cc_norm));
  EXPECT_EQ(bad.cc_max, 0.0);
  const Simulated s = poisson_trials(10, 500, 1);
  const ResponseScores good = score_response(s.rate.data(), TrialsView{s.trials.data(), s.M, s.T});
  const PopulationSummary p = summarise({good, bad});
  EXPECT_EQ(p.num_units, 2);
  EXPECT_EQ(p.excluded_units, 1);
  EXPECT_DOUBLE_EQ(p.mean_cc_norm, good.cc_norm);
  EXPECT_DOUBLE_EQ(p.mean_cc_raw, (good.cc_raw + bad.cc_raw) / 2);
}

TEST(ResponseMetrics, constantPredictionScoresZeroAndNanPredictionThrows) {
  const Simulated s = poisson_trials(5, 200, 2);
  const std::vector<float> flat(200, 0.7f);
  const ResponseScores sc = score_response(flat.data(), TrialsView{s.trials.data(), s.M, s.T});
  EXPECT_EQ(sc.cc_raw, 0.0);
  EXPECT_EQ(sc.cc_norm, 0.0);
  std::vector<float> broken = s.rate;
  broken[17] = kNaN;
  try {
    score_response(broken.data(), TrialsView{s.trials.data(), s.M, s.T});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bin 17"), std::string::npos) << e.what();
  }
}

TEST(ResponseMetrics, missingTrialsAreMaskedNotFilled) {
  // Two clips concatenated: clip A (bins 0–299) has 4 trials, clip B (300–599) only 2;
  // slots 2 and 3 are NaN over clip B. With noise-free trials (all equal to the rate),
  // SP must equal Var(rate) and CC_norm of the rate must be exactly 1 — filling the
  // missing trials (e.g. with the clip mean) would break both.
  const int T = 600, M = 4;
  std::vector<float> rate(T), r(M * T);
  for (int t = 0; t < T; ++t) rate[t] = static_cast<float>(1 + std::sin(t * 0.07) + (t >= 300 ? 0.5 : 0.0));
  for (int m = 0; m < M; ++m)
    for (int t = 0; t < T; ++t) r[m * T + t] = (m >= 2 && t >= 300) ? kNaN : rate[t];
  const ResponseScores sc = score_response(rate.data(), TrialsView{r.data(), M, T});
  std::vector<double> rd(rate.begin(), rate.end());
  EXPECT_NEAR(sc.signal_power, var(rd), 1e-9);
  EXPECT_NEAR(sc.cc_norm, 1.0, 1e-9);
  EXPECT_NEAR(sc.cc_raw, 1.0, 1e-9);
  EXPECT_EQ(sc.num_trials, 4);
  EXPECT_EQ(sc.num_bins, T);
  // Bins where no trial exists at all are ignored, whatever the prediction says there.
  std::vector<float> r2 = r, y2 = rate;
  for (int m = 0; m < M; ++m) r2[m * T + 5] = kNaN;
  y2[5] = 1e6f;
  EXPECT_EQ(score_response(y2.data(), TrialsView{r2.data(), M, T}).num_bins, T - 1);
  EXPECT_NEAR(score_response(y2.data(), TrialsView{r2.data(), M, T}).cc_raw, 1.0, 1e-9);
}

// A trainer scores every epoch's prediction against the same trials with one prepared
// CcNormScorer: each score must equal a fresh score_response, in any order, and the trials
// may be gone once it is built (it keeps its own copy of what it needs).
TEST(ResponseMetrics, aPreparedScorerScoresManyPredictionsLikeScoreResponse) {
  Simulated s = poisson_trials(6, 500, 11);
  for (int t = 0; t < 100; ++t) s.trials[5 * s.T + t] = kNaN;  // one trial missing over a stretch
  std::vector<float> trials_copy = s.trials;
  const CcNormScorer scorer(TrialsView{trials_copy.data(), s.M, s.T});
  std::fill(trials_copy.begin(), trials_copy.end(), 0.0f);
  std::mt19937_64 rng(4);
  std::normal_distribution<float> noise(0.0f, 0.4f);
  for (int k = 0; k < 5; ++k) {
    std::vector<float> y = s.rate;
    for (float& v : y) v += noise(rng) * k;
    const ResponseScores full = score_response(y.data(), TrialsView{s.trials.data(), s.M, s.T});
    const CcNormScorer::Result fast = scorer.score(y.data());
    EXPECT_EQ(fast.cc_norm, full.cc_norm) << "prediction " << k;
    EXPECT_EQ(fast.cc_raw, full.cc_raw) << "prediction " << k;
    EXPECT_EQ(fast.num_bins, full.num_bins);
  }
  std::vector<float> bad = s.rate;
  bad[7] = kNaN;
  EXPECT_THROW(scorer.score(bad.data()), std::invalid_argument);
}

TEST(MeanAndSem, isTheMeanAndTheUnbiasedStandardErrorOverValues) {
  // {1, 2, 3, 4}: mean 2.5, s² = 5/3, s.e.m. = √(5/3 / 4).
  const MeanSem m = mean_and_sem({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_NEAR(m.sem, std::sqrt(5.0 / 3.0 / 4.0), 1e-15);
  const MeanSem one = mean_and_sem({0.7});
  EXPECT_DOUBLE_EQ(one.mean, 0.7);
  EXPECT_EQ(one.sem, 0.0);
  EXPECT_TRUE(std::isnan(mean_and_sem({}).mean));
  EXPECT_TRUE(std::isnan(mean_and_sem({0.5, NAN}).mean));
}

}  // namespace
}  // namespace statenet
