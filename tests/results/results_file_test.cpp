// results.json has one definition, both ways: what the trainer writes reads back equal; the
// figures over seeds are the mean ± s.e.m. of each seed's mean over its runs (checked by hand);
// the comparison table pools directories of one model and refuses anything else in one line.

#include "results/results_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "results/results_table.h"
#include "support/test_support.h"

namespace statenet {
namespace {

SeedResult run(int seed, int unit, double cc_raw, double cc_norm) {
  SeedResult r;
  r.seed = seed;
  r.unit = unit;
  r.split = {{0, 1, 2}, {3}, {4, 5}};
  r.epochs_run = 60 + seed;
  r.best_epoch = 10 + seed;
  r.best_validation_loss = 0.25;
  r.train_loss = {1.0, 0.5};
  r.validation_loss = {1.1, 0.6};
  r.validation_cc_norm = {0.2, NAN};
  ResponseScores s;
  s.cc_raw = cc_raw, s.cc_norm = cc_norm, s.cc_max = NAN;
  r.test_units = {s};
  r.mean_cc_raw = cc_raw;
  r.mean_cc_norm = cc_norm;
  r.seconds = 120.0;
  r.seconds_per_epoch = 2.0;
  r.train_pass_seconds = {1.5, 1.4};
  r.model_path = "run/seed" + std::to_string(seed) + ".safetensors";
  return r;
}

TrainReport report(Architecture a, std::vector<SeedResult> runs) {
  TrainReport t;
  t.model = default_model_config(a, 34, 1);
  t.model.cochleagram = "ns1: stft";
  t.model.unit_ids = {"u0"};
  t.parameters = 1465;
  t.runs = std::move(runs);
  const SeedSummary s = summarise_seeds(t.runs);
  t.mean_cc_raw = s.cc_raw.mean, t.sem_cc_raw = s.cc_raw.sem, t.mean_cc_norm = s.cc_norm.mean, t.sem_cc_norm = s.cc_norm.sem;
  return t;
}

TEST(ResultsFile, whatIsWrittenReadsBackEqual) {
  const std::string dir = test::temp_dir();
  TrainReport t = report(Architecture::kTransformer, {run(0, -1, 0.5, 0.7), run(1, -1, NAN, NAN)});
  t.fit_input_to_data = false;
  t.tbptt_k = 0;
  t.device = "cpu";
  write_results_file(dir + "/results.json", t);
  const TrainReport back = read_results_file(dir + "/results.json");
  EXPECT_EQ(results_to_json(back), results_to_json(t));
  ASSERT_EQ(back.runs.size(), 2u);
  EXPECT_TRUE(std::isnan(back.runs[1].mean_cc_norm)) << "NaN travels as null and comes back NaN";
  EXPECT_TRUE(std::isnan(back.runs[0].validation_cc_norm[1]));
  EXPECT_EQ(back.runs[0].split.test, (std::vector<int>{4, 5}));
  EXPECT_FALSE(back.fit_input_to_data);
  EXPECT_EQ(results_label(back), "transformer (raw input)");
}

// Found by fuzzing: integer fields holding floats beyond int's range (a cast there is UB), and
// a report of no runs that did not read back.
TEST(ResultsFile, integerFieldsAreCheckedAndAReportOfNoRunsReadsBack) {
  const std::string dir = test::temp_dir();
  const TrainReport t = report(Architecture::kL, {run(0, -1, 0.5, 0.7)});
  const std::string good = results_to_json(t);
  auto error_with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir + "/results.json") << text;
    try {
      read_results_file(dir + "/results.json");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(read)");
  };
  EXPECT_NE(error_with("\"seed\": 0", "\"seed\": 8.9e20").find("results.json: seed: expected an integer"), std::string::npos)
      << error_with("\"seed\": 0", "\"seed\": 8.9e20");
  EXPECT_NE(error_with("\"parameters\": 1465", "\"parameters\": 1.4e51").find("parameters: expected an integer"), std::string::npos);
  EXPECT_NE(error_with("\"best_epoch\": 10", "\"best_epoch\": 3000000000").find("best_epoch: 3000000000 is out of range"),
            std::string::npos);
  EXPECT_NE(error_with("\"test\": [", "\"test\": [-4.5,").find("test: expected an integer"), std::string::npos)
      << error_with("\"test\": [", "\"test\": [-4.5,");

