// `statenet interpret`: GradMaps, Dreams and their energy, as pictures, arrays and a page.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "data/dataset.h"
#include "interpret/interpret_report.h"
#include "progress.h"
#include "train/interpret.h"
#include "util/atomic_file.h"
#include "util/index_list.h"

namespace statenet {

void add_similarity_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "similarity",
      "Compare models by their GradMaps (length 50 bins by default): for each pair, the Pearson CC\n"
      "between the GradMaps of the same unit, averaged over units. Include an L model to compare\n"
      "every model with the classical STRF. Writes a labelled matrix (.png) and the numbers (.json).");
  auto models = std::make_shared<std::vector<std::string>>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto length = std::make_shared<int>(50);
  cmd->add_option("--models", *models, "Model files (.safetensors) predicting the same units")->required();
  cmd->add_option("--names", *names, "Names for the models (default: architecture-core)")->delimiter(',');
  cmd->add_option("--length", *length, "GradMap length in bins")->capture_default_str();
  cmd->add_option("-o,--output", *out, "Picture to write (.png); the numbers go beside it (.json)")->required();
  cmd->callback([=] {
    InterpretOptions o;
    o.length_bins = *length;
    std::vector<InterpretMaps> maps;
    std::vector<std::string> labels = *names;
    for (const auto& m : *models) {
      maps.push_back(compute_gradmaps(m, o));
      if (names->empty()) {
        const auto& c = maps.back().config;
        labels.push_back(c.model_name());
      }
    }
    if (labels.size() != models->size()) throw std::invalid_argument("--names: give one name per model");
    const std::vector<double> sim = gradmap_similarity(maps);
    write_similarity_png(*out, labels, sim);
    nlohmann::json j = {{"models", *models}, {"names", labels}, {"length_bins", *length}, {"similarity", sim}};
    const std::string json_path = out->substr(0, out->rfind('.')) + ".json";
    write_file_atomically(json_path, j.dump(1));
    std::printf("%zu models, %zu units → %s, %s\n", models->size(), maps.front().units.size(), out->c_str(), json_path.c_str());
  });
}

void add_interpret_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "interpret",
      "Look inside a trained model: GradMaps (the gradient of −r̂_n[T] at the null stimulus),\n"
      "Dreams (Adam from the null stimulus) and their energy by latency, for every requested unit\n"
      "in one batch. Writes PNGs, interpret.h5, summary.json and an index.html that shows them.");
  auto model = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto units = std::make_shared<std::string>("all");
  auto what = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"gradmap", "energy"});
  auto o = std::make_shared<InterpretOptions>();
  auto truth = std::make_shared<std::string>();
  cmd->add_option("--model", *model, "Model file (.safetensors)")->required();
  cmd->add_option("-o,--output-dir", *out, "Where to write pictures, arrays and index.html")->required();
  cmd->add_option("--units", *units, "all, or indices such as 3,7")->capture_default_str();
  cmd->add_option("--what", *what, "Any of gradmap, dream, energy")->delimiter(',')->capture_default_str()
      ->check(CLI::IsMember({"gradmap", "dream", "energy"}));
  cmd->add_option("--length", o->length_bins, "Null-stimulus length in bins (50 for similarity; e.g. 2000 = 10 s)")->capture_default_str();
  cmd->add_option("--iterations", o->dream_iterations, "Dream iterations (Adam)")->capture_default_str();
  cmd->add_option("--lr", o->dream_learning_rate, "Dream learning rate")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--null-level", o->null_level,
                  "Constant value of the null stimulus (cochleagram units, dB for the presets): 0 as in the\n"
                  "paper; the training data's mean level probes a dB-fitted model where it was fitted")
      ->capture_default_str();
  cmd->add_option("--truth", *truth,
                  "Simulated dataset the model was fitted to: compare each GradMap with the unit's true STRF\n"
                  "(Pearson CC over its lags; pictures side by side)");
  cmd->callback([=] {
    InterpretOptions opts = *o;
    TruthArray true_strf;
    if (!truth->empty()) {
      ReadOptions r;
      r.waveforms = false;
      const Dataset d = read_dataset(*truth, r);
      const auto it = d.truth.find("strf");
      if (it == d.truth.end()) throw std::runtime_error(*truth + ": no /truth/strf (only simulated datasets carry a true STRF)");
      true_strf = it->second;
      if (true_strf.shape.size() != 3) throw std::runtime_error(*truth + ": /truth/strf is not [N, F, L]");
      if (opts.length_bins < static_cast<int>(true_strf.shape[2]))
        throw std::runtime_error("--length " + std::to_string(opts.length_bins) + ": shorter than the true STRF's " +
                                 std::to_string(true_strf.shape[2]) + " lags");
    }
    if (*units != "all") opts.units = parse_index_list(*units, "--units");
    const bool want_gradmap = std::count(what->begin(), what->end(), "gradmap") > 0 || !true_strf.data.empty();
    const bool want_dream = std::count(what->begin(), what->end(), "dream") > 0;
    const bool want_energy = std::count(what->begin(), what->end(), "energy") > 0;
    Progress progress("interpreting");
    std::vector<std::pair<std::string, InterpretMaps>> results;
    if (want_gradmap || want_energy) results.emplace_back("gradmap", compute_gradmaps(*model, opts));
    if (want_dream) {
      progress.update(1, 2, "dreams (" + std::to_string(opts.dream_iterations) + " iterations)");
      results.emplace_back("dream", compute_dreams(*model, opts));
    }
    progress.finish();
    InterpretReportOptions report_options;
    report_options.model_path = *model;
    report_options.energy = want_energy;
    report_options.map_pictures = want_gradmap;
    report_options.true_strf = true_strf.data.empty() ? nullptr : &true_strf;
    report_options.true_strf_source = *truth;
    const InterpretReport report = write_interpret_report(*out, results, report_options);
    if (!report.band_axis_note.empty()) std::printf("note: band axes by index (%s)\n", report.band_axis_note.c_str());
    std::printf("%zu units → %s/index.html (%.1f s)\n", results.front().second.units.size(), out->c_str(),
                progress.elapsed_s());
    if (!report.gradmap_vs_true_strf_cc.empty()) {
      std::printf("  GradMap vs true STRF (Pearson CC):");
      const auto& units_done = results.front().second.units;
      for (std::size_t u = 0; u < units_done.size(); ++u)
        std::printf(" unit %d %.3f%s", units_done[u], report.gradmap_vs_true_strf_cc[u], u + 1 < units_done.size() ? "," : "\n");
    }
    for (const auto& [kind, f] : report.kinds)
      std::printf("  %s: 95 %% of the energy within %.0f ms (median over units), at most %.0f ms; above -60 dB until %.0f ms "
                  "(median), at most %.0f ms; of %.0f ms\n",
                  kind.c_str(), f.median_memory_ms, f.max_memory_ms, f.median_extent_ms, f.max_extent_ms, f.length_ms);
  });
}

}  // namespace statenet
