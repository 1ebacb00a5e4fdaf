#pragma once
// What training and evaluation need from a Dataset: splits by stimulus, population vs
// unit-by-unit selection, the concatenation of a split's clips, per-unit reliability.

#include <cstdint>
#include <vector>

#include "data/dataset.h"

namespace statenet {

struct Split {
  std::vector<int> train, validation, test;  ///< stimulus indices, ascending within each set
};

// A seeded random split of `stimuli` (mt19937_64 shuffle): round(train·n) for training,
// round(validation·n) for validation (at least one each when n ≥ 3), the rest for
// testing. NS1's 20 clips give 14 / 2 / 4. Throws std::invalid_argument on bad fractions.
constexpr double kPaperTrainFraction = 0.7, kPaperValidationFraction = 0.1;  ///< the paper's 70 / 10 / 20
Split random_split(const std::vector<int>& stimuli, std::uint64_t seed, double train_fraction = kPaperTrainFraction,
                   double validation_fraction = kPaperValidationFraction);
// Indices 0..n−1.
std::vector<int> all_stimuli(const Dataset& d);

// Stimuli with at least one recorded value for `unit`.
std::vector<int> stimuli_heard_by(const Dataset& d, int unit);
// Population fitting applies when every unit heard every stimulus; otherwise units are
// fitted one by one on the stimuli each heard (Wehr, Asari).
bool is_population(const Dataset& d);

// A unit's trials over the given stimuli, concatenated in time: [R_max, ΣT_k], NaN
// where a stimulus has fewer trials or the unit did not hear it.
struct ConcatenatedTrials {
  int num_trials = 0;
  std::int64_t num_bins = 0;
  std::vector<float> values;
};
ConcatenatedTrials concatenate_trials(const Dataset& d, const std::vector<int>& stimuli, int unit);
// The cochleagrams over the given stimuli, concatenated in time: [F, ΣT_k].
std::vector<float> concatenate_cochleagrams(const Dataset& d, const std::vector<int>& stimuli);

// Signal-power CC_max = √(SP/Var(r̄)) per unit over the given stimuli concatenated
// (docs/metrics.md): NaN for a unit with a single trial, 0 where SP ≤ 0.
std::vector<double> unit_cc_max(const Dataset& d, const std::vector<int>& stimuli);

}  // namespace statenet
