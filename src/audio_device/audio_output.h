#pragma once
// An audio output device stream that plays what an OutputRenderer writes (audio/duplex.h): the
// pulse line when statenet's input is not the same device. Its sample clock starts at the first
// callback; with a separate input, the two clocks are aligned only at start (within a block)
// and drift apart by the devices' rate difference. A full-duplex Microphone shares one clock.
// [construction, start, stop: control thread]

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "audio/duplex.h"

namespace statenet {

struct AudioOutputOptions {
  std::string device;               ///< name (exact or unique part), index; empty = the default
  double sample_rate_hz = 48000;    ///< the device must accept it
  int channels = 1;
  int block_samples = 256;          ///< frames per callback
  double suggested_latency_s = 0.0; ///< 0 = the device's default low latency
};

class AudioOutput {
 public:
  /// Opens the device; throws std::runtime_error naming it (listing the output devices when it
  /// is not found), std::invalid_argument for bad options. `renderer` must outlive this.
  AudioOutput(const AudioOutputOptions& options, OutputRenderer& renderer);
  ~AudioOutput();
  AudioOutput(const AudioOutput&) = delete;
  AudioOutput& operator=(const AudioOutput&) = delete;

  void start();
  void stop();
  const std::string& device_name() const { return device_name_; }
  /// What PortAudio reports for the open stream.
  double output_latency_s() const;
  std::int64_t underflows() const { return underflows_.load(std::memory_order_relaxed); }
  std::int64_t samples_written() const { return next_sample_.load(std::memory_order_relaxed); }

  struct Device;  // PortAudio's side, kept out of this header

 private:
  friend struct Device;
  OutputRenderer& renderer_;
  int channels_;
  std::unique_ptr<Device> device_;
  std::string device_name_;
  std::atomic<std::int64_t> next_sample_{0}, underflows_{0};
};

}  // namespace statenet