  TrainReport none = t;
  none.runs.clear();
  write_results_file(dir + "/results.json", none);
  EXPECT_TRUE(read_results_file(dir + "/results.json").runs.empty());
}

TEST(ResultsFile, seedFiguresAreTheMeanAndSemOfEachSeedsMeanOverItsRuns) {
  // Unit by unit: seed 0 has units scoring 0.6 and 0.8 (mean 0.7) and a NaN unit (left out);
  // seed 1 has 0.5 and 0.7 (mean 0.6); seed 2 only 0.9.
  const std::vector<SeedResult> runs = {run(0, 0, 0.3, 0.6), run(0, 1, 0.5, 0.8), run(0, 2, NAN, NAN),
                                        run(1, 0, 0.2, 0.5), run(1, 1, 0.4, 0.7), run(2, 0, 0.6, 0.9)};
  const SeedSummary s = summarise_seeds(runs);
  EXPECT_EQ(s.seeds, (std::vector<int>{0, 1, 2}));
  const double mean = (0.7 + 0.6 + 0.9) / 3;
  const double sd = std::sqrt((std::pow(0.7 - mean, 2) + std::pow(0.6 - mean, 2) + std::pow(0.9 - mean, 2)) / 2);
  EXPECT_NEAR(s.cc_norm.mean, mean, 1e-12);
  EXPECT_NEAR(s.cc_norm.sem, sd / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(s.cc_raw.mean, (0.4 + 0.3 + 0.6) / 3, 1e-12);
}

TEST(ResultsFile, labelsNameTheVariantsATableMustTellApart) {
  TrainReport t = report(Architecture::kStateNet, {});
  EXPECT_EQ(results_label(t), "statenet-gru");
  t.model.first_layer = FirstLayer::kFullyConnected;
  t.model.output = Nonlinearity::kDoubleExponential;
  EXPECT_EQ(results_label(t), "statenet-gru (fc) + double_exponential");
  EXPECT_EQ(results_label(report(Architecture::kLn, {})), "ln");
  TrainReport tf = report(Architecture::kTransformer, {});
  EXPECT_EQ(results_label(tf), "transformer");
}

TEST(ResultsTable, poolsTheSeedsOfOneModelAndRefusesAnythingElseInOneLine) {
  const std::string dir = test::temp_dir();
  for (const char* d : {"a", "b", "c", "other", "bad"}) std::filesystem::create_directories(dir + "/" + d);
  write_results_file(dir + "/a/results.json", report(Architecture::kL, {run(0, -1, 0.4, 0.6), run(1, -1, 0.5, 0.8)}));
  write_results_file(dir + "/b/results.json", report(Architecture::kL, {run(2, -1, 0.6, 0.7)}));
  write_results_file(dir + "/c/results.json", report(Architecture::kL, {run(1, -1, 0.6, 0.7)}));
  write_results_file(dir + "/other/results.json", report(Architecture::kLn, {run(3, -1, 0.6, 0.7)}));
  std::ofstream(dir + "/bad/results.json") << R"({"model": {"architecture": "l"}, "runs": 3})";

  const std::string row = results_table_row({dir + "/a", dir + "/b"});
  // Seeds 0, 1, 2 → CC_norm 0.6, 0.8, 0.7: mean 0.700, s.e.m. 0.1/√3 = 0.058; epochs 61 (11).
  EXPECT_EQ(row, "| l | 1465 | 3 | 0.500 ± 0.058 | 0.700 ± 0.058 | 61 (11) | 2.00 | 2.0 |\n");
  auto error_of = [&](const std::vector<std::string>& dirs) -> std::string {
    try {
      results_table_row(dirs);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(error_of({dir + "/a", dir + "/c"}).find("seed 1 is also in " + dir + "/a"), std::string::npos);
  EXPECT_NE(error_of({dir + "/a", dir + "/other"}).find("only runs of one model pool into a row"), std::string::npos);
  const std::string bad = error_of({dir + "/bad"});
  EXPECT_EQ(bad.rfind(dir + "/bad/results.json: not a results file", 0), 0u) << bad;
  EXPECT_EQ(bad.find('\n'), std::string::npos) << bad;
  EXPECT_NE(error_of({dir + "/none"}).find("results.json: no such file"), std::string::npos);
}

}  // namespace
}  // namespace statenet
