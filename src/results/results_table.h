#pragma once
// The comparison table of `statenet results` (Markdown, as in docs/results.md): one row per
// run directory, or per group of directories holding the seeds of one model trained in
// separate processes ("a,b,c").

#include <string>
#include <vector>

namespace statenet {

// "| model | parameters | seeds | test CC_raw | test CC_norm | epochs (best), mean | s/epoch | min/seed |"
// and its separator line.
std::string results_table_header();

// The row of one model: mean ± s.e.m. over seeds (summarise_seeds), and per run the mean
// epochs, best epoch, seconds per epoch and training minutes. Throws std::runtime_error (one
// line) when a directory has no readable results.json, or when the directories hold different
// models or the same seed twice.
std::string results_table_row(const std::vector<std::string>& run_dirs);

}  // namespace statenet
