#include "stream/prediction_writers.h"

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace statenet {
namespace {

bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string prediction_csv_header(const StreamInfo& info) {
  std::string h = "frame,time_s,latency_us";
  for (const std::string& name : info.unit_names) h += "," + name;
  return h + "\n";
}

std::string prediction_csv_row(const Prediction& p, int num_units, double frame_period_s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld,%.4f,%.2f", static_cast<long long>(p.frame), (p.frame + 1) * frame_period_s, p.latency_us);
  std::string row = buf;
  for (int u = 0; u < num_units; ++u) {
    std::snprintf(buf, sizeof buf, ",%.6g", p.rates[u]);
    row += buf;
  }
  return row + "\n";
}

void write_f32_sidecar(const std::string& f32_path, std::int64_t frames, int num_units, double frame_period_s) {
  std::ostringstream j;
  j << "{\"dtype\": \"float32\", \"shape\": [" << frames << ", " << num_units << "], \"dt_ms\": " << frame_period_s * 1e3
    << ", \"layout\": \"frame-major: rates[frame][unit]\"}\n";
  write_file_atomically(f32_path + ".json", j.str());
}

PredictionFileWriter::PredictionFileWriter(const std::string& path, const StreamInfo& info)
    : file_(path), binary_(has_suffix(path, ".f32")), units_(info.num_units), frame_period_s_(info.frame_period_s) {
  out_.open(file_.temp_path(), std::ios::binary);
  if (!out_) throw std::runtime_error(path + ": cannot write");
  if (!binary_) out_ << prediction_csv_header(info);
}

void PredictionFileWriter::consume(const Prediction& p) {
  if (binary_) out_.write(reinterpret_cast<const char*>(p.rates), static_cast<std::streamsize>(sizeof(float) * units_));
  else out_ << prediction_csv_row(p, units_, frame_period_s_);
  ++frames_;
}

void PredictionFileWriter::end(const StreamSummary&) {
  out_.close();
  if (!out_) throw std::runtime_error(file_.final_path() + ": write failed");
  file_.commit();
  if (binary_) write_f32_sidecar(file_.final_path(), frames_, units_, frame_period_s_);
}

void CsvStreamWriter::begin(const StreamInfo& info) {
  units_ = info.num_units;
  frame_period_s_ = info.frame_period_s;
  std::fputs(prediction_csv_header(info).c_str(), out_);
}

void CsvStreamWriter::consume(const Prediction& p) { std::fputs(prediction_csv_row(p, units_, frame_period_s_).c_str(), out_); }

SpikeFileWriter::SpikeFileWriter(const std::string& path, const StreamInfo& info)
    : file_(path), csv_(has_suffix(path, ".csv")), info_(info) {
  if (!info.spikes) throw std::invalid_argument(path + ": the stream draws no spikes (StreamPipelineOptions::spikes)");
  out_.open(file_.temp_path(), std::ios::binary);
  if (!out_) throw std::runtime_error(path + ": cannot write");
  if (csv_) out_ << "unit,unit_id,sample,time_s\n";
}

void SpikeFileWriter::consume(const Prediction& p) {
  for (int i = 0; i < p.num_spikes; ++i) {
    const Spike& s = p.spikes[i];
    if (csv_) {
      char row[160];
      std::snprintf(row, sizeof row, "%d,%s,%lld,%.9f\n", s.unit, info_.unit_names[s.unit].c_str(), static_cast<long long>(s.sample), s.time_s);
      out_ << row;
    } else {
      char record[20];
      std::memcpy(record, &s.unit, 4);
      std::memcpy(record + 4, &s.sample, 8);
      std::memcpy(record + 12, &s.time_s, 8);
      out_.write(record, sizeof record);
    }
  }
  spikes_ += p.num_spikes;
}

void SpikeFileWriter::end(const StreamSummary& summary) {
  out_.close();
  if (!out_) throw std::runtime_error(file_.final_path() + ": write failed");
  file_.commit();
  std::ostringstream j;
  j << "{\"format\": \"statenet-spikes\", \"version\": 1, \"records\": "
    << (csv_ ? "\"csv: unit,unit_id,sample,time_s\"" : "\"little-endian {int32 unit, int64 sample, float64 time_s}, 20 bytes\"")
    << ", \"spikes\": " << spikes_ << ", \"sample_rate_hz\": " << info_.sample_rate_hz << ", \"dt_ms\": " << info_.frame_period_s * 1e3
    << ", \"rate_conversion\": \"spikes/s = max(0, prediction)/dt (the model's target per bin as a count)\""
    << ", \"process\": \"inhomogeneous Poisson, rate constant within each bin\", \"seed\": " << info_.spike_options.seed
    << ", \"refractory_ms\": " << info_.spike_options.refractory_s * 1e3 << ", \"dropped_predictions\": " << summary.counts.dropped_predictions
    << ", \"spike_overflow\": " << summary.counts.spike_overflow << ", \"unit_ids\": [";
  for (std::size_t u = 0; u < info_.unit_names.size(); ++u) j << (u ? ", " : "") << "\"" << info_.unit_names[u] << "\"";
  j << "]}\n";
  write_file_atomically(file_.final_path() + ".json", j.str());
}

LatencyJsonWriter::LatencyJsonWriter(std::string path, std::string input_label)
    : path_(std::move(path)), input_label_(std::move(input_label)) {}

void LatencyJsonWriter::end(const StreamSummary& s) {
  std::ostringstream j;
  j << "{\"input\": \"" << input_label_ << "\", \"mode\": \"" << s.mode << "\", \"audio_s\": " << s.counts.audio_s << ", \"wall_s\": " << s.wall_s
    << ", \"frames\": " << s.counts.frames << ", \"dropped_predictions\": " << s.counts.dropped_predictions
    << ", \"dropped_input_blocks\": " << s.counts.dropped_input_blocks << ", \"input_overflows\": " << s.counts.input_overflows
    << ", \"non_finite_samples\": " << s.counts.non_finite_samples;
  for (const auto& [sink, dropped] : s.sink_drops) j << ", \"" << sink << "_dropped\": " << dropped;
  j << ", \"latency\": " << s.latency.to_json() << "}\n";
  write_file_atomically(path_, j.str());
}

}  // namespace statenet
