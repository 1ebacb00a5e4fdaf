// OSC output against a real receiver: a liblo server in this test process (on a free UDP port)
// receives what `statenet stream --osc` sends from its own process — every frame's rates with
// the CSV's values, every spike of the spike file — and bad URLs are one line.

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "support/test_support.h"
#include "util/steady_clock.h"

namespace statenet {
namespace {

const std::string kBinary = STATENET_BINARY;

struct Received {
  std::mutex mutex;
  std::vector<std::pair<long long, std::vector<float>>> rates;  // frame, rates
  int bad_stamps = 0;
  std::vector<std::pair<int, long long>> spikes;                 // unit, sample
};

// liblo's arguments sit at 4-byte offsets in the message: read them by copying, not through
// lo_arg (a union with 8-byte members, which would be a misaligned access).
template <class T>
T arg(lo_arg* const* argv, int i) {
  T v;
  std::memcpy(&v, reinterpret_cast<const char*>(argv[i]), sizeof v);
  return v;
}

int on_rates(const char*, const char* types, lo_arg** argv, int argc, lo_message, void* user) {
  auto& r = *static_cast<Received*>(user);
  std::vector<float> v;
  for (int i = 2; i < argc; ++i) v.push_back(arg<float>(argv, i));
  std::lock_guard<std::mutex> lock(r.mutex);
  // The publisher's stamp (CLOCK_MONOTONIC, this machine's steady clock) is in the past.
  const long long now = steady_now_ns();
  if (types[0] != 'h' || types[1] != 'h' || arg<std::int64_t>(argv, 1) <= 0 || arg<std::int64_t>(argv, 1) > now) ++r.bad_stamps;
  r.rates.emplace_back(static_cast<long long>(arg<std::int64_t>(argv, 0)), std::move(v));
  return 0;
}

int on_spike(const char*, const char*, lo_arg** argv, int, lo_message, void* user) {
  auto& r = *static_cast<Received*>(user);
  std::lock_guard<std::mutex> lock(r.mutex);
  r.spikes.emplace_back(arg<std::int32_t>(argv, 0), static_cast<long long>(arg<std::int64_t>(argv, 2)));
  return 0;
}

std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    std::vector<std::string> cells;
    std::stringstream in(line);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

TEST(OscSender, aLibloReceiverGetsEveryFramesRatesAndEverySpike) {
  Received got;
  lo_server_thread server = lo_server_thread_new(nullptr, nullptr);  // a free UDP port
  if (!server) GTEST_SKIP() << "no UDP port for a liblo server";
  lo_server_thread_add_method(server, "/statenet/rates", nullptr, on_rates, &got);
  lo_server_thread_add_method(server, "/statenet/spike", "idh", on_spike, &got);
  lo_server_thread_start(server);
  const int port = lo_server_thread_get_port(server);
  const std::string dir = test::temp_dir();
  // Paced in real time, as a rig would receive it (a burst could overflow the UDP buffer).
  const auto r = test::run_command(kBinary + " stream --view off --seconds 1 --osc udp://127.0.0.1:" + std::to_string(port) +
                                   " --spikes " + dir + "/s.csv -o " + dir + "/p.csv");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // datagrams still in flight
  lo_server_thread_stop(server);
  lo_server_thread_free(server);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(", 0 refused"), std::string::npos) << r.output;

  const auto frames = csv_rows(dir + "/p.csv"), spikes = csv_rows(dir + "/s.csv");
  ASSERT_EQ(got.rates.size(), frames.size()) << "frames lost on localhost";
  EXPECT_EQ(got.bad_stamps, 0) << "/statenet/rates without ,hh (frame, publication time) or with a stamp not in the past";
  for (std::size_t k = 0; k < frames.size(); ++k) {
    ASSERT_EQ(got.rates[k].first, std::stoll(frames[k][0])) << "frame out of order";
    ASSERT_EQ(got.rates[k].second.size(), frames[k].size() - 3);
    for (std::size_t u = 0; u < got.rates[k].second.size(); ++u) {
      char v[32];
      std::snprintf(v, sizeof v, "%.6g", got.rates[k].second[u]);
      ASSERT_EQ(v, frames[k][u + 3]) << "frame " << k << ", unit " << u;
    }
  }
  ASSERT_EQ(got.spikes.size(), spikes.size());
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    EXPECT_EQ(got.spikes[i].first, std::stoi(spikes[i][0])) << "spike " << i;
    EXPECT_EQ(got.spikes[i].second, std::stoll(spikes[i][2])) << "spike " << i;
  }
}

TEST(OscSender, aBadUrlIsOneLine) {
  for (const auto& [url, needle] : std::vector<std::pair<std::string, std::string>>{
           {"tcp://127.0.0.1:9000", "expected udp://HOST:PORT"},
           {"udp://127.0.0.1:99999", "port 99999 is outside 1–65535"},
           {"udp://no.such.host.invalid:9000", "cannot resolve no.such.host.invalid"}}) {
    const auto r = test::run_command(kBinary + " stream --fast --view off --seconds 1 --osc " + url);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.rfind("statenet: error: " + url + ": ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

}  // namespace
}  // namespace statenet
