// The closed loop through real audio servers, started here and stopped by pid: JACK's dummy
// driver (an exact loop: what a client writes comes back a fixed number of samples later) and
// PulseAudio's null sink with its monitor. Its own binary, run alone (RUN_SERIAL): audio
// servers on a starved CPU skip.
//   - the pulse line (stream --pulse-out same, full duplex) looped back into the input has a
//     pulse at every spike's sample + the reported delay + the reported output latency, ±1
//     sample, and no pulse anywhere else;
//   - `statenet loop-test` completes a short run on JACK and on PulseAudio, prints its
//     percentiles, and its budget adds up: the click comes back after the output latency,
//     every click's spike has its pulse and its ZeroMQ message.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "audio/audio_file.h"
#include "support/audio_servers.h"
#include "support/test_support.h"

namespace statenet {
namespace {

constexpr int kRate = 48828;  // the demo model's rate: no resampling in the server

// Runs `command`, and once a line starting with `cue` appears runs `then` (the server's wiring).
test::Result run_with_cue(const std::string& command, const std::string& cue, const std::string& then) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string log;
  char line[1024];
  bool done = false;
  while (fgets(line, sizeof line, p)) {
    log += line;
    if (!done && std::string(line).rfind(cue, 0) == 0) {
      log += test::run_command(then).output;
      done = true;
    }
  }
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, log};
}

long long captured(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return -1;
  return std::stoll(m[1]);
}

TEST(ClosedLoop, pulseLineThroughJackIsAtEverySpikePlusTheReportedDelay) {
  test::JackServer server(kRate, 256);
  if (!server.problem().empty()) GTEST_SKIP() << server.problem();
  const std::string dir = test::temp_dir();
  // Every unit on the line, refractory 2 ms; what comes back on the input is recorded.
  const auto run = run_with_cue(std::string(STATENET_BINARY) + " stream --input mic --device system --seconds 4 --view off --pulse-out same "
                                "--pulse-units all:0 --refractory-ms 2 --seed 3 --spikes " + dir + "/spikes.csv --record " + dir + "/back.wav",
                                "capturing from",
                                "jack_disconnect system:capture_1 PortAudio:in_0 >/dev/null 2>&1; jack_connect PortAudio:out_0 PortAudio:in_0");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const long long delay = captured(run.output, R"(\((\d+) samples\) after each spike)");
  const long long loop = captured(run.output, R"(output latency [\d.]+ ms \((\d+) samples\))");
  ASSERT_GT(delay, 0) << run.output;
  ASSERT_GT(loop, 0) << run.output;
  const AudioBuffer back = read_audio_file(dir + "/back.wav");
  std::vector<long long> onsets;
  for (std::size_t n = 1; n < back.samples.size(); ++n)
    if (back.samples[n] > 0.4f && back.samples[n - 1] <= 0.4f) onsets.push_back(static_cast<long long>(n));
  ASSERT_GT(onsets.size(), 100u) << run.output;
  // Expected onsets: spike + delay + loop, pulses of 1 ms (49 samples) merging when they overlap.
  std::ifstream csv(dir + "/spikes.csv");
  std::string row;
  std::getline(csv, row);
  std::vector<long long> spikes;
  while (std::getline(csv, row)) {
    std::stringstream s(row);
    std::string unit, id, sample;
    std::getline(s, unit, ',');
    std::getline(s, id, ',');
    std::getline(s, sample, ',');
    spikes.push_back(std::stoll(sample));
  }
  std::sort(spikes.begin(), spikes.end());
  std::vector<long long> expected;
  long long high_until = -1;
  for (long long s : spikes) {
    const long long t = s + delay + loop;
    if (t > high_until) expected.push_back(t);  // a new rising edge needs one low sample before it
    high_until = std::max(high_until, t + 49);
  }
  // Every onset found is an expected one (±1 sample) …
  long long worst = 0;
  for (long long o : onsets) {
    const auto it = std::lower_bound(expected.begin(), expected.end(), o - 1);
    const long long d = it == expected.end() ? 1 << 30 : std::llabs(*it - o);
    worst = std::max(worst, d);
  }
  EXPECT_LE(worst, 1) << "an onset is " << worst << " samples from spike + " << delay << " + " << loop;
  // … and every expected one after the line was wired and before the recording ended is there.
  int missing = 0;
  std::string where;
  for (long long e : expected)
    if (e >= onsets.front() && e + 49 < static_cast<long long>(back.samples.size()) &&
        !std::binary_search(onsets.begin(), onsets.end(), e) && !std::binary_search(onsets.begin(), onsets.end(), e - 1) &&
        !std::binary_search(onsets.begin(), onsets.end(), e + 1))
      ++missing, where += " " + std::to_string(e);
  EXPECT_EQ(missing, 0) << "of " << expected.size() << " pulses (at" << where << "); " << onsets.size() << " onsets found in "
                        << back.samples.size() << " samples\n" << run.output;
}

