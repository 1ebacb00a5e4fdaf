#pragma once
// Sinks that write predictions out: a file (.csv or raw .f32 with a JSON sidecar), CSV on a
// stream such as stdout, and the latency histogram as JSON. Files are written to a temporary
// file beside the destination and renamed over it at end(), so a failed or interrupted stream
// never leaves a half-written file.
//
// Formats (fixed; tests and users parse them):
//   .csv   "frame,time_s,latency_us,<unit names…>" then one row per prediction; time_s is the
//          end of the frame, (frame + 1)·dt
//   .f32   float32 little-endian, frame-major rates[frame][unit]; sidecar <path>.json:
//          {"dtype": "float32", "shape": [frames, units], "dt_ms": …, "layout": "frame-major: rates[frame][unit]"}

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "stream/prediction_sink.h"
#include "util/atomic_file.h"

namespace statenet {

std::string prediction_csv_header(const StreamInfo& info);
std::string prediction_csv_row(const Prediction& p, int num_units, double frame_period_s);
// Writes (atomically) the sidecar of an .f32 file of frames × units predictions.
void write_f32_sidecar(const std::string& f32_path, std::int64_t frames, int num_units, double frame_period_s);

// .csv or .f32 by the path's extension. Opens its temporary file at construction (so a path
// that cannot be written fails before streaming starts); commits at end().
class PredictionFileWriter final : public PredictionSink {
 public:
  PredictionFileWriter(const std::string& path, const StreamInfo& info);
  void consume(const Prediction& p) override;
  void end(const StreamSummary& summary) override;
  std::int64_t frames_written() const { return frames_; }

 private:
  AtomicFile file_;
  bool binary_;
  int units_;
  double frame_period_s_;
  std::ofstream out_;
  std::int64_t frames_ = 0;
};

// CSV rows on an already open stream (stdout), header at begin().
class CsvStreamWriter final : public PredictionSink {
 public:
  explicit CsvStreamWriter(std::FILE* out) : out_(out) {}
  void begin(const StreamInfo& info) override;
  void consume(const Prediction& p) override;

 private:
  std::FILE* out_;
  int units_ = 0;
  double frame_period_s_ = 0.0;
};

// The spikes of every prediction it receives: .csv ("unit,unit_id,sample,time_s" rows) or any
// other extension binary (little-endian records of int32 unit, int64 sample, float64 time_s;
// 20 bytes each, no padding); both with a sidecar <path>.json stating the record layout, the
// sample rate, how rates became spikes/s, the seed, the refractory period and the unit ids.
// Opens its temporary file at construction; commits at end(). Needs StreamInfo::spikes.
class SpikeFileWriter final : public PredictionSink {
 public:
  SpikeFileWriter(const std::string& path, const StreamInfo& info);
  void consume(const Prediction& p) override;
  void end(const StreamSummary& summary) override;
  std::int64_t spikes_written() const { return spikes_; }

 private:
  AtomicFile file_;
  bool csv_;
  StreamInfo info_;
  std::ofstream out_;
  std::int64_t spikes_ = 0;
};

// The summary's latency histogram and drop counts as JSON, at end():
// {"input", "mode", "audio_s", "wall_s", "frames", "dropped_predictions", "dropped_input_blocks",
//  "input_overflows", "non_finite_samples", "latency": LatencyHistogram::to_json()}
class LatencyJsonWriter final : public PredictionSink {
 public:
  /// `input_label`: what the JSON's "input" says (the command's --input).
  LatencyJsonWriter(std::string path, std::string input_label);
  void consume(const Prediction&) override {}
  void end(const StreamSummary& summary) override;

 private:
  std::string path_, input_label_;
};

}  // namespace statenet
