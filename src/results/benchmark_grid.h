#pragma once
// The benchmark grid of `statenet benchmark` (docs/benchmark-grid.md): datasets × models × seeds,
// each point one `statenet train` run in its own directory, and the paper's Table 1 from
// whatever has finished. Torch-free; the executors (local processes, and later a scheduler)
// only need the points and their command lines.
//
// The grid file (JSON, paths relative to the file):
//   {
//     "datasets": {"ns1": "ns1.h5", "sim-units": "sim_units.h5"},
//     "models":   {"statenet-gru": "--model statenet --core gru", "cnn2d": "--model cnn2d"},
//     "seeds": 10,              // optional, default 10
//     "first_seed": 0,          // optional
//     "train_args": "--threads 1"   // optional, added to every run
//   }
// Run directories: OUT/<dataset>/<model>/seed<S>/ (results.json, checkpoints, models, train.log).

#include <string>
#include <vector>

#include "results/results_table.h"

namespace statenet {

struct BenchmarkGrid {
  std::vector<std::pair<std::string, std::string>> datasets;  ///< name, dataset file (absolute)
  std::vector<std::pair<std::string, std::string>> models;    ///< name, `statenet train` arguments
  int seeds = 10, first_seed = 0;
  std::string train_args;
};

// Reads and checks a grid file; throws std::runtime_error "<path>: <field>: <problem>".
BenchmarkGrid read_benchmark_grid(const std::string& path);
// The grid as a grid file, dataset paths absolute: the copy a run directory keeps (OUT/grid.json)
// and a Slurm submission runs from. read_benchmark_grid of it gives the same grid.
std::string benchmark_grid_json(const BenchmarkGrid& grid);
// An example grid (the file's format, documented by example).
std::string example_benchmark_grid();

struct GridPoint {
  std::string dataset, model;
  int seed = 0;
  std::string dir;  ///< OUT/<dataset>/<model>/seed<S>
};
// Every point, seed by seed (then dataset, then model, in the file's order): the order they
// run in, so that a grid stopped early has every model at the same number of seeds.
std::vector<GridPoint> grid_points(const BenchmarkGrid& grid, const std::string& out_dir);

// "<dataset>/<model>/seed<S>": how commands, logs and Slurm tasks name a point.
std::string point_name(const GridPoint& point);
// The point of that name; throws std::invalid_argument naming it.
const GridPoint& find_point(const std::vector<GridPoint>& points, const std::string& name);

// Files an executor keeps in a point's directory while and after it runs the training:
//   task.running  "<host> <pid> <slurm job id or ->" while a training runs;
//   task.failed   the exit status and the log's last line, when it ended with an error
//                 (not when it was stopped by a signal: that run continues with --resume).
inline constexpr const char* kRunningMarker = "task.running";
inline constexpr const char* kFailedMarker = "task.failed";

enum class PointState { kPending, kStarted, kFailed, kDone };
// kDone: its results.json holds its seed; kFailed: no result and a task.failed; kStarted: a
// checkpoint or log but no result (stopped or killed, or running now: continued with
// --resume); kPending: nothing yet. Every state but kDone is run again by an executor.
PointState point_state(const GridPoint& point);
const char* to_string(PointState state);

// The `statenet train` arguments of one point (after the program name).
std::vector<std::string> train_arguments(const BenchmarkGrid& grid, const GridPoint& point, bool resume);

// Splits a command-line string on spaces, with "…" or '…' quoting; throws std::invalid_argument.
std::vector<std::string> split_arguments(const std::string& text);

struct BenchmarkTable {
  std::string markdown;                 ///< per dataset: a heading and its table
  std::vector<std::string> missing;     ///< "ns1 cnn2d: 7 of 10 seeds", …
  /// Per dataset, its rows in the grid's model order (name = the grid's model name).
  std::vector<std::pair<std::string, std::vector<ModelSummary>>> rows;
};
// The paper's Table 1 layout from the finished points: per dataset every model's CC_raw and
// CC_norm (mean ± s.e.m. over its finished seeds) and parameter count, the top three by mean
// CC_norm marked 1st, 2nd, 3rd; models without a finished seed are listed as missing.
BenchmarkTable benchmark_table(const BenchmarkGrid& grid, const std::string& out_dir);

// The table as a picture: per dataset a panel of horizontal bars (mean CC_norm, s.e.m.
// whiskers), the top three in colour. Written atomically.
void write_benchmark_figure(const std::string& path, const BenchmarkTable& table);

}  // namespace statenet
