#pragma once
// A click train on one output channel, for loop tests: `count` rectangular clicks of
// `width_samples` at `amplitude`, the k-th starting at output sample first + k·period.

#include <algorithm>
#include <cstdint>

#include "audio/duplex.h"

namespace statenet {

class ClickTrain final : public OutputRenderer {
 public:
  ClickTrain(int channel, std::int64_t first_sample, std::int64_t period_samples, int count, int width_samples, float amplitude)
      : channel_(channel), first_(first_sample), period_(std::max<std::int64_t>(period_samples, 1)), count_(count),
        width_(std::max(width_samples, 1)), amplitude_(amplitude) {}

  std::int64_t click_sample(int k) const { return first_ + k * period_; }
  int count() const { return count_; }
  std::int64_t end_sample() const { return click_sample(count_ - 1) + width_; }

  void render(float* out, int frames, int channels, std::int64_t first, std::int64_t) noexcept override {
    if (channel_ >= channels) return;
    for (int i = 0; i < frames; ++i) {
      const std::int64_t n = first + i - first_;
      if (n < 0 || n >= count_ * period_) continue;
      if (n % period_ < width_) out[i * channels + channel_] = amplitude_;
    }
  }

 private:
  int channel_;
  std::int64_t first_, period_;
  int count_, width_;
  float amplitude_;
};

}  // namespace statenet
