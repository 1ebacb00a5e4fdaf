#pragma once
// The two hooks of an audio device stream, called from its callback: what it plays and what it
// hears. Both run on the device's real-time thread: noexcept, no allocation, no lock, no wait.
// Sample indices count from the stream's first callback; in a full-duplex stream input and
// output share them (output sample n is written by the callback that receives input sample n),
// so one clock orders both.

#include <cstdint>

namespace statenet {

class OutputRenderer {
 public:
  virtual ~OutputRenderer() = default;
  /// Writes this renderer's channels of `interleaved` [frames × channels], which the stream
  /// has zeroed; its first frame is output sample `first_sample` and reaches the converter at
  /// about `first_play_ns` (steady clock; the device's own estimate). [audio callback]
  virtual void render(float* interleaved, int frames, int channels, std::int64_t first_sample,
                      std::int64_t first_play_ns) noexcept = 0;
};

class InputTap {
 public:
  virtual ~InputTap() = default;
  /// Sees every input block as the device delivered it: `interleaved` [frames × channels],
  /// first frame = input sample `first_sample`, received at `arrival_ns` (steady clock). [audio callback]
  virtual void capture(const float* interleaved, int frames, int channels, std::int64_t first_sample,
                       std::int64_t arrival_ns) noexcept = 0;
};

}  // namespace statenet
