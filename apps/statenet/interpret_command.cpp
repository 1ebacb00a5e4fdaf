// `statenet interpret`: GradMaps, Dreams and their energy, as pictures, arrays and a page.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cochlea/presets.h"
#include "cochleagram_render.h"
#include "commands.h"
#include "data/dataset.h"
#include "data/h5_file.h"
#include "plot/colormap.h"
#include "plot/heatmap.h"
#include "plot/series.h"
#include "plot/text.h"
#include "progress.h"
#include "stream/model_front_end.h"
#include "train/interpret.h"
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
std::vector<double> band_frequencies(const ModelConfig& c, std::string* why = nullptr) {
  try {
    return make_front_end(front_end_for_model(c, "the model"))->centre_frequencies_hz();
  } catch (const std::runtime_error& e) {
    if (why) *why = e.what();
    return {};
  }
}

// An F × T map [f][t] as a picture, time relative to the output bin (the last column).
void time_frequency_png(const std::string& path, const std::vector<float>& v, int F, int T, const ModelConfig& c, const std::string& title,
                        const std::string& colour_label) {
  HeatmapOptions o;
  o.title = title;
  o.x_label = "time relative to the output bin (ms)";
  o.x_start = -(T - 1) * c.dt_ms - c.dt_ms / 2;
  o.x_step = c.dt_ms;
  o.row_values = band_frequencies(c);
  if (o.row_values.empty()) o.y_label = "band";
  o.colormap = Colormap::kDiverging;
  o.symmetric = true;
  o.colour_label = colour_label;
  o.min_plot_width_px = 500;
  write_png(path, render_heatmap(v.data(), F, T, o));
}

