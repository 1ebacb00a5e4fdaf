#!/usr/bin/env bash
# Installs every Debian package statenet needs (Debian 12). Idempotent: quiet and
# quick when everything is already there. Run as root (CI and dev machines are root).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  # numerical and I/O libraries (found by CMake, see cmake/Dependencies.cmake)
  libfftw3-dev libsndfile1-dev libsoxr-dev libhdf5-dev libmatio-dev
  portaudio19-dev libreaderwriterqueue-dev libzmq3-dev liblo-dev
  nlohmann-json3-dev libcli11-dev libstb-dev fonts-dejavu-core
  libtorch-dev
  # a fast BLAS for LibTorch's matrix products: Debian's LibTorch links the generic libblas.so.3,
  # which is the reference BLAS unless an optimised one is installed (training 1.2–2.4× faster,
  # docs/benchmarks.md); the OpenMP build follows LibTorch's thread count
  libopenblas0-openmp
  # tests and benchmarks (h5py: the dataset files must be readable from Python)
  libgtest-dev libgmock-dev libbenchmark-dev python3-h5py
  # the ZeroMQ subscriber of docs/zmq.md, which the tests run
  python3-zmq python3-numpy
  # the real capture test: a PulseAudio server with a null sink, reached through ALSA's
  # pulse plugin by PortAudio (tests/stream/capture_test.cpp)
  pulseaudio pulseaudio-utils libasound2-plugins
  # the closed-loop tests: JACK's dummy driver, an exact audio loop with no sound card
  # (jackd, jack_connect; PortAudio's JACK host API) (tests/stream/closed_loop_test.cpp)
  jackd2
  # the Slurm tests: a real single-node cluster started by the test (tests/apps/slurm_test.cpp)
  slurm-wlm munge
  # the hardening stage (`make sanitize`): clang with its sanitizer runtimes and libFuzzer
  clang libclang-rt-14-dev libfuzzer-14-dev
)
# Only needed to regenerate golden files and to time the Python peer (tools/, bench/).
if [[ "${STATENET_SETUP_PYTHON:-0}" == "1" ]]; then
  packages+=(python3-torchaudio)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
