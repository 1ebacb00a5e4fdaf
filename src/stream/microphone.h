#pragma once
// Live audio input through PortAudio. The callback only stamps the arrival time (steady
// clock, read through the vDSO: no system call), copies its block into a preallocated
// moodycamel::ReaderWriterQueue with try_enqueue (wait-free, never allocates) and counts
// what it could not deliver: queue-full drops and PortAudio's input-overflow flags.
// [construction, start, stop: control thread; pop: one consumer thread]

#include <portaudio.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
  std::string device;            ///< name (exact or unique substring) or index; empty = default
  double sample_rate_hz = 48000;  ///< requested rate; the device must accept it
  int block_samples = 256;       ///< frames per callback (≤ AudioBlock::kMaxSamples)
  int queue_blocks = 512;        ///< blocks the queue holds before the callback drops
};

class Microphone {
 public:
  /// Opens the device (mono: channel 0). Throws std::runtime_error naming the device and,
  /// when it is not found, listing the devices there are.
  explicit Microphone(const MicrophoneOptions& options);
  ~Microphone();
  Microphone(const Microphone&) = delete;
  Microphone& operator=(const Microphone&) = delete;

  void start();
  void stop();
  /// Consumer thread: the oldest block, or false if none is waiting.
  bool pop(AudioBlock& block) { return queue_.try_dequeue(block); }

  const std::string& device_name() const { return device_name_; }
  double sample_rate_hz() const { return rate_hz_; }
  double input_latency_s() const;
  std::int64_t blocks() const { return blocks_.load(std::memory_order_relaxed); }
  std::int64_t dropped_blocks() const { return dropped_.load(std::memory_order_relaxed); }
  std::int64_t input_overflows() const { return overflows_.load(std::memory_order_relaxed); }

 private:
  static int callback(const void* input, void* output, unsigned long frames, const PaStreamCallbackTimeInfo* time,
                      PaStreamCallbackFlags flags, void* self) noexcept;

  std::shared_ptr<void> library_;  // keeps PortAudio initialised while the stream lives
  PaStream* stream_ = nullptr;
  int channels_ = 1;
  std::string device_name_;
  double rate_hz_ = 0.0;
  moodycamel::ReaderWriterQueue<AudioBlock> queue_;
  AudioBlock staging_{};  // the callback's block under construction
  std::atomic<std::int64_t> blocks_{0}, dropped_{0}, overflows_{0};
};

}  // namespace statenet
