// `statenet results`: the comparison table of several training runs (their results.json),
// as Markdown, for docs/results.md.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.h"
#include "metrics/response_metrics.h"

namespace statenet {
namespace {

std::string model_name(const nlohmann::json& results) {
  const nlohmann::json& m = results.at("model");
  std::string name = m.value("architecture", "?");
  if (name == "statenet") {
    name += "-" + m.value("core", "?");
    if (m.value("first_layer", "lc") != "lc") name += " (" + m.value("first_layer", "") + ")";
  }
  if (m.value("output", "identity") != "identity" && (name.rfind("statenet", 0) == 0 || name == "l"))
    name += " + " + m.value("output", "");
  // Runs from before the input standardisation have no such field: raw input.
  if (name == "transformer" &&
      results.value("training", nlohmann::json::object()).value("input_standardisation", "none") == "none")
    name += " (raw input)";
  return name;
}

nlohmann::json read_results(const std::string& dir) {
  const std::string path = dir + "/results.json";
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": no such file (is it a 'statenet train' output directory?)");
  try {
    return nlohmann::json::parse(f);
  } catch (const std::exception&) {
    throw std::runtime_error(path + ": not valid JSON");
  }
}

double number(const nlohmann::json& run, const char* key) {  // NaN is written as null
  const auto it = run.find(key);
  return it != run.end() && it->is_number() ? it->get<double>() : NAN;
}

// One table row from one run directory, or from several joined by commas (the seeds of
// one model split over processes or machines): they must hold the same model and
// different seeds.
void print_row(const std::string& spec) {
  std::vector<std::string> dirs;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = spec.find(',', begin);
    dirs.push_back(spec.substr(begin, comma - begin));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  std::string name;
  long long parameters = 0;
  std::map<long long, std::pair<int, std::vector<const nlohmann::json*>>> seeds;  // seed → (file, its runs)
  std::vector<nlohmann::json> files;
  files.reserve(dirs.size());
  for (const auto& dir : dirs) {
    files.push_back(read_results(dir));
    const nlohmann::json& j = files.back();
    const std::string this_name = model_name(j);
    const long long this_parameters = j.value("parameters", 0LL);
    if (name.empty()) name = this_name, parameters = this_parameters;
    if (this_name != name || this_parameters != parameters)
      throw std::runtime_error(dir + "/results.json: holds " + this_name + " with " + std::to_string(this_parameters) +
                               " parameters, " + dirs[0] + " " + name + " with " + std::to_string(parameters) +
                               "; only runs of one model pool into a row");
    for (const auto& r : j.at("runs")) {  // unit by unit: one run per unit and seed
      const long long seed = r.value("seed", -1LL);
      auto& [file, seed_runs] = seeds.try_emplace(seed, -1, std::vector<const nlohmann::json*>{}).first->second;
      if (file >= 0 && file != static_cast<int>(files.size()) - 1)
        throw std::runtime_error(dir + "/results.json: seed " + std::to_string(seed) + " is also in " + dirs[file] +
                                 "; pooled directories must hold different seeds");
      file = static_cast<int>(files.size()) - 1;
      seed_runs.push_back(&r);
    }
  }
  double epochs = 0, best = 0, spe = 0, seconds = 0;  // seconds: a seed's training wall time, across resumes
  std::size_t runs = 0;
  std::vector<double> seed_raw, seed_norm;  // per seed, the mean over its runs (units when unit by unit)
  for (const auto& [seed, entry] : seeds) {  // in seed order
    double raw = 0, norm = 0;
    int n_raw = 0, n_norm = 0;
    for (const nlohmann::json* r : entry.second) {
      epochs += r->value("epochs_run", 0);
      best += r->value("best_epoch", 0);
      spe += r->value("seconds_per_epoch", 0.0);
      seconds += r->value("seconds", 0.0);
      ++runs;
      if (const double x = number(*r, "mean_cc_raw"); std::isfinite(x)) raw += x, ++n_raw;
      if (const double x = number(*r, "mean_cc_norm"); std::isfinite(x)) norm += x, ++n_norm;
    }
    seed_raw.push_back(n_raw ? raw / n_raw : NAN);
    seed_norm.push_back(n_norm ? norm / n_norm : NAN);
  }
  const MeanSem raw = mean_and_sem(seed_raw), norm = mean_and_sem(seed_norm);  // as `statenet train` reports them
  const double n = std::max<std::size_t>(runs, 1);
  std::printf("| %s | %lld | %zu | %.3f ± %.3f | %.3f ± %.3f | %.0f (%.0f) | %.2f | %.1f |\n", name.c_str(), parameters,
              seeds.size(), raw.mean, raw.sem, norm.mean, norm.sem, epochs / n, best / n, spe / n, seconds / n / 60);
}

}  // namespace

void add_results_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("results", "Compare training runs: one Markdown row per run directory (results.json), or per comma-joined group of them");
  auto dirs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("runs", *dirs,
                  "Run directories written by 'statenet train'; 'a,b' pools the seeds of directories a and b "
                  "(one model, different seeds) into one row")
      ->required();
  cmd->callback([=] {
    std::printf("| model | parameters | seeds | test CC_raw | test CC_norm | epochs (best), mean | s/epoch | min/seed |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (const auto& spec : *dirs) print_row(spec);
  });
}

}  // namespace statenet
