// `statenet benchmark --slurm` against a real Slurm: each test starts a single-node cluster
// (munged, slurmctld, slurmd; tests/support/slurm_cluster.sh) in its own folder and on its own
// ports, submits a grid as a job array, and stops the daemons by their pids whatever happens.
// It skips, saying why, only when the cluster cannot run here (not root, slurm-wlm or munge
// missing, a daemon that does not start).

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "support/test_support.h"

namespace statenet {
namespace {

using test::Result;

std::string statenet(const std::string& args) { return std::string(STATENET_BINARY) + " " + args; }

// A cluster of one node in `dir`, stopped when it goes out of scope.
class SlurmCluster {
 public:
  SlurmCluster(const std::string& dir, int port) : dir_(dir) {
    const Result r = test::run_command("SLURM_TEST_PORT=" + std::to_string(port) + " bash " + std::string(STATENET_SOURCE_DIR) +
                                       "/tests/support/slurm_cluster.sh start " + dir);
    up_ = r.exit_code == 0;
    why_ = r.output;
  }
  ~SlurmCluster() { test::run_command("bash " + std::string(STATENET_SOURCE_DIR) + "/tests/support/slurm_cluster.sh stop " + dir_); }
  bool up() const { return up_; }
  const std::string& why_not() const { return why_; }
  // A command with this cluster's configuration.
  Result run(const std::string& command) const { return test::run_command("SLURM_CONF=" + dir_ + "/slurm.conf " + command); }
  // Waits until the queue is empty; false after `seconds`.
  bool wait_until_idle(double seconds) const {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      const Result q = run("squeue -h");
      if (q.exit_code == 0 && q.output.find_first_not_of(" \n") == std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

 private:
  std::string dir_;
  bool up_ = false;
  std::string why_;
};

#define START_CLUSTER_OR_SKIP(cluster)                                                          \
  if (!(cluster).up()) GTEST_SKIP() << "no Slurm cluster here: " << (cluster).why_not();

// The array job id `benchmark --slurm` printed.
std::string submitted_job(const std::string& output) {
  std::smatch m;
  return std::regex_search(output, m, std::regex("submitted array job ([0-9]+)")) ? m[1].str() : "";
}

bool wait_for_file_text(const std::string& path, const std::string& text, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (std::filesystem::exists(path) && test::read_file(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

// Every Slurm task log under OUT/slurm, for failure messages.
std::string task_logs(const std::string& out) {
  std::string text;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(out + "/slurm", ec))
    if (e.path().extension() == ".out") text += "--- " + e.path().string() + "\n" + test::read_file(e.path().string());
  return text;
}

// The log of the one task of the one submission under OUT/slurm.
std::string task_logs_path(const std::string& out) {
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(out + "/slurm", ec))
    if (e.path().extension() == ".out") return e.path().string();
  return out + "/slurm/(no task log)";
}

// A population simulator dataset and a grid file in `dir`.
void write_grid(const std::string& dir, const std::string& models, int seeds, const std::string& train_args, int seconds = 1) {
  ASSERT_EQ(test::run_command(statenet("data simulate --preset tiny --seconds " + std::to_string(seconds) + " -o " + dir + "/sim.h5")).exit_code, 0);
  std::ofstream(dir + "/grid.json") << R"({"datasets": {"sim": "sim.h5"}, "models": )" << models << R"(, "seeds": )" << seeds
                                    << R"(, "train_args": ")" << train_args << R"("})";
}

#ifdef STATENET_WITH_TRAINING

// A refused submission keeps its script for a look, and trying again at once (the same second)
// writes a second folder instead of overwriting the first. (A stand-in sbatch that refuses.)
TEST(BenchmarkSlurm, eachSubmissionGetsItsOwnFolderEvenWithinOneSecond) {
  const std::string dir = test::temp_dir();
  write_grid(dir, R"({"ln": "--model ln --window-bins 10"})", 1, "--max-epochs 1");
  std::filesystem::create_directories(dir + "/bin");
  std::ofstream(dir + "/bin/sbatch") << "#!/bin/sh\necho 'sbatch: error: invalid partition specified: gpu' >&2\nexit 1\n";
  std::filesystem::permissions(dir + "/bin/sbatch", std::filesystem::perms::owner_all);
  // Folders already taken for each second of the next minute: a submission must pick another.
  std::vector<std::string> taken;
  for (std::time_t t = std::time(nullptr), end = t + 60; t < end; ++t) {
    std::tm tm {};
    ::localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    taken.push_back(dir + "/out/slurm/" + stamp);
    std::filesystem::create_directories(taken.back());
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result r = test::run_command("PATH=" + dir + "/bin " + statenet("benchmark " + dir + "/grid.json -o " + dir + "/out --slurm"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("sbatch refused"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("invalid partition specified: gpu"), std::string::npos) << r.output;
  }
  int submissions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/out/slurm"))
    submissions += std::filesystem::exists(entry.path() / "array.sbatch");
  EXPECT_EQ(submissions, 2);
  for (const std::string& folder : taken) EXPECT_TRUE(std::filesystem::is_empty(folder)) << folder << " was reused";
  EXPECT_FALSE(std::filesystem::exists(dir + "/out/slurm/jobs.tsv")) << "no job id to record";
}

// 2 models × 2 seeds through Slurm, two tasks at a time on the 2-CPU node: the same table as the
// local executor's, from the same run directories.
TEST(BenchmarkSlurm, aGridThroughARealSlurmClusterGivesTheLocalExecutorsTable) {
  const std::string dir = test::temp_dir();
  SlurmCluster cluster(dir + "/cluster", 16817);
  START_CLUSTER_OR_SKIP(cluster);
  write_grid(dir, R"({"ln": "--model ln --window-bins 10", "statenet-rnn": "--model statenet --core rnn"})", 2,
             "--threads 1 --max-epochs 3");
  Result local = test::run_command(statenet("benchmark " + dir + "/grid.json -o " + dir + "/local -j 2"));
  ASSERT_EQ(local.exit_code, 0) << local.output;
  // --dry-run prints the script and submits nothing.
  Result dry = cluster.run(statenet("benchmark " + dir + "/grid.json -o " + dir + "/slurm --slurm --dry-run --max-running 2 --mem 500M "
                                    "--time 10 --sbatch-line=--comment=statenet-test"));
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("#SBATCH --array=0-3%2\n"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("#SBATCH --comment=statenet-test\n"), std::string::npos) << dry.output;
  EXPECT_EQ(cluster.run("squeue -h").output, "");
  EXPECT_FALSE(std::filesystem::exists(dir + "/slurm/slurm"));

  Result submit = cluster.run(statenet("benchmark " + dir + "/grid.json -o " + dir + "/slurm --slurm --mem 500M --time 10"));
  ASSERT_EQ(submit.exit_code, 0) << submit.output;
  const std::string job = submitted_job(submit.output);
  ASSERT_FALSE(job.empty()) << submit.output;
  EXPECT_NE(test::read_file(dir + "/slurm/slurm/jobs.tsv").find(job + "\t"), std::string::npos) << "the array's job id is recorded";
  ASSERT_TRUE(cluster.wait_until_idle(300)) << cluster.run("squeue").output;
  Result status = cluster.run(statenet("benchmark --status " + dir + "/slurm"));
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(": 4 done, 0 running, 0 started (continue on the next run), 0 failed, 0 pending"), std::string::npos)
      << status.output;
  EXPECT_EQ(test::read_file(dir + "/slurm/table.md"), test::read_file(dir + "/local/table.md"));
  EXPECT_NE(test::read_file(dir + "/slurm/table.md").find("| statenet-rnn |"), std::string::npos);
  // Submitting again finds nothing to do.
  Result again = cluster.run(statenet("benchmark " + dir + "/grid.json -o " + dir + "/slurm --slurm --mem 500M"));
  EXPECT_NE(again.output.find("4 grid points, 4 done, 0 to submit"), std::string::npos) << again.output;
  EXPECT_EQ(cluster.run("squeue -h").output, "");
}

// scancel (SIGTERM to every process of the task) while a point trains: the training writes its
// checkpoint; resubmitting the grid continues it from there (not from epoch 0) and ends with
// the results of an uninterrupted run. Then the time-limit path: SIGUSR1 to the batch shell
// checkpoints the task and requeues it, and it finishes on its own.
TEST(BenchmarkSlurm, aCancelledOrSignalledTaskResumesFromItsCheckpoint) {
  const std::string dir = test::temp_dir();
  SlurmCluster cluster(dir + "/cluster", 16827);
  START_CLUSTER_OR_SKIP(cluster);
  // Clips long enough for epochs of about half a second: a signal lands mid-run.
  write_grid(dir, R"({"rnn": "--model statenet --core rnn"})", 1, "--threads 1 --max-epochs 30 --patience 100", 20);
  Result local = test::run_command(statenet("benchmark " + dir + "/grid.json -o " + dir + "/local"));
  ASSERT_EQ(local.exit_code, 0) << local.output;

  for (const std::string how : {"scancel", "usr1"}) {
    SCOPED_TRACE(how);
    const std::string out = dir + "/" + how, log = out + "/sim/rnn/seed0/train.log";
    Result submit = cluster.run(statenet("benchmark " + dir + "/grid.json -o " + out + " --slurm --mem 500M"));
    ASSERT_EQ(submit.exit_code, 0) << submit.output;
    const std::string job = submitted_job(submit.output);
    // Stop it once it has trained a few epochs.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline && !std::filesystem::exists(out + "/sim/rnn/seed0/seed0.ckpt"))
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_TRUE(std::filesystem::exists(out + "/sim/rnn/seed0/seed0.ckpt")) << test::read_file(log);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    if (how == "scancel") {
      ASSERT_EQ(cluster.run("scancel " + job).exit_code, 0);
      ASSERT_TRUE(cluster.wait_until_idle(90)) << cluster.run("squeue").output;
      ASSERT_TRUE(wait_for_file_text(log, "training stopped by a signal after epoch", 5)) << test::read_file(log);
      Result status = cluster.run(statenet("benchmark --status " + out));
      EXPECT_NE(status.output.find("0 done, 0 running, 1 started"), std::string::npos) << status.output;
      Result resubmit = cluster.run(statenet("benchmark " + dir + "/grid.json -o " + out + " --slurm --mem 500M"));
      ASSERT_EQ(resubmit.exit_code, 0) << resubmit.output;
    } else {
      // As Slurm does before the time limit with --signal=B:USR1@120: USR1 to the batch shell.
      ASSERT_EQ(cluster.run("scancel --batch --signal=USR1 " + job).exit_code, 0);
      ASSERT_TRUE(wait_for_file_text(log, "training stopped by a signal after epoch", 60)) << test::read_file(log);
      // The task requeued itself; Slurm holds a requeued job back for two minutes: once it is
      // pending again, let it start now.
      bool requeued = false;
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!requeued && std::chrono::steady_clock::now() < until) {
        const std::string show = cluster.run("scontrol show job " + job + "_0").output;
        requeued = show.find("JobState=PENDING") != std::string::npos && show.find("Restarts=1") != std::string::npos;
        if (!requeued) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      ASSERT_TRUE(requeued) << cluster.run("scontrol show job " + job + "_0").output << test::read_file(log);
      ASSERT_TRUE(wait_for_file_text(task_logs_path(out), "requeued (job", 30)) << task_logs(out);
      // A new instance started while slurmd still tears the old one down fails at once (the
      // race Slurm's own delay avoids): give the teardown a few seconds.
      std::this_thread::sleep_for(std::chrono::seconds(3));
      ASSERT_EQ(cluster.run("scontrol update JobId=" + job + "_0 StartTime=now").exit_code, 0);
    }
    ASSERT_TRUE(wait_for_file_text(out + "/table.md", "| rnn |", 300))
        << cluster.run("squeue").output << test::read_file(log) << task_logs(out) << cluster.run("scontrol show job " + job + "_0").output;
    ASSERT_TRUE(cluster.wait_until_idle(60)) << cluster.run("squeue").output;
    const std::string text = test::read_file(log);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex("resumed at epoch ([0-9]+)"))) << text;
    EXPECT_GE(std::stoi(m[1].str()), 1) << "continued from its checkpoint, not from epoch 0";
    EXPECT_EQ(test::read_file(out + "/table.md"), test::read_file(dir + "/local/table.md")) << "the same result as an uninterrupted run";
  }
}

#else

TEST(BenchmarkSlurm, needsTraining) { GTEST_SKIP() << "statenet was built without LibTorch: no training to submit"; }

#endif

}  // namespace
}  // namespace statenet
