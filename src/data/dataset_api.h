#pragma once
// What training and evaluation need from a Dataset: splits by stimulus, population vs
// unit-by-unit selection, the concatenation of a split's clips, per-unit reliability.

#include <array>
#include <cstdint>
#include <string>
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
// Beside a fixed test set: a seeded shuffle of the other stimuli, round(validation_share·n)
// of them (at least one, at most n − 1) for validation and the rest for training. NS1's 16
// with 1/8 give 14 / 2; NAT4's 577 estimation sounds with 0.2 give 462 / 115.
Split random_split_beside_test(const std::vector<int>& stimuli, std::uint64_t seed, double validation_share);
// A seeded shuffle of `stimuli` cut into exactly counts = (train, validation, test) clips (Wehr's
// per-cell table). Throws std::invalid_argument when the counts do not add up to the stimuli.
Split random_split_counts(const std::vector<int>& stimuli, std::uint64_t seed, const std::array<int, 3>& counts);
// Indices 0..n−1.
std::vector<int> all_stimuli(const Dataset& d);

// Stimuli with at least one recorded value for `unit`.
std::vector<int> stimuli_heard_by(const Dataset& d, int unit);
// True when every unit heard every stimulus.
bool is_population(const Dataset& d);

// How the paper fits a dataset, as its file says (root attributes written by the importers;
// docs/dataset-format.md). Every field has a fallback for files that do not say.
struct DatasetProtocol {
  std::string kind, area;          ///< `kind` (ns1, nat4, aa1, wehr, asari, simulated), `area`; "" if absent
  bool population = true;          ///< one model for all units with the masked loss, or one per unit
  std::string fitting_from;        ///< "the dataset" (`fitting`), or "inferred: …" (is_population)
  std::vector<int> test_stimuli;   ///< `test_stimuli`: a fixed test set; empty = random per seed
  double validation_share = 0.0;   ///< `validation_share` of the stimuli beside a fixed test set; 0 = not said
  int batch_size = 0;              ///< `batch_size`; 0 = not said
  /// `unit_splits` ("7/2/2 - 7/1/1 …", one per unit): each unit's (train, validation, test) clip
  /// counts for unit-by-unit fits (Wehr); {0, 0, 0} ("-") = the random 70/10/20 split; empty = not said
  std::vector<std::array<int, 3>> unit_splits;
};
// Throws std::runtime_error "dataset 'NAME': attribute 'X': …" for a value it cannot use.
DatasetProtocol dataset_protocol(const Dataset& d);

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
