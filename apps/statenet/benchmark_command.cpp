// `statenet benchmark`: a grid of training runs (datasets × models × seeds) as `statenet train`
// processes — K at a time on this machine, or one Slurm array task per point — resumable, then
// the paper's Table 1 layout as Markdown and a picture (docs/benchmark-grid.md). The grid, the
// table and the Slurm script: src/results/benchmark_grid.h, src/results/slurm_array.h.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "commands.h"
#include "grid_tasks.h"
#include "results/benchmark_grid.h"
#include "results/slurm_array.h"
#include "util/atomic_file.h"

namespace statenet {
namespace {
namespace fs = std::filesystem;

// SIGTERM / SIGINT / SIGUSR1 while trainings run: each is passed on as SIGTERM (the training
// writes its checkpoint and stops); SIGUSR1 (Slurm's time-limit warning) also requeues the task.
std::atomic<int> g_stop_signal{0};
extern "C" void on_stop_grid(int sig) { g_stop_signal.store(sig); }

struct StopSignals {
  struct sigaction previous[3] {};
  static constexpr int kSignals[3] = {SIGTERM, SIGINT, SIGUSR1};
  StopSignals() {
    g_stop_signal.store(0);
    struct sigaction stop {};
    stop.sa_handler = on_stop_grid;  // no SA_RESTART: waitpid returns EINTR
    sigemptyset(&stop.sa_mask);
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &stop, &previous[i]);
  }
  ~StopSignals() {
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &previous[i], nullptr);
  }
};

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm {};
  ::localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

void check_datasets(const BenchmarkGrid& grid, const std::string& grid_path) {
  for (const auto& [name, file] : grid.datasets)
    if (!fs::exists(file)) throw std::runtime_error(grid_path + ": datasets." + name + ": " + file + ": no such file");
}

// Writes OUT/table.md and OUT/table.png from whatever has finished; the table.
BenchmarkTable write_table(const BenchmarkGrid& grid, const std::string& out) {
  const BenchmarkTable table = benchmark_table(grid, out);
  write_file_atomically(out + "/table.md", table.markdown);
  write_benchmark_figure(out + "/table.png", table);
  return table;
}

// ------------------------------------------------------------------ local executor

// Trains the points not yet done, `jobs` at a time; the points that failed.
std::vector<std::string> run_locally(const BenchmarkGrid& grid, const std::vector<const GridPoint*>& todo, int jobs) {
  std::vector<std::string> failed;
  StopSignals signals;
  std::map<pid_t, const GridPoint*> running;
  std::map<pid_t, std::chrono::steady_clock::time_point> started;
  std::size_t next = 0, finished = 0;
  bool stopping = false;
  const auto stop_all = [&] {
    stopping = true;
    for (const auto& [child, point] : running) ::kill(child, SIGTERM);
  };
  while (next < todo.size() || !running.empty()) {
    while (!stopping && next < todo.size() && static_cast<int>(running.size()) < jobs) {
      const GridPoint& p = *todo[next++];
      const pid_t pid = start_point_training(grid, p, point_state(p) != PointState::kPending);
      running[pid] = &p;
      started[pid] = std::chrono::steady_clock::now();
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) break;
      if (g_stop_signal.load() && !stopping) stop_all();
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const GridPoint& p = *it->second;
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started[pid]).count() / 60;
    running.erase(it);
    ++finished;
    const bool ok = finish_point_training(p, status, stopping);
    const std::string log = p.dir + "/train.log";
    std::printf("[%zu/%zu] %s %s seed %d: %s (%.1f min)\n", finished, todo.size(), p.dataset.c_str(), p.model.c_str(), p.seed,
                ok ? last_line(log).c_str() : ((stopping ? "stopped, see " : "failed, see ") + log + ": " + last_line(log)).c_str(), minutes);
    std::fflush(stdout);
    if (!ok && !stopping) failed.push_back(p.dataset + " " + p.model + " seed " + std::to_string(p.seed));
    if (g_stop_signal.load() && !stopping) stop_all();
  }
  if (stopping) throw std::runtime_error("benchmark stopped by a signal; the runs wrote their checkpoints: run the same command to continue");
  return failed;
}

