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
  // As many decimals as the step needs: 2.5 → 1, 0.25 → 2, 5 → 0.
  int decimals = 0;
  while (decimals < 4 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  const std::string s = buf;
  return s == "-0" ? "0" : s;
}

}  // namespace statenet
