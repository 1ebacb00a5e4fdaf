#include "interpret/interpret_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cochlea/presets.h"
#include "data/h5_file.h"
#include "plot/colormap.h"
#include "plot/heatmap.h"
#include "plot/series.h"
#include "plot/text.h"
#include "util/atomic_file.h"

namespace statenet {
namespace {

std::string safe(std::string s) {
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  return s;
}

// Band centre frequencies of the model's front end for the figures' axes; empty (axes by band
// index) when this build cannot reproduce that front end — interpretation itself never runs it.
std::vector<double> band_frequencies(const ModelConfig& c, std::string& why) {
  try {
    return make_front_end(preset_for_description(c.cochleagram, c.num_bands, "the model"))->centre_frequencies_hz();
  } catch (const std::runtime_error& e) {
    why = e.what();
    return {};
  }
}

// An F × T map [f][t] as a picture, time relative to the output bin (the last column).
void time_frequency_png(const std::string& path, const std::vector<float>& v, int F, int T, const ModelConfig& c,
                        const std::vector<double>& band_hz, const std::string& title,
                        const std::string& colour_label) {
  HeatmapOptions o;
  o.title = title;
  o.x_label = "time relative to the output bin (ms)";
  o.x_start = -(T - 1) * c.dt_ms - c.dt_ms / 2;
  o.x_step = c.dt_ms;
  o.row_values = band_hz;
  if (o.row_values.empty()) o.y_label = "band";
  o.colormap = Colormap::kDiverging;
  o.symmetric = true;
  o.colour_label = colour_label;
  o.min_plot_width_px = 500;
  write_png(path, render_heatmap(v.data(), F, T, o));
}

// One map as a picture: ∂r̂/∂x (= −g), red raises the response.
void map_png(const std::string& path, const InterpretMaps& m, const std::vector<double>& band_hz, int u, const std::string& what,
             const std::string& unit) {
  const int F = m.num_bands, T = m.length_bins;
  std::vector<float> v(static_cast<std::size_t>(F) * T);
  for (int f = 0; f < F; ++f)
    for (int t = 0; t < T; ++t) v[static_cast<std::size_t>(f) * T + t] = what == "gradmap" ? -m.map(u, f, t) : m.map(u, f, t);
  char at[48];
  std::snprintf(at, sizeof at, "GradMap ∂r̂/∂x at x = %g", m.null_level);
  time_frequency_png(path, v, F, T, m.config, band_hz, (what == "gradmap" ? std::string(at) : "Dream x*") + ", unit " + unit,
                     what == "gradmap" ? "red: raises the response" : "red: louder than silence");
}

// Every unit's map on one sheet (10 per row, each on its own symmetric colour scale, red =
// raises the response / louder), the last ≤ 100 bins of each: a population at a glance.
void contact_sheet_png(const std::string& path, const InterpretMaps& m, const std::string& what) {
  const int F = m.num_bands, T = m.length_bins, shown = std::min(T, 100), U = static_cast<int>(m.units.size());
  const int cell_w = 3, cell_h = 3, tile_w = shown * cell_w, tile_h = F * cell_h, per_row = 10, gap = 22;
  const int rows = (U + per_row - 1) / per_row;
  const TextRenderer text;
  Image img(per_row * (tile_w + 8) + 16, 40 + rows * (tile_h + gap));
  char title[160];
  std::snprintf(title, sizeof title, "%ss of %d units: the last %.0f ms before the output bin (right), low bands at the bottom; red %s",
                what == "gradmap" ? "GradMap" : "Dream", U, shown * m.config.dt_ms, what == "gradmap" ? "raises the response" : "louder");
  text.draw(img, 8, 22, title, 13, Rgb{30, 30, 30});
  for (int u = 0; u < U; ++u) {
    const int x0 = 8 + (u % per_row) * (tile_w + 8), y0 = 40 + (u / per_row) * (tile_h + gap);
    float peak = 0;
    for (int f = 0; f < F; ++f)
      for (int t = T - shown; t < T; ++t) peak = std::max(peak, std::fabs(m.map(u, f, t)));
    for (int f = 0; f < F; ++f)
      for (int t = T - shown; t < T; ++t) {
        const float v = (what == "gradmap" ? -1.0f : 1.0f) * m.map(u, f, t);
        const Rgb c = colormap(Colormap::kDiverging, peak > 0 ? 0.5 + 0.5 * v / peak : 0.5);
        const int x = x0 + (t - (T - shown)) * cell_w, y = y0 + (F - 1 - f) * cell_h;
        img.fill_rect(x, y, x + cell_w, y + cell_h, c);
      }
    text.draw(img, x0, y0 + tile_h + 14, std::to_string(m.units[u]), 11, Rgb{60, 60, 60});
  }
  write_png(path, img);
}

// The simulator's true STRF of unit n ([N, F, L], lag ℓ = weight of x[f, t − ℓ]) on the same axes.
void truth_png(const std::string& path, const TruthArray& strf, int n, const ModelConfig& c, const std::vector<double>& band_hz,
               const std::string& unit) {
  const int F = static_cast<int>(strf.shape[1]), L = static_cast<int>(strf.shape[2]);
  std::vector<float> v(static_cast<std::size_t>(F) * L);
  for (int f = 0; f < F; ++f)
    for (int l = 0; l < L; ++l) v[static_cast<std::size_t>(f) * L + (L - 1 - l)] = strf.data[(static_cast<std::size_t>(n) * F + f) * L + l];
  time_frequency_png(path, v, F, L, c, band_hz, "true STRF (simulator), unit " + unit, "red: raises the response");
}

void energy_png(const std::string& path, const InterpretMaps& m, const std::string& what) {
  const TextRenderer text;
  Image img(80 + 800 + 110, 44 + 320 + 56);
  text.draw(img, 80, 28, "Energy of the " + what + "s by latency (each unit scaled to its peak; red: mean)", 15, Rgb{30, 30, 30});
  std::vector<Series> series;
  std::vector<float> mean(static_cast<std::size_t>(m.length_bins), 0.0f);
  for (std::size_t u = 0; u < m.units.size(); ++u) {
    Series s;
    s.colour = Rgb{170, 190, 215};
    const float* e = m.energy.data() + u * m.length_bins;
    const float peak = *std::max_element(e, e + m.length_bins);
    for (int l = 0; l < m.length_bins; ++l) {
      s.values.push_back(peak > 0 ? std::max(e[l] / peak, 1e-8f) : 0.0f);
      mean[l] += s.values.back() / m.units.size();
    }
    series.push_back(std::move(s));
  }
  series.push_back(Series{mean, Rgb{214, 39, 40}, "population mean", 2});
  SeriesPanelOptions o;
  o.x_start = m.config.dt_ms;  // latency ℓ plotted at (ℓ + 1)·dt on the log axis
  o.x_step = m.config.dt_ms;
  o.log_x = true;
  o.log_y = true;  // memory tails span orders of magnitude
  o.x_label = "latency (ms; the output bin at one bin)";
  o.y_label = "relative energy (log)";
  draw_series(img, PlotArea{80, 44, 800, 320}, series, o, text);
  write_png(path, img);
}

// The population's memory lengths as cumulative distributions on a log latency axis: the
// fraction of units whose 95 %-energy length, and whose −60 dB energy extent, is ≤ ℓ.
void memory_distribution_png(const std::string& path, const InterpretMaps& m, const std::vector<int>& length95,
                             const std::vector<int>& extent, const std::string& what) {
  const TextRenderer text;
  Image img(80 + 800 + 110, 44 + 320 + 56);
  text.draw(img, 80, 28, "Memory of the " + what + "s over the population (" + std::to_string(m.units.size()) + " units)", 15,
            Rgb{30, 30, 30});
  auto cdf = [&](const std::vector<int>& bins, Rgb colour, const std::string& label) {
    Series s{std::vector<float>(static_cast<std::size_t>(m.length_bins), 0.0f), colour, label, 2};
    for (int l = 0; l < m.length_bins; ++l)
      s.values[l] = static_cast<float>(std::count_if(bins.begin(), bins.end(), [&](int b) { return b <= l + 1; })) / bins.size();
    return s;
  };
  SeriesPanelOptions o;
  o.x_start = m.config.dt_ms;  // a length of ℓ + 1 bins at (ℓ + 1)·dt
  o.x_step = m.config.dt_ms;
  o.log_x = true;
  o.x_label = "latency (ms)";
  o.y_label = "fraction of units";
  draw_series(img, PlotArea{80, 44, 800, 320},
              {cdf(length95, Rgb{31, 119, 180}, "95 % of the energy within"), cdf(extent, Rgb{214, 39, 40}, "energy above −60 dB of peak until")}, o,
              text);
  write_png(path, img);
}

}  // namespace

InterpretReport write_interpret_report(const std::string& dir, const std::vector<std::pair<std::string, InterpretMaps>>& results,
                                       const InterpretReportOptions& options) {
  if (results.empty()) throw std::invalid_argument("interpretation report: no maps");
  const std::string& model_path = options.model_path;
  const TruthArray* truth = options.true_strf;
  const bool want_energy = options.energy, want_gradmap = options.map_pictures;
  InterpretReport report;
  const std::vector<double> band_hz = band_frequencies(results.front().second.config, report.band_axis_note);
  if (truth) {  // before anything is written
    const InterpretMaps& m = results.front().second;
    if (truth->shape.size() != 3 || static_cast<int>(truth->shape[0]) != m.config.num_units || static_cast<int>(truth->shape[1]) != m.num_bands)
      throw std::runtime_error(options.true_strf_source + ": /truth/strf holds " + std::to_string(truth->shape.empty() ? 0 : truth->shape[0]) + " units × " +
                               std::to_string(truth->shape.size() > 1 ? truth->shape[1] : 0) + " bands, the model predicts " +
                               std::to_string(m.config.num_units) + " units from " + std::to_string(m.num_bands) + " bands");
  }
  std::filesystem::create_directories(dir);
    nlohmann::json summary;
    std::string html = "<!doctype html><meta charset=utf-8><title>statenet interpret</title>"
                       "<style>body{font-family:sans-serif;margin:2em}img{max-width:32%;margin:2px}</style>"
                       "<h1>" + std::filesystem::path(model_path).filename().string() + "</h1>";
    AtomicFile h5_out(dir + "/interpret.h5");
    {
      H5File h5 = H5File::create(h5_out.temp_path(), h5_out.final_path());
      h5.set_attribute("/", "model", model_path);
      h5.set_attribute("/", "sign", "maps are g = d(-r_n[T-1])/dx at x = null_level (gradmap) or the optimised x (dream)");
      h5.set_attribute("/", "null_level", std::to_string(results.front().second.null_level));
      for (const auto& [kind, m] : results) {
        const std::uint64_t U = m.units.size(), F = m.num_bands, T = m.length_bins;
        h5.write("/" + kind, {U, F, T}, m.maps.data(), true);
        h5.write("/" + kind + "_energy", {U, T}, m.energy.data(), true);
        if (!m.loss_curve.empty()) h5.write("/dream_loss", {U, m.loss_curve.size() / U}, m.loss_curve.data(), true);
        const auto memory = memory_length_bins(m);
        const auto extent = energy_extent_bins(m);
        const double dt_ms = m.config.dt_ms;  // C++17 lambdas cannot capture a structured binding
        auto in_ms = [dt_ms](const std::vector<int>& bins) {
          std::vector<double> ms;
          for (int b : bins) ms.push_back(b * dt_ms);
          return ms;
        };
        auto median_and_max = [](std::vector<double> v) {
          std::sort(v.begin(), v.end());
          return std::pair<double, double>(v[v.size() / 2], v.back());
        };
        const auto [median95, max95] = median_and_max(in_ms(memory));
        const auto [median_extent, max_extent] = median_and_max(in_ms(extent));
        summary[kind] = {{"memory_length_ms_95", in_ms(memory)},   {"median_memory_length_ms", median95},
                         {"max_memory_length_ms", max95},          {"energy_extent_ms_60dB", in_ms(extent)},
                         {"median_energy_extent_ms", median_extent}, {"max_energy_extent_ms", max_extent},
                         {"length_bins", m.length_bins}};
        html += "<h2>" + kind + "s</h2><p>95 % of the energy within " + std::to_string(static_cast<int>(median95)) +
                " ms (median over units), at most " + std::to_string(static_cast<int>(max95)) + " ms; energy above −60 dB of its peak until " +
                std::to_string(static_cast<int>(median_extent)) + " ms (median), at most " + std::to_string(static_cast<int>(max_extent)) +
                " ms; of " + std::to_string(static_cast<int>(m.length_bins * m.config.dt_ms)) + " ms.</p>";
        if (want_energy) {
          energy_png(dir + "/" + kind + "_energy.png", m, kind);
          memory_distribution_png(dir + "/" + kind + "_memory.png", m, memory, extent, kind);
          html += "<img src='" + kind + "_energy.png' style='max-width:49%'><img src='" + kind + "_memory.png' style='max-width:49%'><br>";
        }
        if (kind == "gradmap" && truth) {
          const int N = static_cast<int>(truth->shape[0]), L = static_cast<int>(truth->shape[2]);
          const std::vector<double> cc = strf_correlation(m, truth->data, N, L);
          summary["gradmap_vs_true_strf_cc"] = cc;
          html += "<h2>GradMaps against the true STRFs</h2><p>Pearson CC over " + std::to_string(L) + " lags:";
          for (std::size_t u = 0; u < m.units.size(); ++u) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " unit %d: %.3f;", m.units[u], cc[u]);
            html += buf;
            const std::string png = "truth_unit" + std::to_string(m.units[u]) + ".png";
            truth_png(dir + "/" + png, *truth, m.units[u], m.config, band_hz, std::to_string(m.units[u]));
          }
          html += "</p>";
          for (int n : m.units) html += "<img src='truth_unit" + std::to_string(n) + ".png'>";
          html += "<br>";
        }
        if ((kind == "dream" || want_gradmap) && m.units.size() > 1) {
          contact_sheet_png(dir + "/" + kind + "_all.png", m, kind);
          html += "<img src='" + kind + "_all.png' style='max-width:100%'><br>";
        }
        if (kind == "dream" || want_gradmap) {
          for (std::size_t u = 0; u < m.units.size(); ++u) {
            const std::string id = m.config.unit_ids.empty() ? std::to_string(m.units[u]) : m.config.unit_ids[m.units[u]];
            const std::string png = kind + "_unit" + std::to_string(m.units[u]) + ".png";
            map_png(dir + "/" + png, m, band_hz, static_cast<int>(u), kind, id + " (" + std::to_string(m.units[u]) + ")");
            html += "<img src='" + png + "' title='" + safe(id) + "'>";
          }
        }
      }
      h5.close();
    }
    h5_out.commit();
    summary["units"] = results.front().second.units;
    summary["model"] = model_path;
    write_file_atomically(dir + "/summary.json", summary.dump(1));
    write_file_atomically(dir + "/index.html", html);
  for (const auto& [kind, m] : results) {
    MemoryFigures f;
    f.median_memory_ms = summary[kind]["median_memory_length_ms"].get<double>();
    f.max_memory_ms = summary[kind]["max_memory_length_ms"].get<double>();
    f.median_extent_ms = summary[kind]["median_energy_extent_ms"].get<double>();
    f.max_extent_ms = summary[kind]["max_energy_extent_ms"].get<double>();
    f.length_ms = m.length_bins * m.config.dt_ms;
    report.kinds.emplace_back(kind, f);
  }
  if (summary.contains("gradmap_vs_true_strf_cc")) report.gradmap_vs_true_strf_cc = summary["gradmap_vs_true_strf_cc"].get<std::vector<double>>();
  return report;
}

