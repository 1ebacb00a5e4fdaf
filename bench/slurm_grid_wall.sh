#!/usr/bin/env bash
# The same small benchmark grid through a real single-node Slurm cluster and through the local
# executor, for the scheduling overhead per task (docs/benchmarks.md, "Slurm").
#   bench/slurm_grid_wall.sh setup DIR   start the cluster in DIR/cluster, write DIR/sim.h5 and DIR/grid.json
#   bench/slurm_grid_wall.sh slurm DIR   submit the grid into a fresh run folder and wait until the queue is empty
#   bench/slurm_grid_wall.sh local DIR   run it here, -j 2, into a fresh run folder
#   bench/slurm_grid_wall.sh stop DIR    stop the cluster
# Time `slurm` and `local` with /usr/bin/time; both leave identical tables.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
statenet=${STATENET:-$here/build/statenet}
cmd=$1
dir=$(realpath -m "$2")
export SLURM_CONF=$dir/cluster/slurm.conf
case "$cmd" in
  setup)
    mkdir -p "$dir/cluster"
    SLURM_TEST_PORT=${SLURM_TEST_PORT:-16867} bash "$here/tests/support/slurm_cluster.sh" start "$dir/cluster"
    "$statenet" data simulate --preset tiny --seconds 2 -o "$dir/sim.h5" >/dev/null
    cat > "$dir/grid.json" <<'EOF'
{"datasets": {"sim": "sim.h5"},
 "models": {"ln": "--model ln --window-bins 10", "statenet-gru": "--model statenet --core gru"},
 "seeds": 4, "train_args": "--threads 1 --max-epochs 5"}
EOF
    ;;
  slurm)
    out=$(mktemp -d "$dir/slurm-run.XXXX")
    "$statenet" benchmark "$dir/grid.json" -o "$out" --slurm --mem 500M --time 10 >/dev/null
    while [[ -n "$(squeue -h)" ]]; do sleep 0.1; done
    grep -q "statenet-gru" "$out/table.md"
    ;;
  local)
    out=$(mktemp -d "$dir/local-run.XXXX")
    "$statenet" benchmark "$dir/grid.json" -o "$out" -j 2 >/dev/null
    ;;
  stop)
    bash "$here/tests/support/slurm_cluster.sh" stop "$dir/cluster"
    ;;
  *)
    echo "usage: slurm_grid_wall.sh setup|slurm|local|stop DIR" >&2
    exit 2
    ;;
esac
