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
#include <string>

#include "util/reading_file.h"

namespace statenet {
namespace {

constexpr std::size_t kNoteBytes = 4096;
volatile pid_t g_child = 0;

void forward(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
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
  const pid_t child = ::fork();
  if (child < 0) return -1;
  if (child == 0) {
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
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "statenet: error: lost the command's process (%s)\n", std::strerror(errno));
      return 70;
    }
  }
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
