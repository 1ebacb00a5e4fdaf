// The stream pipeline in-process, with the committed NS1 model: a file or a generated input
// gives exactly the offline predictions (whole cochleagram, then the step engine); the file
// sinks hold exactly what the pipeline handed out; a lagging sink costs counted drops while
// the model keeps stepping; the processing thread allocates nothing once running; a model
// whose front end this build cannot reproduce is refused; failures stop cleanly.

#include "stream/pipeline.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "audio/test_signals.h"
#include "model_format/safetensors.h"
#include "stream/file_input.h"
#include "stream/prediction_writers.h"
#include "support/allocation_counter.h"
#include "support/offline_reference.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kModel = STATENET_DEMO_MODEL_PATH;
constexpr double kNs1RateHz = 48828.125;

// Keeps every prediction (frame index and rates).
class CollectingSink final : public PredictionSink {
 public:
  void begin(const StreamInfo& info) override {
    units = info.num_units;
    began = true;
  }
  void consume(const Prediction& p) override {
    frames.push_back(p.frame);
    end_samples.push_back(p.end_sample);
    rates.insert(rates.end(), p.rates, p.rates + units);
  }
  void end(const StreamSummary& s) override { ended_with_frames = s.counts.frames; }
  int units = 0;
  bool began = false;
  std::int64_t ended_with_frames = -1;
  std::vector<std::int64_t> frames, end_samples;
  std::vector<float> rates;
};

// Offline predictions and the sound they are for.
struct Reference {
  AudioBuffer audio = make_demo_sound(kNs1RateHz);
  std::vector<float> rates;
  int units = 0;
  std::int64_t frames() const { return static_cast<std::int64_t>(rates.size()) / units; }
};
const Reference& reference() {
  static const Reference r = [] {
    Reference ref;
    auto model = load_step_model(kModel);
    ref.rates = test::offline_rates(ref.audio, *model);
    ref.units = model->num_units();
    return ref;
  }();
  return r;
}

StreamPipelineOptions options() {
  StreamPipelineOptions o;
  o.model_path = kModel;
  return o;
}

TEST(StreamPipeline, aFileInputGivesExactlyTheOfflinePredictions) {
  const Reference& ref = reference();
  StreamPipeline pipeline(options());
  FileSource source(ref.audio, Pacing::kAsFastAsPossible);
  CollectingSink sink;
  pipeline.add_sink(sink);
  const StreamSummary s = pipeline.run(source);
  ASSERT_TRUE(sink.began);
  ASSERT_EQ(sink.rates.size(), ref.rates.size());
  const auto d = test::max_abs_diff(sink.rates.data(), ref.rates.data(), ref.rates.size());
  EXPECT_EQ(d.value, 0.0) << "largest difference " << d.value << " at frame " << d.index / ref.units;
  for (std::size_t i = 0; i < sink.frames.size(); ++i) ASSERT_EQ(sink.frames[i], static_cast<std::int64_t>(i));
  for (std::size_t i = 0; i < sink.end_samples.size(); ++i)  // NS1's fractional hop, exact halves rounded to even
    ASSERT_EQ(sink.end_samples[i], frame_end_sample(static_cast<std::int64_t>(i), 244.140625)) << "frame " << i;
  EXPECT_EQ(s.counts.frames, ref.frames());
  EXPECT_EQ(sink.ended_with_frames, ref.frames());
  EXPECT_EQ(s.counts.dropped_predictions, 0);
  EXPECT_EQ(s.mode, "fast");
  EXPECT_EQ(s.latency.count(), ref.frames());
  EXPECT_NEAR(s.counts.audio_s, ref.audio.duration_s(), 1e-9);

  // A second run of the same pipeline starts from a reset model and front end.
  FileSource replay(ref.audio, Pacing::kAsFastAsPossible);
  pipeline.run(replay);
  ASSERT_EQ(sink.rates.size(), 2 * ref.rates.size());
  EXPECT_EQ(test::max_abs_diff(sink.rates.data() + ref.rates.size(), ref.rates.data(), ref.rates.size()).value, 0.0);
}

// Generated audio, delivered like a live device: reads of odd sizes, sometimes nothing yet.
class GeneratedSource final : public AudioSource {
 public:
  explicit GeneratedSource(const AudioBuffer& audio) : audio_(audio) {}
  double sample_rate_hz() const override { return audio_.sample_rate_hz; }
  const std::string& name() const override { return name_; }
  bool is_live() const override { return true; }
  std::size_t read(float* out, std::size_t max_samples) override {
    if (++calls_ % 5 == 0) return 0;  // "nothing arrived yet"
    const std::size_t n = std::min({max_samples, static_cast<std::size_t>(37 + calls_ % 301), audio_.samples.size() - pos_});
    std::copy_n(audio_.samples.data() + pos_, n, out);
    pos_ += n;
    return n;
  }
  std::int64_t last_arrival_ns() const override { return steady_now_ns(); }
  bool ended() const override { return pos_ >= audio_.samples.size(); }