// A labelled similarity matrix: one cell per pair of models, the value printed in it.
void write_similarity_png(const std::string& path, const std::vector<std::string>& names, const std::vector<double>& sim) {
  const TextRenderer text;
  const int M = static_cast<int>(names.size()), cell = 70, left = 200, top = 50;
  Image img(left + M * cell + 120, top + M * cell + 160);
  text.draw(img, 20, 30, "GradMap similarity (Pearson CC per unit, averaged over units)", 15, Rgb{30, 30, 30});
  for (int i = 0; i < M; ++i) {
    text.draw(img, left - 10, top + i * cell + cell / 2 + 5, names[i], 13, Rgb{30, 30, 30}, Align::kRight);
    text.draw_vertical(img, left + i * cell + cell / 2 - 5, top + M * cell + 75, names[i], 13, Rgb{30, 30, 30});
    for (int j = 0; j < M; ++j) {
      const double v = sim[static_cast<std::size_t>(i) * M + j];
      img.fill_rect(left + j * cell, top + i * cell, left + (j + 1) * cell - 1, top + (i + 1) * cell - 1,
                    colormap(Colormap::kDiverging, 0.5 + 0.5 * (std::isfinite(v) ? v : 0.0)));
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.2f", v);
      text.draw(img, left + j * cell + cell / 2, top + i * cell + cell / 2 + 5, buf, 13,
                std::fabs(v) > 0.6 ? Rgb{255, 255, 255} : Rgb{30, 30, 30}, Align::kCentre);
    }
  }
  write_png(path, img);
}

}  // namespace statenet
