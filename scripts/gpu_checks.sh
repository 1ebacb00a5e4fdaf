#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, as one command: every GPU check of
# docs/gpu.md in order of importance, each bounded so that the whole ends by a deadline and its
# logs survive. Carried beside the checkout (all git-ignored):
#   .gpu-prebuilt/prebuilt.tar.xz  scripts/gpu_prebuilt.sh: the torch-free statenet, its GPU tests
#                                  and GPU benchmark, built on the CPU machine, with their libraries
#   .gpu-debs/                     scripts/gpu_debs.sh: to build here against the local LibTorch
#   .gpu-data/ns1.h5               `statenet data import ns1 --no-waveforms` (for the training run)
# Usage: scripts/gpu_checks.sh OUT_DIR [DEADLINE_S=540]
# Writes into OUT_DIR (8 files at most): session.log (everything, timed), build.log,
# gpu_step_bench.json, pytorch_gpu_step.json, libtorch_step_bench.json, train.log, train.tgz;
# with STATENET_GPU_GRIDS="grids/x.json grids/y.json@model,model%jobs …" grids.tgz (every results.json,
# train.log, table) instead of the last two.
set -uo pipefail
out=${1:?usage: scripts/gpu_checks.sh OUT_DIR [DEADLINE_S]}
deadline=${2:-540}
mkdir -p "$out"
log="$out/session.log"
work=/tmp/statenet-gpu
mkdir -p "$work"
say() { echo "[+$SECONDS s] $*" | tee -a "$log"; }
left() { echo $((deadline - SECONDS)); }
run() { say "\$ $*"; "$@" >> "$log" 2>&1; local rc=$?; say "rc=$rc"; return $rc; }

say "machine: $(nproc) cores; $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
say "nvcc: $(nvcc --version 2>&1 | tail -1); python torch: $(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)' 2>&1 | tail -1)"

# Binaries built elsewhere keep that checkout's absolute paths (demo model, test data): link it.
root=$(pwd)
if [[ -f .gpu-prebuilt/prebuilt.tar.xz ]]; then
  built_in=$(cat .gpu-prebuilt/source_dir)
  if [[ "$built_in" != "$root" && ! -e "$built_in" ]]; then mkdir -p "$(dirname "$built_in")" && ln -s "$root" "$built_in"; fi
  mkdir -p "$work/prebuilt" && tar -xJf .gpu-prebuilt/prebuilt.tar.xz -C "$work/prebuilt"
fi
pre="$work/prebuilt"
export LD_LIBRARY_PATH="$pre/lib:/opt/statenet-deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"

# LibTorch build in the background on cores 4…, the measurements on cores 0-3.
cores=$(nproc)
if [[ -d .gpu-debs && "${STATENET_GPU_BUILD:-1}" == 1 ]]; then
  say "building against the local LibTorch in the background (build.log)"
  targets="statenet statenet_torch_tests gpu_step_bench"
  [[ -n "${STATENET_GPU_GRIDS:-}" ]] && targets="statenet statenet_torch_tests"  # grids need no benchmark
  (STATENET_GPU_TARGETS="$targets" taskset -c 4-$((cores - 1)) scripts/gpu_build.sh \
     > "$out/build.log" 2>&1; echo "build rc=$?" >> "$out/build.log") &
  build_pid=$!
fi
pin="taskset -c 0-3"; command -v taskset > /dev/null || pin=""

# STATENET_GPU_MEASURE=0: tests, sanitizers and training only (no benchmarks, no stream runs).
measure=${STATENET_GPU_MEASURE:-1}
if [[ -x "$pre/bin/statenet_gpu_tests" ]]; then
  run $pin "$pre/bin/statenet_gpu_tests"
fi
if [[ -x "$pre/bin/gpu_step_bench" && $measure == 1 ]]; then
  run $pin "$pre/bin/gpu_step_bench" --benchmark_filter='GpuGru/B:[0-9]+/S:(1|8)/|CpuEngine' --benchmark_min_time=0.1 --benchmark_out="$out/gpu_step_bench.json" --benchmark_out_format=json
fi
# The peer runs with the machine's own libraries, not the carried ones.
[[ $measure == 1 ]] && run timeout $(($(left) - 60)) $pin env -u LD_LIBRARY_PATH PYTHONUNBUFFERED=1 python3 bench/pytorch_gpu_step.py --seconds 0.3 --json "$out/pytorch_gpu_step.json"

# The stream command on many copies of one file, and its predictions against the CPU path.
if [[ -x "$pre/bin/statenet" && $measure == 1 ]]; then
  s="$pre/bin/statenet"
  run $pin "$s" stream --fast --seconds 10 --record "$work/demo.wav" -o "$work/demo-cpu-live.f32" --view off
  run $pin "$s" stream --fast --input "$work/demo.wav" -o "$work/demo-cpu.f32" --view off
  for k in 1 100 1000 10000; do run $pin "$s" stream --gpu --inputs "$work/demo.wav" --copies $k -o "$work/gpu$k"; done
  run env -u LD_LIBRARY_PATH python3 - "$work" <<'EOF'
