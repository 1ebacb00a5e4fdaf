#include "data/dataset_api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include <algorithm>
#include <cmath>
#include <set>

#include "data/simulator.h"
#include "metrics/response_metrics.h"

namespace statenet {
namespace {

TEST(DatasetApi, randomSplitIs70_10_20ByStimulusDisjointAndSeeded) {
  std::vector<int> all(20);
  for (int i = 0; i < 20; ++i) all[i] = i;
  const Split a = random_split(all, 3), b = random_split(all, 3), c = random_split(all, 4);
  EXPECT_EQ(a.train.size(), 14u);
  EXPECT_EQ(a.validation.size(), 2u);
  EXPECT_EQ(a.test.size(), 4u);
  std::set<int> seen(a.train.begin(), a.train.end());
  seen.insert(a.validation.begin(), a.validation.end());
  seen.insert(a.test.begin(), a.test.end());
  EXPECT_EQ(seen.size(), 20u) << "the three sets partition the stimuli";
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.train, b.train);
  EXPECT_NE(a.test, c.test) << "another seed, another split";
  const Split small = random_split({0, 1, 2}, 1);
  EXPECT_EQ(small.train.size(), 1u);
  EXPECT_EQ(small.validation.size(), 1u);
  EXPECT_EQ(small.test.size(), 1u);
  EXPECT_THROW(random_split(all, 1, 0.9, 0.2), std::invalid_argument);
}

TEST(DatasetApi, splitBesideAFixedTestSetKeepsTheValidationShare) {
  std::vector<int> sixteen(16), nat4(577);
  std::iota(sixteen.begin(), sixteen.end(), 4);
  std::iota(nat4.begin(), nat4.end(), 18);
  const Split ns1 = random_split_beside_test(sixteen, 3, 1.0 / 8);
  EXPECT_EQ(ns1.train.size(), 14u);
  EXPECT_EQ(ns1.validation.size(), 2u);
  EXPECT_TRUE(ns1.test.empty());
  const Split a = random_split_beside_test(nat4, 3, 0.2), b = random_split_beside_test(nat4, 3, 0.2);
  EXPECT_EQ(a.train.size(), 462u);
  EXPECT_EQ(a.validation.size(), 115u);
  EXPECT_EQ(a.train, b.train) << "seeded";
  EXPECT_NE(a.train, random_split_beside_test(nat4, 4, 0.2).train) << "redrawn per seed";
  std::vector<int> all = a.train;
  all.insert(all.end(), a.validation.begin(), a.validation.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, nat4) << "disjoint and complete";
  EXPECT_EQ(random_split_beside_test({7, 8}, 1, 0.01).validation.size(), 1u) << "at least one for validation";
  EXPECT_EQ(random_split_beside_test({7, 8}, 1, 0.99).train.size(), 1u) << "at least one for training";
  EXPECT_THROW(random_split_beside_test(sixteen, 1, 1.0), std::invalid_argument);
}

TEST(DatasetApi, splitByCountsTakesExactlyThoseCounts) {
  const std::vector<int> heard = {0, 2, 3, 5, 7, 8};
  const Split s = random_split_counts(heard, 9, {3, 1, 2});
  EXPECT_EQ(s.train.size(), 3u);
  EXPECT_EQ(s.validation.size(), 1u);
  EXPECT_EQ(s.test.size(), 2u);
  std::vector<int> all = s.train;
  all.insert(all.end(), s.validation.begin(), s.validation.end());
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, heard);
  EXPECT_EQ(random_split_counts(heard, 9, {3, 1, 2}).test, s.test) << "seeded";
  try {
    random_split_counts(heard, 9, {3, 1, 1});
    ADD_FAILURE() << "accepted counts that do not add up";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "a split of 3/1/1 clips does not fit 6 stimuli");
  }
}

Dataset unit_by_unit() {
  SimulationOptions o = simulation_preset("tiny");
  o.num_stimuli = 4;
  o.stimulus_s = 0.5;
  Dataset d = simulate_dataset(o);
  // Unit 0 did not hear stimulus 1; stimulus 2 has one trial fewer for every unit.
  Stimulus& s1 = d.stimuli[1];
  std::fill(s1.unit_trials(0), s1.unit_trials(0) + s1.num_trials * s1.num_frames, NAN);
  Stimulus& s2 = d.stimuli[2];
  for (int u = 0; u < d.num_units(); ++u)
    std::fill(s2.unit_trials(u) + (s2.num_trials - 1) * s2.num_frames, s2.unit_trials(u) + s2.num_trials * s2.num_frames, NAN);
  return d;
}