 private:
  const AudioBuffer& audio_;
  std::string name_ = "generated";
  std::size_t pos_ = 0;
  int calls_ = 0;
};

TEST(StreamPipeline, aGeneratedLiveInputInOddReadsGivesExactlyTheOfflinePredictions) {
  const Reference& ref = reference();
  StreamPipeline pipeline(options());
  GeneratedSource source(ref.audio);
  CollectingSink sink;
  pipeline.add_sink(sink);
  const StreamSummary s = pipeline.run(source);
  EXPECT_EQ(s.mode, "live");
  // Live input is never waited for: with a sink this quick nothing is dropped here, but the
  // check that counts is that what arrived is exact at its frame index.
  ASSERT_EQ(static_cast<std::int64_t>(sink.frames.size()) + s.counts.dropped_predictions, ref.frames());
  for (std::size_t k = 0; k < sink.frames.size(); ++k) {
    const std::int64_t t = sink.frames[k];
    const auto d = test::max_abs_diff(sink.rates.data() + k * ref.units, ref.rates.data() + t * ref.units, ref.units);
    ASSERT_EQ(d.value, 0.0) << "frame " << t << ", unit " << d.index;
  }
}

TEST(StreamPipeline, theFileSinksHoldExactlyWhatThePipelineHandedOut) {
  const Reference& ref = reference();
  const std::string dir = test::temp_dir();
  StreamPipeline pipeline(options());
  FileSource source(ref.audio, Pacing::kAsFastAsPossible);
  const StreamInfo info = pipeline.info(source);
  PredictionFileWriter csv(dir + "/p.csv", info), f32(dir + "/p.f32", info);
  LatencyJsonWriter latency(dir + "/lat.json", "demo");
  CollectingSink sink;
  for (PredictionSink* s : std::initializer_list<PredictionSink*>{&csv, &f32, &latency, &sink}) pipeline.add_sink(*s);
  pipeline.run(source);
  const std::size_t N = static_cast<std::size_t>(ref.units), T = sink.frames.size();
  ASSERT_EQ(T, static_cast<std::size_t>(ref.frames()));

  // .f32: the same floats, bit for bit; the sidecar gives the shape and dt.
  const std::string bytes = test::read_file(dir + "/p.f32");
  ASSERT_EQ(bytes.size(), sizeof(float) * T * N);
  std::vector<float> f32_values(T * N);
  std::memcpy(f32_values.data(), bytes.data(), bytes.size());
  EXPECT_EQ(test::max_abs_diff(f32_values.data(), sink.rates.data(), T * N).value, 0.0);
  EXPECT_EQ(test::read_file(dir + "/p.f32.json"), "{\"dtype\": \"float32\", \"shape\": [" + std::to_string(T) + ", " + std::to_string(N) +
                                            "], \"dt_ms\": 5, \"layout\": \"frame-major: rates[frame][unit]\"}\n");

  // .csv: the header names the units; each row is frame, time, latency, then each rate as %.6g.
  std::istringstream lines(test::read_file(dir + "/p.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line + "\n", prediction_csv_header(info));
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string cell;
    std::getline(cells, cell, ',');
    ASSERT_EQ(std::stoll(cell), sink.frames[rows]);
    std::getline(cells, cell, ',');
    EXPECT_NEAR(std::stod(cell), (rows + 1) * 0.005, 1e-4);
    std::getline(cells, cell, ',');  // latency
    for (std::size_t u = 0; u < N; ++u) {
      ASSERT_TRUE(std::getline(cells, cell, ',')) << "row " << rows << " has too few columns";
      char expected[32];
      std::snprintf(expected, sizeof expected, "%.6g", sink.rates[rows * N + u]);
      ASSERT_EQ(cell, expected) << "row " << rows << ", unit " << u;
    }
    ++rows;
  }
  EXPECT_EQ(rows, T);
  const std::string json = test::read_file(dir + "/lat.json");
  EXPECT_NE(json.find("\"input\": \"demo\", \"mode\": \"fast\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"frames\": " + std::to_string(T)), std::string::npos) << json;
}

// Sleeps on every prediction: far slower than the model (in the sanitizer builds too).
class SlowSink final : public PredictionSink {
 public:
  void begin(const StreamInfo& info) override { units = info.num_units; }
  void consume(const Prediction& p) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    frames.push_back(p.frame);
    rates.insert(rates.end(), p.rates, p.rates + units);
  }
  int units = 0;
  std::vector<std::int64_t> frames;
  std::vector<float> rates;
};

