#include "data/nat4_import.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "cochlea/gammatone.h"
#include "data/h5_file.h"
#include "data/import_common.h"
#include "util/reading_file.h"

namespace statenet {
namespace fs = std::filesystem;
namespace {

struct Epoch {
  std::string name;
  double start_s, end_s;
};

std::vector<Epoch> read_epochs(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": no such file");
  std::vector<Epoch> epochs;
  std::string line;
  int number = 0;
  while (std::getline(f, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 || line.empty()) continue;  // header: name,start,end
    const auto c2 = line.rfind(','), c1 = c2 == std::string::npos ? c2 : line.rfind(',', c2 - 1);
    if (c1 == std::string::npos) throw std::runtime_error(path + ": line " + std::to_string(number) + ": expected name,start,end");
    try {
      epochs.push_back({line.substr(0, c1), std::stod(line.substr(c1 + 1, c2 - c1 - 1)), std::stod(line.substr(c2 + 1))});
    } catch (const std::exception&) {
      throw std::runtime_error(path + ": line " + std::to_string(number) + ": start/end are not numbers");
    }
  }
  return epochs;
}

// A NEMS signal CSV: rows = time samples, columns = channels, no header.
std::vector<std::vector<double>> read_matrix_csv(const std::string& path, std::size_t expected_columns) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": no such file");
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream in(line);
    std::string cell;
    while (std::getline(in, cell, ',')) {
      try {
        row.push_back(cell == "nan" || cell == "NaN" ? NAN : std::stod(cell));
      } catch (const std::exception&) {
        throw std::runtime_error(path + ": row " + std::to_string(rows.size() + 1) + ": '" + cell + "' is not a number");
      }
    }
    if (row.size() != expected_columns) {
      throw std::runtime_error(path + ": row " + std::to_string(rows.size() + 1) + " has " + std::to_string(row.size()) +
                               " columns, expected " + std::to_string(expected_columns) + " (from the .json chans)");
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw std::runtime_error(path + ": no data");
  return rows;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": no such file");
  try {
    return nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

std::vector<std::string> chans_of(const nlohmann::json& j, const std::string& path) {
  if (!j.contains("chans") || !j["chans"].is_array()) throw std::runtime_error(path + ": missing 'chans' list");
  std::vector<std::string> out;
  for (const auto& c : j["chans"]) out.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  return out;
}

// Min–max over a column (ignoring NaN): x → (x − lo)/(hi − lo), values < 1e-6 → 0 (NEMS0).
void min_max_columns(std::vector<std::vector<double>>& m, std::vector<double>* lo_out, std::vector<double>* span_out) {
  const std::size_t C = m.front().size();
  for (std::size_t c = 0; c < C; ++c) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& r : m)
      if (!std::isnan(r[c])) lo = std::min(lo, r[c]), hi = std::max(hi, r[c]);
    const double span = hi > lo ? hi - lo : 1.0;
    for (auto& r : m) {
      if (std::isnan(r[c])) continue;
      r[c] = (r[c] - lo) / span;
      if (r[c] < 1e-6) r[c] = 0.0;
    }
    if (lo_out) lo_out->push_back(std::isfinite(lo) ? lo : 0.0);
    if (span_out) span_out->push_back(span);
  }
}

}  // namespace

std::string normalise_nat4_unit_id(const std::string& id) {
  const auto b = id.rfind('-');
  const auto a = b == std::string::npos || b == 0 ? std::string::npos : id.rfind('-', b - 1);
  if (a == std::string::npos) return id;
  try {
    return id.substr(0, a) + "-" + std::to_string(std::stoi(id.substr(a + 1, b - a - 1))) + "-" +
           std::to_string(std::stoi(id.substr(b + 1)));
  } catch (const std::exception&) {
    return id;
  }
}

