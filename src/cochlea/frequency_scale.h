#pragma once
// Frequency scales for filterbanks and the ERB scale (docs/cochleagram.md, "Frequency scales").
// All functions are pure and work in float64.

#include <vector>

namespace statenet {

enum class FrequencyScale {
  kHtkMel,        ///< m = 2595·log10(1 + f/700)
  kSlaneyMel,     ///< linear below 1 kHz (f/(200/3)), logarithmic above (Auditory Toolbox)
  kLogFrequency,  ///< octave fractions: s = bands_per_octave·log2(f / f_ref)
};

double hz_to_mel(double hz, FrequencyScale scale);
double mel_to_hz(double mel, FrequencyScale scale);

// Glasberg & Moore equivalent rectangular bandwidth, Slaney's constants:
// ERB(cf) = cf/9.26449 + 24.7 Hz.
double erb_hz(double cf_hz);

// Slaney's ERBSpace(low, high, n): n centre frequencies equally spaced on the ERB
// scale, in DESCENDING order, the last one exactly `low`, `high` itself excluded.
std::vector<double> erb_space_slaney(double low_hz, double high_hz, int n);

}  // namespace statenet
