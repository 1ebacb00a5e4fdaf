#pragma once
// The "virtual electrode": every spike of a selected unit becomes a rectangular pulse on an
// audio output channel, `delay` samples after the spike's input sample, so that a rig records it
// on an analog input as it would a TTL from a real electrode.
//
// Where "delay after the spike" is measured (PulseClock):
//   kSample  output sample = spike's input sample + delay: exact when input and output are one
//            device stream (full duplex), where both count the same callbacks;
//   kHost    the pulse plays `delay` after the spike's time on the host's steady clock (the
//            arrival of its frame's last block, less the samples after the spike), placed on
//            the output's samples by the device's own play-time estimates, smoothed: for an
//            output on another device or clock; within about a millisecond.
//
// Two threads, one wait-free queue between them:
//   consume()  [the pipeline's sink thread]  turns each prediction's spikes into pulses and
//              enqueues them
//              (moodycamel::ReaderWriterQueue::try_enqueue: never blocks, never allocates; a
//              full queue drops the pulse and counts it);
//   render()   [the audio callback]  takes due pulses off the queue into a fixed table and
//              writes them into the output block. A pulse whose start has already been played
//              is late: it is written at once, shortened by nothing, and counted with its
//              lateness.
// Overlapping pulses on one channel merge (the line is high while any pulse is).

#include <readerwriterqueue/readerwriterqueue.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "audio/duplex.h"
#include "stream/prediction_sink.h"

namespace statenet {

enum class PulseClock { kSample, kHost };

struct PulseTrainOptions {
  PulseClock clock = PulseClock::kSample;
  double width_ms = 1.0;         ///< pulse length; default 1 ms (at least one sample)
  float amplitude = 0.8f;        ///< pulse height, full scale = 1; default 0.8
  double delay_ms = 20.0;        ///< spike time → pulse onset, fixed; default 20 ms
  int num_channels = 1;          ///< output channels of the device stream
  /// unit → output channel (−1: not sent); empty = every unit on channel 0.
  std::vector<int> channel_of_unit;
  int queue_pulses = 16384;      ///< pulses waiting for the audio callback before drops
};

// The delay that leaves no pulse late on a machine that keeps up: a spike can fall a whole hop
// before the sample that closes its frame, that sample waits for its block, the pulse must reach
// a callback that has not yet run (one more block), and an output on another clock renders its
// latency ahead (0 in full duplex); plus 5 ms for the computation and the threads' wake-ups.
double automatic_pulse_delay_ms(double hop_s, int block_samples, double sample_rate_hz, double other_clock_output_latency_s);

// --pulse-delay-ms: "auto" gives `automatic_ms`, else the text as milliseconds. Throws
// std::invalid_argument naming the text when it is neither, or is negative, NaN or infinite.
double parse_pulse_delay_ms(const std::string& text, double automatic_ms);

// "3:0,7:1" → unit 3 on channel 0, unit 7 on channel 1, every other unit not sent; "all:0" →
// every unit on channel 0. Throws std::invalid_argument naming the entry for bad text, units
// outside [0, num_units) and channels outside [0, num_channels).
std::vector<int> parse_unit_channel_map(const std::string& text, int num_units, int num_channels);

class PulseTrain final : public PredictionSink, public OutputRenderer {
 public:
  /// Throws std::invalid_argument naming the field for a non-positive width or rate, an
  /// amplitude outside (0, 1], a negative delay, or a map of the wrong size or channel.
  PulseTrain(const PulseTrainOptions& options, int num_units, double sample_rate_hz);

  // PredictionSink [sink thread]
  void consume(const Prediction& prediction) override;
  std::int64_t dropped() const override { return dropped_.load(std::memory_order_relaxed); }
  std::string name() const override { return "pulse-out"; }

  // OutputRenderer [audio callback]
  void render(float* interleaved, int frames, int channels, std::int64_t first_sample, std::int64_t first_play_ns) noexcept override;

  /// Sets the delay (ms, ≥ 0) once the output's latency is known. Before the stream starts.
  void set_delay_ms(double delay_ms);
  std::int64_t delay_samples() const { return delay_samples_; }
  int num_channels() const { return num_channels_; }
  int width_samples() const { return width_samples_; }
  std::int64_t scheduled() const { return scheduled_.load(std::memory_order_relaxed); }
  std::int64_t rendered() const { return rendered_.load(std::memory_order_relaxed); }
  std::int64_t late() const { return late_.load(std::memory_order_relaxed); }
  /// The most any late pulse was behind its time, in samples.
  std::int64_t max_lateness_samples() const { return max_lateness_.load(std::memory_order_relaxed); }
  /// Headroom: the least, over every pulse, of (its onset − the end of what the callback had
  /// already written when it was queued), in samples. The delay could be this much shorter
  /// with no pulse late (negative: some were late). INT64_MAX before the first pulse.
  std::int64_t min_slack_samples() const { return min_slack_.load(std::memory_order_relaxed); }

 private:
  struct Pulse {
    std::int64_t start = 0;  // onset: output sample (kSample), host steady-clock ns (kHost)
    std::int32_t channel = 0;
  };
  static constexpr int kMaxActive = 256;  // pulses being drawn or due within one block

  PulseClock clock_;
  float amplitude_;
  double sample_rate_hz_;
  // kHost: output sample − host time × rate, smoothed over callbacks (render() only).
  double sample_offset_ = 0.0;
  bool have_offset_ = false;
  int num_channels_;
  int width_samples_;
  std::int64_t delay_samples_;
  std::vector<int> channel_of_unit_;
  moodycamel::ReaderWriterQueue<Pulse> queue_;
  // The callback's own table of pulses taken off the queue and not yet finished.
  std::array<Pulse, kMaxActive> active_{};
  int num_active_ = 0;
  bool holding_ = false;  // a pulse taken off the queue that waits for room in the table
  Pulse held_{};
  std::atomic<std::int64_t> written_until_{0};  // end of the last block render() filled
  std::atomic<std::int64_t> played_until_ns_{0}; // kHost: when that block ends playing
  std::atomic<std::int64_t> scheduled_{0}, dropped_{0}, rendered_{0}, late_{0}, max_lateness_{0};
  std::atomic<std::int64_t> min_slack_{INT64_MAX};
};

}  // namespace statenet
