#pragma once
// Axis helpers shared by the figure panels.

#include <string>

#include "plot/image.h"

namespace statenet {

constexpr Rgb kInk{30, 30, 30};

// A "nice" tick step (1, 2, 2.5 or 5 × 10^k) for an axis spanning `range` with about
// `target` ticks.
double nice_tick_step(double range, int target);
// `v` with as many decimals as the step needs; steps below 1e-3 in scientific notation
// ("2.5e-5"); zero is always "0".
std::string format_tick(double v, double step);

}  // namespace statenet
