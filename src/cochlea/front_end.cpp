#include "cochlea/front_end.h"

#include <algorithm>

namespace statenet {
namespace {

class CollectingSink final : public FrameSink {
 public:
  CollectingSink(std::vector<float>& frame_major, int bands) : out_(frame_major), bands_(bands) {}
  void on_frame(std::int64_t, const float* bands) noexcept override {
    out_.insert(out_.end(), bands, bands + bands_);  // offline: growth is fine here
  }

 private:
  std::vector<float>& out_;
  int bands_;
};

}  // namespace

Cochleagram compute_cochleagram(FrontEnd& fe, const float* samples, std::size_t n,
                                std::int64_t num_frames) {
  fe.reset();
  const int F = fe.num_bands();
  std::vector<float> frame_major;
  CollectingSink sink(frame_major, F);
  fe.process(samples, n, sink);
  if (num_frames >= 0) {
    const std::int64_t needed_end = frame_end_sample(num_frames - 1, fe.hop_samples());
    if (needed_end > static_cast<std::int64_t>(n)) {
      const std::vector<float> zeros(static_cast<std::size_t>(needed_end) - n, 0.0f);
      fe.process(zeros.data(), zeros.size(), sink);
    }
  }
  Cochleagram c;
  c.num_bands = F;
  c.num_frames = static_cast<std::int64_t>(frame_major.size()) / F;
  if (num_frames >= 0) c.num_frames = std::min(c.num_frames, num_frames);
  c.values.resize(static_cast<std::size_t>(F) * c.num_frames);
  for (std::int64_t t = 0; t < c.num_frames; ++t)
    for (int b = 0; b < F; ++b) c.values[static_cast<std::size_t>(b) * c.num_frames + t] = frame_major[t * F + b];
  c.centre_frequencies_hz = fe.centre_frequencies_hz();
  c.frame_rate_hz = fe.sample_rate_hz() / fe.hop_samples();
  return c;
}

}  // namespace statenet
