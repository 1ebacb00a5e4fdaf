#include "stream/pipeline.h"

#include <cmath>
#include <exception>
#include <stdexcept>
#include <thread>

#include "stream/model_front_end.h"
#include "stream/stream_processor.h"

namespace statenet {
namespace {

[[noreturn]] void bad_option(const std::string& field, const std::string& what) {
  throw std::invalid_argument("stream option '" + field + "': " + what);
}

}  // namespace

StreamPipeline::StreamPipeline(StreamPipelineOptions options) : options_(std::move(options)) {
  const StreamPipelineOptions& o = options_;
  if (o.model_path.empty()) bad_option("model_path", "required");
  if (o.block_samples < 1 || o.block_samples > kMaxBlockSamples)
    bad_option("block_samples", std::to_string(o.block_samples) + ": expected 1–" + std::to_string(kMaxBlockSamples));
  if (o.queue_predictions < 1) bad_option("queue_predictions", std::to_string(o.queue_predictions) + ": expected at least 1");
  if (!(o.max_seconds >= 0) || !std::isfinite(o.max_seconds)) bad_option("max_seconds", "expected a finite number ≥ 0");
  model_ = load_step_model(o.model_path);
  preset_ = front_end_for_model(model_->config(), o.model_path);
  front_end_ = make_front_end(preset_);
  display_ = display_range(preset_);
}

StreamPipeline::~StreamPipeline() = default;

StreamInfo StreamPipeline::info(const AudioSource& source) const {
  const ModelConfig& c = model_->config();
  StreamInfo i;
  i.input = source.name();
  i.model = c.model_name();
  i.front_end = c.cochleagram;
  i.num_bands = c.num_bands;
  i.num_units = c.num_units;
  for (int u = 0; u < c.num_units; ++u)
    i.unit_names.push_back(u < static_cast<int>(c.unit_ids.size()) ? c.unit_ids[u] : "unit" + std::to_string(u));
  i.sample_rate_hz = sample_rate_hz();
  i.frame_period_s = frame_period_s();
  i.spikes = options_.spikes;
  i.spike_options = options_.spike_options;
  i.display_low = display_.low;
  i.display_high = display_.high;
  return i;
}

StreamSummary StreamPipeline::run(AudioSource& source) {
  const double fs = sample_rate_hz();
  // Devices take integer rates: a source within half a hertz (ns1's 48 828.125 Hz opened as
  // 48 828 Hz, 2.6 ppm) is analysed at the front end's nominal rate, as files with that header are.
  if (!(std::fabs(source.sample_rate_hz() - fs) <= kRateToleranceHz))
    throw std::runtime_error(source.name() + ": delivers " + std::to_string(source.sample_rate_hz()) + " Hz, the model's front end needs " +
                             std::to_string(fs) + " Hz");
  const std::int64_t max_samples = options_.max_seconds > 0 ? static_cast<std::int64_t>(options_.max_seconds * fs) : -1;
  // A source of known length that cannot close one frame would stream nothing and succeed.
  const std::int64_t first_frame_end = frame_end_sample(0, front_end_->hop_samples());
  const std::int64_t length = source.length_samples() >= 0 && max_samples >= 0 ? std::min(source.length_samples(), max_samples)
                                                                                : source.length_samples();
  if (length >= 0 && length < first_frame_end)
    throw std::runtime_error(source.name() + ": " + std::to_string(length) + " samples, too short for one frame (" +
                             std::to_string(first_frame_end) + " samples at " + std::to_string(static_cast<long>(fs)) + " Hz)");
  recorded_ = AudioBuffer{};
  recorded_.sample_rate_hz = fs;
  recorded_.origin = source.name();
  if (options_.record_input) {
    std::int64_t capacity = source.length_samples();
    if (max_samples >= 0) capacity = capacity < 0 ? max_samples : std::min(capacity, max_samples);
    if (capacity < 0) bad_option("record_input", source.name() + " has no known length: set max_seconds (the recording is sized up front)");
    recorded_.samples.reserve(static_cast<std::size_t>(capacity));
  }
  const bool wait = options_.when_sinks_lag == WhenSinksLag::kWait ||
                    (options_.when_sinks_lag == WhenSinksLag::kAuto && !source.is_paced());

  // Everything the processing thread touches is sized here.
  model_->reset();
  front_end_->reset();
  StreamProcessor processor(*front_end_, *model_, options_.queue_predictions, wait);
  if (options_.spikes) processor.generate_spikes(options_.spike_options);
  std::vector<float> block(static_cast<std::size_t>(options_.block_samples));
  std::atomic<std::int64_t> samples_in{0};
  std::atomic<bool> producer_done{false};
  std::exception_ptr producer_error;
  stop_requested_.store(false, std::memory_order_relaxed);

  const StreamInfo stream_info = info(source);
  for (PredictionSink* s : sinks_) s->begin(stream_info);
  source.start();
  const auto t0 = std::chrono::steady_clock::now();
  std::thread producer([&] {
    try {
      std::int64_t done = 0;
      while (!stop_requested_.load(std::memory_order_relaxed)) {
        std::size_t want = block.size();
        if (max_samples >= 0) {
          if (done >= max_samples) break;
          want = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(want), max_samples - done));
        }
        const std::size_t n = source.read(block.data(), want);
        if (n == 0) {
          if (source.ended()) break;
          continue;  // a live source had nothing yet
        }
        processor.process(block.data(), n, source.last_arrival_ns());
        if (options_.record_input) {  // within the reserved capacity: never reallocates
          const std::size_t room = recorded_.samples.capacity() - recorded_.samples.size();
          recorded_.samples.insert(recorded_.samples.end(), block.data(), block.data() + std::min(n, room));
        }
        done += static_cast<std::int64_t>(n);
        samples_in.store(done, std::memory_order_relaxed);
      }
    } catch (...) {
      producer_error = std::current_exception();
    }
    producer_done = true;
  });

  auto counts = [&](double last_latency_us) {
    StreamProgress p;
    const SourceHealth h = source.health();
    p.audio_s = samples_in.load(std::memory_order_relaxed) / fs;
    p.frames = processor.frames();
    p.last_latency_us = last_latency_us;
    p.dropped_predictions = processor.dropped_predictions();
    p.dropped_input_blocks = h.dropped_blocks;
    p.input_overflows = h.input_overflows;
    p.non_finite_samples = processor.non_finite_samples();
    p.spikes = processor.spikes();
    p.spike_overflow = processor.spike_overflow();
    return p;
  };
  double last_latency_us = 0.0;
  try {
    auto last_progress = std::chrono::steady_clock::now() - kProgressPeriod;
    Prediction p;
    while (true) {
      const bool done = producer_done.load();
      bool any = false;
      while (processor.pop(p)) {
        any = true;
        last_latency_us = p.latency_us;
        for (PredictionSink* s : sinks_) s->consume(p);
      }
      processor.release();
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress >= kProgressPeriod) {
        const StreamProgress progress = counts(last_latency_us);
        for (PredictionSink* s : sinks_) s->progress(progress);
        last_progress = now;
      }
      if (done && !any) break;
      if (!any) processor.wait_for_prediction(kIdleWait);
    }
  } catch (...) {
    // A sink failed: stop the processing thread, freeing queue slots it may be waiting for.
    stop();
    Prediction p;
    while (!producer_done.load()) {
      while (processor.pop(p)) {
      }
      processor.release();
      std::this_thread::sleep_for(kIdleWait);
    }
    producer.join();
    source.stop();
    throw;
  }
  producer.join();
  source.stop();
  if (producer_error) std::rethrow_exception(producer_error);

  StreamSummary summary;
  summary.counts = counts(last_latency_us);
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  summary.mode = source.is_live() ? "live" : (source.is_paced() ? "realtime" : "fast");
  summary.device_latency_s = source.health().device_latency_s;
  summary.window_s = front_end_->window_samples() / fs;
  summary.latency = processor.latency();
  for (PredictionSink* s : sinks_)
    if (!s->name().empty()) summary.sink_drops.emplace_back(s->name(), s->dropped());
  for (PredictionSink* s : sinks_) s->end(summary);
  return summary;
}

}  // namespace statenet
