#pragma once
#include <string>
#include <vector>

namespace statenet {

// A mono signal in memory. Samples are float and not normalised: values beyond ±1
// (float WAV files such as NS1's peak near 14) are kept as they are.
struct AudioBuffer;

// The largest magnitude a usable sample has: 10⁴ full scale (+80 dB). Beyond it audio is broken
// data (a float WAV with 1e20 in it), whose powers overflow the front ends' float arithmetic;
// files with such samples are refused, live ones are zeroed and counted.
constexpr float kMaxAbsSample = 1e4f;

struct AudioBuffer {
  std::vector<float> samples;
  double sample_rate_hz = 0.0;
  std::string origin;  ///< file path or generator name, for messages

  double duration_s() const { return sample_rate_hz > 0 ? samples.size() / sample_rate_hz : 0.0; }
};

}  // namespace statenet
