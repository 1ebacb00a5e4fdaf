// The streaming pipeline: StreamProcessor equals offline processing (cochleagram, then the
// step engine frame by frame) for any block size; a lagging consumer makes counted drops,
// never a different model state; the latency histogram's quantiles; `statenet stream`
// errors. (The real capture through PulseAudio: capture_test.cpp.)

#include "stream/stream_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include <thread>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "stream/latency_histogram.h"
#include "step/step_model.h"
#include "support/offline_reference.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kModel = STATENET_DEMO_MODEL_PATH;

using test::offline_rates;

TEST(StreamProcessor, equalsOfflineProcessingForAnyBlockSize) {
  auto model = load_step_model(kModel);
  const AudioBuffer audio = make_demo_sound(48828.125);
  const std::vector<float> ref = offline_rates(audio, *model);
  const int N = model->num_units();
  for (std::size_t block : {1, 97, 256, 4096}) {
    SCOPED_TRACE("block " + std::to_string(block));
    model->reset();
    auto fe = make_front_end(cochleagram_preset("ns1"));
    StreamProcessor p(*fe, *model, 1024, /*wait_when_full=*/false);
    std::vector<float> got;
    Prediction pr;
    std::int64_t expected_frame = 0;
    for (std::size_t i = 0; i < audio.samples.size(); i += block) {
      p.process(audio.samples.data() + i, std::min(block, audio.samples.size() - i), 0);
      while (p.pop(pr)) {
        ASSERT_EQ(pr.frame, expected_frame++);
        got.insert(got.end(), pr.rates, pr.rates + N);
      }
    }
    ASSERT_EQ(got.size(), ref.size());
    const auto d = test::max_abs_diff(got.data(), ref.data(), got.size());
    EXPECT_EQ(d.value, 0.0) << "largest difference " << d.value << " at frame " << d.index / N;
    EXPECT_EQ(p.dropped_predictions(), 0);
    EXPECT_EQ(p.latency().count(), static_cast<std::int64_t>(ref.size() / N));
  }
}

TEST(StreamProcessor, aLaggingConsumerDropsCountedPredictionsButTheModelKeepsUp) {
  auto model = load_step_model(kModel);
  const AudioBuffer audio = make_demo_sound(48828.125);
  const std::vector<float> ref = offline_rates(audio, *model);
  const int N = model->num_units();
  model->reset();
  auto fe = make_front_end(cochleagram_preset("ns1"));
  StreamProcessor p(*fe, *model, 16, /*wait_when_full=*/false);
  p.process(audio.samples.data(), audio.samples.size(), 0);  // nobody reads meanwhile
  const std::int64_t frames = static_cast<std::int64_t>(ref.size() / N);
  EXPECT_EQ(p.frames(), frames);
  EXPECT_EQ(p.dropped_predictions(), frames - 16);
  Prediction pr;
  int kept = 0;
  while (p.pop(pr)) ++kept;
  EXPECT_EQ(kept, 16);
  // Later predictions are still exact: the model stepped through the dropped frames.
  p.process(std::vector<float>(48828, 0.0f).data(), 48828, 0);
  ASSERT_TRUE(p.pop(pr));
  EXPECT_EQ(pr.frame, frames);
}

TEST(StreamProcessor, nonFiniteSamplesAreZeroedAndCounted) {
  auto model = load_step_model(kModel);
  auto fe = make_front_end(cochleagram_preset("ns1"));
  StreamProcessor p(*fe, *model, 64, false);
  std::vector<float> x(1000, 0.1f);
  x[10] = NAN;
  x[20] = INFINITY;
  p.process(x.data(), x.size(), 0);
  EXPECT_EQ(p.non_finite_samples(), 2);
  Prediction pr;
  while (p.pop(pr))
    for (int u = 0; u < model->num_units(); ++u) ASSERT_TRUE(std::isfinite(pr.rates[u]));
}

TEST(LatencyHistogram, quantilesAreWithinOneBinOfTheExactOnes) {
  LatencyHistogram h;
  for (int i = 1; i <= 10000; ++i) h.record(i * 100);  // 0.1 µs … 1 ms, uniform
  EXPECT_EQ(h.count(), 10000);
  EXPECT_EQ(h.max_ns(), 1000000);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = q * 1e6;
    EXPECT_GE(h.quantile_ns(q), exact * 0.999) << q;
    EXPECT_LE(h.quantile_ns(q), exact * 1.045) << q;  // 16 bins per octave: 4.4 %
  }
  EXPECT_NEAR(h.mean_ns(), 500050.0, 1e-6);
  EXPECT_NE(h.to_json().find("\"p99_us\": "), std::string::npos);
}

// ------------------------------------------------------------------- the command

