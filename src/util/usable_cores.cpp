#include "util/usable_cores.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace statenet {

int usable_cores() {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (::sched_getaffinity(0, sizeof mask, &mask) == 0) cores = CPU_COUNT(&mask);
  if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK")) {
    const long n = std::strtol(slurm, nullptr, 10);
    if (n > 0) cores = std::min(cores, static_cast<int>(n));
  }
  return std::max(1, cores);
}

}  // namespace statenet
