#include "results/slurm_array.h"

#include <regex>
#include <stdexcept>

#include "results/benchmark_grid.h"

namespace statenet {
namespace {

bool plain_word(const std::string& s) { return std::regex_match(s, std::regex("[A-Za-z0-9_.,:@+-]+")); }

bool has_argument(const std::vector<std::string>& args, const std::string& flag) {
  for (const std::string& a : args)
    if (a == flag || a.rfind(flag + "=", 0) == 0) return true;
  return false;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void check_slurm_options(const SlurmOptions& o) {
  const auto bad = [](const std::string& option, const std::string& what) { return std::invalid_argument(option + ": " + what); };
  if (!o.partition.empty() && !plain_word(o.partition)) throw bad("--partition", "'" + o.partition + "' is not a partition name");
  if (!o.account.empty() && !plain_word(o.account)) throw bad("--account", "'" + o.account + "' is not an account name");
  if (!plain_word(o.job_name)) throw bad("--job-name", "'" + o.job_name + "' is not a job name (letters, digits, _ . - only)");
  // Slurm's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
  if (!std::regex_match(o.time_limit, std::regex("([0-9]+-)?[0-9]+(:[0-9]+){0,2}")))
    throw bad("--time", "'" + o.time_limit + "' is not a Slurm time (minutes, HH:MM:SS or D-HH:MM:SS)");
  if (!std::regex_match(o.memory, std::regex("[0-9]+[KMGT]?"))) throw bad("--mem", "'" + o.memory + "' is not a size such as 8G or 500M");
  if (o.cpus_per_task < 1) throw bad("--cpus-per-task", "must be at least 1");
  if (o.gpus_per_task < 0) throw bad("--gpus-per-task", "must not be negative");
  if (o.max_running < 0) throw bad("--max-running", "must not be negative (0: no cap)");
  if (o.signal_seconds < 0 || o.signal_seconds > 65535) throw bad("--signal-seconds", "must be in [0, 65535]");
  for (const std::string& line : o.extra_lines) {
    if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos)
      throw bad("--sbatch-line", "one option per line, without a line break");
    if (line.rfind("#SBATCH ", 0) != 0 && line.rfind("--", 0) != 0)
      throw bad("--sbatch-line", "'" + line + "' is neither '--option=value' nor '#SBATCH --option=value'");
  }
}

std::string slurm_train_args(const SlurmOptions& o, const std::string& grid_train_args) {
  const std::vector<std::string> given = split_arguments(grid_train_args);
  std::string args = grid_train_args;
  const auto add = [&](const std::string& a) { args += (args.empty() ? "" : " ") + a; };
  if (o.gpus_per_task > 0 && !has_argument(given, "--device")) add("--device cuda");
  return args;
}

std::string sbatch_script(const SlurmOptions& o, const std::string& statenet, const std::string& grid, const std::string& out,
                          const std::string& logs, const std::vector<std::string>& points) {
  check_slurm_options(o);
  if (points.empty()) throw std::invalid_argument("no grid point to submit");
  // #SBATCH lines are read by sbatch, not by bash: the log path cannot be quoted there.
  if (logs.find_first_of(" \t\n'\"\\$%") != std::string::npos)
    throw std::invalid_argument("-o: '" + out + "': for Slurm the run directory's path must not hold spaces, quotes, $ or %");
  std::string s = "#!/bin/bash\n";
  s += "# statenet benchmark: " + std::to_string(points.size()) + " grid point(s) of " + grid + "\n";
  s += "# as a Slurm job array, written by `statenet benchmark --slurm`. Task i trains points[i] into\n";
  s += "# " + out + "/<dataset>/<model>/seed<S>, skips it if done and resumes it from its checkpoint if\n";
  s += "# started; SIGUSR1 (the time limit is near) checkpoints it and requeues the task.\n";
  s += "#SBATCH --job-name=" + o.job_name + "\n";
  s += "#SBATCH --array=0-" + std::to_string(points.size() - 1) + (o.max_running > 0 ? "%" + std::to_string(o.max_running) : "") + "\n";
  s += "#SBATCH --output=" + logs + "/%A_%a.out\n";
  s += "#SBATCH --open-mode=append\n";
  s += "#SBATCH --time=" + o.time_limit + "\n";
  s += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n";
  s += "#SBATCH --mem=" + o.memory + "\n";
  if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.account.empty()) s += "#SBATCH --account=" + o.account + "\n";
  if (o.gpus_per_task > 0) s += "#SBATCH --gres=gpu:" + std::to_string(o.gpus_per_task) + "\n";
  if (o.signal_seconds > 0) s += "#SBATCH --signal=B:USR1@" + std::to_string(o.signal_seconds) + "\n";
  s += "#SBATCH --requeue\n";
  for (const std::string& line : o.extra_lines) s += (line.rfind("#SBATCH ", 0) == 0 ? line : "#SBATCH " + line) + "\n";
  s += "\npoints=(\n";
  for (const std::string& p : points) s += "  " + shell_quote(p) + "\n";
  s += ")\n";
  // exec: the batch shell becomes statenet, so --signal=B:USR1 reaches it.
  s += "exec " + shell_quote(statenet) + " benchmark " + shell_quote(grid) + " -o " + shell_quote(out) +
       " --point \"${points[$SLURM_ARRAY_TASK_ID]}\"\n";
  return s;
}

}  // namespace statenet
