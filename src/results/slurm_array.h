#pragma once
// A benchmark grid as a Slurm job array (docs/benchmark-grid.md, "On a Slurm cluster"): one
// array task per grid point, each running `statenet benchmark GRID -o OUT --point NAME`, which
// trains the point into the same run directory the local executor uses, skips it when done,
// resumes it from its checkpoint when started, and on the time-limit signal checkpoints and
// requeues itself. Torch-free: the script's text only; submitting is the command's job.

#include <string>
#include <vector>

namespace statenet {

struct SlurmOptions {
  std::string partition;              ///< --partition; empty: the cluster's default
  std::string account;                ///< --account; empty: the user's default
  std::string time_limit = "24:00:00";  ///< --time per task ([D-]HH:MM:SS or minutes)
  int cpus_per_task = 1;              ///< --cpus-per-task; a training's automatic thread and run counts follow it
  std::string memory = "8G";          ///< --mem per task
  int gpus_per_task = 0;              ///< > 0: --gres=gpu:N, and each training gets --device cuda
  int max_running = 0;                ///< the array throttle %M; 0: no cap
  int signal_seconds = 120;           ///< --signal=B:USR1@N: checkpoint and requeue N s before the limit
  std::string job_name = "statenet";  ///< --job-name
  std::vector<std::string> extra_lines;  ///< more options, "--qos=long" or "#SBATCH --qos=long"
};

// Checks the options; throws std::invalid_argument naming the option.
void check_slurm_options(const SlurmOptions& options);

// The sbatch script of an array over `points` (point names, in order: task i runs points[i]).
// `statenet` is the program's path on the cluster, `grid` the grid file the tasks read, `out`
// the run directory (on a file system every node sees), `logs` where the tasks' %A_%a.out go.
std::string sbatch_script(const SlurmOptions& options, const std::string& statenet, const std::string& grid,
                          const std::string& out, const std::string& logs, const std::vector<std::string>& points);

// The grid's `statenet train` arguments for these options: "--device cuda" added with GPUs
// unless they already choose a device. (Threads need nothing: a training run by a Slurm task
// counts SLURM_CPUS_PER_TASK as its cores.)
std::string slurm_train_args(const SlurmOptions& options, const std::string& grid_train_args);

// Single-quoted for bash: 'it'\''s'.
std::string shell_quote(const std::string& text);

}  // namespace statenet