TEST(DatasetApi, selectionFollowsWhatEachUnitHeard) {
  Dataset d = unit_by_unit();
  EXPECT_FALSE(is_population(d));
  EXPECT_EQ(stimuli_heard_by(d, 0), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(stimuli_heard_by(d, 1), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(is_population(simulate_dataset(simulation_preset("tiny"))));
}

// The protocol comes from the file's attributes; without `fitting` it is inferred from what
// each unit heard. A value the trainer cannot use is one line naming the attribute.
TEST(DatasetApi, protocolIsWhatTheFileSaysAndInferredOnlyWhereItSaysNothing) {
  Dataset d = unit_by_unit();
  d.attributes.erase("fitting");
  DatasetProtocol p = dataset_protocol(d);
  EXPECT_FALSE(p.population);
  EXPECT_EQ(p.fitting_from, "inferred: some units miss some stimuli");
  d.attributes["fitting"] = "population";
  p = dataset_protocol(d);
  EXPECT_TRUE(p.population) << "the file says population although unit 0 missed stimulus 1";
  EXPECT_EQ(p.fitting_from, "the dataset");
  EXPECT_EQ(p.kind, "simulated");
  EXPECT_TRUE(p.test_stimuli.empty());
  EXPECT_EQ(p.batch_size, 0);
  d.attributes["fitting"] = "unit-by-unit";
  d.attributes["test_stimuli"] = "3,1";
  d.attributes["validation_share"] = "0.2";
  d.attributes["batch_size"] = "16";
  p = dataset_protocol(d);
  EXPECT_FALSE(p.population);
  EXPECT_EQ(p.test_stimuli, (std::vector<int>{3, 1}));
  EXPECT_EQ(p.validation_share, 0.2);
  EXPECT_EQ(p.batch_size, 16);
  const auto error = [&](const char* key, const char* value) {
    Dataset bad = d;
    bad.attributes[key] = value;
    try {
      dataset_protocol(bad);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(error("fitting", "both"), "dataset 'simulated': attribute 'fitting' = 'both': expected 'population' or 'unit-by-unit'");
  EXPECT_EQ(error("test_stimuli", "1,4"), "dataset 'simulated': attribute 'test_stimuli' = '1,4': stimulus 4 of 4");
  EXPECT_NE(error("test_stimuli", "1;2").find("attribute 'test_stimuli' = '1;2': test_stimuli: '1;2' is not an index"), std::string::npos);
  EXPECT_NE(error("validation_share", "1.5").find("attribute 'validation_share' = '1.5': expected a number in [0"), std::string::npos);
  EXPECT_NE(error("batch_size", "2.5").find("attribute 'batch_size' = '2.5': expected a whole number"), std::string::npos);
  EXPECT_NE(error("batch_size", "nan").find("attribute 'batch_size' = 'nan'"), std::string::npos);
  d.attributes["unit_splits"] = "2/1/1 - - -";
  EXPECT_EQ(dataset_protocol(d).unit_splits, (std::vector<std::array<int, 3>>{{2, 1, 1}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}));
  EXPECT_NE(error("unit_splits", "2/1/1").find("1 splits for 4 units"), std::string::npos);
  EXPECT_NE(error("unit_splits", "2/1/1 2/1").find("'2/1' is not train/validation/test clip counts"), std::string::npos);
  EXPECT_NE(error("unit_splits", "2/1/1 2/0/1").find("'2/0/1' is not"), std::string::npos);
}

TEST(DatasetApi, concatenationPadsMissingTrialsWithNan) {
  const Dataset d = unit_by_unit();
  const ConcatenatedTrials c = concatenate_trials(d, {0, 2}, 1);
  const std::int64_t T = d.stimuli[0].num_frames;
  EXPECT_EQ(c.num_bins, 2 * T);
  EXPECT_EQ(c.num_trials, d.stimuli[0].num_trials);
  const int last = c.num_trials - 1;
  EXPECT_EQ(c.values[last * c.num_bins + 3], d.stimuli[0].response(1, last, 3));
  EXPECT_TRUE(std::isnan(c.values[last * c.num_bins + T + 3])) << "stimulus 2 lacks the last trial";
  EXPECT_EQ(c.values[0 * c.num_bins + T + 3], d.stimuli[2].response(1, 0, 3));
  const std::vector<float> coch = concatenate_cochleagrams(d, {0, 2});
  EXPECT_EQ(coch.size(), static_cast<std::size_t>(d.num_bands() * 2 * T));
  EXPECT_EQ(coch[1 * 2 * T + T + 5], d.stimuli[2].cochleagram[1 * T + 5]);
}

TEST(DatasetApi, reliabilityIsTheSignalPowerCcMax) {
  const Dataset d = simulate_dataset(simulation_preset("tiny"));
  const auto cc = unit_cc_max(d, all_stimuli(d));
  ASSERT_EQ(cc.size(), static_cast<std::size_t>(d.num_units()));
  for (int u = 0; u < d.num_units(); ++u) {
    const ConcatenatedTrials c = concatenate_trials(d, all_stimuli(d), u);
    const TrialsView v{c.values.data(), c.num_trials, c.num_bins};
    // score_response's CC_max with any non-constant prediction is the same quantity.
    std::vector<float> y(c.num_bins);
    for (std::int64_t t = 0; t < c.num_bins; ++t) y[t] = static_cast<float>(t % 7);
    EXPECT_NEAR(cc[u], score_response(y.data(), v).cc_max, 1e-12) << d.unit_ids[u];
    EXPECT_GT(cc[u], 0.3);
    EXPECT_LT(cc[u], 1.0);
  }
}

}  // namespace
}  // namespace statenet
