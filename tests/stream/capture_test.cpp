// A real capture: a PulseAudio server with a null sink, the demo sound played
// into it with paplay, captured by `statenet stream --input mic` through PortAudio, and the
// predictions compared with offline processing of the same file. Its own binary, run alone by
// ctest (RUN_SERIAL): on a starved CPU PulseAudio's null sink skips audio (seen with four busy
// processes on two cores: the monitor delivered ~1.6 s of a 6-s sound), which is the server's
// behaviour, not the pipeline's.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audio/audio_file.h"
#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "step/step_model.h"
#include "support/audio_servers.h"
#include "support/offline_reference.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kModel = STATENET_DEMO_MODEL_PATH;

using test::offline_rates;

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
  // The sink runs at the ns1 model's rate (48 828 Hz, mono, float): the default 44.1 kHz sink
  // would resample twice and remove the bands above 22 kHz that the model listens to.
  test::PulseAudioServer server(48828, 1);
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
      // Playback buffer 0.5 s: long enough not to underrun on a busy machine (20 ms did, and
      // PulseAudio then plays silence mid-sound); short enough that a rewind of the sink when
      // the stream starts can only cut into the file's 0.5 s of leading silence (with paplay's
      // default ≈ 2 s a capture lost the first ≈ 2 s of the sound).
      player = std::thread([&] { play = test::run_command("paplay --latency-msec=500 " + dir + "/play.wav"); });
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
  // every whole-frame lag; the offset is searched over ±256 samples (about a hop; whole hops are
  // lags) in steps of 16, then refined to the sample.
  auto model = load_step_model(kModel);
  const int N = model->num_units();
  struct Alignment {
    double correlation = -2;
    long lag = 0;
    long offset = 0;
  };
  auto align = [&](long offset) {
    AudioBuffer shifted = audio;
    if (offset >= 0) shifted.samples.insert(shifted.samples.begin(), offset, 0.0f);
    else shifted.samples.erase(shifted.samples.begin(), shifted.samples.begin() - offset);
    const std::vector<float> ref = offline_rates(shifted, *model);
    const std::size_t frames = ref.size() / N;
    Alignment best;
    // Frame lags from −120 (the capture began up to 0.6 s into the file: PulseAudio may rewind
    // the sink when the stream starts) on, over an overlap of at least 3/4 of the file.
    const long min_overlap = static_cast<long>(frames) * 3 / 4, captured = static_cast<long>(mic.size());
    for (long lag = -120; lag <= captured - min_overlap; ++lag) {
      const long t0 = std::max(0L, -lag), t1 = std::min(static_cast<long>(frames), captured - lag);
      if (t1 - t0 < min_overlap) continue;
      // Pearson correlation of the time courses, each unit's own mean removed (so that
      // differences between units' mean rates cannot make a silent capture look right).
      double saa = 0, sbb = 0, sab = 0;
      for (int u = 0; u < N; ++u) {
        double ma = 0, mb = 0;
        for (long t = t0; t < t1; ++t) ma += ref[t * N + u], mb += mic[t + lag][u];
        ma /= (t1 - t0), mb /= (t1 - t0);
        for (long t = t0; t < t1; ++t) {
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
  for (long offset = -256; offset <= 256; offset += 16) {
    const Alignment a = align(offset);
    if (a.correlation > best.correlation) best = a;
  }
  for (long offset = best.offset - 15; offset <= best.offset + 15; ++offset) {
    const Alignment a = align(offset);
    if (a.correlation > best.correlation) best = a;
  }
  std::printf("captured predictions vs offline: correlation %.5f at a lag of %ld frames and %ld samples\n", best.correlation, best.lag,
              best.offset);
  EXPECT_GE(best.correlation, 0.99) << "best lag " << best.lag;
}

}  // namespace
}  // namespace statenet