// ------------------------------------------------------------- one point (a Slurm task)

// Trains one point in the foreground: skipped when done, resumed when started. Exit status 0
// when it is done (or stopped by SIGUSR1 and requeued), 1 when the training failed, 143 when
// stopped by SIGTERM / SIGINT (its checkpoint is written: a resubmission continues it).
int run_point(const BenchmarkGrid& grid, const std::string& out, const std::string& name) {
  const std::vector<GridPoint> points = grid_points(grid, out);
  const GridPoint& p = find_point(points, name);
  const PointState state = point_state(p);
  const char* job = std::getenv("SLURM_JOB_ID");
  std::printf("benchmark: %s (%s)%s on %s\n", name.c_str(), to_string(state), job ? (", Slurm job " + std::string(job)).c_str() : "",
              host_name().c_str());
  if (state == PointState::kDone) {
    std::printf("benchmark: %s is done (%s/results.json): nothing to train\n", name.c_str(), p.dir.c_str());
    return 0;
  }
  StopSignals signals;
  const pid_t pid = start_point_training(grid, p, state != PointState::kPending);
  int status = 0;
  bool passed_on = false;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(name + ": lost its training process");
    if (g_stop_signal.load() && !passed_on) {
      ::kill(pid, SIGTERM);
      passed_on = true;
    }
  }
  const int sig = g_stop_signal.load();
  const bool done = finish_point_training(p, status, sig != 0);
  const std::string log = p.dir + "/train.log";
  if (done) {
    std::printf("benchmark: %s done: %s\n", name.c_str(), last_line(log).c_str());
    write_table(grid, out);  // so that the table is current when the last task ends
    return 0;
  }
  if (sig == 0) {
    std::fprintf(stderr, "statenet: error: %s failed, see %s: %s\n", name.c_str(), log.c_str(), last_line(log).c_str());
    return 1;
  }
  if (sig == SIGUSR1 && job) {
    // The time limit is near: requeue this task; it continues from the checkpoint just written.
    const ProgramResult r = run_program({"scontrol", "requeue", job});
    std::printf("benchmark: %s stopped at its checkpoint before the time limit; %s\n", name.c_str(),
                r.exit_code == 0 ? ("requeued (job " + std::string(job) + ")").c_str()
                                 : ("scontrol requeue failed: " + r.output + "; resubmit the grid to continue").c_str());
    return r.exit_code == 0 ? 0 : 143;
  }
  std::printf("benchmark: %s stopped by a signal at its checkpoint; resubmitting continues it\n", name.c_str());
  return 143;
}

// ----------------------------------------------------------------------------- Slurm

// The array jobs submitted from OUT (OUT/slurm/jobs.tsv: job id, submission, points).
std::vector<std::string> submitted_jobs(const std::string& out) {
  std::vector<std::string> ids;
  std::ifstream in(out + "/slurm/jobs.tsv");
  std::string line;
  while (std::getline(in, line)) {
    const std::string id = line.substr(0, line.find('\t'));
    if (!id.empty() && id != "job") ids.push_back(id);
  }
  return ids;
}

// squeue's view of this user's jobs: unique job id ("%A", each array task's own) → state, and
// per base array id still queued or running, its tasks' states counted. Empty when squeue is
// not there.
struct QueueView {
  bool available = false;
  std::map<std::string, std::string> state_by_job;
  std::map<std::string, std::map<std::string, int>> arrays;
};
QueueView query_queue() {
  QueueView q;
  const ProgramResult r = run_program({"squeue", "--me", "-h", "-r", "-o", "%A %F %T"});
  if (r.exit_code != 0) return q;
  q.available = true;
  std::istringstream lines(r.output);
  std::string job, array, state;
  while (lines >> job >> array >> state) {
    q.state_by_job[job] = state;
    ++q.arrays[array][state];
  }
  return q;
}