// One map as a picture: ∂r̂/∂x (= −g), red raises the response.
void map_png(const std::string& path, const InterpretMaps& m, int u, const std::string& what, const std::string& unit) {
  const int F = m.num_bands, T = m.length_bins;
  std::vector<float> v(static_cast<std::size_t>(F) * T);
  for (int f = 0; f < F; ++f)
    for (int t = 0; t < T; ++t) v[static_cast<std::size_t>(f) * T + t] = what == "gradmap" ? -m.map(u, f, t) : m.map(u, f, t);
  char at[48];
  std::snprintf(at, sizeof at, "GradMap ∂r̂/∂x at x = %g", m.null_level);
  time_frequency_png(path, v, F, T, m.config, (what == "gradmap" ? std::string(at) : "Dream x*") + ", unit " + unit,
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
void truth_png(const std::string& path, const TruthArray& strf, int n, const ModelConfig& c, const std::string& unit) {
  const int F = static_cast<int>(strf.shape[1]), L = static_cast<int>(strf.shape[2]);
  std::vector<float> v(static_cast<std::size_t>(F) * L);
  for (int f = 0; f < F; ++f)
    for (int l = 0; l < L; ++l) v[static_cast<std::size_t>(f) * L + (L - 1 - l)] = strf.data[(static_cast<std::size_t>(n) * F + f) * L + l];
  time_frequency_png(path, v, F, L, c, "true STRF (simulator), unit " + unit, "red: raises the response");
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

// A labelled similarity matrix: one cell per pair of models, the value printed in it.
void similarity_png(const std::string& path, const std::vector<std::string>& names, const std::vector<double>& sim) {
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

}  // namespace

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
    similarity_png(*out, labels, sim);
    nlohmann::json j = {{"models", *models}, {"names", labels}, {"length_bins", *length}, {"similarity", sim}};
    const std::string json_path = out->substr(0, out->rfind('.')) + ".json";
    AtomicFile f(json_path);
    std::ofstream(f.temp_path()) << j.dump(1);
    f.commit();
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
    std::filesystem::create_directories(*out);
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
    if (std::string why; band_frequencies(results.front().second.config, &why).empty())
      std::printf("note: band axes by index (%s)\n", why.c_str());
    if (!true_strf.data.empty()) {  // before anything is written
      const InterpretMaps& m = results.front().second;
      if (static_cast<int>(true_strf.shape[0]) != m.config.num_units || static_cast<int>(true_strf.shape[1]) != m.num_bands)
        throw std::runtime_error(*truth + ": /truth/strf holds " + std::to_string(true_strf.shape[0]) + " units × " +
                                 std::to_string(true_strf.shape[1]) + " bands, the model predicts " + std::to_string(m.config.num_units) +
                                 " units from " + std::to_string(m.num_bands) + " bands");
    }
    nlohmann::json summary;
    std::string html = "<!doctype html><meta charset=utf-8><title>statenet interpret</title>"
                       "<style>body{font-family:sans-serif;margin:2em}img{max-width:32%;margin:2px}</style>"
                       "<h1>" + std::filesystem::path(*model).filename().string() + "</h1>";
    AtomicFile h5_out(*out + "/interpret.h5");
    {
      H5File h5 = H5File::create(h5_out.temp_path());
      h5.set_attribute("/", "model", *model);
      h5.set_attribute("/", "sign", "maps are g = d(-r_n[T-1])/dx at x = null_level (gradmap) or the optimised x (dream)");
      h5.set_attribute("/", "null_level", std::to_string(opts.null_level));
      for (const auto& [kind, m] : results) {
        const std::uint64_t U = m.units.size(), F = m.num_bands, T = m.length_bins;
        h5.write("/" + kind, {U, F, T}, m.maps.data(), true);
        h5.write("/" + kind + "_energy", {U, T}, m.energy.data(), true);
        if (!m.loss_curve.empty()) h5.write("/dream_loss", {U, m.loss_curve.size() / U}, m.loss_curve.data(), true);
        const auto memory = memory_length_bins(m);
        const auto extent = energy_extent_bins(m);
        auto in_ms = [&](const std::vector<int>& bins) {
          std::vector<double> ms;
          for (int b : bins) ms.push_back(b * m.config.dt_ms);
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
          energy_png(*out + "/" + kind + "_energy.png", m, kind);
          memory_distribution_png(*out + "/" + kind + "_memory.png", m, memory, extent, kind);
          html += "<img src='" + kind + "_energy.png' style='max-width:49%'><img src='" + kind + "_memory.png' style='max-width:49%'><br>";
        }
        if (kind == "gradmap" && !true_strf.data.empty()) {
          const int N = static_cast<int>(true_strf.shape[0]), L = static_cast<int>(true_strf.shape[2]);
          const std::vector<double> cc = strf_correlation(m, true_strf.data, N, L);
          summary["gradmap_vs_true_strf_cc"] = cc;
          html += "<h2>GradMaps against the true STRFs</h2><p>Pearson CC over " + std::to_string(L) + " lags:";
          for (std::size_t u = 0; u < m.units.size(); ++u) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " unit %d: %.3f;", m.units[u], cc[u]);
            html += buf;
            const std::string png = "truth_unit" + std::to_string(m.units[u]) + ".png";
            truth_png(*out + "/" + png, true_strf, m.units[u], m.config, std::to_string(m.units[u]));
          }
          html += "</p>";
          for (int n : m.units) html += "<img src='truth_unit" + std::to_string(n) + ".png'>";
          html += "<br>";
        }
        if ((kind == "dream" || want_gradmap) && m.units.size() > 1) {
          contact_sheet_png(*out + "/" + kind + "_all.png", m, kind);
          html += "<img src='" + kind + "_all.png' style='max-width:100%'><br>";
        }
        if (kind == "dream" || want_gradmap) {
          for (std::size_t u = 0; u < m.units.size(); ++u) {
            const std::string id = m.config.unit_ids.empty() ? std::to_string(m.units[u]) : m.config.unit_ids[m.units[u]];
            const std::string png = kind + "_unit" + std::to_string(m.units[u]) + ".png";
            map_png(*out + "/" + png, m, static_cast<int>(u), kind, id + " (" + std::to_string(m.units[u]) + ")");
            html += "<img src='" + png + "' title='" + safe(id) + "'>";
          }
        }
      }
      h5.close();
    }
    h5_out.commit();
    summary["units"] = results.front().second.units;
    summary["model"] = *model;
    {
      AtomicFile f(*out + "/summary.json");
      std::ofstream(f.temp_path()) << summary.dump(1);
      f.commit();
    }
    {
      AtomicFile f(*out + "/index.html");
      std::ofstream(f.temp_path()) << html;
      f.commit();
    }
    std::printf("%zu units → %s/index.html (%.1f s)\n", results.front().second.units.size(), out->c_str(),
                progress.elapsed_s());
    if (summary.contains("gradmap_vs_true_strf_cc")) {
      std::printf("  GradMap vs true STRF (Pearson CC):");
      const auto& units_done = results.front().second.units;
      for (std::size_t u = 0; u < units_done.size(); ++u)
        std::printf(" unit %d %.3f%s", units_done[u], summary["gradmap_vs_true_strf_cc"][u].get<double>(), u + 1 < units_done.size() ? "," : "\n");
    }
    for (const auto& [kind, m] : results)
      std::printf("  %s: 95 %% of the energy within %.0f ms (median over units), at most %.0f ms; above -60 dB until %.0f ms "
                  "(median), at most %.0f ms; of %.0f ms\n",
                  kind.c_str(), summary[kind]["median_memory_length_ms"].get<double>(), summary[kind]["max_memory_length_ms"].get<double>(),
                  summary[kind]["median_energy_extent_ms"].get<double>(), summary[kind]["max_energy_extent_ms"].get<double>(),
                  m.length_bins * m.config.dt_ms);
  });
}

}  // namespace statenet
