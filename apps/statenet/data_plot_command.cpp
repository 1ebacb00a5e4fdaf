// `statenet data plot`: a stimulus's cochleagram above one unit's raster and PSTH
// (and the true rate, for simulated data).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "commands.h"
#include "data/dataset.h"
#include "plot/heatmap.h"
#include "plot/series.h"
#include "plot/text.h"

namespace statenet {
namespace {

int find_unit(const Dataset& d, const std::string& unit, const std::string& path) {
  for (int u = 0; u < d.num_units(); ++u)
    if (d.unit_ids[u] == unit) return u;
  try {
    std::size_t used = 0;
    const int u = std::stoi(unit, &used);
    if (used == unit.size() && u >= 0 && u < d.num_units()) return u;
  } catch (const std::exception&) {
  }
  throw std::runtime_error(path + ": no unit '" + unit + "' (give an index 0–" + std::to_string(d.num_units() - 1) +
                           " or an id such as '" + d.unit_ids.front() + "')");
}

}  // namespace

void add_data_plot_command(CLI::App& data) {
  auto* cmd = data.add_subcommand("plot", "Draw a stimulus's cochleagram above a unit's spike raster and PSTH");
  auto path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto stimulus = std::make_shared<int>(0);
  auto unit = std::make_shared<std::string>("0");
  cmd->add_option("file", *path, "Dataset file (.h5)")->required();
  cmd->add_option("--stimulus", *stimulus, "Stimulus index")->capture_default_str();
  cmd->add_option("--unit", *unit, "Unit index or id")->capture_default_str();
  cmd->add_option("-o,--output", *out, "Picture to write (.png)")->required();
  cmd->callback([=] {
    const Dataset d = read_dataset(*path, ReadOptions{false, true});
    if (*stimulus < 0 || *stimulus >= static_cast<int>(d.stimuli.size())) {
      throw std::runtime_error(*path + ": no stimulus " + std::to_string(*stimulus) + " (the file has " +
                               std::to_string(d.stimuli.size()) + ")");
    }
    const int u = find_unit(d, *unit, *path);
    const Stimulus& s = d.stimuli[*stimulus];
    const long T = static_cast<long>(s.num_frames);
    const double dt_s = d.dt_ms / 1000.0;

    const TextRenderer text;
    const int width = static_cast<int>(std::clamp<long>(T, 600, 1400));
    const int raster_h = std::clamp(s.num_trials * 6, 60, 180);
    const PlotArea coch{80, 44, width, 220}, raster{80, coch.top + coch.height + 20, width, raster_h},
        psth{80, raster.top + raster.height + 20, width, 170};
    Image img(80 + width + 110, psth.top + psth.height + 56);
    text.draw(img, 80, 28,
              d.name + "  —  stimulus " + std::to_string(*stimulus) + " (" + s.name + ")  —  unit " +
                  d.unit_ids[u],
              15, Rgb{30, 30, 30});

    HeatmapOptions h;
    h.x_step = dt_s;
    h.x_label = "";
    h.row_values = d.freqs_hz;
    h.colour_label = "cochleagram";
    draw_heatmap(img, coch, s.cochleagram.data(), d.num_bands(), T, h, text);

    SeriesPanelOptions o;
    o.x_step = dt_s;
    o.x_label = "";
    o.y_label = "trial";
    draw_raster(img, raster, s.unit_trials(u), s.num_trials, T, o, text);

    // PSTH in responses per second.
    std::vector<Series> series(1);
    series[0].values.assign(static_cast<std::size_t>(T), NAN);
    series[0].label = "PSTH (" + std::to_string(s.num_trials) + " trials)";
    series[0].colour = Rgb{31, 119, 180};
    for (long t = 0; t < T; ++t) {
      double sum = 0;
      int n = 0;
      for (int m = 0; m < s.num_trials; ++m) {
        const float v = s.response(u, m, t);
        if (!std::isnan(v)) sum += v, ++n;
      }
      if (n) series[0].values[t] = static_cast<float>(sum / n / dt_s);
    }
    const auto truth = d.truth.find("rates/" + stimulus_key(*stimulus));
    if (truth != d.truth.end()) {
      Series rate;
      rate.label = "true rate";
      rate.colour = Rgb{214, 39, 40};
      rate.width_px = 2;
      for (long t = 0; t < T; ++t) rate.values.push_back(static_cast<float>(truth->second.data[u * T + t] / dt_s));
      series.push_back(rate);
    }
    o.x_label = "time (s)";
    o.y_label = "rate (per s)";
    draw_series(img, psth, series, o, text);
    write_png(*out, img);
    std::printf("wrote %s\n", out->c_str());
  });
}

}  // namespace statenet