void submit_to_slurm(const BenchmarkGrid& grid, const std::string& out, const SlurmOptions& options, std::string statenet, bool dry_run) {
  check_slurm_options(options);
  if (!dry_run) {
    const QueueView queue = query_queue();
    for (const std::string& id : submitted_jobs(out))
      if (queue.arrays.count(id))
        throw std::runtime_error("array job " + id + " of " + out + " is still in the queue (squeue); wait for it or scancel it, then submit again");
  }
  std::vector<std::string> names;
  std::size_t done = 0;
  for (const GridPoint& p : grid_points(grid, out)) {
    if (point_state(p) == PointState::kDone) ++done;
    else names.push_back(point_name(p));
  }
  std::printf("benchmark: %zu grid points, %zu done, %zu to submit\n", names.size() + done, done, names.size());
  if (names.empty()) {
    write_table(grid, out);
    std::printf("benchmark: nothing to submit; the table is %s/table.md\n", out.c_str());
    return;
  }
  BenchmarkGrid task_grid = grid;
  task_grid.train_args = slurm_train_args(options, grid.train_args);
  const std::string abs_out = fs::absolute(out).lexically_normal().string();
  // OUT/slurm/<stamp>/, or <stamp>-2, -3 … when a submission already took this second.
  std::string submission = abs_out + "/slurm/" + timestamp();
  if (!dry_run) {
    fs::create_directories(abs_out + "/slurm");
    const std::string stamp = submission;
    for (int n = 2; !fs::create_directory(submission); ++n) submission = stamp + "-" + std::to_string(n);
  }
  const std::string grid_copy = submission + "/grid.json", script_path = submission + "/array.sbatch";
  if (statenet.empty()) statenet = fs::read_symlink("/proc/self/exe").string();
  const std::string script = sbatch_script(options, statenet, grid_copy, abs_out, submission + "/logs", names);
  if (dry_run) {
    std::printf("%s", script.c_str());
    std::printf("# (--dry-run: nothing written or submitted; without it the script goes to %s)\n", script_path.c_str());
    return;
  }
  fs::create_directories(submission + "/logs");
  write_file_atomically(grid_copy, benchmark_grid_json(task_grid));
  write_file_atomically(abs_out + "/grid.json", benchmark_grid_json(task_grid));
  write_file_atomically(script_path, script);
  const ProgramResult r = run_program({"sbatch", "--parsable", script_path});
  if (r.exit_code != 0)
    throw std::runtime_error(r.exit_code == 127 ? "sbatch not found: is this a Slurm cluster's login node? (--dry-run prints the script)"
                                                : "sbatch refused " + script_path + ": " + r.output.substr(0, r.output.find('\n')));
  const std::string job = r.output.substr(0, r.output.find_first_of(";\n"));
  {
    const std::string jobs = abs_out + "/slurm/jobs.tsv";
    const bool fresh = !fs::exists(jobs);
    std::ofstream log(jobs, std::ios::app);
    if (fresh) log << "job\tsubmitted\tpoints\tscript\n";
    log << job << '\t' << timestamp() << '\t' << names.size() << '\t' << script_path << '\n';
    if (!log) throw std::runtime_error(jobs + ": cannot record the job id " + job);
  }
  std::printf("benchmark: submitted array job %s: %zu tasks (%s); logs in %s/logs\n", job.c_str(), names.size(), script_path.c_str(),
              submission.c_str());
  std::printf("benchmark: statenet benchmark --status %s   # progress, then the table\n", out.c_str());
}

// ----------------------------------------------------------------------------- status

