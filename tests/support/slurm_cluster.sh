#!/usr/bin/env bash
# A real single-node Slurm cluster in a folder, for the tests (docs/benchmark-grid.md):
#   slurm_cluster.sh start DIR   munged, slurmctld and slurmd with their key, sockets, state,
#                                logs and pid files in DIR; DIR/slurm.conf is for the clients
#                                (SLURM_CONF=DIR/slurm.conf). Exit 0 when `sinfo` shows the
#                                node idle; 77 when it cannot run here (not root, packages
#                                missing), with the reason; 1 when a daemon failed (log tail).
#   slurm_cluster.sh stop DIR    stops the three daemons by the pids in their pid files.
# Ports: 16817/16818 unless SLURM_TEST_PORT (the controller's; slurmd uses the next one).
set -uo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: slurm_cluster.sh start|stop DIR" >&2
  exit 2
fi

# Descendants of a pid, deepest first.
descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    descendants "$child"
    echo "$child"
  done
}

stop() {
  # Jobs still queued or running are cancelled first (their steps would outlive slurmd);
  # whatever slurmd's steps left after that is killed with them.
  if [[ -f "$dir/slurm.conf" && -f "$dir/slurmctld.pid" ]] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF="$dir/slurm.conf"
    if [[ -n "$(squeue -h 2>/dev/null)" ]]; then
      scancel --quiet --user="$(id -un)" 2>/dev/null
      for _ in $(seq 450); do [[ -z "$(squeue -h 2>/dev/null)" ]] && break; sleep 0.1; done
    fi
  fi
  local steps=""
  if [[ -f "$dir/slurmd.pid" ]]; then steps=$(descendants "$(cat "$dir/slurmd.pid" 2>/dev/null)" 2>/dev/null); fi
  for name in slurmd slurmctld munged; do
    [[ -f "$dir/$name.pid" ]] || continue
    pid=$(cat "$dir/$name.pid" 2>/dev/null)
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  [[ -n "$steps" ]] && kill -9 $steps 2>/dev/null
  return 0
}

if [[ "$cmd" == stop ]]; then
  stop
  exit 0
fi
[[ "$cmd" == start ]] || { echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "the test cluster runs its daemons as root (SlurmUser=root); this is uid $(id -u)"
  exit 77
fi
for program in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd sbatch squeue sinfo munge; do
  if ! command -v "$program" >/dev/null; then
    echo "$program is not installed (Debian packages slurm-wlm and munge; scripts/setup.sh installs them)"
    exit 77
  fi
done

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir"
head -c 1024 /dev/urandom > "$dir/munge.key"
chmod 400 "$dir/munge.key"
if ! /usr/sbin/munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
     --log-file="$dir/log/munged.log" --seed-file="$dir/munged.seed" 2>"$dir/log/munged.err"; then
  echo "munged did not start: $(tail -3 "$dir/log/munged.err" "$dir/log/munged.log" 2>/dev/null | tr '\n' ' ')"
  exit 1
fi
if ! munge -n --socket="$dir/munge.socket" | unmunge --socket="$dir/munge.socket" >/dev/null 2>&1; then
  echo "munge does not round-trip a credential through $dir/munge.socket"
  stop
  exit 1
fi

host=$(hostname -s)
port=${SLURM_TEST_PORT:-16817}
memory_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat > "$dir/slurm.conf" <<EOF
ClusterName=statenet-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
KillWait=30
MinJobAge=600
NodeName=$host CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
if ! /usr/sbin/slurmctld -f "$dir/slurm.conf" 2>"$dir/log/slurmctld.err"; then
  echo "slurmctld did not start: $(tail -3 "$dir/log/slurmctld.err" "$dir/log/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
  stop
  exit 1
fi
if ! /usr/sbin/slurmd -f "$dir/slurm.conf" 2>"$dir/log/slurmd.err"; then
  echo "slurmd did not start: $(tail -3 "$dir/log/slurmd.err" "$dir/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"
  stop
  exit 1
fi
for _ in $(seq 100); do
  if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -q '^idle'; then
    exit 0
  fi
  sleep 0.2
done
echo "the node did not come up idle in 20 s: $(SLURM_CONF="$dir/slurm.conf" sinfo 2>&1 | tr '\n' ' ') $(tail -3 "$dir/log/slurmctld.log" | tr '\n' ' ')"
stop
exit 1
