#!/usr/bin/env bash
# Run HERE (a Debian 12 machine with the package archive): downloads the .deb files of the
# libraries statenet builds against into .gpu-debs/ (git-ignored, ~13 MB), to be carried to
# a GPU machine that has no package registry (docs/gpu.md). amd64 whatever this machine is.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu-debs /tmp/statenet-apt-amd64/partial
grep -qx '/.gpu-debs/' .git/info/exclude 2>/dev/null || echo '/.gpu-debs/' >> .git/info/exclude
apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/statenet-apt-amd64)
apt-get "${apt_amd64[@]}" update -qq
packages=(
  libfftw3-dev libfftw3-single3 libfftw3-double3 libfftw3-bin
  libsndfile1-dev libsndfile1 libflac12 libogg0 libvorbis0a libvorbisenc2 libopus0 libmpg123-0 libmp3lame0
  libsoxr-dev libsoxr0
  libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libhdf5-cpp-103-1 libsz2 libaec0
  libmatio-dev libmatio11
  portaudio19-dev libportaudio2 libportaudiocpp0 libasound2 libasound2-dev libjack-jackd2-0
  libzmq3-dev libzmq5 libsodium23 libpgm-5.3-0 libnorm1 liblo-dev liblo7
  libreaderwriterqueue-dev nlohmann-json3-dev libcli11-dev libstb-dev libstb0
  libgtest-dev libgmock-dev googletest libbenchmark-dev libbenchmark1debian
)
(cd .gpu-debs && apt-get "${apt_amd64[@]}" download "${packages[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
echo "$(ls .gpu-debs/*.deb | wc -l) packages, $(du -sh .gpu-debs | cut -f1) in .gpu-debs/"
