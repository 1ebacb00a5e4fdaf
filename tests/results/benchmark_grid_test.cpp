// The benchmark grid: its file, its points and their command lines, and the Table 1 layout
// from hand-made results (the executor itself is tested through `statenet benchmark`).

#include "results/benchmark_grid.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "results/results_file.h"
#include "support/test_support.h"

namespace statenet {
namespace {

std::string grid_error(const std::string& dir, const std::string& json) {
  std::ofstream(dir + "/grid.json") << json;
  try {
    read_benchmark_grid(dir + "/grid.json");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(BenchmarkGrid, fileIsCheckedFieldByField) {
  const std::string dir = test::temp_dir();
  const std::string p = dir + "/grid.json: ";
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"a": "a.h5"}})"), p + "models: expected a non-empty object of name: string");
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"../a": "a.h5"}, "models": {"l": "--model l"}})"),
            p + "datasets: '../a' is not a usable name (letters, digits, - _ . + only)");
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"a": "a.h5"}, "models": {"l": "--model l -o x"}})"), p + "models.l: -o is set by the grid");
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"a": "a.h5"}, "models": {"l": "--model l"}, "seeds": 0})"),
            p + "seeds: expected a whole number in [1, 1000]");
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"a": "a.h5"}, "models": {"l": "--model l"}, "seed": 3})"),
            p + "seed: unknown field (datasets, models, seeds, first_seed, train_args)");
  EXPECT_EQ(grid_error(dir, R"({"datasets": {"a": "a.h5"}, "models": {"l": "--model 'l"}})"), p + "models.l: unclosed quote in '--model 'l'");
  EXPECT_NE(grid_error(dir, "{"), "(accepted)");
  // The example parses, and its dataset path is taken relative to the grid file.
  std::ofstream(dir + "/example.json") << example_benchmark_grid();
  const BenchmarkGrid example = read_benchmark_grid(dir + "/example.json");
  EXPECT_EQ(example.seeds, 10);
  EXPECT_EQ(example.datasets.at(0).second, std::filesystem::path(dir + "/ns1.h5").lexically_normal().string());
  EXPECT_EQ(split_arguments(R"(--model l --note "two words" '' x)"), (std::vector<std::string>{"--model", "l", "--note", "two words", "", "x"}));
}

TEST(BenchmarkGrid, pointsTheirCommandsAndTheirState) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/grid.json") << R"({"datasets": {"sim": "/data/sim.h5"}, "models": {"ln": "--model ln --window-bins 10", "gru": "--model statenet"},
                                       "seeds": 2, "first_seed": 5, "train_args": "--threads 1"})";
  const BenchmarkGrid g = read_benchmark_grid(dir + "/grid.json");
  const std::vector<GridPoint> points = grid_points(g, dir + "/out");
  ASSERT_EQ(points.size(), 4u);
  // Seed-major: every model's seed 5, then every model's seed 6.
  EXPECT_EQ(points[1].model, "gru");
  EXPECT_EQ(points[1].seed, 5);
  EXPECT_EQ(points[2].model, "ln");
  EXPECT_EQ(points[2].seed, 6);
  EXPECT_EQ(points[2].dir, dir + "/out/sim/ln/seed6");
  EXPECT_EQ(train_arguments(g, points[2], false),
            (std::vector<std::string>{"train", "--data", "/data/sim.h5", "--model", "ln", "--window-bins", "10", "--threads", "1", "--seeds",
                                      "1", "--first-seed", "6", "-o", dir + "/out/sim/ln/seed6"}));
  EXPECT_EQ(train_arguments(g, points[2], true).back(), "--resume");
  EXPECT_EQ(point_state(points[2]), PointState::kPending);
  std::filesystem::create_directories(points[2].dir);
  std::ofstream(points[2].dir + "/train.log") << "killed\n";
  EXPECT_EQ(point_state(points[2]), PointState::kStarted);
  TrainReport r;
  r.runs.resize(1);
  r.runs[0].seed = 5;  // another seed's result is not this point's
  write_results_file(points[2].dir + "/results.json", r);
  EXPECT_EQ(point_state(points[2]), PointState::kStarted);
  std::ofstream(points[2].dir + "/" + kFailedMarker) << "exit status 1: statenet: error: …\n";
  EXPECT_EQ(point_state(points[2]), PointState::kFailed);
  r.runs[0].seed = 6;
  write_results_file(points[2].dir + "/results.json", r);
  EXPECT_EQ(point_state(points[2]), PointState::kDone) << "a result outweighs an old failure";
  // Names: <dataset>/<model>/seed<S>, and back.
  EXPECT_EQ(point_name(points[2]), "sim/ln/seed6");
  EXPECT_EQ(&find_point(points, "sim/gru/seed5"), &points[1]);
  EXPECT_THROW(find_point(points, "sim/gru/seed9"), std::invalid_argument);
  // The copy a run directory keeps reads back as the same grid, in the same order.
  std::ofstream(dir + "/copy.json") << benchmark_grid_json(g);
  const BenchmarkGrid copy = read_benchmark_grid(dir + "/copy.json");
  EXPECT_EQ(copy.datasets, g.datasets);
  EXPECT_EQ(copy.models, g.models);
  EXPECT_EQ(copy.seeds, g.seeds);
  EXPECT_EQ(copy.first_seed, g.first_seed);
  EXPECT_EQ(copy.train_args, g.train_args);
}

