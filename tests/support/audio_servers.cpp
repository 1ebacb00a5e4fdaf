#include "support/audio_servers.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/test_support.h"

namespace statenet::test {
namespace {
int read_pid(const std::string& path) {
  std::ifstream f(path);
  int pid = -1;
  f >> pid;
  return pid > 1 ? pid : -1;
}
void stop(int pid) {
  if (pid <= 1) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGKILL);
}
}  // namespace

PulseAudioServer::PulseAudioServer(int rate_hz, int channels) {
  if (run_command("command -v pulseaudio && command -v paplay && command -v pactl").exit_code != 0) {
    problem_ = "pulseaudio, paplay or pactl is not installed (scripts/setup.sh installs them)";
    return;
  }
  runtime_dir_ = temp_dir();
  std::filesystem::permissions(runtime_dir_, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
  const auto start = run_command(
      "pulseaudio -n --daemonize=yes --exit-idle-time=-1 --disallow-exit "
      "-L 'module-null-sink sink_name=vsink rate=" + std::to_string(rate_hz) + " channels=" + std::to_string(channels) +
      " format=float32le' -L module-native-protocol-unix && pactl set-default-sink vsink && pactl set-default-source vsink.monitor && "
      "pactl set-sink-volume vsink 100% && pactl set-source-volume vsink.monitor 100%");
  pid_ = read_pid(runtime_dir_ + "/pulse/pid");
  if (start.exit_code != 0) problem_ = "the PulseAudio server could not start: " + start.output;
}

PulseAudioServer::~PulseAudioServer() { stop(pid_); }

JackServer::JackServer(int rate_hz, int period) {
  if (run_command("command -v jackd && command -v jack_connect && command -v jack_lsp").exit_code != 0) {
    problem_ = "jackd or jack_connect is not installed (scripts/setup.sh installs jackd2)";
    return;
  }
  dir_ = temp_dir();
  const std::string name = "statenet-test-" + std::to_string(::getpid());
  setenv("JACK_DEFAULT_SERVER", name.c_str(), 1);
  setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
  const auto start = run_command("jackd -n " + name + " -d dummy -r " + std::to_string(rate_hz) + " -p " + std::to_string(period) + " > " +
                                 dir_ + "/jackd.log 2>&1 & echo $! > " + dir_ + "/jackd.pid");
  pid_ = read_pid(dir_ + "/jackd.pid");
  for (int i = 0; i < 100; ++i) {  // up to 5 s for the server to answer
    if (run_command("jack_lsp >/dev/null 2>&1").exit_code == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream log(dir_ + "/jackd.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  problem_ = "the JACK server (dummy driver) did not start: " + text;
}

JackServer::~JackServer() { stop(pid_); }

}  // namespace statenet::test
