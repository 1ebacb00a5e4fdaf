// The Slurm array script of a benchmark grid: its #SBATCH lines from the options, the point
// list the tasks index, the options' checks, and the quoting of paths for bash.

#include "results/slurm_array.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/test_support.h"

namespace statenet {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(SlurmArray, scriptCarriesEveryOptionAndOneTaskPerPoint) {
  SlurmOptions o;
  o.partition = "gpu";
  o.account = "lab42";
  o.time_limit = "1-04:00:00";
  o.cpus_per_task = 4;
  o.memory = "16G";
  o.gpus_per_task = 1;
  o.max_running = 8;
  o.signal_seconds = 300;
  o.extra_lines = {"--qos=long", "#SBATCH --constraint=a100"};
  const std::string s = sbatch_script(o, "/opt/statenet", "/runs/slurm/1/grid.json", "/runs", "/runs/slurm/1/logs",
                                      {"ns1/gru/seed0", "ns1/gru/seed1", "ns1/l/seed0"});
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  for (const char* line : {"#SBATCH --array=0-2%8\n", "#SBATCH --output=/runs/slurm/1/logs/%A_%a.out\n", "#SBATCH --time=1-04:00:00\n",
                           "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=16G\n", "#SBATCH --partition=gpu\n", "#SBATCH --account=lab42\n",
                           "#SBATCH --gres=gpu:1\n", "#SBATCH --signal=B:USR1@300\n", "#SBATCH --requeue\n", "#SBATCH --qos=long\n",
                           "#SBATCH --constraint=a100\n", "  'ns1/gru/seed1'\n",
                           "exec '/opt/statenet' benchmark '/runs/slurm/1/grid.json' -o '/runs' --point \"${points[$SLURM_ARRAY_TASK_ID]}\"\n"})
    EXPECT_TRUE(has(s, line)) << line << " missing from\n" << s;
  // Defaults: no partition, account, GPU or cap lines.
  const std::string d = sbatch_script(SlurmOptions{}, "/s", "/g.json", "/o", "/o/logs", {"a/b/seed0"});
  EXPECT_TRUE(has(d, "#SBATCH --array=0-0\n")) << d;
  for (const char* absent : {"--partition", "--account", "--gres", "%"})
    EXPECT_FALSE(has(d.substr(0, d.find("--output")), absent)) << absent;
}

TEST(SlurmArray, theScriptRunsTheTaskOfItsIndexInBash) {
  // bash runs the script with SLURM_ARRAY_TASK_ID set and a stand-in statenet that prints its
  // arguments: task 1 gets the second point, paths with quotes survive.
  const std::string dir = test::temp_dir();
  const std::string fake = dir + "/it's statenet";
  std::ofstream(fake) << "#!/bin/bash\nprintf '%s|' \"$@\"\n";
  ASSERT_EQ(std::system(("chmod +x \"" + fake + "\"").c_str()), 0);
  std::ofstream(dir + "/array.sbatch") << sbatch_script(SlurmOptions{}, fake, dir + "/grid.json", dir + "/out", dir + "/logs",
                                                        {"d/m/seed0", "d/m/seed1"});
  const test::Result r = test::run_command("SLURM_ARRAY_TASK_ID=1 bash " + dir + "/array.sbatch");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "benchmark|" + dir + "/grid.json|-o|" + dir + "/out|--point|d/m/seed1|");
}

TEST(SlurmArray, badOptionsAreRefusedNamingTheOption) {
  const auto error = [](SlurmOptions o) {
    try {
      check_slurm_options(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  SlurmOptions o;
  EXPECT_EQ(error(o), "(accepted)");
  o.time_limit = "forever";
  EXPECT_EQ(error(o).rfind("--time: ", 0), 0u) << error(o);
  for (const char* ok : {"30", "30:00", "4:00:00", "2-00", "2-12:30", "1-04:00:00"}) {
    o.time_limit = ok;
    EXPECT_EQ(error(o), "(accepted)") << ok;
  }
  o = SlurmOptions{};
  o.memory = "lots";
  EXPECT_EQ(error(o).rfind("--mem: ", 0), 0u);
  o = SlurmOptions{};
  o.partition = "gpu; rm -rf /";
  EXPECT_EQ(error(o).rfind("--partition: ", 0), 0u);
  o = SlurmOptions{};
  o.extra_lines = {"qos=long"};
  EXPECT_EQ(error(o).rfind("--sbatch-line: ", 0), 0u);
  o.extra_lines = {"--qos=long\n#SBATCH --x"};
  EXPECT_EQ(error(o).rfind("--sbatch-line: ", 0), 0u);
  EXPECT_THROW(sbatch_script(SlurmOptions{}, "/s", "/g", "/o", "/o/logs", {}), std::invalid_argument);
  EXPECT_THROW(sbatch_script(SlurmOptions{}, "/s", "/g", "/my runs", "/my runs/logs", {"a/b/seed0"}), std::invalid_argument)
      << "#SBATCH --output cannot hold a space";
}

TEST(SlurmArray, gpuTasksTrainOnCudaUnlessTheGridChoosesADevice) {
  SlurmOptions o;
  EXPECT_EQ(slurm_train_args(o, "--threads 1"), "--threads 1");
  o.gpus_per_task = 1;
  EXPECT_EQ(slurm_train_args(o, "--threads 1"), "--threads 1 --device cuda");
  EXPECT_EQ(slurm_train_args(o, ""), "--device cuda");
  EXPECT_EQ(slurm_train_args(o, "--device cuda:1"), "--device cuda:1");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace statenet
