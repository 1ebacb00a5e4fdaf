#pragma once
// Prediction-quality metrics for one unit (docs/metrics.md), on plain arrays, float64
// arithmetic, torch-free.
//
// Input: a prediction y[T] and the recorded trials r[M][T] of one unit, with the clips
// of a set concatenated in time. A trial slot that did not exist for a clip (fewer
// repeats, or a unit that did not hear it) is NaN over that clip. Only the bins where
// at least one trial is present are used ("used bins").
//
// Conventions (documented in docs/metrics.md):
//  - one variance normalisation throughout: unbiased, 1/(T − 1);
//  - signal power (Sahani & Linden 2003) is computed as the mean covariance between
//    distinct trials: SP = Σ_t Σ_{m≠m'} d_mt·d_m't / (M_t(M_t − 1)) / (T₂ − 1) over the T₂
//    bins with M_t ≥ 2 trials, where d_mt = r_mt − μ − δ_m, μ is the mean of r̄ over those
//    bins and δ_m the mean of (r_mt − r̄_t) over trial m's bins. With every trial present
//    everywhere, μ + δ_m is trial m's own mean and SP is exactly
//    [Var(Σ r_m) − Σ Var(r_m)] / (M(M − 1)); with missing trials, noise-free trials still
//    give SP = Var(r̄) (nothing is filled in);
//  - CC_norm (Schoppe et al. 2016) = Cov(y, r̄)/√(Var(y)·SP); CC_max = √(SP/Var(r̄));
//  - a single trial (no bin with two trials): CC_norm := CC_raw, CC_max := 1, SP = NaN;
//  - SP ≤ 0: CC_norm = NaN and CC_max = 0 (the unit is excluded from CC_norm means
//    and counted);
//  - constant prediction (Var(y) = 0): CC_raw = CC_norm = 0 (no linear relation);
//  - constant mean response (Var(r̄) = 0): CC_raw = NaN;
//  - a NaN prediction at a used bin throws std::invalid_argument.

#include <cstdint>
#include <vector>

namespace statenet {

// Row-major trials [num_trials][num_bins]; NaN marks a missing trial.
struct TrialsView {
  const float* data = nullptr;
  int num_trials = 0;
  std::int64_t num_bins = 0;
  float at(int m, std::int64_t t) const { return data[static_cast<std::int64_t>(m) * num_bins + t]; }
};

struct ScoreOptions {
  /// Split-half CC_max (Hsu et al. 2004): at most this many complementary pairs of
  /// halves; when more exist, a fixed pseudo-random subset (seed below). Default 126.
  int max_split_halves = 126;
  std::uint64_t split_seed = 0;
};

struct ResponseScores {
  int num_trials = 0;             ///< trial slots with at least one value
  std::int64_t num_bins = 0;      ///< used bins
  double cc_raw = 0.0;            ///< Pearson CC of y and r̄
  double response_power = 0.0;    ///< Var(r̄)
  double signal_power = 0.0;      ///< SP (NaN for a single trial)
  double cc_max = 0.0;            ///< √(SP/Var(r̄)); 0 when SP ≤ 0; 1 for a single trial
  double cc_norm = 0.0;           ///< CC_raw/CC_max; NaN when SP ≤ 0
  double cc_half = 0.0;           ///< mean CC between complementary half-means
  double cc_max_split_half = 0.0; ///< √(2/(1 + 1/|cc_half|))
  double cc_norm_split_half = 0.0;///< CC_raw / cc_max_split_half
  double ttrc = 0.0;              ///< mean CC over pairs of distinct trials (1 for one trial)
  double cc_ttrc_corrected = 0.0; ///< mean_m CC(y, r_m) / √|TTRC| (Pennington)
};

ResponseScores score_response(const float* prediction, const TrialsView& trials,
                              const ScoreOptions& options = {});

// CC_raw and CC_norm of many predictions against the same trials (a trainer's validation after
// every epoch): the trial mean and signal power are computed once, at construction. The values
// and conventions are score_response's (which uses it); the split-half and trial-to-trial
// measures, the costly part of a full score, are left out.
class CcNormScorer {
 public:
  explicit CcNormScorer(const TrialsView& trials);
  struct Result {
    std::int64_t num_bins = 0;
    double cc_raw = 0.0, cc_norm = 0.0, cc_max = 0.0, response_power = 0.0, signal_power = 0.0;
  };
  Result score(const float* prediction) const;  // prediction[num_bins of the trials]

 private:
  std::vector<std::int64_t> used_bins_;  // bins with at least one trial
  std::vector<double> mean_used_;        // r̄ there
  double signal_power_ = 0.0;
};

// Pieces, exposed for tests and for callers that need only one number.
// Pearson CC over the bins where both are finite; 0 if either is constant there.
double pearson_cc(const double* a, const double* b, std::int64_t n);
// Mean over available trials per bin (NaN where none).
std::vector<double> trial_mean(const TrialsView& trials);
// Signal power as defined above; NaN when no bin has two trials.
double signal_power(const TrialsView& trials);

struct PopulationSummary {
  int num_units = 0;
  int excluded_units = 0;        ///< CC_norm NaN (SP ≤ 0), left out of mean_cc_norm
  double mean_cc_raw = 0.0;      ///< over units with a finite CC_raw
  double mean_cc_norm = 0.0;     ///< over units with a finite CC_norm
  double median_cc_max = 0.0;
};
PopulationSummary summarise(const std::vector<ResponseScores>& units);

// Mean and standard error of the mean, √(s²/n) with the unbiased s², of per-seed values
// (the ± of every table over seeds). NaN mean for no values, NaN in → NaN out, sem 0 for one.
struct MeanSem {
  double mean = 0.0, sem = 0.0;
};
MeanSem mean_and_sem(const std::vector<double>& values);

}  // namespace statenet