nlohmann::json loop_test(const std::string& device, int clicks, std::string* output) {
  const std::string dir = test::temp_dir();
  const auto run = test::run_command(std::string(STATENET_BINARY) + " loop-test --device " + device + " --clicks " + std::to_string(clicks) +
                                     " --click-rate-hz 10 --json " + dir + "/loop.json 2>&1");
  *output = run.output;
  if (run.exit_code != 0) return nullptr;
  std::ifstream f(dir + "/loop.json");
  return nlohmann::json::parse(f);
}

TEST(ClosedLoop, loopTestThroughJackReportsPercentilesAndABudgetThatAddsUp) {
  test::JackServer server(kRate, 256);
  if (!server.problem().empty()) GTEST_SKIP() << server.problem();
  std::string output;
  const nlohmann::json j = loop_test("system", 40, &output);
  ASSERT_FALSE(j.is_null()) << output;
  std::printf("%s", output.c_str());
  EXPECT_NE(output.find("(a) click out → pulse back on the line"), std::string::npos) << output;
  EXPECT_NE(output.find("(b) click out → ZeroMQ message received"), std::string::npos) << output;
  EXPECT_EQ(j["no_return"], 0);
  EXPECT_GE(j["click_to_pulse"]["n"].get<int>(), 20) << output;  // most clicks draw a spike within 50 ms
  EXPECT_EQ(j["no_pulse"], 0);
  EXPECT_EQ(j["no_message"], 0);
  // JACK's loop is exact: the click and the pulse come back after the same number of samples.
  const double sample_ms = 1e3 / kRate;
  const auto& b = j["budget_median_ms"];
  EXPECT_NEAR(b["pulse_loop"].get<double>(), b["audio_loop"].get<double>(), 1.01 * sample_ms);
  EXPECT_EQ(j["pulses_exact"], j["click_to_pulse"]["n"]) << "every pulse at its spike's sample + the delay, ±1 sample";
  // Click → pulse = loop + response + delay + loop, per click; the medians of the parts bound it.
  EXPECT_GE(j["click_to_pulse"]["p50_ms"].get<double>(), 2 * b["audio_loop"].get<double>() + b["pulse_delay"].get<double>());
  // Nothing left running: the subscriber process (its command line names the run's folder,
  // printed with the ZeroMQ endpoint) was stopped by the command, and the folder is gone.
  std::smatch folder;
  ASSERT_TRUE(std::regex_search(output, folder, std::regex(R"(ZeroMQ ipc://(/tmp/statenet-loop-\w+)/zmq)"))) << output;
  EXPECT_NE(test::run_command("pgrep -f '[z]mq-spike-log ipc://" + folder[1].str() + "'").exit_code, 0) << "the subscriber outlived the loop test";
  EXPECT_FALSE(std::filesystem::exists(folder[1].str())) << folder[1].str();
  // The message needs the frame to close: never before the spike's own time.
  EXPECT_GT(j["click_to_zmq"]["p50_ms"].get<double>(), b["audio_loop"].get<double>());
}

TEST(ClosedLoop, loopTestThroughPulseAudiosNullSinkAndMonitor) {
  // PulseAudio is what a desktop user has, and not an exact loop: on a busy 2-core VM its
  // loop moves (10–30 ms; under load a pulse came back 8.6 ms later than its click had 60 ms
  // before) and its output can stall for a moment. So: the run completes with its
  // percentiles, and nearly every click comes back and has its pulse. The sample-level
  // checks are on JACK above.
  test::PulseAudioServer server(kRate, 2);
  if (!server.problem().empty()) GTEST_SKIP() << server.problem();
  std::string output;
  const nlohmann::json j = loop_test("pulse", 30, &output);
  ASSERT_FALSE(j.is_null()) << output;
  std::printf("%s", output.c_str());
  EXPECT_LE(j["no_return"].get<int>(), 10) << output;
  const int n = j["click_to_pulse"]["n"].get<int>();
  EXPECT_GE(n, 10) << output;
  EXPECT_GE(j["click_to_zmq"]["n"].get<int>(), 10) << output;
  EXPECT_LE(j["no_pulse"].get<int>(), std::max(2, n / 10)) << output;
}

}  // namespace
}  // namespace statenet
