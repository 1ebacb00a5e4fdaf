// `statenet data info`'s figures in-process, on a dataset made by hand: sizes, trials, mean
// rates per second (checked by hand), the fitting mode and the CC_max histogram.

#include "data/dataset_summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "data/dataset_api.h"

namespace statenet {
namespace {

// Two stimuli (T = 4 and 6, 3 trials each) and two units; unit 1 did not hear stimulus 1.
Dataset hand_made() {
  Dataset d;
  d.name = "hand";
  d.dt_ms = 5.0;
  d.cochleagram = "test";
  d.freqs_hz = {500, 1000};
  d.unit_ids = {"a", "b"};
  for (int k = 0; k < 2; ++k) {
    Stimulus s;
    s.name = "s" + std::to_string(k);
    s.num_frames = k == 0 ? 4 : 6;
    s.num_trials = 3;
    s.cochleagram.assign(2 * s.num_frames, 0.0f);
    s.responses.resize(2 * 3 * s.num_frames);
    for (int u = 0; u < 2; ++u)
      for (int r = 0; r < 3; ++r)
        for (int t = 0; t < s.num_frames; ++t)
          s.responses[(u * 3 + r) * s.num_frames + t] = (u == 1 && k == 1) ? NAN : static_cast<float>((t + r + u) % 3 == 0);
    d.stimuli.push_back(s);
  }
  return d;
}

TEST(DatasetSummary, figuresAgreeWithAHandCount) {
  const Dataset d = hand_made();
  const DatasetSummary s = summarise_dataset(d);
  EXPECT_EQ(s.bins, 10);
  EXPECT_EQ(s.shortest_frames, 4);
  EXPECT_EQ(s.longest_frames, 6);
  EXPECT_EQ(s.min_trials, 3);
  EXPECT_EQ(s.max_trials, 3);
  EXPECT_FALSE(s.population) << "unit b lacks stimulus 1";
  // Unit a: ones where (t + r) % 3 == 0, over 3 × 4 + 3 × 6 = 30 values; unit b over 12.
  double ones_a = 0, ones_b = 0;
  for (int r = 0; r < 3; ++r) {
    for (int t = 0; t < 4; ++t) ones_a += (t + r) % 3 == 0, ones_b += (t + r + 1) % 3 == 0;
    for (int t = 0; t < 6; ++t) ones_a += (t + r) % 3 == 0;
  }
  ASSERT_EQ(s.mean_rate_per_s.size(), 2u);
  EXPECT_NEAR(s.mean_rate_per_s[0], ones_a / 30 * 200.0, 1e-9);  // per 5-ms bin → per second
  EXPECT_NEAR(s.mean_rate_per_s[1], ones_b / 12 * 200.0, 1e-9);
  const int counted = std::accumulate(s.cc_max_histogram.begin(), s.cc_max_histogram.end(), 0);
  EXPECT_EQ(counted + s.single_trial_units, 2);
  const std::string text = describe_dataset("hand.h5", d, s);
  EXPECT_EQ(text.rfind("hand.h5: dataset 'hand'\n", 0), 0u) << text;
  EXPECT_NE(text.find("N = 2 (unit-by-unit fitting, inferred: some units miss some stimuli)"), std::string::npos) << text;
  EXPECT_NE(text.find("T = 4–6"), std::string::npos) << text;
}

TEST(DatasetSummary, quantilesInterpolateAndIgnoreNaN) {
  EXPECT_DOUBLE_EQ(quantile({3, NAN, 1, 2}, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 1.0), 4.0);
  EXPECT_TRUE(std::isnan(quantile({NAN}, 0.5)));
}

}  // namespace
}  // namespace statenet
