#pragma once
// The processes of a benchmark grid, shared by its executors (local -j K, one Slurm task per
// point): a point's training as a child `statenet train`, the marker files that say what it
// is doing (src/results/benchmark_grid.h), and the scheduler's programs (sbatch, squeue,
// scontrol) run with their output captured.

#include <sys/types.h>

#include <string>
#include <vector>

#include "results/benchmark_grid.h"

namespace statenet {

// Starts `statenet train` for the point (resuming from its checkpoint when `resume`), output
// appended to its train.log, and writes its task.running marker. The child's pid; throws
// std::runtime_error when it cannot start.
pid_t start_point_training(const BenchmarkGrid& grid, const GridPoint& point, bool resume);

// After the training ended with `wait_status`: removes task.running and, when it failed
// (not done and not stopped by a signal we sent), writes task.failed with the status and the
// log's last line. True when the point is done.
bool finish_point_training(const GridPoint& point, int wait_status, bool stopped);

// The last non-empty line of a text file ("" when unreadable).
std::string last_line(const std::string& path);

struct ProgramResult {
  int exit_code = 127;  ///< 127: not found or could not start
  std::string output;   ///< stdout and stderr
};
// Runs a program found on PATH and waits for it.
ProgramResult run_program(const std::vector<std::string>& argv);

// This machine's host name.
std::string host_name();

}  // namespace statenet
