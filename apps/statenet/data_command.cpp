// `statenet data import | info | plot | simulate`.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "commands.h"
#include "data/dataset.h"
#include "data/dataset_api.h"
#include "data/aa1_import.h"
#include "data/crcns_ac1_import.h"
#include "data/nat4_import.h"
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
  std::printf("  mean rate      %.1f / %.1f / %.1f per second (min / median / max over units)\n",
              quantile(rates, 0), quantile(rates, 0.5), quantile(rates, 1));
  std::vector<double> cc_max;
  if (population) {
    cc_max = unit_cc_max(d, all_stimuli(d));
  } else {
    for (int u = 0; u < d.num_units(); ++u) {
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
      "  ns1    OSF layout: MetadataSHEnCneurons.mat, spikesandwav/… (73 valid units)\n"
      "  aa1    CRCNS aa-1: all_stims/, MLd_cells/, Field_L_cells/ (--area MLd|Field_L)\n"
      "  nat4   NEMS recordings, unpacked: <AREA>_NAT4_ozgf.fs100.ch18/, per-site folders (--area A1|PEG)\n"
      "  wehr   CRCNS ac-1: wehr/Results, wehr/Stimuli (21 cells; --all-cells for 25)\n"
      "  asari  CRCNS ac-1: asari-results-{1,2}/, asari/Stimuli (--area A1|MGB)");
  auto kind = std::make_shared<std::string>();
  auto src = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto smooth_ms = std::make_shared<double>(-1.0);
  auto dt_ms = std::make_shared<double>(0.0);
  auto area = std::make_shared<std::string>();
  auto preset = std::make_shared<std::string>();
  auto no_waveforms = std::make_shared<bool>(false);
  auto all_cells = std::make_shared<bool>(false);
  import->add_option("kind", *kind, "Dataset kind")->required()->check(CLI::IsMember({"ns1", "aa1", "nat4", "wehr", "asari"}));
  import->add_option("--src", *src, "Directory holding the original files")->required();
  import->add_option("-o,--output", *out, "Dataset file to write (.h5)")->required();
  import->add_option("--smooth-ms", *smooth_ms,
                     "Smooth each trial with a raw Hann window of this length (ns1 default 0 = none, "
                     "as the paper; aa1 default 21, as the paper)");
  import->add_option("--dt-ms", *dt_ms, "Bin width (aa1: 1 or 5, default 5; wehr/asari: default 5)");
  import->add_option("--area", *area, "aa1: MLd (default) or Field_L; nat4: A1 (default) or PEG; asari: A1 (default) or MGB");
  import->add_option("--cochleagram", *preset, "Front-end preset for the stimuli (default: the dataset's own)");
  import->add_flag("--no-waveforms", *no_waveforms, "Do not store the stimulus waveforms");
  import->add_flag("--all-cells", *all_cells, "wehr: keep the 4 cells the paper leaves out");
  import->callback([=] {
    Progress progress("importing " + *kind);
    auto report = [&](int done, int total, const std::string& what) { progress.update(done, total, what); };
    Dataset d;
    if (*kind == "ns1") {
      Ns1ImportOptions o;
      o.smooth_ms = std::max(0.0, *smooth_ms);
      if (!preset->empty()) o.cochleagram_preset = *preset;
      o.store_waveforms = !*no_waveforms;
      d = import_ns1(*src, o, report);
    } else if (*kind == "aa1") {
      Aa1ImportOptions o;
      if (!area->empty()) o.area = *area;
      if (*dt_ms > 0) o.dt_ms = *dt_ms;
      if (*smooth_ms >= 0) o.smooth_ms = *smooth_ms;
      if (!preset->empty()) o.cochleagram_preset = *preset;
      o.store_waveforms = !*no_waveforms;
      d = import_aa1(*src, o, report);
    } else if (*kind == "nat4") {
      Nat4ImportOptions o;
      if (!area->empty()) o.area = *area;
      d = import_nat4(*src, o, report);
    } else if (*kind == "wehr") {
      WehrImportOptions o;
      if (*dt_ms > 0) o.dt_ms = *dt_ms;
      o.all_cells = *all_cells;
      if (!preset->empty()) o.cochleagram_preset = *preset;
      o.store_waveforms = !*no_waveforms;
      d = import_wehr(*src, o, report);
    } else {
      AsariImportOptions o;
      if (!area->empty()) o.area = *area;
      if (*dt_ms > 0) o.dt_ms = *dt_ms;
      if (!preset->empty()) o.cochleagram_preset = *preset;
      o.store_waveforms = !*no_waveforms;
      d = import_asari(*src, o, report);
    }
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
