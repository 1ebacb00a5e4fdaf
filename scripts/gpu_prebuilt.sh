#!/usr/bin/env bash
# Run HERE (a CPU machine with the project's dependencies and nvcc): builds the torch-free
# statenet, its GPU tests and its GPU benchmark for Hopper (sm_90) into build-gpu-prebuilt/ and
# packs them with every shared library they load (but the C and C++ runtimes) into
# .gpu-prebuilt/prebuilt.tar.xz (git-ignored), for scripts/gpu_checks.sh on a GPU machine that
# has no package registry. Kernels carry line tables (-lineinfo) for compute-sanitizer. Binaries keep this checkout's absolute paths (demo model, test data);
# gpu_checks.sh links this path to its own checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gpu-prebuilt/' .git/info/exclude 2>/dev/null || echo '/.gpu-prebuilt/' >> .git/info/exclude
cmake -S . -B build-gpu-prebuilt -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTATENET_WITH_TORCH=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_CUDA_FLAGS=-lineinfo > /dev/null
ninja -C build-gpu-prebuilt -j "${JOBS:-2}" statenet statenet_gpu_tests gpu_step_bench
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp build-gpu-prebuilt/statenet build-gpu-prebuilt/tests/statenet_gpu_tests build-gpu-prebuilt/bench/gpu_step_bench "$stage/bin/"
strip "$stage"/bin/*
for b in "$stage"/bin/*; do ldd "$b"; done | awk '$3 ~ /^\// {print $3}' | sort -u |
  grep -v -E '/(libc|libm|libpthread|libdl|librt|libresolv|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so' |
  while read -r l; do cp -L "$l" "$stage/lib/"; done
mkdir -p .gpu-prebuilt
tar -cJf .gpu-prebuilt/prebuilt.tar.xz -C "$stage" bin lib
pwd > .gpu-prebuilt/source_dir
echo "$(ls "$stage/lib" | wc -l) libraries, $(du -sh .gpu-prebuilt/prebuilt.tar.xz | cut -f1) in .gpu-prebuilt/prebuilt.tar.xz"
