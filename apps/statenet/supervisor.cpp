#include "supervisor.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "util/reading_file.h"

namespace statenet {
namespace {

constexpr std::size_t kNoteBytes = 4096;
volatile pid_t g_child = 0;

void forward(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

// Seconds of CPU a read may spend without reading a byte before it counts as a library looping
// on a corrupt file (libhdf5 does on some); STATENET_READ_STALL_S, 0 = never.
double read_stall_limit_s() {
  const char* text = std::getenv("STATENET_READ_STALL_S");
  if (!text || !*text) return 60.0;
  char* end = nullptr;
  const double s = std::strtod(text, &end);
  return (*end == '\0' && s >= 0.0 && s < 1e9) ? s : 60.0;
}

// Bytes the process has read (rchar) and the CPU it has used (s), from /proc; false if unreadable.
bool read_progress(pid_t pid, unsigned long long& bytes_read, double& cpu_s) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream io(proc + "/io");
  std::string key;
  bool found = false;
  while (io >> key) {
    if (key == "rchar:") {
      found = static_cast<bool>(io >> bytes_read);
      break;
    }
  }
  std::ifstream stat_file(proc + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');  // the command name may hold spaces
  if (!found || close == std::string::npos) return false;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime (clock ticks)
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  cpu_s = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return true;
}

// Watches one read: a stall is CPU spent on the same file while no byte is read. A slow disk
// or network file system blocks without using CPU, so only a loop trips it.
class ReadWatchdog {
 public:
  // True when the child has looped on `file` for longer than the limit.
  bool stalled(pid_t child, const std::string& file, double limit_s) {
    unsigned long long bytes = 0;
    double cpu_s = 0.0;
    if (limit_s <= 0.0 || file.empty() || !read_progress(child, bytes, cpu_s)) {
      file_.clear();
      return false;
    }
    if (file != file_ || bytes != bytes_) {
      file_ = file;
      bytes_ = bytes;
      cpu_at_last_byte_s_ = cpu_s;
      return false;
    }
    return cpu_s - cpu_at_last_byte_s_ >= limit_s;
  }

 private:
  std::string file_;
  unsigned long long bytes_ = 0;
  double cpu_at_last_byte_s_ = 0.0;
};

// Waits for the child, once a second looking at the read in progress. Returns true when the
// child ended (status set), false when it looped on a file and was killed (file set).
bool wait_for_child(pid_t child, const char* note, std::size_t note_bytes, int& status, std::string& looping_file) {
  const double limit_s = read_stall_limit_s();
  ReadWatchdog watchdog;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const timespec tick{1, 0};
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) return true;
    if (done < 0 && errno != EINTR) {
      std::fprintf(stderr, "statenet: error: lost the command's process (%s)\n", std::strerror(errno));
      status = -1;
      return true;
    }
    const std::string file = reading_note(note, note_bytes);
    if (watchdog.stalled(child, file, limit_s)) {
      ::kill(child, SIGKILL);
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      looping_file = file;
      return false;
    }
    ::sigtimedwait(&chld, nullptr, &tick);  // SIGCHLD (the child ended), a forwarded signal or 1 s
  }
}

}  // namespace

int run_command_in_child() {
  const char* off = std::getenv("STATENET_NO_SUPERVISOR");
  if (off && *off && std::strcmp(off, "0") != 0) return -1;
  void* shared = ::mmap(nullptr, kNoteBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return -1;  // run in-process: a crash is then a bare signal
  char* note = static_cast<char*>(shared);
  note[0] = '\0';
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  sigset_t chld, before;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, &before);  // the parent waits for it with sigtimedwait
  const pid_t child = ::fork();
  if (child < 0) {
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    return -1;
  }
  if (child == 0) {
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) std::_Exit(1);  // the parent died before prctl
    set_reading_note_area(note, kNoteBytes);
    return -1;
  }
  g_child = child;
  struct sigaction forwarder {};
  forwarder.sa_handler = forward;
  sigemptyset(&forwarder.sa_mask);
  for (int sig : {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) ::sigaction(sig, &forwarder, nullptr);
  ::signal(SIGINT, SIG_IGN);  // the terminal sends it to the child too
  ::signal(SIGQUIT, SIG_IGN);
  int status = 0;
  std::string looping_file;
  if (!wait_for_child(child, note, kNoteBytes, status, looping_file)) {
    std::fprintf(stderr,
                 "statenet: error: %s: stopped after %g s of CPU without reading a byte of this file: a library is looping "
                 "on it (the file is corrupt); STATENET_READ_STALL_S sets the limit\n",
                 looping_file.c_str(), read_stall_limit_s());
    return 70;
  }
  if (status == -1) return 70;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const int sig = WTERMSIG(status);
  const bool crash = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGSYS ||
                     sig == SIGTRAP;
  if (!crash && sig != SIGKILL) {
    // Ended by a signal it was sent (SIGTERM, a closed pipe, …): end the same way.
    ::signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(sig);
    return 128 + sig;
  }
  const std::string file = reading_note(note, kNoteBytes);
  const char* abbrev = sigabbrev_np(sig);
  const std::string name = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
  if (sig == SIGKILL) {
    std::fprintf(stderr, "statenet: error: the command was killed (SIGKILL%s)\n",
                 file.empty() ? ", out of memory?" : (" while reading " + file).c_str());
    return 128 + sig;
  }
  if (!file.empty()) {
    std::fprintf(stderr,
                 "statenet: error: %s: crashed (%s) while reading this file, inside a library: the file is corrupt or not what "
                 "it claims to be\n",
                 file.c_str(), name.c_str());
  } else {
    std::fprintf(stderr, "statenet: error: the command crashed (%s): a bug in statenet; please report it with the command line\n",
                 name.c_str());
  }
  return 70;
}

}  // namespace statenet
