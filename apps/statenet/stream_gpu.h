#pragma once
// `statenet stream --gpu`: many files through a StateNet-GRU on the GPU at once.
#include <string>
#include <vector>

#include "cochlea/presets.h"

namespace statenet {

struct GpuStreamOptions {
  std::string model;
  std::vector<std::string> inputs;  ///< audio files, one stream each
  int copies = 1;                   ///< each file streamed this many times (load tests)
  std::string output_dir;           ///< per file: <stem>.f32 + .json; empty = none
};

// Throws std::runtime_error with a one-line message (no CUDA in this build, no device,
// not a StateNet-GRU model, unreadable files).
void run_stream_gpu(const GpuStreamOptions& options, const CochleagramPreset& preset);

}  // namespace statenet
