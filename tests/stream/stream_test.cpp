// The streaming pipeline: StreamProcessor equals offline processing (cochleagram, then the
// step engine frame by frame) for any block size; a lagging consumer makes counted drops,
// never a different model state; the latency histogram's quantiles; `statenet stream`
// errors; and a real capture through a PulseAudio null sink and PortAudio (realtime.md §7).

#include "stream/stream_processor.h"

#include <gtest/gtest.h>

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
#include "stream/step_model.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kModel = STATENET_DEMO_MODEL_PATH;

// Offline reference: the whole cochleagram, then one step per frame.
std::vector<float> offline_rates(const AudioBuffer& audio, StepModel& model) {
  auto fe = make_front_end(cochleagram_preset("ns1"));
  const Cochleagram c = compute_cochleagram(*fe, audio.samples.data(), audio.samples.size());
  std::vector<float> frame(c.num_bands), rates(static_cast<std::size_t>(c.num_frames) * model.num_units());
  model.reset();
  for (std::int64_t t = 0; t < c.num_frames; ++t) {
    for (int b = 0; b < c.num_bands; ++b) frame[b] = c.at(b, t);
    model.step(frame.data(), rates.data() + t * model.num_units());
  }
  return rates;
}

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
    StreamProcessor::Prediction pr;
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
  StreamProcessor::Prediction pr;
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
  StreamProcessor::Prediction pr;
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
                                   "/p.f32 --latency-json " + dir + "/lat.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("latency (hop's last sample → prediction): p50"), std::string::npos) << r.output;
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
  expect_error("--inputs a.wav,b.wav", "--inputs streams several files at once with --gpu");
  expect_error("--gpu", "--gpu: give the files to stream with --inputs");
  AudioBuffer bad = make_demo_sound(48828.125);
  bad.samples[1000] = NAN;
  write_wav_float(dir + "/nan.wav", bad);
  expect_error("-i " + dir + "/nan.wav", "NaN sample at index 1000");
}

