// `statenet results`: the comparison table of several training runs (their results.json),
// as Markdown, for docs/results.md.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.h"

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

}  // namespace

void add_results_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("results", "Compare training runs: one Markdown row per run directory (results.json)");
  auto dirs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("runs", *dirs, "Run directories written by 'statenet train'")->required();
  cmd->callback([=] {
    std::printf("| model | parameters | seeds | test CC_raw | test CC_norm | epochs (best), mean | s/epoch | min/seed |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (const auto& dir : *dirs) {
      const std::string path = dir + "/results.json";
      std::ifstream f(path);
      if (!f) throw std::runtime_error(path + ": no such file (is it a 'statenet train' output directory?)");
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(f);
      } catch (const std::exception&) {
        throw std::runtime_error(path + ": not valid JSON");
      }
      const auto& runs = j.at("runs");
      double epochs = 0, best = 0, spe = 0, seconds = 0;  // seconds: a seed's training wall time, across resumes
      for (const auto& r : runs) {
        epochs += r.value("epochs_run", 0);
        best += r.value("best_epoch", 0);
        spe += r.value("seconds_per_epoch", 0.0);
        seconds += r.value("seconds", 0.0);
      }
      const double n = std::max<std::size_t>(runs.size(), 1);
      const auto& s = j.at("summary");
      auto num = [&](const char* key) { return s.at(key).is_number() ? s.at(key).get<double>() : NAN; };
      std::printf("| %s | %lld | %zu | %.3f ± %.3f | %.3f ± %.3f | %.0f (%.0f) | %.2f | %.1f |\n", model_name(j).c_str(),
                  j.value("parameters", 0LL), runs.size(), num("mean_cc_raw"), num("sem_cc_raw"), num("mean_cc_norm"),
                  num("sem_cc_norm"), epochs / n, best / n, spe / n, seconds / n / 60);
    }
  });
}

}  // namespace statenet
