#pragma once
#include <cstddef>
#include <vector>

namespace statenet {

// Band-limited resampling of a whole signal with libsoxr (very high quality:
// linear phase, passband to 0.95 of the lower Nyquist, stopband attenuation ~170 dB).
// Output length is round(n · output_rate / input_rate). Throws std::invalid_argument
// on non-positive rates and std::runtime_error when soxr fails.
std::vector<float> resample(const float* input, std::size_t n, double input_rate_hz,
                            double output_rate_hz);

}  // namespace statenet