TEST(StreamPipeline, aLaggingSinkDropsCountedPredictionsWhileTheModelKeepsStepping) {
  const Reference& ref = reference();
  StreamPipelineOptions o = options();
  o.queue_predictions = 8;
  o.when_sinks_lag = WhenSinksLag::kDrop;
  StreamPipeline pipeline(o);
  FileSource source(ref.audio, Pacing::kAsFastAsPossible);
  SlowSink sink;
  pipeline.add_sink(sink);
  const StreamSummary s = pipeline.run(source);
  EXPECT_EQ(s.counts.frames, ref.frames()) << "the model must step through every frame";
  EXPECT_GT(s.counts.dropped_predictions, 0);
  EXPECT_EQ(static_cast<std::int64_t>(sink.frames.size()) + s.counts.dropped_predictions, ref.frames());
  EXPECT_EQ(s.latency.count(), ref.frames()) << "dropped frames are timed too";
  // What the sink did get is exact at its frame index: the state followed the audio.
  for (std::size_t k = 0; k < sink.frames.size(); ++k) {
    const std::int64_t t = sink.frames[k];
    ASSERT_TRUE(k == 0 || t > sink.frames[k - 1]);
    const auto d = test::max_abs_diff(sink.rates.data() + k * ref.units, ref.rates.data() + t * ref.units, ref.units);
    ASSERT_EQ(d.value, 0.0) << "frame " << t << ", unit " << d.index;
  }
  EXPECT_GE(sink.frames.size(), 8u) << "at least a queue's worth reaches the sink";

  // The same lagging sink with a source that is not paced: the pipeline waits (lossless).
  StreamPipelineOptions w = options();
  w.queue_predictions = 8;
  StreamPipeline waiting(w);
  FileSource fast(ref.audio, Pacing::kAsFastAsPossible, static_cast<std::int64_t>(kNs1RateHz / 4));
  SlowSink all;
  waiting.add_sink(all);
  const StreamSummary ws = waiting.run(fast);
  EXPECT_EQ(ws.counts.dropped_predictions, 0);
  EXPECT_EQ(static_cast<std::int64_t>(all.frames.size()), ws.counts.frames);
}

// Wraps a source and counts the processing thread's allocations from the end of its first
// read to its last: everything the pipeline does per block and per frame in between.
class AllocationCountingSource final : public AudioSource {
 public:
  explicit AllocationCountingSource(AudioSource& inner) : inner_(inner) {}
  double sample_rate_hz() const override { return inner_.sample_rate_hz(); }
  const std::string& name() const override { return inner_.name(); }
  std::int64_t length_samples() const override { return inner_.length_samples(); }
  std::size_t read(float* out, std::size_t max_samples) override {
    if (counting_) allocations += test::stop_counting_allocations();
    const std::size_t n = inner_.read(out, max_samples);
    ++reads;
    counting_ = n > 0;
    if (counting_) test::start_counting_allocations();
    return n;
  }
  std::int64_t last_arrival_ns() const override { return inner_.last_arrival_ns(); }
  bool ended() const override { return inner_.ended(); }
  long allocations = 0;
  int reads = 0;

 private:
  AudioSource& inner_;
  bool counting_ = false;
};

TEST(StreamPipeline, theProcessingThreadAllocatesNothingPerBlockOrFrame) {
  const Reference& ref = reference();
  StreamPipelineOptions o = options();
  o.record_input = true;  // the recording path runs on that thread too
  o.spikes = true;        // and the spike generator
  o.block_samples = 97;
  StreamPipeline pipeline(o);
  FileSource file(ref.audio, Pacing::kAsFastAsPossible);
  AllocationCountingSource source(file);
  CollectingSink sink;
  pipeline.add_sink(sink);
  const StreamSummary s = pipeline.run(source);
  EXPECT_GT(source.reads, 1000);
  EXPECT_EQ(s.counts.frames, ref.frames());
  EXPECT_EQ(source.allocations, 0) << "over " << source.reads << " blocks and " << s.counts.frames << " frames";
  ASSERT_EQ(pipeline.recorded_input().samples.size(), ref.audio.samples.size());
  EXPECT_EQ(test::max_abs_diff(pipeline.recorded_input().samples.data(), ref.audio.samples.data(), ref.audio.samples.size()).value, 0.0);
}

