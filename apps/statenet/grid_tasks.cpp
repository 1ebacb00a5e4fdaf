#include "grid_tasks.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "util/atomic_file.h"

namespace statenet {
namespace fs = std::filesystem;

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

pid_t start_point_training(const BenchmarkGrid& grid, const GridPoint& p, bool resume) {
  fs::create_directories(p.dir);
  std::error_code ec;
  fs::remove(fs::path(p.dir) / kFailedMarker, ec);
  const std::vector<std::string> args = train_arguments(grid, p, resume);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("statenet"));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string log = p.dir + "/train.log";
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(point_name(p) + ": cannot start a training process (fork: " + std::strerror(errno) + ")");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(127);
    for (int sig : {SIGTERM, SIGINT, SIGUSR1}) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  const char* job = std::getenv("SLURM_JOB_ID");
  write_file_atomically(p.dir + "/" + kRunningMarker,
                        host_name() + " " + std::to_string(pid) + " " + (job && *job ? job : "-") + "\n");
  return pid;
}

bool finish_point_training(const GridPoint& p, int wait_status, bool stopped) {
  std::error_code ec;
  fs::remove(fs::path(p.dir) / kRunningMarker, ec);
  const bool done = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 && point_state(p) == PointState::kDone;
  if (!done && !stopped) {
    const std::string status = WIFEXITED(wait_status) ? "exit status " + std::to_string(WEXITSTATUS(wait_status))
                                                      : "signal " + std::to_string(WTERMSIG(wait_status));
    try {
      write_file_atomically(p.dir + "/" + kFailedMarker, status + ": " + last_line(p.dir + "/train.log") + "\n");
    } catch (const std::exception&) {
      // the failure is reported by the caller either way
    }
  }
  return done;
}

std::string last_line(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  std::string last, line;
  char buf[1024];
  while (std::fgets(buf, sizeof buf, f)) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      if (!line.empty()) last = line;
      line.clear();
    }
  }
  std::fclose(f);
  return line.empty() ? last : line;
}

ProgramResult run_program(const std::vector<std::string>& args) {
  ProgramResult r;
  int fds[2];
  if (args.empty() || ::pipe(fds) != 0) return r;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return r;
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) r.output.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace statenet
