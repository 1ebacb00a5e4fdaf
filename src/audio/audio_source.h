#pragma once
// Pull-based audio input: a file played back, or a live device. One consumer thread calls
// read() repeatedly; each call delivers up to max_samples mono samples and returns how many it
// wrote. A source reports its rate before the first read.
//
//   start() → read() … until ended() → stop()          [start/stop: control thread]
//
// A file source ends when its samples are spent. A live source never ends by itself: its
// read() waits a little for the next block and may return 0 when none came, so the caller
// can check its own stop condition and call again.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "audio/audio_buffer.h"

namespace statenet {

// What a source could not deliver, and the delay its device adds (live sources only).
struct SourceHealth {
  std::int64_t dropped_blocks = 0;   ///< blocks lost because the consumer fell behind
  std::int64_t input_overflows = 0;  ///< the device's own overflow reports
  double device_latency_s = 0.0;     ///< the device's input latency
};

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual double sample_rate_hz() const = 0;
  /// For messages: "built-in demo sound", a path, "microphone 'name'".
  virtual const std::string& name() const = 0;
  /// A device delivering audio as it happens (no end, drops when the consumer lags).
  virtual bool is_live() const { return false; }
  /// Delivers no faster than real time (live input, or a file paced like one).
  virtual bool is_paced() const { return is_live(); }
  /// Samples it will deliver in all; −1 when unknown (live input).
  virtual std::int64_t length_samples() const { return -1; }
  virtual void start() {}
  virtual void stop() {}
  /// Writes up to max_samples samples into out; returns the count. [consumer thread]
  virtual std::size_t read(float* out, std::size_t max_samples) = 0;
  /// Steady-clock time (ns, util/steady_clock.h) at which the last sample of the latest
  /// read() arrived: the device callback's time for live input, the return of read() for
  /// files (which, paced in real time, is when that sample would have arrived).
  virtual std::int64_t last_arrival_ns() const = 0;
  /// True once read() will deliver nothing more.
  virtual bool ended() const = 0;
  virtual SourceHealth health() const { return {}; }
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
  /// `name` for messages; empty = audio.origin.
  FileSource(AudioBuffer audio, Pacing pacing, std::int64_t total_samples = -1, std::string name = {});
  double sample_rate_hz() const override { return audio_.sample_rate_hz; }
  const std::string& name() const override { return name_; }
  std::size_t read(float* out, std::size_t max_samples) override;
  std::int64_t last_arrival_ns() const override { return last_arrival_ns_; }
  bool ended() const override { return audio_.samples.empty() || static_cast<std::int64_t>(position_) >= total_; }
  bool is_paced() const override { return pacing_ == Pacing::kRealTime; }
  std::int64_t length_samples() const override { return audio_.samples.empty() ? 0 : total_; }
  Pacing pacing() const { return pacing_; }
  std::size_t position() const { return position_; }
  const AudioBuffer& audio() const { return audio_; }

 private:
  AudioBuffer audio_;
  Pacing pacing_;
  std::int64_t total_;
  std::string name_;
  std::size_t position_ = 0;  ///< samples delivered
  bool started_ = false;
  std::chrono::steady_clock::time_point start_;
  std::int64_t last_arrival_ns_ = 0;
};

}  // namespace statenet