// Hand-made results: three models on one dataset, the third with one seed of two finished.
TEST(BenchmarkGrid, tableRanksTheTopThreeAndSaysWhatIsMissing) {
  const std::string dir = test::temp_dir();
  std::ofstream(dir + "/grid.json") << R"({"datasets": {"d": "d.h5"}, "models": {"a": "--model l", "b": "--model ln", "c": "--model nrf", "e": "--model dnet"}, "seeds": 2})";
  const BenchmarkGrid g = read_benchmark_grid(dir + "/grid.json");
  const std::map<std::string, std::vector<double>> cc_norm = {{"a", {0.5, 0.7}}, {"b", {0.8, 0.8}}, {"c", {0.3}}};
  for (const GridPoint& p : grid_points(g, dir + "/out")) {
    const auto it = cc_norm.find(p.model);
    if (it == cc_norm.end() || p.seed >= static_cast<int>(it->second.size())) continue;
    TrainReport r;
    r.model = default_model_config(Architecture::kL, 34, 1);
    r.parameters = 100;
    r.runs.resize(1);
    r.runs[0].seed = p.seed;
    r.runs[0].mean_cc_norm = it->second[p.seed];
    r.runs[0].mean_cc_raw = it->second[p.seed] / 2;
    std::filesystem::create_directories(p.dir);
    write_results_file(p.dir + "/results.json", r);
  }
  const BenchmarkTable t = benchmark_table(g, dir + "/out");
  EXPECT_NE(t.markdown.find("### d\n"), std::string::npos) << t.markdown;
  EXPECT_NE(t.markdown.find("| a | 100 | 2 | 0.300 ± 0.050 | 0.600 ± 0.100 | 2nd |"), std::string::npos) << t.markdown;
  EXPECT_NE(t.markdown.find("| b | 100 | 2 | 0.400 ± 0.000 | 0.800 ± 0.000 | **1st** |"), std::string::npos) << t.markdown;
  EXPECT_NE(t.markdown.find("| c | 100 | 1 | 0.150 ± 0.000 | 0.300 ± 0.000 | 3rd |"), std::string::npos) << t.markdown;
  EXPECT_EQ(t.markdown.find("| e |"), std::string::npos) << "no finished seed, no row";
  EXPECT_EQ(t.missing, (std::vector<std::string>{"d c: 1 of 2 seeds", "d e: 0 of 2 seeds"}));
  EXPECT_NE(t.markdown.find("Not finished: d c: 1 of 2 seeds; d e: 0 of 2 seeds."), std::string::npos) << t.markdown;
  write_benchmark_figure(dir + "/table.png", t);
  EXPECT_GT(std::filesystem::file_size(dir + "/table.png"), 1000u);
}

}  // namespace
}  // namespace statenet
