// `statenet cochleagram`, `statenet presets` and `statenet demo`.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "cochleagram_io.h"
#include "commands.h"

namespace statenet {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Rendered {
  Cochleagram cochleagram;
  double seconds = 0.0;  // compute time
};

// Loads `input` for `preset` (resampling to its rate) and computes the cochleagram.
Rendered render(const AudioBuffer& audio, const CochleagramPreset& preset) {
  auto front_end = make_front_end(preset, audio.sample_rate_hz);
  const auto t0 = std::chrono::steady_clock::now();
  Rendered r;
  r.cochleagram = compute_cochleagram(*front_end, audio.samples.data(), audio.samples.size());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.cochleagram.num_frames == 0) {
    throw std::runtime_error(audio.origin + ": too short for one frame (" + std::to_string(audio.samples.size()) +
                             " samples; the first frame ends at sample " +
                             std::to_string(frame_end_sample(0, front_end->hop_samples())) + ")");
  }
  return r;
}

void write_output(const std::string& out, const Rendered& r, const CochleagramPreset& preset,
                  const AudioBuffer& audio) {
  auto fe = make_front_end(preset, audio.sample_rate_hz);
  CochleagramInfo info;
  info.preset = preset.name;
  info.front_end = fe->describe();
  info.source = std::filesystem::path(audio.origin).filename().string();
  info.value_label = preset.value_label();
  info.sample_rate_hz = audio.sample_rate_hz;
  info.hop_samples = fe->hop_samples();
  if (ends_with(out, ".png")) {
    write_cochleagram_png(out, r.cochleagram, info);
  } else if (ends_with(out, ".h5") || ends_with(out, ".hdf5")) {
    write_cochleagram_h5(out, r.cochleagram, info);
  } else {
    throw std::runtime_error(out + ": unknown output type (use .png for a picture or .h5 for the array)");
  }
}

AudioBuffer load_for_preset(const std::string& path, const CochleagramPreset& preset) {
  AudioReadOptions ro;
  ro.target_sample_rate_hz = preset.sample_rate_hz();
  ro.highest_analysed_hz = preset.highest_centre_hz();
  return read_audio_file(path, ro);
}

}  // namespace

void add_cochleagram_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "cochleagram",
      "Compute the causal cochleagram of a sound file with a named front-end preset and\n"
      "write it as a picture (.png) or an array (.h5). The file (WAV, FLAC, OGG, AIFF; float\n"
      "WAV without extension too) is down-mixed to mono and resampled to the preset's rate.");
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto preset_name = std::make_shared<std::string>("ns1");
  cmd->add_option("input", *input, "Sound file")->required();
  cmd->add_option("-o,--output", *output, "Output file: .png (picture) or .h5 (array)")->required();
  cmd->add_option("-p,--preset", *preset_name, "Front-end preset (see 'statenet presets')")->capture_default_str();
  cmd->callback([=] {
    const CochleagramPreset preset = cochleagram_preset(*preset_name);
    const AudioBuffer audio = load_for_preset(*input, preset);
    const Rendered r = render(audio, preset);
    write_output(*output, r, preset, audio);
    std::printf("%s: %d bands × %lld frames (%.2f s of audio, %.0f× real time) → %s\n", preset.name.c_str(),
                r.cochleagram.num_bands, static_cast<long long>(r.cochleagram.num_frames), audio.duration_s(),
                audio.duration_s() / std::max(r.seconds, 1e-9), output->c_str());
  });
}

void add_presets_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("presets", "List the cochleagram presets and their exact parameters");
  cmd->callback([] {
    for (const auto& name : cochleagram_preset_names()) {
      const auto p = cochleagram_preset(name);
      std::printf("%-12s %s\n%-12s %s\n", name.c_str(), p.summary.c_str(), "", make_front_end(p)->describe().c_str());
    }
  });
}

void add_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "The main job on a built-in default: synthesise a 3-s natural-like sound (a harmonic\n"
      "call, noise bursts, vowels), save it, and draw its cochleagram with every preset named.");
  auto out_dir = std::make_shared<std::string>("out/demo");
  auto presets = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"ns1", "gammatone64"});
  cmd->add_option("-o,--output-dir", *out_dir, "Where to write the sound and the pictures")->capture_default_str();
  cmd->add_option("-p,--preset", *presets, "Presets to draw")->capture_default_str();
  cmd->callback([=] {
    std::filesystem::create_directories(*out_dir);
    const std::string wav = *out_dir + "/demo_sound.wav";
    AudioBuffer sound = make_demo_sound(48000.0);
    write_wav_float(wav, sound);
    std::printf("wrote %s (%.1f s built-in sound)\n", wav.c_str(), sound.duration_s());
    for (const auto& name : *presets) {
      const CochleagramPreset preset = cochleagram_preset(name);
      const AudioBuffer audio = load_for_preset(wav, preset);
      const Rendered r = render(audio, preset);
      const std::string png = *out_dir + "/cochleagram_" + name + ".png";
      write_output(png, r, preset, audio);
      std::printf("%-12s %d bands × %lld frames, %.0f× real time → %s\n", name.c_str(), r.cochleagram.num_bands,
                  static_cast<long long>(r.cochleagram.num_frames), audio.duration_s() / std::max(r.seconds, 1e-9),
                  png.c_str());
    }
  });
}

}  // namespace statenet
