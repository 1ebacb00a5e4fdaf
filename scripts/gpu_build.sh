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
# pkg-config files say prefix=/usr: the sysroot maps them into the unpacked tree. Their
# Requires.private lines name what static linking would need (-dev packages not carried): we
# link dynamically, so a copy without them is what pkg-config reads.
pc="$prefix/pkgconfig-shared"
mkdir -p "$pc"
for f in "$lib"/pkgconfig/*.pc "$prefix"/usr/share/pkgconfig/*.pc; do
  [[ -e "$f" ]] && sed '/^Requires.private:/d' "$f" > "$pc/$(basename "$f")"
done
export PKG_CONFIG_SYSROOT_DIR="$prefix" PKG_CONFIG_LIBDIR="$pc"
export LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
prefixes="$prefix/usr;$lib/cmake"
with_torch=OFF
if [[ "${STATENET_GPU_TORCH:-1}" == "1" ]]; then
  prefixes="$prefixes;$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  with_torch=ON
fi
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefixes" \
  -DSTATENET_WITH_TORCH=$with_torch -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DPKG_CONFIG_USE_CMAKE_PREFIX_PATH=OFF \
  -DHDF5_ROOT="$prefix/usr" -DHDF5_C_INCLUDE_DIR="$prefix/usr/include/hdf5/serial" -DHDF5_hdf5_LIBRARY_RELEASE="$lib/libhdf5_serial.so" \
  -DREADERWRITERQUEUE_INCLUDE_DIR="$prefix/usr/include"
# STATENET_GPU_TARGETS: what to build (default: everything); jobs: the cores this may use.
targets=()
for t in ${STATENET_GPU_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build build-gpu -j "$(nproc)" "${targets[@]}" -- -k 0
