#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, with .gpu-debs/ carried (scripts/gpu_debs.sh):
# unpacks the Debian libraries into a prefix, configures against them and against the LibTorch
# bundled with the machine's PyTorch (or without LibTorch: STATENET_GPU_TORCH=0), builds into
# build-gpu/. Then run what docs/gpu.md lists.
set -euo pipefail
prefix=/opt/statenet-deps
mkdir -p "$prefix"
for f in .gpu-debs/*.deb; do dpkg -x "$f" "$prefix"; done
lib="$prefix/usr/lib/x86_64-linux-gnu"
# pkg-config files say prefix=/usr: the sysroot maps them into the unpacked tree.
export PKG_CONFIG_SYSROOT_DIR="$prefix" PKG_CONFIG_PATH="$lib/pkgconfig:$prefix/usr/share/pkgconfig"
export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
prefixes="$prefix/usr;$lib/cmake"
with_torch=OFF
if [[ "${STATENET_GPU_TORCH:-1}" == "1" ]]; then
  prefixes="$prefixes;$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  with_torch=ON
fi
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefixes" \
  -DSTATENET_WITH_TORCH=$with_torch -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DHDF5_ROOT="$prefix/usr" -DHDF5_C_INCLUDE_DIR="$prefix/usr/include/hdf5/serial" \
  -DREADERWRITERQUEUE_INCLUDE_DIR="$prefix/usr/include"
cmake --build build-gpu -j "$(nproc)"
