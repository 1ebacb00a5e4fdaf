#include "cochleagram_render.h"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "audio/audio_file.h"
#include "cochleagram_io.h"

namespace statenet {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Rendered render(const AudioBuffer& audio, const CochleagramPreset& preset) {
  auto front_end = make_front_end(preset, audio.sample_rate_hz);
  const auto t0 = std::chrono::steady_clock::now();
  Rendered r;
  r.cochleagram = compute_cochleagram(*front_end, audio.samples.data(), audio.samples.size());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.front_end = front_end->describe();
  r.hop_samples = front_end->hop_samples();
  if (r.cochleagram.num_frames == 0) {
    throw std::runtime_error(audio.origin + ": too short for one frame (" + std::to_string(audio.samples.size()) +
                             " samples; the first frame ends at sample " +
                             std::to_string(frame_end_sample(0, front_end->hop_samples())) + ")");
  }
  return r;
}

void write_output(const std::string& out, const Rendered& r, const CochleagramPreset& preset,
                  const AudioBuffer& audio) {
  CochleagramInfo info;
  info.preset = preset.name;
  info.front_end = r.front_end;
  info.source = std::filesystem::path(audio.origin).filename().string();
  info.value_label = preset.value_label();
  info.sample_rate_hz = audio.sample_rate_hz;
  info.hop_samples = r.hop_samples;
  if (ends_with(out, ".png")) {
    write_cochleagram_png(out, r.cochleagram, info);
  } else if (ends_with(out, ".h5") || ends_with(out, ".hdf5")) {
    write_cochleagram_h5(out, r.cochleagram, info);
  } else {
    throw std::runtime_error(out + ": unknown output type (use .png for a picture or .h5 for the array)");
  }
}

}  // namespace statenet