// Per point: done, running, started (stopped or killed: continues on the next run), failed or
// pending; running from the task.running marker, checked against squeue (or, on this host,
// the process). Then the table from whatever has finished.
void print_status(const std::string& out) {
  const std::string grid_file = out + "/grid.json";
  if (!fs::exists(grid_file))
    throw std::runtime_error(grid_file + ": no such file: " + out + " holds no grid run by statenet benchmark");
  const BenchmarkGrid grid = read_benchmark_grid(grid_file);
  const QueueView queue = query_queue();
  const std::string here = host_name();
  std::map<std::string, int> counts;
  std::vector<std::string> failed, running;
  for (const GridPoint& p : grid_points(grid, out)) {
    std::string state = to_string(point_state(p));
    std::ifstream marker(p.dir + "/" + kRunningMarker);
    std::string host, pid, job;
    if (state != "done" && (marker >> host >> pid >> job)) {
      bool alive = false;
      if (job != "-" && queue.available) alive = queue.state_by_job.count(job) > 0;
      else if (host == here) alive = ::kill(static_cast<pid_t>(std::atol(pid.c_str())), 0) == 0;
      else alive = true;  // another machine's process, no scheduler to ask
      if (alive) {
        state = "running";
        running.push_back(point_name(p) + " (" + (job != "-" ? "job " + job : "pid " + pid) + " on " + host + ")");
      }
    }
    if (state == "failed") failed.push_back(point_name(p) + ": " + last_line(p.dir + "/" + kFailedMarker) + " (" + p.dir + "/train.log)");
    ++counts[state];
  }
  std::printf("%s: %d done, %d running, %d started (continue on the next run), %d failed, %d pending\n", out.c_str(), counts["done"],
              counts["running"], counts["started"], counts["failed"], counts["pending"]);
  for (const std::string& r : running) std::printf("  running %s\n", r.c_str());
  for (const std::string& f : failed) std::printf("  failed  %s\n", f.c_str());
  if (queue.available) {
    for (const std::string& id : submitted_jobs(out)) {
      const auto it = queue.arrays.find(id);
      std::string summary;
      if (it != queue.arrays.end())
        for (const auto& [state, n] : it->second) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + state;
      std::printf("  array job %s: %s\n", id.c_str(), summary.empty() ? "not in the queue" : summary.c_str());
    }
  }
  const BenchmarkTable table = write_table(grid, out);
  std::printf("%s→ %s/table.md, %s/table.png\n", table.markdown.c_str(), out.c_str(), out.c_str());
}

}  // namespace

