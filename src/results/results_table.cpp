#include "results/results_table.h"

#include <cstdio>
#include <map>
#include <stdexcept>

#include "results/results_file.h"

namespace statenet {

std::string results_table_header() {
  return "| model | parameters | seeds | test CC_raw | test CC_norm | epochs (best), mean | s/epoch | min/seed |\n"
         "|---|---|---|---|---|---|---|---|\n";
}

ModelSummary summarise_runs(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw std::invalid_argument("results: no run directory");
  ModelSummary m;
  std::map<int, std::size_t> seed_dir;  // seed → the directory that holds it
  std::vector<SeedResult> runs;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const std::string path = dirs[i] + "/results.json";
    const TrainReport r = read_results_file(path);
    const std::string this_name = results_label(r);
    const long long this_parameters = r.parameters;
    if (i == 0) m.name = this_name, m.parameters = this_parameters;
    if (this_name != m.name || this_parameters != m.parameters)
      throw std::runtime_error(path + ": holds " + this_name + " with " + std::to_string(this_parameters) + " parameters, " + dirs[0] + " " +
                               m.name + " with " + std::to_string(m.parameters) + "; only runs of one model pool into a row");
    for (const SeedResult& run : r.runs) {  // unit by unit: one run per unit and seed
      const auto [it, fresh] = seed_dir.try_emplace(run.seed, i);
      if (!fresh && it->second != i)
        throw std::runtime_error(path + ": seed " + std::to_string(run.seed) + " is also in " + dirs[it->second] +
                                 "; pooled directories must hold different seeds");
      runs.push_back(run);
    }
  }
  // seconds: a run's training wall time, across resumes
  for (const SeedResult& r : runs) m.epochs += r.epochs_run, m.best_epoch += r.best_epoch, m.seconds_per_epoch += r.seconds_per_epoch, m.seconds += r.seconds;
  const double n = std::max<std::size_t>(runs.size(), 1);
  m.epochs /= n, m.best_epoch /= n, m.seconds_per_epoch /= n, m.seconds /= n;
  const SeedSummary s = summarise_seeds(runs);  // as `statenet train` reports it
  m.seeds = s.seeds.size();
  m.cc_raw = s.cc_raw, m.cc_norm = s.cc_norm;
  return m;
}

std::string results_table_row(const std::vector<std::string>& dirs) {
  const ModelSummary m = summarise_runs(dirs);
  char row[512];
  std::snprintf(row, sizeof row, "| %s | %lld | %zu | %.3f ± %.3f | %.3f ± %.3f | %.0f (%.0f) | %.2f | %.1f |\n", m.name.c_str(), m.parameters,
                m.seeds, m.cc_raw.mean, m.cc_raw.sem, m.cc_norm.mean, m.cc_norm.sem, m.epochs, m.best_epoch, m.seconds_per_epoch,
                m.seconds / 60);
  return row;
}

}  // namespace statenet
