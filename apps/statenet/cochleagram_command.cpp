// `statenet cochleagram` and `statenet presets`.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "cochleagram_io.h"
#include "cochleagram_render.h"
#include "commands.h"

namespace statenet {

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

}  // namespace statenet
