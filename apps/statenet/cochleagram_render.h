#pragma once
// Helpers shared by the commands: compute a cochleagram (timed), write it as .png or .h5.

#include <string>
#include <vector>

#include "audio/audio_buffer.h"
#include "cochlea/presets.h"
#include "stream/file_input.h"  // load_for_preset

namespace statenet {

struct Rendered {
  Cochleagram cochleagram;
  std::string front_end;     ///< FrontEnd::describe() of the front end that made it
  double hop_samples = 0.0;
  double seconds = 0.0;      ///< compute time
};

bool ends_with(const std::string& s, const std::string& suffix);
// Computes every complete frame; throws when the sound is shorter than one frame.
Rendered render(const AudioBuffer& audio, const CochleagramPreset& preset);
// .png (picture) or .h5 (array), by extension.
void write_output(const std::string& out, const Rendered& r, const CochleagramPreset& preset, const AudioBuffer& audio);

}  // namespace statenet