Dataset import_nat4(const std::string& src, const Nat4ImportOptions& o, const ImportProgress& progress) {
  if (o.area != "A1" && o.area != "PEG") throw std::invalid_argument("nat4 area must be A1 or PEG, got '" + o.area + "'");
  // 1. The population recording.
  std::string rec_dir;
  for (const auto& name : list_directory(src, true))
    if (name.rfind(o.area + "_NAT4", 0) == 0) rec_dir = src + "/" + name;
  if (rec_dir.empty()) {
    for (const auto& name : list_directory(src, false))
      if (name.rfind(o.area + "_NAT4", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".tgz")
        throw std::runtime_error(src + "/" + name + ": unpack it first (tar xzf " + name + " -C " + src + ")");
    throw std::runtime_error(src + ": no " + o.area + "_NAT4_* recording folder");
  }
  const std::string rec = fs::path(rec_dir).filename().string(), base = rec_dir + "/" + rec;
  if (progress) progress(0, 3, "population recording " + rec);
  const nlohmann::json resp_json = read_json(base + ".resp.json");
  const std::vector<std::string> chans = chans_of(resp_json, base + ".resp.json");
  const double fs = resp_json.value("fs", 100.0);
  auto resp = read_matrix_csv(base + ".resp.csv", chans.size());
  const nlohmann::json stim_json = read_json(base + ".stim.json");
  const std::size_t F = chans_of(stim_json, base + ".stim.json").size();
  auto stim = read_matrix_csv(base + ".stim.csv", F);
  if (stim.size() != resp.size()) {
    throw std::runtime_error(base + ".stim.csv: " + std::to_string(stim.size()) + " time samples, but resp has " +
                             std::to_string(resp.size()));
  }
  const std::vector<Epoch> epochs = read_epochs(base + ".resp.epoch.csv");

  // Units: sig_auditory.
  std::vector<int> keep;
  std::map<std::string, bool> auditory;
  const std::string corr = src + "/" + o.area + "_pred_correlation.csv";
  if (o.auditory_only && fs::exists(corr)) {
    std::ifstream f(corr);
    std::string header, line;
    std::getline(f, header);
    std::vector<std::string> cols;
    std::stringstream hs(header);
    for (std::string c; std::getline(hs, c, ',');) cols.push_back(c);
    const auto id_col = std::find(cols.begin(), cols.end(), "cellid") - cols.begin();
    const auto sig_col = std::find(cols.begin(), cols.end(), "sig_auditory") - cols.begin();
    if (id_col == static_cast<long>(cols.size()) || sig_col == static_cast<long>(cols.size()))
      throw std::runtime_error(corr + ": expected columns cellid and sig_auditory");
    while (std::getline(f, line)) {
      std::vector<std::string> cells;
      std::stringstream ls(line);
      for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
      if (static_cast<long>(cells.size()) <= std::max(id_col, sig_col)) continue;
      const std::string s = cells[sig_col];
      auditory[cells[id_col]] = s == "True" || s == "true" || s == "1" || s == "1.0";
    }
  }
  for (std::size_t u = 0; u < chans.size(); ++u)
    if (auditory.empty() || auditory[chans[u]]) keep.push_back(static_cast<int>(u));
  if (keep.empty()) throw std::runtime_error(corr + ": no unit has sig_auditory");

  // 2. Normalisation (NEMS0, paper era): dlog + per-channel min–max for the cochleagram,
  // per-unit min–max for responses.
  for (auto& r : stim)
    for (auto& v : r) v = std::log1p(v / 0.1);
  min_max_columns(stim, nullptr, nullptr);
  std::vector<double> resp_lo, resp_span;
  min_max_columns(resp, &resp_lo, &resp_span);

  Dataset d;
  d.name = "nat4-" + o.area;
  d.dt_ms = 1000.0 / fs;
  GammatoneOptions g;
  g.sample_rate_hz = 44100;
  g.num_channels = static_cast<int>(F);
  g.f_min_hz = 200;
  g.f_max_hz = 20000;
  d.freqs_hz = F == 18 ? gammatone_centre_frequencies(g) : std::vector<double>(F, 0.0);
  d.cochleagram = "nat4 shipped 'ozgf' " + std::to_string(F) + "-channel gammatone (" + rec +
                  "), dlog ln(1 + x/0.1), min-max per channel over the recording; freqs_hz nominal (ERB-spaced 200 Hz-20 kHz)";
  for (int u : keep) d.unit_ids.push_back(chans[u]);
  const int N = d.num_units();
  auto cut = [&](const Epoch& e) {
    const auto a = static_cast<std::int64_t>(std::llround(e.start_s * fs));
    const auto b = static_cast<std::int64_t>(std::llround(e.end_s * fs));
    if (a < 0 || b > static_cast<std::int64_t>(resp.size()) || b <= a)
      throw std::runtime_error(base + ".resp.epoch.csv: epoch " + e.name + " [" + std::to_string(e.start_s) + ", " +
                               std::to_string(e.end_s) + ") s lies outside the recording");
    return std::make_pair(a, b);
  };

  // 3. Stimuli: validation (STIM_00…) first, then estimation (STIM_…), in name order.
  std::map<std::string, std::vector<Epoch>> by_name;
  for (const auto& e : epochs)
    if (e.name.rfind("STIM_", 0) == 0) by_name[e.name].push_back(e);
  std::vector<std::string> names;
  for (const auto& [name, list] : by_name)
    if (name.rfind("STIM_00", 0) == 0) names.push_back(name);
  const std::size_t num_validation = names.size();
  for (const auto& [name, list] : by_name)
    if (name.rfind("STIM_00", 0) != 0) names.push_back(name);
  if (names.empty()) throw std::runtime_error(base + ".resp.epoch.csv: no STIM_ epochs");

  // Per-site spike times for the validation trials.
  std::map<std::string, std::pair<std::string, std::string>> site_of_unit;  // normalised id → (h5 path, dataset)
  std::map<std::string, std::vector<Epoch>> site_epochs;
  if (progress) progress(1, 3, "per-site spike times");
  for (const auto& name : list_directory(src, true)) {
    const std::string h5 = src + "/" + name + "/" + name + ".resp.h5";
    if (!fs::exists(h5)) continue;
    const ReadingFile reading(h5);
    const H5File f = H5File::open(h5);
    for (const auto& unit : f.children("/")) site_of_unit[normalise_nat4_unit_id(unit)] = {h5, "/" + unit};
    site_epochs[h5] = read_epochs(src + "/" + name + "/" + name + ".resp.epoch.csv");
  }
  std::vector<std::vector<double>> spike_times(N);
  std::vector<std::string> unit_h5(N);
  int matched = 0;
  for (int u = 0; u < N; ++u) {
    auto it = site_of_unit.find(normalise_nat4_unit_id(d.unit_ids[u]));
    if (it == site_of_unit.end()) continue;
    const ReadingFile reading(it->second.first);
    const H5File f = H5File::open(it->second.first);
    spike_times[u] = f.read_f64(it->second.second);
    unit_h5[u] = it->second.first;
    ++matched;
  }

  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& list = by_name[names[k]];
    const auto [a, b] = cut(list.front());
    Stimulus s;
    s.name = names[k];
    s.num_frames = b - a;
    s.cochleagram.resize(F * static_cast<std::size_t>(s.num_frames));
    for (std::size_t f = 0; f < F; ++f)
      for (std::int64_t t = 0; t < s.num_frames; ++t) s.cochleagram[f * s.num_frames + t] = static_cast<float>(stim[a + t][f]);
    if (k >= num_validation) {
      // Estimation: each occurrence of the epoch is one trial of the normalised population response.
      s.num_trials = static_cast<int>(list.size());
      s.responses.assign(static_cast<std::size_t>(N) * s.num_trials * s.num_frames, NAN);
      for (int m = 0; m < s.num_trials; ++m) {
        const auto [am, bm] = cut(list[m]);
        for (int u = 0; u < N; ++u)
          for (std::int64_t t = 0; t < std::min<std::int64_t>(s.num_frames, bm - am); ++t)
            s.unit_trials(u)[m * s.num_frames + t] = static_cast<float>(resp[am + t][keep[u]]);
      }
    } else {
      // Validation: 20 trials from the per-site spike times, 1-kHz raster summed per bin,
      // scaled by the unit's population min–max.
      int R = 0;
      for (int u = 0; u < N; ++u) {
        if (unit_h5[u].empty()) continue;
        int r = 0;
        for (const auto& e : site_epochs[unit_h5[u]]) r += e.name == names[k];
        R = std::max(R, r);
      }
      s.num_trials = std::max(R, 1);
      s.responses.assign(static_cast<std::size_t>(N) * s.num_trials * s.num_frames, NAN);
      const std::optional<std::int64_t> per_bin_ms = floor_index(std::nearbyint(1000.0 / fs));
      if (!per_bin_ms || *per_bin_ms < 1 || *per_bin_ms > 1000)
        throw std::runtime_error(base + ".resp.json: fs " + std::to_string(fs) + " Hz: expected a bin of 1 to 1000 ms");
      const std::int64_t per_bin = *per_bin_ms;
      for (int u = 0; u < N; ++u) {
        if (unit_h5[u].empty()) continue;
        int m = 0;
        for (const auto& e : site_epochs[unit_h5[u]]) {
          if (e.name != names[k] || m >= s.num_trials) continue;
          const std::optional<std::int64_t> start = floor_index(e.start_s * 1000);
          if (!start) throw std::runtime_error(unit_h5[u] + ": epoch " + e.name + " starts at an unusable time");
          const std::int64_t start_ms = *start;
          for (std::int64_t t = 0; t < s.num_frames; ++t) s.unit_trials(u)[m * s.num_frames + t] = 0.0f;
          for (double time : spike_times[u]) {
            const std::optional<std::int64_t> at = floor_index(time * 1000);
            if (!at) continue;  // NaN or beyond any recording
            const std::int64_t ms = *at - start_ms;
            if (ms < 0 || ms >= s.num_frames * per_bin) continue;
            s.unit_trials(u)[m * s.num_frames + ms / per_bin] += 1.0f;
          }
          for (std::int64_t t = 0; t < s.num_frames; ++t) {
            float& v = s.unit_trials(u)[m * s.num_frames + t];
            v = static_cast<float>((v - resp_lo[keep[u]]) / resp_span[keep[u]]);
          }
          ++m;
        }
      }
    }
    d.stimuli.push_back(std::move(s));
  }
  if (progress) progress(3, 3, "done");
  d.attributes["source"] = "NAT4 " + o.area + " (Pennington & David 2023), NEMS recording " + rec + " (" + src + ")";
  d.attributes["response_unit"] = "spikes per 10-ms bin, min-max normalised per unit over the recording";
  d.attributes["smoothing"] = "none";
  d.attributes["alignment"] = "the shipped cochleagram bin t and response bin t cover the same 10 ms";
  d.attributes["kind"] = "nat4";
  d.attributes["area"] = o.area;
  d.attributes["fitting"] = "population";
  d.attributes["batch_size"] = "16";
  // Test = the STIM_00 validation sounds (stimuli 0 … num_validation − 1, 20 trials each);
  // train / validation = a random 80 / 20 split of the estimation sounds, per seed.
  std::string test;
  for (std::size_t k = 0; k < num_validation; ++k) test += (k ? "," : "") + std::to_string(k);
  d.attributes["test_stimuli"] = test;
  d.attributes["validation_share"] = "0.2";
  d.attributes["units_matched_to_sites"] = std::to_string(matched) + " of " + std::to_string(N);
  return d;
}

}  // namespace statenet
