#pragma once
// What `statenet data info` reports about a dataset: its size, trials, each unit's mean rate
// and reliability (CC_max over everything it heard), and the fitting mode it implies.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace statenet {

struct DatasetSummary {
  std::int64_t bins = 0;                         ///< all stimuli together
  std::int64_t shortest_frames = 0, longest_frames = 0;
  int min_trials = 0, max_trials = 0;            ///< per stimulus
  bool population = true;                        ///< one model for all units (dataset_protocol)
  std::string fitting_from;                      ///< DatasetProtocol::fitting_from
  std::vector<double> mean_rate_per_s;           ///< per unit, over every recorded value (NaN: none)
  std::vector<double> cc_max;                    ///< per unit, over the stimuli it heard (NaN: one trial)
  int single_trial_units = 0;                    ///< units whose CC_max is NaN
  std::array<int, 10> cc_max_histogram{};        ///< units per 0.1 of CC_max (NaN left out)
};

DatasetSummary summarise_dataset(const Dataset& d);

// The q-quantile (0 … 1) of the non-NaN values, linearly interpolated; NaN when there are none.
double quantile(std::vector<double> values, double q);

// The report as text, headed "<path>: dataset '<name>'".
std::string describe_dataset(const std::string& path, const Dataset& d, const DatasetSummary& s);

}  // namespace statenet
