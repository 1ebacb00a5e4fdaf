#pragma once
// Live audio input through PortAudio, as an AudioSource. The device callback only stamps the
// arrival time (steady clock), copies its block into a preallocated wait-free queue
// (moodycamel::ReaderWriterQueue::try_enqueue, never allocates) and counts what it could not
// deliver: queue-full drops and the device's input-overflow flags. read() takes blocks off
// that queue on the consumer thread.
// Optionally full duplex: the same device stream also plays what an OutputRenderer writes
// (statenet's pulse line, a loop test's clicks), on the input's sample clock; and an InputTap
// sees every input block with all its channels (audio/duplex.h).
// [construction, start, stop: control thread; read: one consumer thread]

#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_source.h"
#include "audio/duplex.h"

namespace statenet {

struct AudioBlock {
  static constexpr int kMaxSamples = 1024;
  int num_samples = 0;
  std::int64_t arrival_ns = 0;  ///< steady clock when the callback received it
  float samples[kMaxSamples];
};

struct MicrophoneOptions {
  std::string device;             ///< name (exact or unique substring) or index; empty = default
  double sample_rate_hz = 48000;  ///< requested rate; the device must accept it
  int block_samples = 256;        ///< frames per callback (1 … AudioBlock::kMaxSamples)
  int queue_blocks = 512;         ///< blocks the queue holds before the callback drops
  int read_wait_us = 200;         ///< read(): poll interval while no block is waiting
  int read_timeout_ms = 20;       ///< read(): give up and return 0 after this long
  int input_channels = 1;         ///< captured; the stream reads channel 0, `tap` sees them all
  InputTap* tap = nullptr;        ///< called with every input block (outlives the microphone)
  int output_channels = 0;        ///< > 0: full duplex on the same device, played from `renderer`
  OutputRenderer* renderer = nullptr;  ///< required with output_channels (outlives the microphone)
  double suggested_latency_s = 0.0;    ///< 0 = the device's default low latency
};

class Microphone final : public AudioSource {
 public:
  /// Opens the device. Throws std::runtime_error naming the device (and, when it is not
  /// found, the devices there are); std::invalid_argument for bad options.
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
  const std::string& host_api() const { return host_api_; }
  std::int64_t blocks() const { return blocks_.load(std::memory_order_relaxed); }
  /// The latencies PortAudio reports for the open stream (output: 0 without output).
  double input_latency_s() const;
  double output_latency_s() const;
  /// The device's output-underflow flags (full duplex).
  std::int64_t output_underflows() const { return underflows_.load(std::memory_order_relaxed); }

  struct Device;  // PortAudio's side, kept out of this header

 private:
  friend struct Device;
  MicrophoneOptions options_;
  std::unique_ptr<Device> device_;
  std::string device_name_, host_api_, name_;
  std::int64_t next_sample_ = 0;  // the callback's sample clock
  double rate_hz_ = 0.0;
  moodycamel::ReaderWriterQueue<AudioBlock> queue_;
  AudioBlock staging_{};  // the callback's block under construction
  AudioBlock current_{};  // the consumer's block being read out
  int current_offset_ = 0;
  std::int64_t last_arrival_ns_ = 0;
  std::atomic<std::int64_t> blocks_{0}, dropped_{0}, overflows_{0}, underflows_{0};
};

}  // namespace statenet
