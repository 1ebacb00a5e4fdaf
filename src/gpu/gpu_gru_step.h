#pragma once
// Many independent StateNet-GRU streams advanced one frame per call on a CUDA GPU: one model
// shared, one hidden state per stream. Each step is one fused kernel — first
// layer + sigmoid, GRU update, readout, output nonlinearity — replayed from a CUDA Graph
// together with the copy of the frames in and of the rates out. This header has no CUDA
// types, so torch-free and CUDA-free code can include it.
// [construction: control thread; reset/step: one thread at a time]

#include <memory>
#include <string>

#include "step/step_model.h"

namespace statenet {

class GpuGruStep {
 public:
  /// Uploads the weights and sizes every buffer for `streams` streams. Throws
  /// std::runtime_error when no CUDA device can be used (the message says why) or a CUDA
  /// call fails.
  GpuGruStep(const GruStepWeights& weights, int streams);
  ~GpuGruStep();
  GpuGruStep(const GpuGruStep&) = delete;
  GpuGruStep& operator=(const GpuGruStep&) = delete;

  int streams() const;
  int num_bands() const;
  int num_units() const;
  /// Every stream's hidden state to zero (a new signal on every stream).
  void reset();
  /// frames: [streams, F] (stream-major), rates: [streams, N]; host memory. Blocks until
  /// the rates are back. Throws std::runtime_error if a CUDA call fails.
  void step(const float* frames, float* rates);
  /// The device's name, e.g. "NVIDIA H100 80GB HBM3".
  std::string device_name() const;

  /// Empty when a CUDA device is usable; otherwise why not ("no CUDA device", the driver's
  /// error, …). Never throws.
  static std::string device_problem();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The kernel's own code run on the CPU, phase by phase for every thread of every block (the
// barriers' order), with the same indexing and float arithmetic: the tests check the kernel's
// logic against the CPU step engine where no GPU is present. frames [streams, F]; hidden
// [streams, H], advanced in place; rates [streams, N]. Slow; for tests only.
void emulate_gpu_gru_step(const GruStepWeights& weights, int streams, const float* frames, float* hidden, float* rates);

}  // namespace statenet
