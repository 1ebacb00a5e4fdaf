#include "audio/audio_source.h"

#include <algorithm>
#include <cstring>
#include <thread>

namespace statenet {

FileSource::FileSource(AudioBuffer audio, Pacing pacing)
    : audio_(std::move(audio)), pacing_(pacing) {}

std::size_t FileSource::read(float* out, std::size_t max_samples) {
  const std::size_t n = std::min(max_samples, audio_.samples.size() - position_);
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
  std::memcpy(out, audio_.samples.data() + position_, n * sizeof(float));
  position_ += n;
  return n;
}

}  // namespace statenet
