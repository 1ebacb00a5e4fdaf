#pragma once
// Pull-based audio input. A consumer thread calls read() repeatedly; each call
// delivers up to max_samples mono samples and returns how many it wrote; 0 means
// the source has ended. Sources report their rate before the first read.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "audio/audio_buffer.h"

namespace statenet {

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual double sample_rate_hz() const = 0;
  /// Writes up to max_samples samples into out; returns the count, 0 at the end.
  /// [consumer thread]
  virtual std::size_t read(float* out, std::size_t max_samples) = 0;
};

enum class Pacing {
  kAsFastAsPossible,  ///< deliver samples as soon as asked
  kRealTime,          ///< never run ahead of the wall clock: sample i is available at t0 + i/fs
};

// Plays an AudioBuffer, looped until total_samples when that is longer (−1: once). In
// real-time pacing the first read starts the clock and each read blocks (sleeps) until its
// last sample would have arrived from a live device.
class FileSource final : public AudioSource {
 public:
  FileSource(AudioBuffer audio, Pacing pacing, std::int64_t total_samples = -1);
  double sample_rate_hz() const override { return audio_.sample_rate_hz; }
  std::size_t read(float* out, std::size_t max_samples) override;
  std::size_t position() const { return position_; }
  const AudioBuffer& audio() const { return audio_; }

 private:
  AudioBuffer audio_;
  Pacing pacing_;
  std::int64_t total_;
  std::size_t position_ = 0;  ///< samples delivered
  bool started_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace statenet