TEST(StreamCli, fileInputMatchesOfflineProcessingAndWritesOutputs) {
  const std::string dir = test::temp_dir();
  AudioBuffer audio = make_demo_sound(48828.125);
  write_wav_float(dir + "/s.wav", audio);
  const auto r = test::run_command(std::string(STATENET_BINARY) + " stream -i " + dir + "/s.wav --fast --view off -o " + dir +
                                   "/p.f32 --latency-json " + dir + "/lat.json --record " + dir + "/rec.wav");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("latency (hop's last sample → prediction): p50"), std::string::npos) << r.output;
  // --record keeps the input exactly as processed: here, the file itself.
  const AudioBuffer recorded = read_audio_file(dir + "/rec.wav");
  ASSERT_EQ(recorded.samples.size(), audio.samples.size());
  EXPECT_EQ(test::max_abs_diff(recorded.samples.data(), audio.samples.data(), audio.samples.size()).value, 0.0);
  auto model = load_step_model(kModel);
  const std::vector<float> ref = offline_rates(audio, *model);
  std::ifstream f(dir + "/p.f32", std::ios::binary);
  std::vector<float> got(ref.size() + 1);
  f.read(reinterpret_cast<char*>(got.data()), sizeof(float) * got.size());
  ASSERT_EQ(static_cast<std::size_t>(f.gcount()), sizeof(float) * ref.size());
  got.pop_back();
  EXPECT_EQ(test::max_abs_diff(got.data(), ref.data(), ref.size()).value, 0.0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/p.f32.json"));
  std::ifstream j(dir + "/lat.json");
  std::stringstream js;
  js << j.rdbuf();
  EXPECT_NE(js.str().find("\"dropped_predictions\": 0"), std::string::npos) << js.str();
}

TEST(StreamCli, dashOutputWritesCsvThroughToStdout) {
  // -o - writes the CSV rows to stdout as they come (nothing renamed over stdout); the summary
  // goes to stderr.
  const std::string dir = test::temp_dir();
  write_wav_float(dir + "/s.wav", make_demo_sound(48828.125));
  const auto r = test::run_command("(" + std::string(STATENET_BINARY) + " stream -i " + dir + "/s.wav --fast --view off -o - > " + dir +
                                   "/out.csv)");  // the subshell's stderr is what run_command captures
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("latency (hop's last sample"), std::string::npos) << "the summary is on stderr: " << r.output;
  std::ifstream csv(dir + "/out.csv");
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line.rfind("frame,time_s,latency_us,", 0), 0u) << line;
  long long rows = 0;
  while (std::getline(csv, line)) {
    ASSERT_EQ(line.substr(0, line.find(',')), std::to_string(rows)) << "row " << rows;
    ++rows;
  }
  EXPECT_EQ(rows, 600) << "3 s at 5 ms";
  EXPECT_FALSE(std::filesystem::exists(dir + "/-"));
}

TEST(StreamCli, spikesWithTheSameSeedAreTheSameFile) {
  const std::string dir = test::temp_dir();
  const std::string bin = STATENET_BINARY;
  auto run = [&](const std::string& name, int seed) {
    const auto r = test::run_command(bin + " stream --fast --view off --seconds 2 --spikes " + dir + "/" + name + " --seed " +
                                     std::to_string(seed) + " --refractory-ms 2");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("(seed " + std::to_string(seed) + ", refractory 2.00 ms"), std::string::npos) << r.output;
    return test::read_file(dir + "/" + name);
  };
  const std::string a = run("a.csv", 3), b = run("b.csv", 3), c = run("c.csv", 4);
  EXPECT_EQ(a.rfind("unit,unit_id,sample,time_s\n", 0), 0u);
  EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 10);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_TRUE(std::filesystem::exists(dir + "/a.csv.json"));
  const auto bad = test::run_command(bin + " stream --fast --view off --seconds 1 --spikes " + dir + "/x.csv --refractory-ms -1");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("--refractory-ms -1"), std::string::npos) << bad.output;
}

TEST(StreamCli, badInputsGetOneLineErrors) {
  const std::string dir = test::temp_dir();
  const std::string bin = STATENET_BINARY;
  auto expect_error = [&](const std::string& args, const std::string& needle) {
    const auto r = test::run_command(bin + " stream --view off " + args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
  };
  expect_error("-i /etc/hostname", "not a readable audio file");
  expect_error("-i " + dir + "/absent.wav", "absent.wav");
  expect_error("--model /etc/hostname", "/etc/hostname");
  expect_error("--input mic --device no-such-device-anywhere", "no input device 'no-such-device-anywhere'");
  expect_error("-i mic --record x.wav", "--record from a microphone needs --seconds");
  expect_error("--inputs a.wav,b.wav", "--inputs streams several files at once with --gpu");
  expect_error("--gpu", "--gpu: give the files to stream with --inputs");
  expect_error("--gpu --inputs a/x.wav,b/x.flac", "--inputs: a/x.wav and b/x.flac would write the same output x.f32");
  AudioBuffer bad = make_demo_sound(48828.125);
  bad.samples[1000] = NAN;
  write_wav_float(dir + "/nan.wav", bad);
  expect_error("-i " + dir + "/nan.wav", "NaN sample at index 1000");
  // A finite sample too large for the front ends' float powers (1e20² overflows) is refused too.
  bad.samples[1000] = 0.5f;
  bad.samples[2000] = 1e20f;
  write_wav_float(dir + "/huge.wav", bad);
  expect_error("-i " + dir + "/huge.wav", "out-of-range (1e+20, beyond ±10⁴) sample at index 2000");
  // A file shorter than one frame streams nothing: an error, not an empty success, and an
  // existing output stays as it was.
  AudioBuffer one;
  one.sample_rate_hz = 48828;
  one.samples = {0.1f};
  write_wav_float(dir + "/one.wav", one);
  std::ofstream(dir + "/keep.csv") << "earlier results\n";
  expect_error("-i " + dir + "/one.wav --fast -o " + dir + "/keep.csv", "1 samples, too short for one frame (244 samples at 48828 Hz)");
  std::ifstream kept(dir + "/keep.csv");
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "earlier results");
}

}  // namespace
}  // namespace statenet
