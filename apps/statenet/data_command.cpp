// `statenet data import | info | plot | simulate`.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "commands.h"
#include "data/dataset.h"
#include "data/dataset_api.h"
#include "data/ns1_import.h"
#include "progress.h"

namespace statenet {
namespace {

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const std::size_t i = static_cast<std::size_t>(pos);
  return i + 1 < v.size() ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
}

void print_info(const std::string& path) {
  const Dataset d = read_dataset(path, ReadOptions{false, false});
  std::int64_t bins = 0;
  int r_min = 1 << 30, r_max = 0;
  for (const auto& s : d.stimuli) {
    bins += s.num_frames;
    r_min = std::min(r_min, s.num_trials);
    r_max = std::max(r_max, s.num_trials);
  }
  std::printf("%s: dataset '%s'\n", path.c_str(), d.name.c_str());
  for (const auto& [k, v] : d.attributes) std::printf("  %-14s %s\n", k.c_str(), v.c_str());
  std::printf("  cochleagram    %s\n", d.cochleagram.c_str());
  std::printf("  bands          F = %d, %.0f–%.0f Hz\n", d.num_bands(), d.freqs_hz.front(), d.freqs_hz.back());
  std::printf("  stimuli        %zu, %.1f s in all (%lld bins of %g ms; T = %lld–%lld)\n", d.stimuli.size(),
              bins * d.dt_ms / 1000.0, static_cast<long long>(bins), d.dt_ms,
              static_cast<long long>(std::min_element(d.stimuli.begin(), d.stimuli.end(), [](auto& a, auto& b) { return a.num_frames < b.num_frames; })->num_frames),
              static_cast<long long>(std::max_element(d.stimuli.begin(), d.stimuli.end(), [](auto& a, auto& b) { return a.num_frames < b.num_frames; })->num_frames));
  std::printf("  trials         %d–%d per stimulus\n", r_min, r_max);
  const bool population = is_population(d);
  std::printf("  units          N = %d (%s fitting)\n", d.num_units(), population ? "population" : "unit-by-unit");
  // Mean rate per unit over everything it heard, in responses per second.
  std::vector<double> rates;
  for (int u = 0; u < d.num_units(); ++u) {
    double sum = 0;
    std::int64_t n = 0;
    for (const auto& s : d.stimuli) {
      const float* r = s.unit_trials(u);
      for (std::size_t i = 0; i < static_cast<std::size_t>(s.num_trials) * s.num_frames; ++i)
        if (!std::isnan(r[i])) sum += r[i], ++n;
    }
    rates.push_back(n ? sum / n * 1000.0 / d.dt_ms : NAN);
  }
  std::printf("  mean rate      %.1f / %.1f / %.1f per s (min / median / max over units; %s)\n",
              quantile(rates, 0), quantile(rates, 0.5), quantile(rates, 1),
              d.attributes.count("response_unit") ? d.attributes.at("response_unit").c_str() : "responses per bin");
  std::vector<double> cc_max;
  if (population) {
    cc_max = unit_cc_max(d, all_stimuli(d));
  } else {
    for (int u = 0; u < d.num_units(); ++u) {
      Dataset one;  // reliability of each unit over the stimuli it heard
      cc_max.push_back(unit_cc_max(d, stimuli_heard_by(d, u))[u]);
    }
  }
  const int single_trial = static_cast<int>(std::count_if(cc_max.begin(), cc_max.end(), [](double x) { return std::isnan(x); }));
  std::printf("  reliability    CC_max (signal power, all stimuli concatenated): median %.3f, "
              "10–90%% %.3f–%.3f, range %.3f–%.3f%s\n",
              quantile(cc_max, 0.5), quantile(cc_max, 0.1), quantile(cc_max, 0.9), quantile(cc_max, 0),
              quantile(cc_max, 1),
              single_trial ? (", " + std::to_string(single_trial) + " single-trial units").c_str() : "");
  // A text histogram of CC_max.
  int hist[10] = {};
  for (double c : cc_max)
    if (!std::isnan(c)) ++hist[std::clamp(static_cast<int>(c * 10), 0, 9)];
  const int peak = std::max(1, *std::max_element(hist, hist + 10));
  for (int b = 0; b < 10; ++b) {
    std::printf("    %.1f–%.1f %4d %s\n", b / 10.0, (b + 1) / 10.0, hist[b], std::string(hist[b] * 40 / peak, '#').c_str());
  }
  if (!d.truth_attributes.empty() || d.attributes.count("simulated")) std::printf("  ground truth   /truth present\n");
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Import, simulate, inspect and plot stimulus–response datasets (HDF5)");
  data->require_subcommand(1);

  auto* import = data->add_subcommand(
      "import",
      "Convert a dataset from its original layout into one statenet dataset file.\n"
      "Kinds: ns1 (the OSF layout: MetadataSHEnCneurons.mat, spikesandwav/…).");
  auto kind = std::make_shared<std::string>();
  auto src = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto smooth_ms = std::make_shared<double>(0.0);
  auto preset = std::make_shared<std::string>("ns1");
  auto no_waveforms = std::make_shared<bool>(false);
  import->add_option("kind", *kind, "Dataset kind")->required()->check(CLI::IsMember({"ns1"}));
  import->add_option("--src", *src, "Directory holding the original files")->required();
  import->add_option("-o,--output", *out, "Dataset file to write (.h5)")->required();
  import->add_option("--smooth-ms", *smooth_ms,
                     "Smooth each trial with a raw Hann window of this length; 0 = none (NS1's paper-era default)")
      ->capture_default_str();
  import->add_option("--cochleagram", *preset, "Front-end preset for the stimuli")->capture_default_str();
  import->add_flag("--no-waveforms", *no_waveforms, "Do not store the stimulus waveforms");
  import->callback([=] {
    Progress progress("importing " + *kind);
    Ns1ImportOptions o;
    o.smooth_ms = *smooth_ms;
    o.cochleagram_preset = *preset;
    o.store_waveforms = !*no_waveforms;
    const Dataset d = import_ns1(*src, o, [&](int done, int total, const std::string& what) {
      progress.update(done, total, what);
    });
    write_dataset(*out, d);
    progress.finish();
    std::printf("%s: %zu stimuli, %d units, F = %d, dt = %g ms → %s (%.1f s)\n", d.name.c_str(), d.stimuli.size(),
                d.num_units(), d.num_bands(), d.dt_ms, out->c_str(), progress.elapsed_s());
  });

  auto* info = data->add_subcommand("info", "Print a dataset's units, stimuli, trials, rates and reliability");
  auto info_path = std::make_shared<std::string>();
  info->add_option("file", *info_path, "Dataset file (.h5)")->required();
  info->callback([=] { print_info(*info_path); });

  add_data_plot_command(*data);
  add_data_simulate_command(*data);
}

}  // namespace statenet
