// `statenet demo`: the main job on a built-in default — a synthesised sound, its
// cochleagrams, and (LibTorch builds) the firing the committed NS1 StateNet-GRU predicts.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "cochleagram_render.h"
#include "commands.h"
#include "plot/heatmap.h"
#include "plot/series.h"
#include "plot/text.h"
#ifdef STATENET_WITH_TRAINING
#include "train/evaluate.h"
#endif

namespace statenet {
namespace {

#ifdef STATENET_WITH_TRAINING
// Cochleagram above the predicted responses of every unit and their mean.
void predicted_firing_figure(const std::string& path, const Cochleagram& c, const std::vector<float>& rates, int units,
                             double dt_s, const std::string& model_name) {
  const TextRenderer text;
  const long T = static_cast<long>(c.num_frames);
  const int width = static_cast<int>(std::clamp<long>(T, 600, 1400));
  const PlotArea coch{80, 44, width, 220}, resp{80, 44 + 220 + 20, width, 260}, mean{80, 44 + 220 + 20 + 260 + 20, width, 140};
  Image img(80 + width + 110, mean.top + mean.height + 56);
  text.draw(img, 80, 28, "built-in sound → predicted firing of " + std::to_string(units) + " NS1 units (" + model_name + ")",
            15, Rgb{30, 30, 30});
  HeatmapOptions h;
  h.x_step = dt_s;
  h.x_label = "";
  h.row_values = c.centre_frequencies_hz;
  h.colour_label = "level (dB)";
  draw_heatmap(img, coch, c.values.data(), c.num_bands, T, h, text);
  std::vector<float> hz(rates.size());
  for (std::size_t i = 0; i < rates.size(); ++i) hz[i] = std::max(0.0f, rates[i]) / static_cast<float>(dt_s);
  HeatmapOptions r;
  r.x_step = dt_s;
  r.x_label = "";
  r.y_label = "unit";
  r.log_rows = false;
  for (int u = 0; u < units; ++u) r.row_values.push_back(u + 1);
  r.colour_label = "predicted spikes/s";
  draw_heatmap(img, resp, hz.data(), units, T, r, text);
  Series population;
  population.label = "population mean";
  population.colour = Rgb{214, 39, 40};
  population.width_px = 2;
  for (long t = 0; t < T; ++t) {
    double sum = 0;
    for (int u = 0; u < units; ++u) sum += hz[static_cast<std::size_t>(u) * T + t];
    population.values.push_back(static_cast<float>(sum / units));
  }
  SeriesPanelOptions o;
  o.x_step = dt_s;
  o.y_label = "spikes/s";
  draw_series(img, mean, {population}, o, text);
  write_png(path, img);
}
#endif

}  // namespace

void add_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "The main job on a built-in default: synthesise a 3-s natural-like sound (a harmonic\n"
      "call, noise bursts, vowels), save it, draw its cochleagram with each preset named, and\n"
      "draw the firing that the committed NS1 StateNet-GRU model predicts for 73 ferret A1 units.");
  auto out_dir = std::make_shared<std::string>("out/demo");
  auto presets = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"ns1", "gammatone64"});
  auto model = std::make_shared<std::string>(STATENET_DEMO_MODEL);
  cmd->add_option("-o,--output-dir", *out_dir, "Where to write the sound and the pictures")->capture_default_str();
  cmd->add_option("-p,--preset", *presets, "Presets to draw")->capture_default_str();
  cmd->add_option("--model", *model, "Model whose predictions to draw (its front end must be ns1)")->capture_default_str();
  cmd->callback([=] {
    std::filesystem::create_directories(*out_dir);
    const std::string wav = *out_dir + "/demo_sound.wav";
    AudioBuffer sound = make_demo_sound(48000.0);
    write_wav_float(wav, sound);
    std::printf("wrote %s (%.1f s built-in sound)\n", wav.c_str(), sound.duration_s());
    std::optional<Rendered> ns1;  // the model's front end; reused when drawn above
    for (const auto& name : *presets) {
      const CochleagramPreset preset = cochleagram_preset(name);
      const AudioBuffer audio = load_for_preset(wav, preset);
      const Rendered r = render(audio, preset);
      const std::string png = *out_dir + "/cochleagram_" + name + ".png";
      write_output(png, r, preset, audio);
      std::printf("%-12s %d bands × %lld frames, %.0f× real time → %s\n", name.c_str(), r.cochleagram.num_bands,
                  static_cast<long long>(r.cochleagram.num_frames), audio.duration_s() / std::max(r.seconds, 1e-9),
                  png.c_str());
      if (name == "ns1") ns1 = r;
    }
#ifdef STATENET_WITH_TRAINING
    if (!model->empty()) {
      if (!ns1) {
        const CochleagramPreset preset = cochleagram_preset("ns1");
        ns1 = render(load_for_preset(wav, preset), preset);
      }
      const Rendered& r = *ns1;
      ModelConfig config;
      const std::vector<float> rates = predict_responses(*model, r.cochleagram.values, r.cochleagram.num_frames, &config);
      const std::string png = *out_dir + "/predicted_firing.png";
      predicted_firing_figure(png, r.cochleagram, rates, config.num_units, config.dt_ms / 1000.0,
                              config.model_name() + ", " + std::filesystem::path(*model).filename().string());
      std::printf("%-12s %d units predicted by %s → %s\n", "firing", config.num_units,
                  std::filesystem::path(*model).filename().string().c_str(), png.c_str());
    }
#endif
  });
}

}  // namespace statenet
