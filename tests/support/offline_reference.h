#pragma once
// The offline reference of the streaming tests: the whole ns1 cochleagram of a sound, then
// the step engine frame by frame from a reset state. Returns rates [frames × units].
#include <vector>

#include "audio/audio_file.h"
#include "cochlea/presets.h"
#include "step/step_model.h"

namespace statenet::test {

inline std::vector<float> offline_rates(const AudioBuffer& audio, StepModel& model) {
  auto fe = make_front_end(cochleagram_preset("ns1"));
  const Cochleagram c = compute_cochleagram(*fe, audio.samples.data(), audio.samples.size());
  std::vector<float> frame(c.num_bands), rates(static_cast<std::size_t>(c.num_frames) * model.num_units());
  model.reset();
  for (std::int64_t t = 0; t < c.num_frames; ++t) {
    for (int b = 0; b < c.num_bands; ++b) frame[b] = c.at(b, t);
    model.step(frame.data(), rates.data() + t * model.num_units());
  }
  return rates;
}

}  // namespace statenet::test
