#pragma once
// Sound files and the built-in demo sound as stream inputs, at a front end's rate.

#include <cstdint>
#include <memory>
#include <string>

#include "audio/audio_buffer.h"
#include "audio/audio_source.h"
#include "cochlea/presets.h"

namespace statenet {

// Reads `path` (any format libsndfile knows), down-mixed and resampled to the preset's rate;
// throws std::runtime_error "<path>: …" for unreadable files and for a rate too low for the
// preset's top band.
AudioBuffer load_for_preset(const std::string& path, const CochleagramPreset& preset);

// "demo" (the built-in demo sound) or an audio file, as a source at the preset's rate.
// seconds > 0 cuts a file short, or loops the demo sound for that long (soak runs). Throws
// std::runtime_error naming the file and the first non-finite sample.
std::unique_ptr<FileSource> open_file_input(const std::string& input, const CochleagramPreset& preset, Pacing pacing,
                                            double seconds = 0.0);

}  // namespace statenet
