// Line panels: the legend never covers the data it labels.

#include "plot/series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace statenet {
namespace {

constexpr Rgb kCurve{214, 39, 40};

bool is_curve(const Image& img, int x, int y) {
  const std::uint8_t* p = &img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3];
  return p[0] == kCurve.r && p[1] == kCurve.g && p[2] == kCurve.b;
}

// Draws `values` once unlabelled and once labelled; the legend is where the two
// images differ. Returns how many curve pixels of the unlabelled image lie inside
// the legend's bounding box (0 when the legend sits clear of the data).
int curve_pixels_under_legend(const std::vector<float>& values) {
  const TextRenderer text;
  const PlotArea area{80, 40, 400, 200};
  Series s{values, kCurve, "", 1};
  Image bare(560, 320), labelled(560, 320);
  draw_series(bare, area, {s}, SeriesPanelOptions{}, text);
  s.label = "validation CC_norm";
  draw_series(labelled, area, {s}, SeriesPanelOptions{}, text);
  int x0 = bare.width, y0 = bare.height, x1 = -1, y1 = -1;
  for (int y = 0; y < bare.height; ++y)
    for (int x = 0; x < bare.width; ++x)
      if (!std::equal(&bare.rgb[(y * bare.width + x) * 3], &bare.rgb[(y * bare.width + x) * 3 + 3],
                      &labelled.rgb[(y * bare.width + x) * 3]))
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  EXPECT_GE(x1, 0) << "no legend was drawn";
  int under = 0;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) under += is_curve(bare, x, y);
  return under;
}

TEST(Series, legendAvoidsARisingCurveEndingTopRight) {
  std::vector<float> rising(300);
  for (int c = 0; c < 300; ++c) rising[c] = c / 299.0f;
  EXPECT_EQ(curve_pixels_under_legend(rising), 0);
}

TEST(Series, legendAvoidsALearningCurveThatSaturatesAlongTheTop) {
  // The validation CC_norm of a training run: fast rise, then flat near its maximum,
  // wobbling by a few per cent from epoch to epoch.
  std::vector<float> saturating(340);
  for (int c = 0; c < 340; ++c) saturating[c] = 0.7f * (1 - std::exp(-c / 20.0f)) + 0.03f * std::sin(0.7f * c);
  EXPECT_EQ(curve_pixels_under_legend(saturating), 0);
}

TEST(Series, legendAvoidsAFallingLossCurve) {
  std::vector<float> falling(300);
  for (int c = 0; c < 300; ++c) falling[c] = 0.004f + 0.005f * std::exp(-c / 30.0f);
  EXPECT_EQ(curve_pixels_under_legend(falling), 0);
}

}  // namespace
}  // namespace statenet
