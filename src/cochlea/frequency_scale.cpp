#include "cochlea/frequency_scale.h"

#include <cmath>

namespace statenet {
namespace {
// Slaney mel: linear part f/f_sp below 1 kHz, log part above.
constexpr double kSlaneyFsp = 200.0 / 3.0;
constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyFsp;  // 15
const double kSlaneyLogStep = std::log(6.4) / 27.0;
constexpr double kEarQ = 9.26449;
constexpr double kMinBw = 24.7;
}  // namespace

double hz_to_mel(double hz, FrequencyScale scale) {
  switch (scale) {
    case FrequencyScale::kHtkMel:
      return 2595.0 * std::log10(1.0 + hz / 700.0);
    case FrequencyScale::kSlaneyMel:
      if (hz < kSlaneyMinLogHz) return hz / kSlaneyFsp;
      return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / kSlaneyLogStep;
    case FrequencyScale::kLogFrequency:
      return std::log2(hz);
  }
  return 0.0;
}

double mel_to_hz(double mel, FrequencyScale scale) {
  switch (scale) {
    case FrequencyScale::kHtkMel:
      return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    case FrequencyScale::kSlaneyMel:
      if (mel < kSlaneyMinLogMel) return kSlaneyFsp * mel;
      return kSlaneyMinLogHz * std::exp(kSlaneyLogStep * (mel - kSlaneyMinLogMel));
    case FrequencyScale::kLogFrequency:
      return std::exp2(mel);
  }
  return 0.0;
}

double erb_hz(double cf_hz) { return cf_hz / kEarQ + kMinBw; }

std::vector<double> erb_space_slaney(double low_hz, double high_hz, int n) {
  std::vector<double> cf(static_cast<std::size_t>(n));
  const double q = kEarQ * kMinBw;
  for (int i = 1; i <= n; ++i) {
    cf[i - 1] = -q + std::exp(i * (std::log(low_hz + q) - std::log(high_hz + q)) / n) * (high_hz + q);
  }
  return cf;
}

}  // namespace statenet
