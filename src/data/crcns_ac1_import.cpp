#include "data/crcns_ac1_import.h"

#include <matio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "cochlea/presets.h"
#include "data/import_common.h"
#include "data/mat_file.h"

namespace statenet {
namespace fs = std::filesystem;

std::vector<double> running_median(const std::vector<double>& x, int w) {
  const int half = w / 2, n = static_cast<int>(x.size());
  std::vector<double> y(x.size()), window;
  for (int i = 0; i < n; ++i) {
    window.assign(x.begin() + std::max(0, i - half), x.begin() + std::min(n, i + half + 1));
    auto mid = window.begin() + window.size() / 2;
    std::nth_element(window.begin(), mid, window.end());
    double m = *mid;
    if (window.size() % 2 == 0) m = 0.5 * (m + *std::max_element(window.begin(), mid));
    y[i] = m;
  }
  return y;
}

std::vector<double> gaussian_filter(const std::vector<double>& x, double sigma) {
  const int radius = static_cast<int>(std::ceil(4 * sigma)), n = static_cast<int>(x.size());
  std::vector<double> k(2 * radius + 1);
  double sum = 0;
  for (int j = -radius; j <= radius; ++j) sum += k[j + radius] = std::exp(-0.5 * j * j / (sigma * sigma));
  for (auto& v : k) v /= sum;
  auto reflect = [n](int i) {  // scipy 'reflect': (d c b a | a b c d | d c b a)
    while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
    return i;
  };
  std::vector<double> y(x.size(), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = -radius; j <= radius; ++j) y[i] += k[j + radius] * x[reflect(i + j)];
  return y;
}

std::vector<double> average_pool(const std::vector<double>& x, int factor) {
  std::vector<double> y(x.size() / factor);
  for (std::size_t i = 0; i < y.size(); ++i) {
    double s = 0;
    for (int j = 0; j < factor; ++j) s += x[i * factor + j];
    y[i] = s / factor;
  }
  return y;
}

namespace {

double number(const MatFile& f, const matvar_t* v, const std::string& where) {
  const auto x = mat_numbers(f, v, where);
  if (x.size() != 1) throw std::runtime_error(f.path() + ": " + where + ": expected one number, found " + std::to_string(x.size()));
  return x[0];
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The last two components of a (possibly Windows) path: "<category>/<idx>.mat".
std::string tail2(std::string path) {
  std::replace(path.begin(), path.end(), '\\', '/');
  const auto b = path.rfind('/');
  if (b == std::string::npos) return path;
  const auto a = path.rfind('/', b - 1);
  return a == std::string::npos ? path : path.substr(a + 1);
}

// A stimulus waveform file: stimulus.samples (or .sample) at stimulus.param.sf or param.sf.
AudioBuffer read_stimulus_mat(const std::string& path) {
  MatFile f(path);
  const matvar_t* st = f.variable("stimulus");
  const matvar_t* samples = mat_optional_field(f, st, "samples", 0, "stimulus");
  if (!samples) samples = mat_field(f, st, "sample", 0, "stimulus");
  AudioBuffer a;
  a.origin = path;
  for (double v : mat_numbers(f, samples, "stimulus.samples")) a.samples.push_back(static_cast<float>(v));
  const matvar_t* param = mat_optional_field(f, st, "param", 0, "stimulus");
  if (!param) param = f.variable("param");
  a.sample_rate_hz = number(f, mat_field(f, param, "sf", 0, "param"), "param.sf");
  if (a.samples.empty()) throw std::runtime_error(path + ": stimulus.samples: empty");
  for (float v : a.samples)
    if (!std::isfinite(v)) throw std::runtime_error(path + ": stimulus.samples: non-finite sample");
  if (!(a.sample_rate_hz > 0)) throw std::runtime_error(path + ": param.sf: must be positive");
  return a;
}

// One trial file's trace in mV and its sample rate.
struct Trace {
  std::vector<double> mv;
  double sf = 0;
};
Trace read_trace(MatFile& f) {
  const matvar_t* r = f.variable("response");
  Trace t;
  const double scale = number(f, mat_field(f, r, "scale", 0, "response"), "response.scale");
  t.sf = number(f, mat_field(f, r, "sf", 0, "response"), "response.sf");
  t.mv = mat_numbers(f, mat_field(f, r, "trace", 0, "response"), "response.trace");
  for (auto& v : t.mv) v *= scale;
  if (!(t.sf > 0)) throw std::runtime_error(f.path() + ": response.sf: must be positive");
  return t;
}

bool is_natural_sound(const std::string& type) {
  const std::string t = lower(type);
  return t == "naturalsound" || t == "nauralsound";  // the misspelling occurs in the files
}

// One natural-sound trigger of a trial file: its description, and the response segment
// trace[time − 1 : time − 1 + duration·sf] (mV). False for other trigger types.
struct Trigger {
  std::string where, description;
  std::vector<double> segment;
};
bool read_natural_sound_trigger(const MatFile& f, const matvar_t* triggers, std::size_t k, const Trace& trace, Trigger& out) {
  const std::string w = "triggers(" + std::to_string(k + 1) + ")";
  if (!is_natural_sound(mat_string(f, mat_field(f, triggers, "type", k, w), w + ".type"))) return false;
  const matvar_t* param = mat_field(f, triggers, "param", k, w);
  out.where = w;
  out.description = mat_string(f, mat_field(f, param, "description", 0, w + ".param"), w + ".param.description");
  const double dur_ms = number(f, mat_field(f, param, "duration", 0, w + ".param"), w + ".param.duration");
  const double onset = number(f, mat_field(f, triggers, "time", k, w), w + ".time");  // 1-based sample
  const std::optional<std::int64_t> first = floor_index(onset), length = floor_index(std::nearbyint(dur_ms * trace.sf / 1000));
  if (!first || !length)
    throw std::runtime_error(f.path() + ": " + w + ": time " + std::to_string(onset) + " or duration " + std::to_string(dur_ms) +
                             " ms is not a usable sample count");
  const std::int64_t a = *first - 1, n = *length;
  if (a < 0 || n < 0 || a + n > static_cast<std::int64_t>(trace.mv.size())) {
    throw std::runtime_error(f.path() + ": " + w + ": the response window [" + std::to_string(a) + ", " +
                             std::to_string(a + n) + ") lies outside the trace of " + std::to_string(trace.mv.size()) +
                             " samples");
  }
  out.segment.assign(trace.mv.begin() + a, trace.mv.begin() + a + n);
  return true;
}

// One unit's response to one stimulus presentation, at the trace's rate.
struct Segment {
  int unit;
  std::string stimulus;  ///< Wehr: the description; Asari: the segment sequence
  std::vector<double> mv;
  double sf;
};

// Min–max normalisation of one unit over everything it responded to.
void min_max_normalise(Dataset& d, int unit) {
  float lo = INFINITY, hi = -INFINITY;
  for (const auto& s : d.stimuli) {
    const float* r = s.unit_trials(unit);
    for (std::size_t i = 0; i < static_cast<std::size_t>(s.num_trials) * s.num_frames; ++i)
      if (!std::isnan(r[i])) lo = std::min(lo, r[i]), hi = std::max(hi, r[i]);
  }
  if (!(hi > lo)) return;
  for (auto& s : d.stimuli) {
    float* r = s.unit_trials(unit);
    for (std::size_t i = 0; i < static_cast<std::size_t>(s.num_trials) * s.num_frames; ++i)
      if (!std::isnan(r[i])) r[i] = (r[i] - lo) / (hi - lo);
  }
}

}  // namespace

// The paper's per-cell (train, validation, test) clip counts, by session index (sorted session
// order, all 25 cells; the authors' table, after the cell-12 fix).
constexpr int kWehrSplitCounts[25][3] = {{7, 2, 2},   {5, 1, 1},  {3, 1, 1}, {7, 1, 1},  {1, 1, 1},   {6, 1, 1},  {3, 1, 1},
                                         {1, 1, 1},   {4, 1, 1},  {7, 1, 2}, {11, 2, 3}, {25, 4, 7},  {7, 1, 2},  {25, 4, 7},
                                         {7, 1, 1},   {14, 3, 5}, {25, 4, 7}, {17, 3, 5}, {5, 1, 1},  {11, 2, 3}, {5, 1, 1},
                                         {12, 2, 4},  {7, 2, 2},  {44, 6, 13}, {4, 1, 1}};
constexpr int kWehrDriftingCell = 12;  ///< its clip 10 drifts from the middle on, its clip 11 is out of distribution

Dataset import_wehr(const std::string& src_in, const WehrImportOptions& o, const ImportProgress& progress) {
  const std::string root = fs::is_directory(src_in + "/wehr") ? src_in + "/wehr" : src_in;
  const std::string results = root + "/Results", stimuli_dir = root + "/Stimuli";
  auto sessions = list_directory(results, true);
  if (sessions.empty()) throw std::runtime_error(results + ": no recording sessions");
  Dataset d;
  d.name = "wehr";
  d.dt_ms = o.dt_ms;
  std::map<std::string, int> stim_by_description;
  std::vector<std::pair<std::string, std::string>> stim_files;  // description, file
  std::vector<Segment> segments;
  std::vector<int> session_of_unit;
  const std::vector<int> dropped = {1, 2, 4, 8};
  for (std::size_t c = 0; c < sessions.size(); ++c) {
    if (progress) progress(static_cast<int>(c), static_cast<int>(sessions.size()), "cell " + sessions[c]);
    if (!o.all_cells && std::count(dropped.begin(), dropped.end(), static_cast<int>(c))) continue;
    const std::string dir = results + "/" + sessions[c];
    bool any = false;
    for (const auto& name : list_directory(dir, false)) {
      if (name.size() < 4 || name.substr(name.size() - 4) != ".mat") continue;
      MatFile f(dir + "/" + name);
      const Trace trace = read_trace(f);
      const matvar_t* trig = f.variable("triggers");
      for (std::size_t k = 0; k < mat_numel(trig); ++k) {
        Trigger t;
        if (!read_natural_sound_trigger(f, trig, k, trace, t)) continue;
        const std::string desc = t.description;
        const std::string file = mat_string(f, mat_field(f, trig, "file", k, t.where), t.where + ".file");
        if (!any) {
          d.unit_ids.push_back("wehr/" + sessions[c]);
          session_of_unit.push_back(static_cast<int>(c));
          any = true;
        }
        segments.push_back({d.num_units() - 1, desc, std::move(t.segment), trace.sf});
        if (!stim_by_description.count(desc)) {
          stim_by_description[desc] = 0;
          stim_files.emplace_back(desc, file);
        }
      }
    }
  }
  if (d.unit_ids.empty()) throw std::runtime_error(results + ": no natural-sound responses found");
  std::sort(stim_files.begin(), stim_files.end());
  for (std::size_t k = 0; k < stim_files.size(); ++k) {
    stim_by_description[stim_files[k].first] = static_cast<int>(k);
    const AudioBuffer audio = read_stimulus_mat(stimuli_dir + "/" + tail2(stim_files[k].second));
    d.stimuli.push_back(make_stimulus(d, stim_files[k].first, audio, o.cochleagram_preset, o.dt_ms, o.store_waveforms));
  }
  // Responses: median filter (10 ms), mean per dt bin, cropped/padded to the cochleagram.
  ResponseTable table;
  for (const auto& seg : segments) {
    const int k = stim_by_description.at(seg.stimulus);
    int w = static_cast<int>(std::lround(o.median_ms * seg.sf / 1000));
    if (w % 2 == 0) ++w;
    const int factor = static_cast<int>(std::lround(o.dt_ms * seg.sf / 1000));
    const auto binned = average_pool(running_median(seg.mv, w), std::max(1, factor));
    table.add(k, seg.unit, std::vector<float>(binned.begin(), binned.end()));
  }
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) table.fill(d.stimuli[k], static_cast<int>(k), d.num_units());
  // The authors' fix of cell 12, before normalising: of its clips in the order the importer
  // meets them (trial files by name, triggers in order), clip 11 is dropped and clip 10 keeps
  // its first half (the trace drifts from the middle on).
  std::string fix = "none (no cell 12)";
  for (int u = 0; u < d.num_units() && o.paper_fixes; ++u) {
    if (session_of_unit[u] != kWehrDriftingCell) continue;
    std::vector<int> clips;
    for (const auto& seg : segments) {
      const int k = stim_by_description.at(seg.stimulus);
      if (seg.unit == u && std::find(clips.begin(), clips.end(), k) == clips.end()) clips.push_back(k);
    }
    fix = "none (cell 12 has " + std::to_string(clips.size()) + " clips, not 12 or more)";
    if (clips.size() < 12) break;
    Stimulus& drifting = d.stimuli[clips[10]];
    for (int m = 0; m < drifting.num_trials; ++m)
      std::fill(drifting.unit_trials(u) + m * drifting.num_frames + drifting.num_frames / 2,
                drifting.unit_trials(u) + (m + 1) * drifting.num_frames, NAN);
    Stimulus& outlier = d.stimuli[clips[11]];
    std::fill(outlier.unit_trials(u), outlier.unit_trials(u) + outlier.num_trials * outlier.num_frames, NAN);
    fix = "cell 12: clip '" + outlier.name + "' dropped, clip '" + drifting.name + "' cut to its first half";
  }
  for (int u = 0; u < d.num_units(); ++u) min_max_normalise(d, u);
  // The paper's per-cell split for every cell whose clip count matches the table; "-" (a
  // random 70/10/20 split) for the others, listed in unit_splits_unmatched.
  std::string splits, unmatched;
  for (int u = 0; u < d.num_units(); ++u) {
    const int c = session_of_unit[u];
    int heard = 0;
    for (const auto& s : d.stimuli) heard += s.heard_by(u);
    const int* n = c < 25 ? kWehrSplitCounts[c] : nullptr;
    splits += splits.empty() ? "" : " ";
    if (n && n[0] + n[1] + n[2] == heard) {
      splits += std::to_string(n[0]) + "/" + std::to_string(n[1]) + "/" + std::to_string(n[2]);
    } else {
      splits += "-";
      unmatched += (unmatched.empty() ? "" : ", ") + d.unit_ids[u] + " has " + std::to_string(heard) + " clips" +
                   (n ? ", the table " + std::to_string(n[0] + n[1] + n[2]) : ", beyond the table");
    }
  }
  if (o.paper_fixes) {
    d.attributes["paper_fixes"] = fix;
    d.attributes["unit_splits"] = splits;
    if (!unmatched.empty()) d.attributes["unit_splits_unmatched"] = unmatched;
  }
  if (progress) progress(static_cast<int>(sessions.size()), static_cast<int>(sessions.size()), "done");
  d.attributes["source"] = "CRCNS ac-1 Wehr (Machens, Wehr & Zador 2004), rat A1 whole-cell (" + src_in + ")";
  d.attributes["response_unit"] = "membrane potential, median-filtered, mean per bin, min-max normalised per cell";
  d.attributes["smoothing"] = "median " + std::to_string(o.median_ms) + " ms";
  d.attributes["alignment"] = "response bin t = mean of the trace over [t*dt, (t+1)*dt) from stimulus onset; causal cochleagram";
  d.attributes["kind"] = "wehr";
  d.attributes["area"] = "A1";
  d.attributes["fitting"] = "unit-by-unit";
  return d;
}

std::vector<double> spikes_from_trace(const std::vector<double>& trace) {
  std::vector<double> high = running_median(trace, 11);
  for (std::size_t i = 0; i < trace.size(); ++i) high[i] = trace[i] - high[i];
  double mean = 0, var = 0;
  for (double v : high) mean += v;
  mean /= std::max<std::size_t>(1, high.size());
  for (double v : high) var += (v - mean) * (v - mean);
  const double threshold = 2.5 * std::sqrt(var / std::max<std::size_t>(1, high.size()));
  constexpr int kHann = 21;
  double hann[kHann];
  for (int n = 0; n < kHann; ++n) hann[n] = 0.5 - 0.5 * std::cos(2 * M_PI * n / (kHann - 1));
  std::vector<double> out(trace.size(), 0.0);
  const int n_samples = static_cast<int>(trace.size());
  for (int i = 0; i < n_samples; ++i) {
    if (!(high[i] > threshold)) continue;
    for (int n = 0; n < kHann; ++n) {  // 'same': the window's centre (n = 10) lands on the spike
      const int j = i + n - kHann / 2;
      if (j >= 0 && j < n_samples) out[j] += hann[n];
    }
  }
  return out;
}

Dataset import_asari(const std::string& src, const AsariImportOptions& o, const ImportProgress& progress) {
  if (o.area != "A1" && o.area != "MGB") throw std::invalid_argument("asari area must be A1 or MGB, got '" + o.area + "'");
  if (o.signal != "vm" && o.signal != "spikes") throw std::invalid_argument("asari signal must be vm or spikes, got '" + o.signal + "'");
  const std::string stimuli_dir = src + "/asari/Stimuli";
  std::vector<std::string> cell_dirs;
  for (const char* part : {"asari-results-1", "asari-results-2"})
    if (fs::is_directory(src + "/" + part))
      for (const auto& c : list_directory(src + "/" + part, true)) cell_dirs.push_back(src + "/" + part + "/" + c);
  if (cell_dirs.empty()) throw std::runtime_error(src + ": no asari-results-1/ or asari-results-2/ folder");
  Dataset d;
  d.name = "asari-" + o.area;
  d.dt_ms = o.dt_ms;
  std::map<std::string, int> stim_index;  // key: sequence of stimulus files
  std::vector<std::pair<std::string, std::vector<std::string>>> stim_defs;  // key, segment files
  std::vector<Segment> segments;
  for (std::size_t c = 0; c < cell_dirs.size(); ++c) {
    if (progress) progress(static_cast<int>(c), static_cast<int>(cell_dirs.size()), fs::path(cell_dirs[c]).filename().string());
    bool any = false;
    for (const auto& name : list_directory(cell_dirs[c], false)) {
      if (name.size() < 4 || name.substr(name.size() - 4) != ".mat") continue;
      MatFile f(cell_dirs[c] + "/" + name);
      const matvar_t* param = f.variable("param");
      const matvar_t* rec = mat_field(f, param, "recording", 0, "param");
      const std::string site = lower(mat_string(f, mat_field(f, rec, "site", 0, "param.recording"), "param.recording.site"));
      const std::string area = site.find("cortex") != std::string::npos ? "A1" : "MGB";
      if (area != o.area) break;  // one cell, one area
      const matvar_t* stim_list = mat_field(f, param, "stimulus", 0, "param");
      const Trace trace = read_trace(f);
      const matvar_t* trig = f.variable("triggers");
      for (std::size_t k = 0; k < mat_numel(trig); ++k) {
        Trigger trigger;
        if (!read_natural_sound_trigger(f, trig, k, trace, trigger)) continue;
        const std::string& w = trigger.where;
        const std::string& desc = trigger.description;
        // "Sequence 1: 2 1 3" → segments 2, 1, 3 (1-based into param.stimulus).
        const auto colon = desc.find(':');
        if (colon == std::string::npos) throw std::runtime_error(f.path() + ": " + w + ".param.description: expected 'Sequence n: i j …', found '" + desc + "'");
        std::istringstream in(desc.substr(colon + 1));
        std::vector<std::string> files;
        int idx;
        while (in >> idx) {
          if (idx < 1 || static_cast<std::size_t>(idx) > mat_numel(stim_list)) {
            throw std::runtime_error(f.path() + ": " + w + ": segment " + std::to_string(idx) + " is not in param.stimulus (" +
                                     std::to_string(mat_numel(stim_list)) + " entries)");
          }
          const std::string where = "param.stimulus(" + std::to_string(idx) + ").file";
          files.push_back(tail2(mat_string(f, mat_field(f, stim_list, "file", idx - 1, where), where)));
        }
        if (files.empty()) throw std::runtime_error(f.path() + ": " + w + ".param.description: no segments in '" + desc + "'");
        std::string key;
        for (const auto& s : files) key += (key.empty() ? "" : " + ") + s;
        if (!any) {
          d.unit_ids.push_back("asari/" + fs::path(cell_dirs[c]).filename().string());
          any = true;
        }
        segments.push_back({d.num_units() - 1, key, std::move(trigger.segment), trace.sf});
        if (!stim_index.count(key)) {
          stim_index[key] = 0;
          stim_defs.emplace_back(key, files);
        }
      }
    }
  }
  if (d.unit_ids.empty()) throw std::runtime_error(src + ": no " + o.area + " cell with natural-sound responses");
  std::sort(stim_defs.begin(), stim_defs.end());
  for (std::size_t k = 0; k < stim_defs.size(); ++k) {
    stim_index[stim_defs[k].first] = static_cast<int>(k);
    // Concatenate the segments with 5-ms cos² ramps at each boundary.
    AudioBuffer audio;
    audio.origin = stim_defs[k].first;
    for (const auto& file : stim_defs[k].second) {
      AudioBuffer seg = read_stimulus_mat(stimuli_dir + "/" + file);
      if (audio.sample_rate_hz == 0) audio.sample_rate_hz = seg.sample_rate_hz;
      if (seg.sample_rate_hz != audio.sample_rate_hz) throw std::runtime_error(seg.origin + ": sample rate differs from the other segments");
      const std::size_t ramp = std::min(seg.samples.size() / 2, static_cast<std::size_t>(0.005 * seg.sample_rate_hz));
      for (std::size_t i = 0; i < ramp; ++i) {
        const double g = std::pow(std::sin(M_PI / 2 * i / ramp), 2);
        seg.samples[i] *= static_cast<float>(g);
        seg.samples[seg.samples.size() - 1 - i] *= static_cast<float>(g);
      }
      audio.samples.insert(audio.samples.end(), seg.samples.begin(), seg.samples.end());
    }
    d.stimuli.push_back(make_stimulus(d, stim_defs[k].first, audio, o.cochleagram_preset, o.dt_ms, o.store_waveforms));
  }
  // MedGauss at 1 ms: pool to 1 ms, subtract gaussian(median(trace)), pool to dt. Spikes: at
  // the recording's rate, then the mean per dt bin.
  const bool spikes = o.signal == "spikes";
  ResponseTable table;
  for (const auto& seg : segments) {
    if (spikes) {
      const auto binned = average_pool(spikes_from_trace(seg.mv), std::max(1, static_cast<int>(std::lround(o.dt_ms * seg.sf / 1000))));
      table.add(stim_index.at(seg.stimulus), seg.unit, std::vector<float>(binned.begin(), binned.end()));
      continue;
    }
    const int to_ms = std::max(1, static_cast<int>(std::lround(seg.sf / 1000)));
    std::vector<double> ms = average_pool(seg.mv, to_ms);
    int w = static_cast<int>(std::lround(o.median_ms));
    if (w % 2 == 0) ++w;
    const std::vector<double> baseline = gaussian_filter(running_median(ms, w), o.gauss_sigma_ms);
    for (std::size_t i = 0; i < ms.size(); ++i) ms[i] -= baseline[i];
    const auto binned = average_pool(ms, std::max(1, static_cast<int>(std::lround(o.dt_ms))));
    table.add(stim_index.at(seg.stimulus), seg.unit, std::vector<float>(binned.begin(), binned.end()));
  }
  for (std::size_t k = 0; k < d.stimuli.size(); ++k) table.fill(d.stimuli[k], static_cast<int>(k), d.num_units());
  if (progress) progress(static_cast<int>(cell_dirs.size()), static_cast<int>(cell_dirs.size()), "done");
  d.attributes["source"] = "CRCNS ac-1 Asari (Asari & Zador 2009), rat " + o.area + " (" + src + ")";
  d.attributes["response_unit"] = spikes ? "spikes (trace less its 11-sample running median above 2.5 s.d.), Hann-smoothed, mean per bin"
                                        : "membrane potential (mV) minus its MedGauss baseline, mean per bin";
  d.attributes["smoothing"] = spikes ? "Hann, 21 samples of the recording"
                                     : "MedGauss: median " + std::to_string(o.median_ms) + " ms, Gaussian sigma " +
                                           std::to_string(o.gauss_sigma_ms) + " ms, at 1 ms";
  d.attributes["alignment"] = "response bin t = mean of the trace over [t*dt, (t+1)*dt) from stimulus onset; causal cochleagram";
  d.attributes["kind"] = "asari";
  d.attributes["area"] = o.area;
  d.attributes["fitting"] = "unit-by-unit";
  return d;
}

}  // namespace statenet