import sys, numpy as np
w = sys.argv[1]
cpu = np.fromfile(f"{w}/demo-cpu.f32", dtype="<f4")
for k in (1, 100, 1000, 10000):
    gpu = np.fromfile(f"{w}/gpu{k}/demo.f32", dtype="<f4")
    if gpu.shape != cpu.shape:
        print(f"copies {k}: {gpu.size} values on the GPU, {cpu.size} on the CPU"); continue
    print(f"copies {k}: GPU vs CPU stream, largest difference {np.max(np.abs(gpu - cpu)):.3e} "
          f"(largest rate {np.max(np.abs(cpu)):.3f})")
EOF
fi

# The kernel under the CUDA memory and race checkers (the exactness tests as workload).
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [[ -x "$pre/bin/statenet_gpu_tests" && -x "$sanitizer" ]]; then
  for tool in memcheck racecheck synccheck; do
    run timeout 60 "$sanitizer" --tool $tool --error-exitcode 3 --print-limit 4 "$pre/bin/statenet_gpu_tests" \
        --gtest_filter='GpuGruStep_CUDA.reset*:GpuGruStep_CUDA.doubleExponential*'
  done
fi

# After the LibTorch build: NS1 training on the GPU, then its LibTorch-CUDA peer rows.
if [[ -n "${build_pid:-}" ]]; then
  while kill -0 "$build_pid" 2>/dev/null && (($(left) > 100)); do sleep 3; done
  if kill -0 "$build_pid" 2>/dev/null; then say "LibTorch build still running at $SECONDS s: stopped"; pkill -f gpu_build.sh; pkill -f ninja; fi
  say "$(tail -3 "$out/build.log" | tr '\n' ' ')"
  b=build-gpu
  # Every model on the device against the CPU (outputs, gradients), and training on the device.
  [[ -x $b/tests/statenet_torch_tests ]] && run timeout 120 $b/tests/statenet_torch_tests --gtest_filter='*_CUDA.*'
  if [[ -x $b/statenet && -f .gpu-data/ns1.h5 && -n "${STATENET_GPU_GRIDS:-}" ]]; then
    # Benchmark grids instead of the GRU training, all at once: each grid's "ns1" read from
    # .gpu-data, every training with --device cuda, STATENET_GPU_JOBS per grid at a time,
    # stopped (SIGTERM: checkpoints) before the deadline. An entry FILE[@a,b][%J] trains only
    # models a and b (--models), J at a time; one file may come twice with different models.
    # Points whose results.json came with the checkout are skipped.
    grid_pids=(); i=0
    for entry in $STATENET_GPU_GRIDS; do
      jobs=${STATENET_GPU_JOBS:-8}
      [[ "$entry" == *%* ]] && { jobs=${entry##*%}; entry=${entry%\%*}; }
      g=${entry%%@*}; name=$(basename "$g" .json); only=(); i=$((i + 1))
      [[ "$entry" == *@* ]] && only=(--models "${entry#*@}")
      python3 - "$g" "$work/$name.$i.json" "$root/.gpu-data/ns1.h5" <<'EOF2'
import json, os, sys
src, dst, ns1 = sys.argv[1:4]
grid = json.load(open(src))
here = os.path.dirname(os.path.abspath(src))
grid["datasets"] = {k: ns1 if k == "ns1" else os.path.join(here, v) for k, v in grid["datasets"].items()}
grid["train_args"] = (grid.get("train_args", "") + " --device cuda").strip()
json.dump(grid, open(dst, "w"), indent=1)
EOF2
      (($(left) > 60)) && { run timeout -s TERM -k 30 $(($(left) - 45)) $b/statenet benchmark "$work/$name.$i.json" \
          -o "results/$name" -j "$jobs" "${only[@]}" & grid_pids+=($!); }
    done
    wait "${grid_pids[@]}"
    find results -name results.json -o -name train.log -o -name 'table.*' | tar -czf "$out/grids.tgz" -T - 2>> "$log"
  elif [[ -x $b/statenet && -f .gpu-data/ns1.h5 ]]; then
    # One seed for 40 epochs (seconds per epoch on the GPU), then the 10 seeds at once.
    say "training NS1 StateNet-GRU on the GPU (train.log)"
    timeout 40 $b/statenet train --data .gpu-data/ns1.h5 --model statenet --core gru --seeds 1 --max-epochs 40 \
        --device cuda --threads 1 -o $work/ns1_gru_gpu_40 > "$out/train.log" 2>&1
    say "40 epochs: rc=$? $(tail -2 "$out/train.log" | tr '\n' ' ')"
    timeout $(($(left) - 10)) bash -c "time $b/statenet train --data .gpu-data/ns1.h5 --model statenet --core gru --seeds 10 \
        --device cuda --parallel-runs 10 --threads 1 -o $work/ns1_gru_gpu" >> "$out/train.log" 2>&1
    say "10 seeds: rc=$? $(tail -4 "$out/train.log" | tr '\n' ' ')"
    tar -czf "$out/train.tgz" -C "$work" --exclude='*.ckpt' ns1_gru_gpu 2>> "$log"
  fi
  if [[ -x $b/bench/gpu_step_bench && $measure == 1 ]] && (($(left) > 30)); then
    run timeout $(($(left) - 10)) $pin $b/bench/gpu_step_bench --benchmark_filter='LibTorchCudaEager' --benchmark_min_time=0.2 \
        --benchmark_out="$out/libtorch_step_bench.json" --benchmark_out_format=json
  fi
fi
say "done"
