#pragma once
// The time base of every arrival and latency on the real-time path: the steady clock in ns
// (read through the vDSO on Linux: no system call). [RT]

#include <chrono>
#include <cstdint>

namespace statenet {

inline std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace statenet
