#include "data/aa1_import.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "audio/audio_file.h"
#include "cochlea/presets.h"
#include "data/import_common.h"

namespace statenet {
namespace {

std::string trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  const auto b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// Every line of a spike file is one trial (an empty line is a trial without spikes).
std::vector<std::vector<double>> read_spike_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::vector<std::vector<double>> trials;
  std::string line;
  int number = 0;
  while (std::getline(f, line)) {
    ++number;
    std::istringstream in(line);
    std::vector<double> times;
    std::string token;
    while (in >> token) {
      try {
        std::size_t used = 0;
        times.push_back(std::stod(token, &used));
        if (used != token.size()) throw std::invalid_argument(token);
      } catch (const std::exception&) {
        throw std::runtime_error(path + ": line " + std::to_string(number) + ": '" + token + "' is not a spike time (ms)");
      }
    }
    trials.push_back(std::move(times));
  }
  if (trials.empty()) throw std::runtime_error(path + ": no trials (empty spike file)");
  return trials;
}

}  // namespace

Dataset import_aa1(const std::string& src, const Aa1ImportOptions& o, const ImportProgress& progress) {
  namespace fs = std::filesystem;
  if (o.area != "MLd" && o.area != "Field_L") throw std::invalid_argument("aa1 area must be MLd or Field_L, got '" + o.area + "'");
  const std::string cells_dir = src + "/" + o.area + "_cells";
  const std::string stims_dir = src + "/all_stims/" + o.stimulus_class;
  if (!fs::is_directory(stims_dir)) throw std::runtime_error(stims_dir + ": no such directory (is --src the unpacked crcns-aa1 folder?)");

  Dataset d;
  d.name = "aa1-" + o.area;
  d.dt_ms = o.dt_ms;
  std::map<std::string, int> stimulus_index;  // wav name → index
  std::vector<std::string> stimulus_names;
  ResponseTable table;
  const std::vector<float> kernel = o.smooth_ms > 0 ? hann_smoothing_kernel(o.smooth_ms, o.dt_ms) : std::vector<float>{};

  // 1. Cells with responses to this class; the stimuli they heard, by wav name.
  struct Pending {
    int unit;
    std::string wav;
    std::vector<std::vector<double>> trials;
  };
  std::vector<Pending> pending;
  const auto cells = list_directory(cells_dir, true);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (progress) progress(static_cast<int>(c), static_cast<int>(cells.size()), "cell " + cells[c]);
    const std::string dir = cells_dir + "/" + cells[c] + "/" + o.stimulus_class;
    if (!fs::is_directory(dir)) continue;  // e.g. pipu1018_2_A: no conspecific responses
    bool any = false;
    for (int n = 1;; ++n) {
      const std::string stim = dir + "/stim" + std::to_string(n), spike = dir + "/spike" + std::to_string(n);
      if (!fs::exists(stim)) break;
      if (!fs::exists(spike)) continue;  // a stimulus file without responses
      std::ifstream sf(stim);
      std::string wav;
      std::getline(sf, wav);
      wav = trim(wav);
      if (wav.empty()) throw std::runtime_error(stim + ": empty (expected a wav file name)");
      if (!any) {
        d.unit_ids.push_back(o.area + "/" + cells[c]);
        any = true;
      }
      pending.push_back({d.num_units() - 1, wav, read_spike_file(spike)});
      if (!stimulus_index.count(wav)) {
        stimulus_index[wav] = 0;
        stimulus_names.push_back(wav);
      }
    }
  }
  if (d.unit_ids.empty()) throw std::runtime_error(cells_dir + ": no cell has " + o.stimulus_class + " responses");
  std::sort(stimulus_names.begin(), stimulus_names.end());
  for (std::size_t k = 0; k < stimulus_names.size(); ++k) stimulus_index[stimulus_names[k]] = static_cast<int>(k);

  // 2. Stimuli: cochleagrams at dt.
  const CochleagramPreset preset = cochleagram_preset(o.cochleagram_preset);
  for (const auto& name : stimulus_names) {
    AudioReadOptions ro;
    ro.target_sample_rate_hz = preset.sample_rate_hz();
    ro.highest_analysed_hz = preset.highest_centre_hz();
    const AudioBuffer audio = read_audio_file(stims_dir + "/" + name, ro);
    d.stimuli.push_back(make_stimulus(d, name, audio, o.cochleagram_preset, o.dt_ms, o.store_waveforms));
  }
  // 3. Responses: count histograms at dt (negative times dropped), cropped or zero-padded
  // to the cochleagram, then smoothed.
  for (const auto& p : pending) {
    const int k = stimulus_index.at(p.wav);
    for (const auto& times : p.trials) {
      std::vector<float> bins = bin_spike_counts(times, o.dt_ms, d.stimuli[k].num_frames);
      if (!kernel.empty()) bins = smooth(bins, kernel);
      table.add(k, p.unit, std::move(bins));
    }
  }
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) table.fill(d.stimuli[k], static_cast<int>(k), d.num_units());
  if (progress) progress(static_cast<int>(cells.size()), static_cast<int>(cells.size()), "done");

  d.attributes["source"] = "CRCNS aa-1 (Theunissen lab), " + o.area + ", class " + o.stimulus_class + " (" + src + ")";
  char unit[64];
  std::snprintf(unit, sizeof unit, "spikes per %g-ms bin (count histogram)", o.dt_ms);
  d.attributes["response_unit"] = unit;
  d.attributes["smoothing"] = kernel.empty() ? "none"
                                             : "raw Hann window of " + std::to_string(kernel.size()) + " taps (" +
                                                   std::to_string(o.smooth_ms) + " ms), unnormalised, centred, per trial";
  d.attributes["alignment"] = "causal: cochleagram frame t ends on the last sample of response bin t";
  // One model for the area's cells: a cell that did not hear a song is masked in the loss.
  d.attributes["kind"] = "aa1";
  d.attributes["area"] = o.area;
  d.attributes["fitting"] = "population";
  return d;
}

}  // namespace statenet
