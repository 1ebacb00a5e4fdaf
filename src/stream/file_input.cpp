#include "stream/file_input.h"

#include <algorithm>
#include <stdexcept>

#include "audio/audio_file.h"
#include "audio/test_signals.h"

namespace statenet {

AudioBuffer load_for_preset(const std::string& path, const CochleagramPreset& preset) {
  AudioReadOptions ro;
  ro.target_sample_rate_hz = preset.sample_rate_hz();
  ro.highest_analysed_hz = preset.highest_centre_hz();
  return read_audio_file(path, ro);
}

std::unique_ptr<FileSource> open_file_input(const std::string& input, const CochleagramPreset& preset, Pacing pacing, double seconds) {
  const bool demo = input == "demo";
  AudioBuffer audio = demo ? make_demo_sound(preset.sample_rate_hz()) : load_for_preset(input, preset);
  std::int64_t total = static_cast<std::int64_t>(audio.samples.size());
  if (seconds > 0) {
    const auto asked = static_cast<std::int64_t>(seconds * audio.sample_rate_hz);
    total = demo ? asked : std::min(total, asked);
  }
  return std::make_unique<FileSource>(std::move(audio), pacing, total, demo ? "built-in demo sound" : input);
}

}  // namespace statenet
