#pragma once
// The processing-thread core of the stream pipeline (stream/pipeline.h): audio blocks → the model's front end →
// one model step per cochleagram frame → a bounded queue of predictions for a consumer
// thread (file writers, terminal view). Latency of a frame = time from the arrival of the
// block holding the hop's last sample to the prediction being ready.
//
// Threads: process() on exactly one producer thread, pop()/release() on exactly one consumer
// thread; counters are read by anyone. process() is noexcept and allocation-free; when
// the consumer lags, a full queue drops the prediction and counts it (real-time mode) or
// waits for space (as-fast-as-possible mode, wait_when_full).

#include <readerwriterqueue/readerwriterqueue.h>

#include <semaphore.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "cochlea/front_end.h"
#include "step/step_model.h"
#include "stream/latency_histogram.h"
#include "stream/prediction_sink.h"

namespace statenet {

class StreamProcessor final : public FrameSink {
 public:
  /// Samples copied (and checked for non-finite values) per pass through the front end.
  static constexpr std::size_t kScratchSamples = 4096;

  /// `capacity` predictions may wait for the consumer. front_end and model must outlive this.
  StreamProcessor(FrontEnd& front_end, StepModel& model, int capacity, bool wait_when_full);
  ~StreamProcessor();
  StreamProcessor(const StreamProcessor&) = delete;
  StreamProcessor& operator=(const StreamProcessor&) = delete;
  /// Also draws spikes from every frame's rates (max(0, r)/dt spikes/s; dropped frames too, so
  /// the spike trains do not depend on the consumer). Call before the first process().
  void generate_spikes(const SpikeGeneratorOptions& options);

  /// Producer thread: feeds n samples whose last one arrived at `arrival_ns` (steady clock,
  /// ns). Non-finite samples are replaced by 0 and counted. [RT unless wait_when_full]
  void process(const float* samples, std::size_t n, std::int64_t arrival_ns) noexcept;

  /// Consumer thread: the oldest waiting prediction, valid until release(); false if none.
  bool pop(Prediction& out);
  /// Consumer thread: sleeps until a prediction is published or `timeout` has passed. The
  /// processing thread wakes it with sem_post (no allocation, no lock, never blocks).
  void wait_for_prediction(std::chrono::microseconds timeout);
  void release();

  int num_bands() const { return bands_; }
  int num_units() const { return units_; }
  std::int64_t frames() const { return frames_.load(std::memory_order_relaxed); }
  std::int64_t dropped_predictions() const { return dropped_.load(std::memory_order_relaxed); }
  std::int64_t non_finite_samples() const { return non_finite_.load(std::memory_order_relaxed); }
  std::int64_t spikes() const { return spikes_.load(std::memory_order_relaxed); }
  std::int64_t spike_overflow() const { return spike_overflow_.load(std::memory_order_relaxed); }
  /// Per-frame latencies; read it once the producer has stopped.
  const LatencyHistogram& latency() const { return latency_; }

 private:
  void on_frame(std::int64_t frame_index, const float* bands) noexcept override;

  FrontEnd& front_end_;
  StepModel& model_;
  int bands_, units_;
  bool wait_when_full_;
  std::int64_t arrival_ns_ = 0;
  std::vector<float> slots_;  // capacity × (F + N)
  std::vector<std::int64_t> slot_frame_, slot_latency_ns_, slot_arrival_ns_;
  moodycamel::ReaderWriterQueue<int> free_, filled_;
  int held_ = -1;  // the slot the consumer holds
  sem_t published_;  // posted once per published prediction
  std::vector<float> scratch_, dropped_rates_;  // a block of audio; the rates of a dropped frame
  LatencyHistogram latency_;
  std::atomic<std::int64_t> frames_{0}, dropped_{0}, non_finite_{0}, spikes_{0}, spike_overflow_{0};
  // Spikes (generate_spikes): the generator, rates in Hz, per slot capacity() spikes and a count.
  std::unique_ptr<SpikeGenerator> spike_generator_;
  std::vector<float> rates_hz_;
  std::vector<Spike> slot_spikes_, dropped_spikes_;
  std::vector<int> slot_num_spikes_;
  int spikes_per_slot_ = 0;
};

}  // namespace statenet
