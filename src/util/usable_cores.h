#pragma once
// How many CPU cores this process may use: the cores of its affinity mask (what `taskset` or
// a scheduler's cgroup leaves it), and no more than SLURM_CPUS_PER_TASK when a Slurm task
// runs it (Slurm sets it from --cpus-per-task; without a task plugin the mask is the whole
// node). At least 1.
namespace statenet {
int usable_cores();
}  // namespace statenet
