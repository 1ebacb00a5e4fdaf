#include "plot/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace statenet {

double nice_tick_step(double range, int target) {
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

std::string format_tick(double v, double step) {
  char buf[32];
  if (step > 0 && step < 1e-3) {
    // Too small for fixed decimals (GradMaps are ~1e-5): 2.5e-5, −1e-4, 0.
    if (std::fabs(v) < 1e-3 * step) return "0";
    std::snprintf(buf, sizeof buf, "%.2e", v);  // "-1.25e-04"
    const std::string s = buf;
    const auto e = s.find('e');
    std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
    mantissa.erase(mantissa.find_last_not_of('0') + 1);
    if (mantissa.back() == '.') mantissa.pop_back();
    const bool negative = exponent[0] == '-';
    exponent.erase(0, exponent.find_first_not_of("+-0"));
    return mantissa + "e" + (negative ? "-" : "") + (exponent.empty() ? "0" : exponent);
  }
  // As many decimals as the step needs: 2.5 → 1, 0.25 → 2, 5 → 0.
  int decimals = 0;
  while (decimals < 4 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  const std::string s = buf;
  return s.find_first_not_of("-0.") == std::string::npos ? "0" : s;  // never "-0" or "0.000"
}

}  // namespace statenet
