#include "audio/audio_source.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "util/steady_clock.h"

namespace statenet {

FileSource::FileSource(AudioBuffer audio, Pacing pacing, std::int64_t total_samples, std::string name)
    : audio_(std::move(audio)), pacing_(pacing),
      total_(total_samples < 0 ? static_cast<std::int64_t>(audio_.samples.size()) : total_samples),
      name_(name.empty() ? audio_.origin : std::move(name)) {}

std::size_t FileSource::read(float* out, std::size_t max_samples) {
  if (audio_.samples.empty()) return 0;
  const std::size_t offset = position_ % audio_.samples.size();
  const std::size_t n = static_cast<std::size_t>(std::min<std::int64_t>(
      {static_cast<std::int64_t>(max_samples), static_cast<std::int64_t>(audio_.samples.size() - offset),
       total_ - static_cast<std::int64_t>(position_)}));
  if (n == 0) return 0;
  if (pacing_ == Pacing::kRealTime) {
    if (!started_) {
      started_ = true;
      start_ = std::chrono::steady_clock::now();
    }
    const double end_s = static_cast<double>(position_ + n) / audio_.sample_rate_hz;
    std::this_thread::sleep_until(start_ + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::duration<double>(end_s)));
  }
  std::memcpy(out, audio_.samples.data() + offset, n * sizeof(float));
  position_ += n;
  last_arrival_ns_ = steady_now_ns();
  return n;
}

}  // namespace statenet
