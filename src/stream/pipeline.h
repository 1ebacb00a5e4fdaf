#pragma once
// The streaming pipeline as one object: sound → the model's own front end → one model step per
// cochleagram frame → sinks. `statenet stream` is a thin command over it; a closed-loop host,
// bindings or a test embed it the same way:
//
//   StreamPipelineOptions options;
//   options.model_path = "m.safetensors";
//   StreamPipeline pipeline(options);                               // opens the model and its front end
//   auto source = open_file_input("a.wav", pipeline.preset(), Pacing::kRealTime);  // stream/file_input.h
//   PredictionFileWriter csv("p.csv", pipeline.info(*source));                   // stream/prediction_writers.h
//   pipeline.add_sink(csv);
//   StreamSummary summary = pipeline.run(*source);                 // until the source ends or stop()
//
// Threads: run() starts a processing thread (source.read → front end → step engine, real-time
// safe: no allocation, lock or exception after start-up) and serves the sinks on the calling
// thread; the two share StreamProcessor's bounded queue of predictions. When the sinks lag, the
// queue fills and further predictions are dropped and counted (the model keeps stepping, so later
// predictions stay exact), or, for a source not paced in real time, the processing thread waits.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_buffer.h"
#include "audio/audio_source.h"
#include "cochlea/front_end.h"
#include "cochlea/presets.h"
#include "step/step_model.h"
#include "stream/prediction_sink.h"

namespace statenet {

// What the processing thread does when no sink has taken the oldest predictions yet.
enum class WhenSinksLag {
  kAuto,  ///< wait when the source is not paced (files as fast as possible), else drop
  kDrop,  ///< drop the prediction and count it
  kWait,  ///< wait for space: lossless, but the processing thread stalls with the sinks
};

struct StreamPipelineOptions {
  std::string model_path;          ///< an exported model (.safetensors); required
  int block_samples = 256;         ///< samples per read from the source (1 … kMaxBlockSamples)
  int queue_predictions = 8192;    ///< predictions that may wait for the sinks (≈ 41 s at 5 ms)
  WhenSinksLag when_sinks_lag = WhenSinksLag::kAuto;
  double max_seconds = 0.0;        ///< stop after this much audio; 0 = when the source ends or stop()
  bool record_input = false;       ///< keep the input as processed (recorded_input()); needs a
                                   ///< source of known length or max_seconds (sized up front)
  bool spikes = false;             ///< draw Poisson spikes from every frame's rates (Prediction::spikes)
  SpikeGeneratorOptions spike_options;  ///< seed, refractory period
};

class StreamPipeline {
 public:
  static constexpr int kMaxBlockSamples = 1024;
  /// A source's rate may differ from the front end's by this much (a device's integer rate).
  static constexpr double kRateToleranceHz = 0.5;
  /// How often sinks get progress() (about 30 redraws a second).
  static constexpr std::chrono::milliseconds kProgressPeriod{33};
  /// The longest the sink thread sleeps when no prediction is waiting (a published prediction
  /// wakes it at once).
  static constexpr std::chrono::milliseconds kIdleWait{2};

  /// Loads the model and builds its front end (front_end_for_model). Throws std::runtime_error
  /// "<model path>: …" for unreadable models and front ends this build cannot reproduce, and
  /// std::invalid_argument naming the option for bad options.
  explicit StreamPipeline(StreamPipelineOptions options);
  ~StreamPipeline();

  const ModelConfig& model_config() const { return model_->config(); }
  const CochleagramPreset& preset() const { return preset_; }
  /// The rate sources must deliver: the front end's.
  double sample_rate_hz() const { return front_end_->sample_rate_hz(); }
  double frame_period_s() const { return front_end_->hop_samples() / front_end_->sample_rate_hz(); }
  /// What sinks are told before the first prediction, for this source.
  StreamInfo info(const AudioSource& source) const;

  /// Sinks receive predictions in the order added. They must outlive run().
  void add_sink(PredictionSink& sink) { sinks_.push_back(&sink); }

  /// Streams `source` from a reset model and front end until the source ends, max_seconds of
  /// audio have passed or stop() is called; then ends every sink and returns the counts.
  /// Throws (after stopping the processing thread) what the source, the sinks or a bad
  /// source rate throw; sinks are not ended then. [one call at a time]
  StreamSummary run(AudioSource& source);
  /// Ends a running stream early. Any thread; async-signal-safe (one atomic store).
  void stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

  /// The input exactly as the processing thread received it (record_input).
  const AudioBuffer& recorded_input() const { return recorded_; }

 private:
  StreamPipelineOptions options_;
  std::unique_ptr<StepModel> model_;
  CochleagramPreset preset_;
  std::unique_ptr<FrontEnd> front_end_;
  DisplayRange display_;
  std::vector<PredictionSink*> sinks_;
  AudioBuffer recorded_;
  std::atomic<bool> stop_requested_{false};
};

static_assert(std::atomic<bool>::is_always_lock_free, "stop() must be async-signal-safe");

}  // namespace statenet
