#pragma once
// A one-line progress indicator on a terminal; silent when stderr is not a TTY
// (CI logs, pipes), so long commands never flood a log.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace statenet {

class Progress {
 public:
  explicit Progress(std::string label) : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0) {}
  ~Progress() { finish(); }
  void update(int done, int total, const std::string& what) {
    if (!tty_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double left = done > 0 ? elapsed * (total - done) / done : 0.0;
    std::fprintf(stderr, "\r\033[K%s [%d/%d] %s  (%.0f s, ~%.0f s left)", label_.c_str(), done, total, what.c_str(),
                 elapsed, left);
    std::fflush(stderr);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }
  double elapsed_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::string label_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace statenet