void add_benchmark_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "benchmark",
      "Run a grid of trainings (datasets × models × seeds, from a JSON grid file), each as its own\n"
      "'statenet train' in OUT/<dataset>/<model>/seed<S> — K at a time on this machine (-j K), or as\n"
      "a Slurm job array (--slurm) — then write the paper's Table 1 layout (per dataset: CC_raw,\n"
      "CC_norm mean ± s.e.m., parameters, the top three) to OUT/table.md and OUT/table.png from\n"
      "whatever has finished. Running it again skips the finished points and continues the others\n"
      "from their checkpoints.\n"
      "  statenet benchmark --example-grid > grid.json        # a grid to edit\n"
      "  statenet benchmark grid.json -o runs -j 2            # here, two trainings at a time\n"
      "  statenet benchmark grid.json -o runs --slurm --partition gpu --gpus-per-task 1 --time 4:00:00\n"
      "  statenet benchmark --status runs                     # progress, failures, the table");
  auto grid_path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(1);
  auto table_only = std::make_shared<bool>(false);
  auto example = std::make_shared<bool>(false);
  auto status_dir = std::make_shared<std::string>();
  auto point = std::make_shared<std::string>();
  auto slurm = std::make_shared<bool>(false);
  auto dry_run = std::make_shared<bool>(false);
  auto statenet_path = std::make_shared<std::string>();
  auto only_models = std::make_shared<std::vector<std::string>>();
  auto so = std::make_shared<SlurmOptions>();
  cmd->add_option("grid", *grid_path, "The grid file (JSON; see --example-grid)");
  cmd->add_option("-o,--output-dir", *out, "Where the runs and the table go (for Slurm: a folder every node sees)");
  cmd->add_option("-j,--jobs", *jobs, "Trainings at once on this machine (give each '--threads 1' in train_args on a CPU)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--models", *only_models, "Train only these of the grid's models, NAME[,NAME…], in the grid's order (the table lists them all)")
      ->delimiter(',');
  cmd->add_flag("--table-only", *table_only, "Do not train: only write the table from the finished points");
  cmd->add_flag("--example-grid", *example, "Print an example grid file and exit");
  cmd->add_option("--status", *status_dir, "Print what each point of the grid in DIR is doing (and squeue's view), then write its table");
  cmd->add_option("--point", *point, "Train one point, <dataset>/<model>/seed<S>, in the foreground (what each Slurm task runs)");
  auto* g = cmd->add_option_group("Slurm", "--slurm: one array task per grid point not yet done");
  g->add_flag("--slurm", *slurm, "Submit the grid to Slurm as a job array (sbatch) instead of training here");
  g->add_flag("--dry-run", *dry_run, "With --slurm: print the sbatch script, submit nothing");
  g->add_option("--partition", so->partition, "Partition (default: the cluster's)");
  g->add_option("--account", so->account, "Account to charge (default: yours)");
  g->add_option("--time", so->time_limit, "Time limit per task: minutes, HH:MM:SS or D-HH:MM:SS")->capture_default_str();
  g->add_option("--cpus-per-task", so->cpus_per_task, "CPUs per task (a training's automatic threads and parallel runs count these)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  g->add_option("--mem", so->memory, "Memory per task, e.g. 8G")->capture_default_str();
  g->add_option("--gpus-per-task", so->gpus_per_task, "GPUs per task (--gres=gpu:N; trainings get --device cuda)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  g->add_option("--max-running", so->max_running, "At most this many tasks at once (the array's %M; 0 = no cap)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  g->add_option("--signal-seconds", so->signal_seconds,
                "Seconds before the time limit at which a task checkpoints and requeues itself (SIGUSR1; 0 = never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  g->add_option("--job-name", so->job_name, "The array's job name")->capture_default_str();
  g->add_option("--sbatch-line", so->extra_lines, "Another sbatch option, e.g. --sbatch-line=--qos=long (repeatable)");
  g->add_option("--statenet", *statenet_path, "The statenet program the tasks run (default: this one; it must be on a path every node sees)");
  cmd->callback([=] {
    if (*example) {
      std::printf("%s", example_benchmark_grid().c_str());
      return;
    }
    if (!status_dir->empty()) {
      print_status(*status_dir);
      return;
    }
    if (grid_path->empty() || out->empty()) throw std::invalid_argument("benchmark needs a grid file and -o DIR (--example-grid prints a grid)");
    const BenchmarkGrid grid = read_benchmark_grid(*grid_path);
    check_datasets(grid, *grid_path);
    for (const std::string& name : *only_models) {
      std::string names;
      bool known = false;
      for (const auto& [model, args] : grid.models) known = known || model == name, names += (names.empty() ? "" : ", ") + model;
      if (!known) throw std::invalid_argument("--models: no model '" + name + "' in " + *grid_path + " (its models: " + names + ")");
    }
    if (!only_models->empty() && (*slurm || !point->empty()))
      throw std::invalid_argument("--models picks what trains here, not with --slurm or --point");
    if (!point->empty()) {
      const int code = run_point(grid, *out, *point);
      std::fflush(nullptr);
      if (code != 0) std::_Exit(code);
      return;
    }
    if (*slurm) {
      submit_to_slurm(grid, *out, *so, *statenet_path, *dry_run);
      return;
    }
    const std::vector<GridPoint> points = grid_points(grid, *out);
    std::vector<const GridPoint*> todo;
    std::size_t done = 0;
    for (const GridPoint& p : points) {
      const bool picked = only_models->empty() || std::find(only_models->begin(), only_models->end(), p.model) != only_models->end();
      if (point_state(p) == PointState::kDone) ++done;
      else if (picked) todo.push_back(&p);
    }
    std::string picked;
    for (const std::string& m : *only_models) picked += (picked.empty() ? " (--models " : ",") + m;
    if (!picked.empty()) picked += ")";
    std::printf("benchmark: %zu grid points (%zu datasets × %zu models × %d seeds), %zu done, %zu to run%s\n", points.size(),
                grid.datasets.size(), grid.models.size(), grid.seeds, done, todo.size(), picked.c_str());
    std::fflush(stdout);
    fs::create_directories(*out);
    write_file_atomically(*out + "/grid.json", benchmark_grid_json(grid));
    const std::vector<std::string> failed = *table_only || todo.empty() ? std::vector<std::string>{} : run_locally(grid, todo, *jobs);
    const BenchmarkTable table = write_table(grid, *out);
    std::printf("%s→ %s/table.md, %s/table.png\n", table.markdown.c_str(), out->c_str(), out->c_str());
    if (!failed.empty()) {
      std::string list;
      for (const std::string& f : failed) list += (list.empty() ? "" : ", ") + f;
      throw std::runtime_error(std::to_string(failed.size()) + " grid point(s) failed (their train.log is kept): " + list);
    }
  });
}

}  // namespace statenet