// Starts a PulseAudio server with a null sink for one test; skips only when it cannot run.
// The sink runs at the ns1 model's rate (48 828 Hz, mono, float): the default 44.1 kHz sink
// would resample twice and remove the bands above 22 kHz that the model listens to.
class PulseAudioServer {
 public:
  PulseAudioServer() {
    if (test::run_command("command -v pulseaudio && command -v paplay").exit_code != 0) {
      problem_ = "pulseaudio or paplay is not installed (scripts/setup.sh installs them)";
      return;
    }
    runtime_dir_ = test::temp_dir();
    std::filesystem::permissions(runtime_dir_, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
    const auto start = test::run_command(
        "pulseaudio -n --daemonize=yes --exit-idle-time=-1 --disallow-exit "
        "-L 'module-null-sink sink_name=vsink rate=48828 channels=1 format=float32le' "
        "-L module-native-protocol-unix && pactl set-default-sink vsink && pactl set-default-source vsink.monitor && "
        "pactl set-sink-volume vsink 100% && pactl set-source-volume vsink.monitor 100%");
    if (start.exit_code != 0) problem_ = "the PulseAudio server could not start: " + start.output;
    else running_ = true;
  }
  ~PulseAudioServer() {
    if (running_) test::run_command("pulseaudio --kill");
  }
  const std::string& problem() const { return problem_; }

 private:
  std::string runtime_dir_, problem_;
  bool running_ = false;
};

std::vector<std::vector<double>> read_rates_csv(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(f, line)) {
    std::stringstream s(line);
    std::string cell;
    std::vector<double> row;
    for (int col = 0; std::getline(s, cell, ','); ++col)
      if (col >= 3) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

TEST(StreamCli, realCaptureThroughPulseAudioMatchesOfflineProcessing) {
  PulseAudioServer server;
  if (!server.problem().empty()) GTEST_SKIP() << server.problem();
  const std::string dir = test::temp_dir();
  const std::string bin = STATENET_BINARY;
  // The demo sound between 0.5 s of silence on each side, at the model's (integer) rate.
  AudioBuffer audio = make_demo_sound(48828.0);
  audio.samples.insert(audio.samples.begin(), 24414, 0.0f);
  audio.samples.insert(audio.samples.end(), 24414, 0.0f);
  write_wav_float(dir + "/play.wav", audio);
  const auto offline = test::run_command(bin + " stream -i " + dir + "/play.wav --fast --view off -o " + dir + "/offline.csv");
  ASSERT_EQ(offline.exit_code, 0) << offline.output;

  // Capture for 9 s; play the file as soon as the capture reports that it is listening.
  const std::string capture_cmd = bin + " stream --input mic --device pulse --seconds 9 --view off -o " + dir + "/mic.csv 2>&1";
  FILE* capture = popen(capture_cmd.c_str(), "r");
  ASSERT_NE(capture, nullptr);
  std::string capture_log;
  char line[512];
  std::thread player;
  test::Result play{-1, ""};
  while (fgets(line, sizeof line, capture)) {
    capture_log += line;
    if (!player.joinable() && std::string(line).rfind("capturing from", 0) == 0)
      // A short playback buffer: with paplay's default (≈ 2 s), a capture already running for a
      // while loses the first ≈ 2 s of the sound when PulseAudio rewinds the sink.
      player = std::thread([&] { play = test::run_command("paplay --latency-msec=20 " + dir + "/play.wav"); });
  }
  const int status = pclose(capture);
  ASSERT_TRUE(player.joinable()) << "the capture never started:\n" << capture_log;
  player.join();
  ASSERT_EQ(play.exit_code, 0) << play.output;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << capture_log;
  std::printf("%s", capture_log.c_str());

  const auto mic = read_rates_csv(dir + "/mic.csv");
  // Alignment: the capture starts at an arbitrary sample of the played file (a little late or
  // early), so its 5-ms frame grid sits at an unknown offset. Offline predictions are computed
  // with the file shifted by `offset` samples (negative: its first samples cut) and compared at
  // every whole-frame lag; the best offset is searched from −1000 to +250 samples in steps of
  // 16, then refined to the sample.
  auto model = load_step_model(kModel);
  const int N = model->num_units();
  struct Alignment {
    double correlation = -2;
    std::size_t lag = 0;
    long offset = 0;
  };
  auto align = [&](long offset) {
    AudioBuffer shifted = audio;
    if (offset >= 0) shifted.samples.insert(shifted.samples.begin(), offset, 0.0f);
    else shifted.samples.erase(shifted.samples.begin(), shifted.samples.begin() - offset);
    const std::vector<float> ref = offline_rates(shifted, *model);
    const std::size_t frames = ref.size() / N;
    Alignment best;
    if (mic.size() <= frames) return best;  // checked by the caller
    for (std::size_t lag = 0; lag + frames <= mic.size(); ++lag) {
      // Pearson correlation of the time courses, each unit's own mean removed (so that
      // differences between units' mean rates cannot make a silent capture look right).
      double saa = 0, sbb = 0, sab = 0;
      for (int u = 0; u < N; ++u) {
        double ma = 0, mb = 0;
        for (std::size_t t = 0; t < frames; ++t) ma += ref[t * N + u], mb += mic[t + lag][u];
        ma /= frames, mb /= frames;
        for (std::size_t t = 0; t < frames; ++t) {
          const double a = ref[t * N + u] - ma, b = mic[t + lag][u] - mb;
          saa += a * a, sbb += b * b, sab += a * b;
        }
      }
      const double c = sab / std::sqrt(saa * sbb);
      if (c > best.correlation) best = {c, lag, offset};
    }
    return best;
  };
  ASSERT_GT(mic.size(), audio.samples.size() / 244 + 1) << "the capture is shorter than the sound";
  Alignment best;
  for (long offset = -1000; offset <= 250; offset += 16) {
    const Alignment a = align(offset);
    if (a.correlation > best.correlation) best = a;
  }
  for (long offset = best.offset - 15; offset <= best.offset + 15; ++offset) {
    const Alignment a = align(offset);
    if (a.correlation > best.correlation) best = a;
  }
  std::printf("captured predictions vs offline: correlation %.5f at a lag of %zu frames and %ld samples\n", best.correlation, best.lag,
              best.offset);
  EXPECT_GE(best.correlation, 0.99) << "best lag " << best.lag;
}

}  // namespace
}  // namespace statenet
