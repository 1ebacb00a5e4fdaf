// `statenet benchmark`: a grid of training runs (datasets × models × seeds) run K at a time
// as `statenet train` processes, resumable, then the paper's Table 1 layout as Markdown and a
// picture (docs/benchmark-grid.md). The grid and the table: src/results/benchmark_grid.h.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "commands.h"
#include "results/benchmark_grid.h"
#include "util/atomic_file.h"

namespace statenet {
namespace {

std::atomic<bool> g_stop_grid{false};
extern "C" void on_stop_grid(int) { g_stop_grid.store(true); }

// Starts `statenet ARGS` with stdout and stderr to `log`; the child's pid.
pid_t start_task(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  static const std::string self = "/proc/self/exe";
  argv.push_back(const_cast<char*>("statenet"));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(127);
    ::signal(SIGTERM, SIG_DFL);
    ::execv(self.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string last_line(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  std::string last, line;
  char buf[1024];
  while (std::fgets(buf, sizeof buf, f)) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      if (!line.empty()) last = line;
      line.clear();
    }
  }
  std::fclose(f);
  return line.empty() ? last : line;
}

}  // namespace

void add_benchmark_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "benchmark",
      "Run a grid of trainings (datasets × models × seeds, from a JSON grid file) K at a time,\n"
      "each as its own 'statenet train' in OUT/<dataset>/<model>/seed<S>; a second run skips the\n"
      "finished points and continues the others from their checkpoints. Then writes the paper's\n"
      "Table 1 layout (per dataset: CC_raw, CC_norm mean ± s.e.m., parameters, the top three)\n"
      "to OUT/table.md and OUT/table.png from whatever has finished.\n"
      "  statenet benchmark --example-grid > grid.json   # a grid to edit");
  auto grid_path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(1);
  auto table_only = std::make_shared<bool>(false);
  auto example = std::make_shared<bool>(false);
  cmd->add_option("grid", *grid_path, "The grid file (JSON; see --example-grid)");
  cmd->add_option("-o,--output-dir", *out, "Where the runs and the table go");
  cmd->add_option("-j,--jobs", *jobs, "Trainings at once (give each '--threads 1' in train_args on a CPU)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--table-only", *table_only, "Do not train: only write the table from the finished points");
  cmd->add_flag("--example-grid", *example, "Print an example grid file and exit");
  cmd->callback([=] {
    if (*example) {
      std::printf("%s", example_benchmark_grid().c_str());
      return;
    }
    if (grid_path->empty() || out->empty()) throw std::invalid_argument("benchmark needs a grid file and -o DIR (--example-grid prints a grid)");
    const BenchmarkGrid grid = read_benchmark_grid(*grid_path);
    for (const auto& [name, file] : grid.datasets)
      if (!std::filesystem::exists(file)) throw std::runtime_error(*grid_path + ": datasets." + name + ": " + file + ": no such file");
    const std::vector<GridPoint> points = grid_points(grid, *out);
    std::vector<const GridPoint*> todo;
    for (const GridPoint& p : points)
      if (point_state(p) != PointState::kDone) todo.push_back(&p);
    std::printf("benchmark: %zu grid points (%zu datasets × %zu models × %d seeds), %zu done, %zu to run\n", points.size(),
                grid.datasets.size(), grid.models.size(), grid.seeds, points.size() - todo.size(), todo.size());
    std::fflush(stdout);
    std::vector<std::string> failed;
    if (!*table_only && !todo.empty()) {
      // SIGTERM / Ctrl-C: every running training gets SIGTERM (it writes its checkpoint and
      // stops), the grid stops; the same command continues it.
      g_stop_grid.store(false);
      struct sigaction stop {}, previous_term {}, previous_int {};
      stop.sa_handler = on_stop_grid;  // no SA_RESTART: waitpid returns EINTR
      sigemptyset(&stop.sa_mask);
      ::sigaction(SIGTERM, &stop, &previous_term);
      ::sigaction(SIGINT, &stop, &previous_int);
      std::map<pid_t, const GridPoint*> running;
      std::map<pid_t, std::chrono::steady_clock::time_point> started;
      std::size_t next = 0, finished = 0;
      bool stopping = false;
      while (next < todo.size() || !running.empty()) {
        while (!stopping && next < todo.size() && static_cast<int>(running.size()) < *jobs) {
          const GridPoint& p = *todo[next++];
          const bool resume = point_state(p) == PointState::kStarted;
          std::filesystem::create_directories(p.dir);
          const pid_t pid = start_task(train_arguments(grid, p, resume), p.dir + "/train.log");
          if (pid < 0) throw std::runtime_error("cannot start a training process");
          running[pid] = &p;
          started[pid] = std::chrono::steady_clock::now();
        }
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
          if (errno != EINTR) break;
          if (g_stop_grid.load() && !stopping) {
            stopping = true;
            for (const auto& [child, point] : running) ::kill(child, SIGTERM);
          }
          continue;
        }
        const auto it = running.find(pid);
        if (it == running.end()) continue;
        const GridPoint& p = *it->second;
        const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started[pid]).count() / 60;
        running.erase(it);
        ++finished;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && point_state(p) == PointState::kDone;
        std::printf("[%zu/%zu] %s %s seed %d: %s (%.1f min)\n", finished, todo.size(), p.dataset.c_str(), p.model.c_str(), p.seed,
                    ok ? last_line(p.dir + "/train.log").c_str() : ("failed, see " + p.dir + "/train.log: " + last_line(p.dir + "/train.log")).c_str(),
                    minutes);
        std::fflush(stdout);
        if (!ok) failed.push_back(p.dataset + " " + p.model + " seed " + std::to_string(p.seed));
        if (g_stop_grid.load() && !stopping) {
          stopping = true;
          for (const auto& [child, point] : running) ::kill(child, SIGTERM);
        }
      }
      ::sigaction(SIGTERM, &previous_term, nullptr);
      ::sigaction(SIGINT, &previous_int, nullptr);
      if (stopping) {
        throw std::runtime_error("benchmark stopped by a signal; the runs wrote their checkpoints: run the same command to continue");
      }
    }
    const BenchmarkTable table = benchmark_table(grid, *out);
    write_file_atomically(*out + "/table.md", table.markdown);
    write_benchmark_figure(*out + "/table.png", table);
    std::printf("%s→ %s/table.md, %s/table.png\n", table.markdown.c_str(), out->c_str(), out->c_str());
    if (!failed.empty()) {
      std::string list;
      for (const std::string& f : failed) list += (list.empty() ? "" : ", ") + f;
      throw std::runtime_error(std::to_string(failed.size()) + " grid point(s) failed (their train.log is kept): " + list);
    }
  });
}

}  // namespace statenet
