#pragma once
// The comparison table of `statenet results` (Markdown, as in docs/results.md): one row per
// run directory, or per group of directories holding the seeds of one model trained in
// separate processes ("a,b,c").

#include <string>
#include <vector>

#include "metrics/response_metrics.h"  // MeanSem

namespace statenet {

// "| model | parameters | seeds | test CC_raw | test CC_norm | epochs (best), mean | s/epoch | min/seed |"
// and its separator line.
std::string results_table_header();

// One model's figures over the seeds of its run directories: mean ± s.e.m. over seeds
// (summarise_seeds), and per run the mean epochs, best epoch, seconds per epoch and training
// seconds. Throws std::runtime_error (one line) when a directory has no readable
// results.json, or when the directories hold different models or the same seed twice.
struct ModelSummary {
  std::string name;  ///< results_label
  long long parameters = 0;
  std::size_t seeds = 0;
  MeanSem cc_raw, cc_norm;
  double epochs = 0, best_epoch = 0, seconds_per_epoch = 0, seconds = 0;  ///< means over runs
};
ModelSummary summarise_runs(const std::vector<std::string>& run_dirs);

// The row of one model (summarise_runs), formatted as in the header.
std::string results_table_row(const std::vector<std::string>& run_dirs);

}  // namespace statenet
