// usable_cores: the affinity mask's cores, capped by a Slurm task's SLURM_CPUS_PER_TASK.

#include "util/usable_cores.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>

namespace statenet {
namespace {

TEST(UsableCores, areTheAffinityMasksCoresCappedBySlurmsCpusPerTask) {
  ::unsetenv("SLURM_CPUS_PER_TASK");
  cpu_set_t mask;
  CPU_ZERO(&mask);
  ASSERT_EQ(::sched_getaffinity(0, sizeof mask, &mask), 0);
  const int all = CPU_COUNT(&mask);
  EXPECT_EQ(usable_cores(), all);
  ::setenv("SLURM_CPUS_PER_TASK", "1", 1);
  EXPECT_EQ(usable_cores(), 1);
  ::setenv("SLURM_CPUS_PER_TASK", "100000", 1);
  EXPECT_EQ(usable_cores(), all) << "a larger allocation than the mask is capped by the mask";
  ::setenv("SLURM_CPUS_PER_TASK", "garbage", 1);
  EXPECT_EQ(usable_cores(), all);
  ::unsetenv("SLURM_CPUS_PER_TASK");
}

}  // namespace
}  // namespace statenet
