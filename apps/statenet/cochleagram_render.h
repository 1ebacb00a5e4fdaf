#pragma once
// Shared by `statenet cochleagram` and `statenet demo`: load a sound for a preset, compute
// its cochleagram (timed), write it as .png or .h5.

#include <string>

#include "audio/audio_buffer.h"
#include "cochlea/presets.h"

namespace statenet {

struct Rendered {
  Cochleagram cochleagram;
  double seconds = 0.0;  ///< compute time
};

bool ends_with(const std::string& s, const std::string& suffix);
// Reads `path` at the preset's rate, refusing a rate too low for its top band.
AudioBuffer load_for_preset(const std::string& path, const CochleagramPreset& preset);
// Computes every complete frame; throws when the sound is shorter than one frame.
Rendered render(const AudioBuffer& audio, const CochleagramPreset& preset);
// .png (picture) or .h5 (array), by extension.
void write_output(const std::string& out, const Rendered& r, const CochleagramPreset& preset, const AudioBuffer& audio);

}  // namespace statenet
