#include "cochlea/window.h"

#include <cmath>
#include <stdexcept>

namespace statenet {

std::vector<double> make_window(WindowType type, int n) {
  if (n <= 0) throw std::invalid_argument("window length must be positive, got " + std::to_string(n));
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  std::vector<double> w(static_cast<std::size_t>(n), 1.0);
  const double sym_den = n > 1 ? n - 1.0 : 1.0;
  for (int i = 0; i < n; ++i) {
    switch (type) {
      case WindowType::kHannPeriodic: w[i] = 0.5 - 0.5 * std::cos(kTwoPi * i / n); break;
      case WindowType::kHannSymmetric: w[i] = 0.5 - 0.5 * std::cos(kTwoPi * i / sym_den); break;
      case WindowType::kHammingSymmetric: w[i] = 0.54 - 0.46 * std::cos(kTwoPi * i / sym_den); break;
      case WindowType::kRectangular: break;
    }
  }
  return w;
}

std::string to_string(WindowType type) {
  switch (type) {
    case WindowType::kHannPeriodic: return "hann-periodic";
    case WindowType::kHannSymmetric: return "hann-symmetric";
    case WindowType::kHammingSymmetric: return "hamming-symmetric";
    case WindowType::kRectangular: return "rectangular";
  }
  return "?";
}

}  // namespace statenet
