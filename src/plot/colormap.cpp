#include "plot/colormap.h"

#include <algorithm>
#include <cmath>

namespace statenet {
namespace {

struct Anchor {
  double r, g, b;
};

// Viridis sampled every 0.1 (van der Walt & Smith's matplotlib map,
// CC0), interpolated linearly between them.
constexpr Anchor kViridis[] = {{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
                               {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
                               {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
                               {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
// Blue → white → red (ColorBrewer RdBu, reversed), 7 anchors.
constexpr Anchor kDiverging[] = {{0.129, 0.400, 0.675}, {0.263, 0.576, 0.765}, {0.573, 0.773, 0.871},
                                 {0.969, 0.969, 0.969}, {0.957, 0.647, 0.510}, {0.839, 0.376, 0.302},
                                 {0.698, 0.094, 0.169}};

template <std::size_t N>
Rgb lerp(const Anchor (&a)[N], double u) {
  u = std::clamp(std::isfinite(u) ? u : 0.0, 0.0, 1.0) * (N - 1);
  const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(u), N - 2);
  const double f = u - i;
  auto ch = [&](double x, double y) { return static_cast<std::uint8_t>(std::lround(255.0 * (x + (y - x) * f))); };
  return {ch(a[i].r, a[i + 1].r), ch(a[i].g, a[i + 1].g), ch(a[i].b, a[i + 1].b)};
}

}  // namespace

Rgb colormap(Colormap map, double u) {
  return map == Colormap::kViridis ? lerp(kViridis, u) : lerp(kDiverging, u);
}

}  // namespace statenet
