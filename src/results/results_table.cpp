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

std::string results_table_row(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw std::invalid_argument("results: no run directory");
  std::string name;
  long long parameters = 0;
  std::map<int, std::size_t> seed_dir;  // seed → the directory that holds it
  std::vector<SeedResult> runs;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const std::string path = dirs[i] + "/results.json";
    const TrainReport r = read_results_file(path);
    const std::string this_name = results_label(r);
    const long long this_parameters = r.parameters;
    if (i == 0) name = this_name, parameters = this_parameters;
    if (this_name != name || this_parameters != parameters)
      throw std::runtime_error(path + ": holds " + this_name + " with " + std::to_string(this_parameters) + " parameters, " + dirs[0] + " " +
                               name + " with " + std::to_string(parameters) + "; only runs of one model pool into a row");
    for (const SeedResult& run : r.runs) {  // unit by unit: one run per unit and seed
      const auto [it, fresh] = seed_dir.try_emplace(run.seed, i);
      if (!fresh && it->second != i)
        throw std::runtime_error(path + ": seed " + std::to_string(run.seed) + " is also in " + dirs[it->second] +
                                 "; pooled directories must hold different seeds");
      runs.push_back(run);
    }
  }
  double epochs = 0, best = 0, per_epoch = 0, seconds = 0;  // seconds: a run's training wall time, across resumes
  for (const SeedResult& r : runs) epochs += r.epochs_run, best += r.best_epoch, per_epoch += r.seconds_per_epoch, seconds += r.seconds;
  const SeedSummary s = summarise_seeds(runs);  // as `statenet train` reports it
  const double n = std::max<std::size_t>(runs.size(), 1);
  char row[512];
  std::snprintf(row, sizeof row, "| %s | %lld | %zu | %.3f ± %.3f | %.3f ± %.3f | %.0f (%.0f) | %.2f | %.1f |\n", name.c_str(), parameters,
                s.seeds.size(), s.cc_raw.mean, s.cc_raw.sem, s.cc_norm.mean, s.cc_norm.sem, epochs / n, best / n, per_epoch / n,
                seconds / n / 60);
  return row;
}

}  // namespace statenet
