#pragma once
// Live audio input through PortAudio, as an AudioSource. The device callback only stamps the
// arrival time (steady clock), copies its block into a preallocated wait-free queue
// (moodycamel::ReaderWriterQueue::try_enqueue, never allocates) and counts what it could not
// deliver: queue-full drops and the device's input-overflow flags. read() takes blocks off
// that queue on the consumer thread.
// [construction, start, stop: control thread; read: one consumer thread]

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_source.h"

namespace statenet {

struct AudioBlock {
  static constexpr int kMaxSamples = 1024;
  int num_samples = 0;
  std::int64_t arrival_ns = 0;  ///< steady clock when the callback received it
  float samples[kMaxSamples];
};

struct InputDevice {
  int index = -1;
  std::string name, host_api;
  int max_input_channels = 0;
  double default_rate_hz = 0.0;
  bool is_default = false;
};

// Every device with an input; throws std::runtime_error when PortAudio cannot start.
std::vector<InputDevice> list_input_devices();
// "  0  pulse  (ALSA, 32 ch, 44100 Hz) [default]" lines for messages and `statenet devices`.
std::string describe_input_devices(const std::vector<InputDevice>& devices);

struct MicrophoneOptions {
  std::string device;             ///< name (exact or unique substring) or index; empty = default
  double sample_rate_hz = 48000;  ///< requested rate; the device must accept it
  int block_samples = 256;        ///< frames per callback (1 … AudioBlock::kMaxSamples)
  int queue_blocks = 512;         ///< blocks the queue holds before the callback drops
  int read_wait_us = 200;         ///< read(): poll interval while no block is waiting
  int read_timeout_ms = 20;       ///< read(): give up and return 0 after this long
};

class Microphone final : public AudioSource {
 public:
  /// Opens the device (mono: channel 0). Throws std::runtime_error naming the device and,
  /// when it is not found, listing the devices there are.
  explicit Microphone(const MicrophoneOptions& options);
  ~Microphone() override;
  Microphone(const Microphone&) = delete;
  Microphone& operator=(const Microphone&) = delete;

  double sample_rate_hz() const override { return rate_hz_; }
  const std::string& name() const override { return name_; }
  bool is_live() const override { return true; }
  void start() override;
  void stop() override;
  /// Waits up to read_timeout_ms for audio; 0 when none came. [consumer thread]
  std::size_t read(float* out, std::size_t max_samples) override;
  std::int64_t last_arrival_ns() const override { return last_arrival_ns_; }
  bool ended() const override { return false; }
  SourceHealth health() const override;

  const std::string& device_name() const { return device_name_; }
  std::int64_t blocks() const { return blocks_.load(std::memory_order_relaxed); }

  struct Device;  // PortAudio's side, kept out of this header

 private:
  friend struct Device;
  MicrophoneOptions options_;
  std::unique_ptr<Device> device_;
  std::string device_name_, name_;
  double rate_hz_ = 0.0;
  moodycamel::ReaderWriterQueue<AudioBlock> queue_;
  AudioBlock staging_{};  // the callback's block under construction
  AudioBlock current_{};  // the consumer's block being read out
  int current_offset_ = 0;
  std::int64_t last_arrival_ns_ = 0;
  std::atomic<std::int64_t> blocks_{0}, dropped_{0}, overflows_{0};
};

}  // namespace statenet