// A copy of the committed model whose recorded front end is `cochleagram`.
std::string model_with_front_end(const std::string& dir, const std::string& cochleagram) {
  SafetensorsFile f = read_safetensors(kModel);
  ModelConfig c = ModelConfig::from_json(f.metadata.at("config"));
  c.cochleagram = cochleagram;
  f.metadata["config"] = c.to_json();
  const std::string path = dir + "/altered.safetensors";
  write_safetensors(path, f);
  return path;
}

TEST(StreamPipeline, aModelWhoseFrontEndThisBuildCannotReproduceIsRefused) {
  const std::string dir = test::temp_dir();
  auto expect_refused = [&](const std::string& cochleagram, const std::string& needle) {
    StreamPipelineOptions o = options();
    o.model_path = model_with_front_end(dir, cochleagram);
    try {
      StreamPipeline p(o);
      ADD_FAILURE() << "accepted a model recorded with '" << cochleagram << "'";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(o.model_path), std::string::npos) << e.what();
    }
  };
  const std::string recorded = ModelConfig::from_json(read_safetensors(kModel).metadata.at("config")).cochleagram;
  expect_refused(recorded + " changed", "but this build's preset gives");
  expect_refused("nosuch: stft", "is no preset of this build");
  expect_refused(front_end_description("gammatone64", *make_front_end(cochleagram_preset("gammatone64"))),
                 "the model expects F = 34 bands, preset 'gammatone64' has 64");
}

// A never-ending live source (silence, paced).
class EndlessSource final : public AudioSource {
 public:
  double sample_rate_hz() const override { return kNs1RateHz; }
  const std::string& name() const override { return name_; }
  bool is_live() const override { return true; }
  std::size_t read(float* out, std::size_t max_samples) override {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    std::fill_n(out, max_samples, 0.0f);
    return max_samples;
  }
  std::int64_t last_arrival_ns() const override { return steady_now_ns(); }
  bool ended() const override { return false; }

 private:
  std::string name_ = "endless";
};

// Calls stop() (as a signal handler would) once it has seen `after` predictions.
class StoppingSink final : public PredictionSink {
 public:
  StoppingSink(StreamPipeline& p, int after) : pipeline_(p), after_(after) {}
  void consume(const Prediction&) override {
    if (++seen == after_) pipeline_.stop();
  }
  int seen = 0;

 private:
  StreamPipeline& pipeline_;
  int after_;
};

TEST(StreamPipeline, stopEndsALiveStreamAndMaxSecondsEndsItExactly) {
  StreamPipeline pipeline(options());
  EndlessSource endless;
  StoppingSink stopper(pipeline, 50);
  pipeline.add_sink(stopper);
  const StreamSummary s = pipeline.run(endless);
  EXPECT_GE(s.counts.frames, 50);

  StreamPipelineOptions o = options();
  o.max_seconds = 0.5;
  o.record_input = true;  // sized by max_seconds: the source has no length
  StreamPipeline capped(o);
  EndlessSource endless2;
  const StreamSummary c = capped.run(endless2);
  EXPECT_EQ(capped.recorded_input().samples.size(), static_cast<std::size_t>(0.5 * kNs1RateHz));
  EXPECT_NEAR(c.counts.audio_s, 0.5, 1.0 / kNs1RateHz);
}

class ThrowingSink final : public PredictionSink {
 public:
  void consume(const Prediction& p) override {
    if (p.frame == 20) throw std::runtime_error("sink failed at frame 20");
  }
};

TEST(StreamPipeline, badOptionsAndFailuresEndWithOneClearError) {
  auto error_of = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  StreamPipelineOptions o = options();
  o.block_samples = 0;
  EXPECT_EQ(error_of([&] { StreamPipeline p(o); }), "stream option 'block_samples': 0: expected 1–1024");
  o = options();
  o.model_path = "/nonexistent/m.safetensors";
  EXPECT_NE(error_of([&] { StreamPipeline p(o); }).find("/nonexistent/m.safetensors"), std::string::npos);

  StreamPipeline pipeline(options());
  AudioBuffer wrong = make_demo_sound(44100.0);
  FileSource at_44k(wrong, Pacing::kAsFastAsPossible, -1, "a 44.1-kHz sound");
  EXPECT_EQ(error_of([&] { pipeline.run(at_44k); }).rfind("a 44.1-kHz sound: delivers 44100", 0), 0u);

  StreamPipelineOptions rec = options();
  rec.record_input = true;
  StreamPipeline recording(rec);
  EndlessSource endless;
  EXPECT_NE(error_of([&] { recording.run(endless); }).find("has no known length"), std::string::npos);

  // A failing sink while the processing thread waits for it (lossless mode): run() stops the
  // thread and rethrows instead of hanging.
  StreamPipelineOptions small = options();
  small.queue_predictions = 4;
  StreamPipeline failing(small);
  ThrowingSink thrower;
  failing.add_sink(thrower);
  FileSource file(reference().audio, Pacing::kAsFastAsPossible);
  EXPECT_EQ(error_of([&] { failing.run(file); }), "sink failed at frame 20");
}

}  // namespace
}  // namespace statenet

