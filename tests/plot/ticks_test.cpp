// Tick labels: as few characters as the step needs, readable at every scale.

#include "plot/ticks.h"

#include <gtest/gtest.h>

namespace statenet {
namespace {

TEST(Ticks, labelsShowTheStepsDigitsAndNeverANegativeZero) {
  EXPECT_EQ(format_tick(2.5, 2.5), "2.5");
  EXPECT_EQ(format_tick(-0.25, 0.25), "-0.25");
  EXPECT_EQ(format_tick(10, 5), "10");
  EXPECT_EQ(format_tick(-1e-12, 0.01), "0");
  EXPECT_EQ(format_tick(-1e-12, 1), "0");
}

TEST(Ticks, stepsBelowOneThousandthGetScientificLabels) {
  // GradMaps of dB-input models are ~1e-5 per bin: fixed decimals printed "0.0000" and "-0.0000".
  EXPECT_EQ(format_tick(2.5e-5, 2.5e-5), "2.5e-5");
  EXPECT_EQ(format_tick(-1e-4, 2.5e-5), "-1e-4");
  EXPECT_EQ(format_tick(1.25e-4, 2.5e-5), "1.25e-4");
  EXPECT_EQ(format_tick(3e-7, 1e-7), "3e-7");
  EXPECT_EQ(format_tick(1e-20, 2e-5), "0");
}

TEST(Ticks, niceStepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_tick_step(10, 5), 2);
  EXPECT_DOUBLE_EQ(nice_tick_step(1e-4, 4), 2.5e-5);
  EXPECT_DOUBLE_EQ(nice_tick_step(900, 2), 500);
}

}  // namespace
}  // namespace statenet
