// ZeroMQ output against a real subscriber: the Python subscriber of docs/zmq.md
// (tools/zmq_subscriber.py, python3-zmq + numpy), started by the test as its own process and
// stopped by its pid, receives every frame of `statenet stream --zmq` in order, with the values
// the CSV of the same run holds and the input sample that closed each frame; the description
// is readable; a slow subscriber never stalls the stream; a bad endpoint or a port in
// use is one line.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cochlea/front_end.h"
#include "support/test_support.h"

namespace statenet {
namespace {

const std::string kBinary = STATENET_BINARY;
const std::string kSubscriber = std::string(STATENET_SOURCE_DIR) + "/tools/zmq_subscriber.py";

// A child process writing its stdout to a file; killed by its pid if still running.
class Subscriber {
 public:
  Subscriber(const std::vector<std::string>& args, const std::string& output) {
    pid_ = fork();
    if (pid_ == 0) {
      if (!freopen(output.c_str(), "w", stdout)) _exit(127);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Subscriber() {
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int wait() {  // the exit status
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

bool subscriber_can_run(std::string& why) {
  if (std::system("/usr/bin/python3 -c 'import zmq, numpy' 2>/dev/null") != 0) {
    why = "python3-zmq or python3-numpy is not installed (scripts/setup.sh installs them)";
    return false;
  }
  return true;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(f, l);) v.push_back(l);
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) v.push_back(item);
  return v;
}

TEST(ZmqPublisher, aSubscriberGetsEveryFrameInOrderWithTheCsvsValues) {
  std::string why;
  if (!subscriber_can_run(why)) GTEST_SKIP() << why;
  const std::string dir = test::temp_dir(), endpoint = "ipc://" + dir + "/s.ipc";
  Subscriber sub({"/usr/bin/python3", kSubscriber, endpoint, "idle=3", "first=60"}, dir + "/sub.txt");
  const auto r = test::run_command(kBinary + " stream --fast --view off --seconds 1 --zmq " + endpoint +
                                   " --zmq-wait-subscribers 1 --spikes " + dir + "/s.csv -o " + dir + "/p.csv --latency-json " + dir + "/l.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(", 0 dropped"), std::string::npos) << r.output;
  ASSERT_EQ(sub.wait(), 0);

  const std::vector<std::string> got = lines_of(dir + "/sub.txt"), csv = lines_of(dir + "/p.csv");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].rfind("description {'schema_version': 1, 'model': 'statenet-gru'", 0), 0u) << got[0];
  EXPECT_NE(got[0].find("'num_units': 73"), std::string::npos);
  std::size_t row = 1, spike_messages = 0;  // csv[0] is the header
  for (const std::string& line : got) {
    const std::vector<std::string> f = split(line, ' ');
    if (f[0] == "spikes") ++spike_messages;
    if (f[0] != "rates") continue;
    ASSERT_LT(row, csv.size()) << "more frames than the CSV";
    const std::vector<std::string> c = split(csv[row], ',');
    ASSERT_EQ(f[1], c[0]) << "frame out of order";
    EXPECT_EQ(std::stoll(f[2]), frame_end_sample(std::stoll(c[0]), 244.140625)) << "end sample of frame " << c[0];
    ASSERT_EQ(f.size() - 4, c.size() - 3) << "unit count";
    for (std::size_t u = 0; u + 4 < f.size(); ++u) ASSERT_EQ(f[u + 4], c[u + 3]) << "frame " << c[0] << ", unit " << u;
    ++row;
  }
  EXPECT_EQ(row, csv.size()) << "the subscriber missed frames";
  EXPECT_EQ(spike_messages, csv.size() - 1) << "one spikes message per frame";
}

TEST(ZmqPublisher, aSlowSubscriberNeverStallsTheStream) {
  std::string why;
  if (!subscriber_can_run(why)) GTEST_SKIP() << why;
  const std::string dir = test::temp_dir(), endpoint = "ipc://" + dir + "/slow.ipc";
  Subscriber sub({"/usr/bin/python3", kSubscriber, endpoint, "sleep=0.02", "hwm=4", "idle=2", "first=60"}, dir + "/sub.txt");
  const auto r = test::run_command(kBinary + " stream --fast --view off --seconds 30 --zmq " + endpoint +
                                   " --zmq-wait-subscribers 1 --zmq-hwm 4 --latency-json " + dir + "/l.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream j(dir + "/l.json");
  std::stringstream js;
  js << j.rdbuf();
  const std::size_t at = js.str().find("\"zmq_dropped\": ");
  ASSERT_NE(at, std::string::npos) << js.str();
  // Where the slow subscriber's messages are lost depends on timing: the publisher's queue for
  // it fills (counted here), or the subscriber's own ZeroMQ queue overflows first (its I/O
  // thread keeps reading and drops; the publisher cannot see that). Either way the stream must
  // not stall: every prediction stepped and handed out, in about the time it takes alone.
  EXPECT_NE(js.str().find("\"dropped_predictions\": 0"), std::string::npos) << "the pipeline dropped: " << js.str();
  // 6 000 frames (12 000 messages) to a reader of 50 messages/s would take 4 minutes if the
  // publisher waited for it; streamed as fast as possible it takes well under a second alone.
  const auto streamed = r.output.find(" s (as fast as possible)");
  ASSERT_NE(streamed, std::string::npos) << r.output;
  const double wall_s = std::stod(r.output.substr(r.output.rfind(" in ", streamed) + 4));
  EXPECT_LT(wall_s, 20.0) << "the stream waited for the slow subscriber: " << r.output;
  ASSERT_EQ(sub.wait(), 0);
  long long previous = -1;  // what did arrive is in order
  for (const std::string& line : lines_of(dir + "/sub.txt")) {
    const std::vector<std::string> f = split(line, ' ');
    if (f[0] != "rates") continue;
    ASSERT_GT(std::stoll(f[1]), previous);
    previous = std::stoll(f[1]);
  }
}

TEST(ZmqPublisher, theDocsShowTheSubscriberTheTestsRun) {
  std::ifstream script(kSubscriber), doc(std::string(STATENET_SOURCE_DIR) + "/docs/zmq.md");
  std::stringstream a, b;
  a << script.rdbuf();
  b << doc.rdbuf();
  ASSERT_FALSE(a.str().empty());
  EXPECT_NE(b.str().find("```python\n" + a.str() + "```"), std::string::npos) << "docs/zmq.md no longer holds tools/zmq_subscriber.py";
}

TEST(ZmqPublisher, aBadEndpointOrAPortInUseIsOneLine) {
  auto expect_error = [](const std::string& endpoint, const std::string& needle) {
    const auto r = test::run_command(kBinary + " stream --fast --view off --seconds 1 --zmq '" + endpoint + "'");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.rfind("statenet: error: " + endpoint + ": cannot bind (", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  };
  expect_error("nonsense", "Invalid argument");
  // A port held by a listening socket of this test.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  expect_error("tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), "Address already in use");
  close(fd);
}

}  // namespace
}  // namespace statenet
