#pragma once
// What a stream pipeline hands its outputs: each prediction, a periodic progress report for
// live displays, and the summary once the stream has ended. Sinks run on the pipeline's
// consumer thread (the one that called StreamPipeline::run), never on the processing thread,
// so they may block, allocate and write files; a sink that lags only makes the pipeline drop
// (or, in lossless mode, wait for) predictions.

#include <cstdint>
#include <string>
#include <vector>

#include "stream/latency_histogram.h"
#include "stream/spike_generator.h"

namespace statenet {

// One model step's output, valid only during the call that receives it.
struct Prediction {
  std::int64_t frame = 0;        ///< frame index since the start of the stream
  std::int64_t end_sample = 0;   ///< the input sample index that closed the frame (exclusive)
  double latency_us = 0.0;       ///< arrival of the hop's last sample → prediction ready
  std::int64_t arrival_ns = 0;   ///< steady clock: arrival of the block holding the frame's last sample
  const float* bands = nullptr;  ///< F cochleagram values of the frame
  const float* rates = nullptr;  ///< N predicted responses
  const Spike* spikes = nullptr; ///< this frame's spikes in time order (when the pipeline generates them)
  int num_spikes = 0;
};

// What a stream is, fixed before the first prediction.
struct StreamInfo {
  std::string input;               ///< "built-in demo sound", a path, "microphone 'name'"
  std::string model;               ///< e.g. "statenet-gru"
  std::string front_end;           ///< the front end's recorded description
  int num_bands = 0;               ///< F
  int num_units = 0;               ///< N
  std::vector<std::string> unit_names;  ///< N names (the dataset's unit ids, else "unit<k>")
  double sample_rate_hz = 0.0;     ///< of the audio the front end analyses
  double frame_period_s = 0.0;     ///< dt: the front end's hop
  bool spikes = false;             ///< predictions carry spikes (rates → spikes/s: max(0, r)/dt)
  SpikeGeneratorOptions spike_options;
  float display_low = 0.0f;        ///< cochleagram values for the darkest and brightest colour
  float display_high = 0.0f;       ///< (the front end's compression: its floor, a full-scale tone)
};

// Counters of a running or finished stream.
struct StreamProgress {
  double audio_s = 0.0;                  ///< audio processed
  std::int64_t frames = 0;               ///< model steps
  double last_latency_us = 0.0;          ///< of the latest prediction a sink received
  std::int64_t dropped_predictions = 0;  ///< steps whose output no sink saw (queue full)
  std::int64_t dropped_input_blocks = 0; ///< live input the source could not queue
  std::int64_t input_overflows = 0;      ///< the audio device's own overflow flags
  std::int64_t non_finite_samples = 0;   ///< non-finite or beyond ±10⁴ (kMaxAbsSample): replaced by 0
  std::int64_t spikes = 0;               ///< generated (dropped predictions' spikes included)
  std::int64_t spike_overflow = 0;       ///< spikes beyond a unit's per-frame maximum
};

struct StreamSummary {
  StreamProgress counts;
  double wall_s = 0.0;
  std::string mode;                  ///< "live", "realtime" (paced file) or "fast"
  double device_latency_s = 0.0;     ///< the audio device's own input latency (live input)
  double window_s = 0.0;             ///< the front end's analysis window
  LatencyHistogram latency;          ///< every frame's latency, dropped ones included
  std::vector<std::pair<std::string, std::int64_t>> sink_drops;  ///< named sinks' dropped()
};

class PredictionSink {
 public:
  virtual ~PredictionSink() = default;
  /// Before the first prediction.
  virtual void begin(const StreamInfo& info) {}
  virtual void consume(const Prediction& prediction) = 0;
  /// About every StreamPipeline::kProgressPeriod while the stream runs.
  virtual void progress(const StreamProgress& progress) {}
  /// After the last prediction, when the stream ended without error: files are committed
  /// here. When the stream fails, end() is not called and the sink's destructor cleans up.
  virtual void end(const StreamSummary& summary) {}
  /// What this sink could not deliver (a network peer that fell behind), for the summary.
  virtual std::int64_t dropped() const { return 0; }
  virtual std::string name() const { return {}; }
};

}  // namespace statenet
