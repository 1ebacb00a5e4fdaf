#pragma once
// When a callback's first output frame reaches the converter, on the steady clock: now plus
// PortAudio's (outputBufferDacTime − currentTime), both on the stream's own clock. [audio callback]

#include <portaudio.h>

#include <cstdint>

namespace statenet {

inline std::int64_t play_time_ns(std::int64_t now_ns, const PaStreamCallbackTimeInfo* time) noexcept {
  if (!time || !(time->outputBufferDacTime > 0.0) || !(time->currentTime > 0.0)) return now_ns;
  const double ahead_s = time->outputBufferDacTime - time->currentTime;
  return now_ns + static_cast<std::int64_t>(ahead_s > 0.0 && ahead_s < 10.0 ? ahead_s * 1e9 : 0.0);
}

}  // namespace statenet
