#pragma once
// Reading audio files (WAV, FLAC, OGG, AIFF, …, by content, not by extension) into
// a mono float AudioBuffer, with optional resampling. [main thread]
//
// Errors throw std::runtime_error with one line that names the file and the problem:
// missing file, not an audio file, truncated, zero samples, NaN/Inf samples, a
// sample rate too low for the analysis that follows.

#include <string>

#include "audio/audio_buffer.h"

namespace statenet {

struct AudioReadOptions {
  /// Rate of the returned buffer in Hz; 0 keeps the file's rate. Default 0.
  double target_sample_rate_hz = 0.0;
  /// A header rate within this many parts per million of target_sample_rate_hz is
  /// taken to be the target rate itself, without resampling. WAV headers store an
  /// integer rate: NS1's 48 828.125 Hz hardware rate is written as 48 828 (2.6 ppm).
  /// Default 10 ppm.
  double header_rate_tolerance_ppm = 10.0;
  /// Highest frequency the caller will analyse (Hz), e.g. a cochleagram's top band
  /// centre; the file's own Nyquist frequency must exceed it, since resampling up
  /// cannot create content. 0 = no check. Default 0.
  double highest_analysed_hz = 0.0;
};

// Reads `path`, down-mixes to mono (mean of channels), checks every sample is
// finite, and resamples when the options ask for another rate.
AudioBuffer read_audio_file(const std::string& path, const AudioReadOptions& options = {});

// Writes a mono buffer as 32-bit float WAV (atomically). Throws on failure.
void write_wav_float(const std::string& path, const AudioBuffer& audio);

}  // namespace statenet
