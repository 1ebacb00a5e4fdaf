// `statenet data import | info | plot | simulate`.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "commands.h"
#include "data/dataset.h"
#include "data/dataset_api.h"
#include "data/dataset_summary.h"
#include "data/aa1_import.h"
#include "data/crcns_ac1_import.h"
#include "data/nat4_import.h"
#include "data/ns1_import.h"
#include "progress.h"

namespace statenet {
namespace {

void print_info(const std::string& path) {
  const Dataset d = read_dataset(path, ReadOptions{false, false});
  std::printf("%s", describe_dataset(path, d, summarise_dataset(d)).c_str());
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
  auto signal = std::make_shared<std::string>();
  import->add_option("--signal", *signal,
                     "asari: vm (membrane potential less its MedGauss baseline, the paper's, default) or spikes (spikes detected "
                     "in the trace and Hann-smoothed: the authors' branch for cell-attached MGB recordings)");
  auto no_paper_fixes = std::make_shared<bool>(false);
  import->add_flag("--no-paper-fixes", *no_paper_fixes, "wehr: skip the authors' cell-12 fix and per-cell split table");
  import->callback([=] {
    // A flag meant for another kind is refused, not ignored.
    const std::vector<std::pair<const char*, std::vector<std::string>>> applies = {
        {"--smooth-ms", {"ns1", "aa1"}},         {"--dt-ms", {"aa1", "wehr", "asari"}},        {"--area", {"aa1", "nat4", "asari"}},
        {"--cochleagram", {"ns1", "aa1", "wehr", "asari"}}, {"--no-waveforms", {"ns1", "aa1", "wehr", "asari"}},
        {"--all-cells", {"wehr"}},               {"--no-paper-fixes", {"wehr"}},               {"--signal", {"asari"}}};
    for (const auto& [name, kinds] : applies) {
      if (import->get_option(name)->count() == 0 || std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) continue;
      std::string list;
      for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
      throw std::invalid_argument(std::string(name) + " applies to " + list + ", not " + *kind);
    }
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
      o.paper_fixes = !*no_paper_fixes;
      if (!preset->empty()) o.cochleagram_preset = *preset;
      o.store_waveforms = !*no_waveforms;
      d = import_wehr(*src, o, report);
    } else {
      AsariImportOptions o;
      if (!area->empty()) o.area = *area;
      if (!signal->empty()) o.signal = *signal;
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
