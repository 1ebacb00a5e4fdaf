#pragma once
#include <string>
#include <vector>

namespace statenet {

enum class WindowType {
  kHannPeriodic,      ///< 0.5 − 0.5·cos(2πn/N)      (torch.hann_window default)
  kHannSymmetric,     ///< 0.5 − 0.5·cos(2πn/(N−1))  (deepSTRF's causal NS1 front end)
  kHammingSymmetric,  ///< 0.54 − 0.46·cos(2πn/(N−1)) (MATLAB spectrogram default)
  kRectangular,
};

// Window of length n in float64.
std::vector<double> make_window(WindowType type, int n);
std::string to_string(WindowType type);

}  // namespace statenet