namespace statenet {
namespace {

// The pipeline's spikes are the generator's on the offline rates, frame for frame (the same
// seed, rates and bin edges), and the spike file holds exactly what the sinks received.
TEST(StreamPipeline, spikesAreTheGeneratorsOnTheOfflineRatesAndTheFileHoldsThem) {
  const Reference& ref = reference();
  const std::string dir = test::temp_dir();
  StreamPipelineOptions o = options();
  o.spikes = true;
  o.spike_options.seed = 11;
  o.spike_options.refractory_s = 0.001;
  StreamPipeline pipeline(o);
  FileSource source(ref.audio, Pacing::kAsFastAsPossible);
  const StreamInfo info = pipeline.info(source);
  SpikeFileWriter csv(dir + "/s.csv", info), bin(dir + "/s.bin", info);
  struct Keep final : PredictionSink {
    std::vector<Spike> spikes;
    void consume(const Prediction& p) override { spikes.insert(spikes.end(), p.spikes, p.spikes + p.num_spikes); }
  } keep;
  for (PredictionSink* s : std::initializer_list<PredictionSink*>{&csv, &bin, &keep}) pipeline.add_sink(*s);
  const StreamSummary s = pipeline.run(source);
  ASSERT_GT(keep.spikes.size(), 100u);
  EXPECT_EQ(s.counts.spikes, static_cast<std::int64_t>(keep.spikes.size()));

  // Offline: the same generator over the offline rates, bins [e_{t−1}, e_t) of the ns1 hop.
  SpikeGenerator g(ref.units, o.spike_options);
  std::vector<Spike> frame(g.capacity()), expected;
  std::vector<float> hz(ref.units);
  const double fs = kNs1RateHz, hop = 244.140625;
  for (std::int64_t t = 0; t < ref.frames(); ++t) {
    for (int u = 0; u < ref.units; ++u) hz[u] = ref.rates[t * ref.units + u] * static_cast<float>(fs / hop);
    const int n = g.process(hz.data(), t > 0 ? frame_end_sample(t - 1, hop) / fs : 0.0, frame_end_sample(t, hop) / fs, fs, frame.data());
    expected.insert(expected.end(), frame.begin(), frame.begin() + n);
  }
  ASSERT_EQ(keep.spikes.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(keep.spikes[i].unit, expected[i].unit) << "spike " << i;
    ASSERT_EQ(keep.spikes[i].time_s, expected[i].time_s) << "spike " << i;
    ASSERT_EQ(keep.spikes[i].sample, expected[i].sample) << "spike " << i;
  }
  // The binary file: 20-byte records, bit for bit.
  const std::string bytes = test::read_file(dir + "/s.bin");
  ASSERT_EQ(bytes.size(), 20 * expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    std::int32_t unit;
    std::int64_t sample;
    double time_s;
    std::memcpy(&unit, bytes.data() + 20 * i, 4);
    std::memcpy(&sample, bytes.data() + 20 * i + 4, 8);
    std::memcpy(&time_s, bytes.data() + 20 * i + 12, 8);
    ASSERT_EQ(unit, expected[i].unit);
    ASSERT_EQ(sample, expected[i].sample);
    ASSERT_EQ(time_s, expected[i].time_s);
  }
  // The CSV: header, one row per spike naming the unit; the sidecar states the conversion.
  std::istringstream lines(test::read_file(dir + "/s.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "unit,unit_id,sample,time_s");
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    if (rows == 0) {
      EXPECT_EQ(line.rfind(std::to_string(expected[0].unit) + "," + info.unit_names[expected[0].unit] + ",", 0), 0u) << line;
    }
    ++rows;
  }
  EXPECT_EQ(rows, expected.size());
  const std::string sidecar = test::read_file(dir + "/s.csv.json");
  EXPECT_NE(sidecar.find("\"rate_conversion\": \"spikes/s = max(0, prediction)/dt"), std::string::npos) << sidecar;
  EXPECT_NE(sidecar.find("\"seed\": 11"), std::string::npos) << sidecar;
  EXPECT_NE(sidecar.find("\"refractory_ms\": 1"), std::string::npos) << sidecar;
}

}  // namespace
}  // namespace statenet
