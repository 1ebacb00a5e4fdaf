#pragma once
// Many independent StateNet-GRU streams advanced one frame per call on a CUDA GPU: one model
// shared, one hidden state per stream. Each step is one fused kernel — first
// layer + sigmoid, GRU update, readout, output nonlinearity — replayed from a CUDA Graph;
// the kernel reads the frames from and writes the rates to pinned host memory itself
// (zero-copy), or the graph copies them (`zero_copy = false`). This header has no CUDA
// types, so torch-free and CUDA-free code can include it.
// [construction: control thread; reset/step: one thread at a time]

#include <memory>
#include <string>

#include "step/step_model.h"

namespace statenet {

struct GpuGruStepOptions {
  /// Streams per thread block: 1 (every thread of a block on one stream: the latency case)
  /// or 8, 16, 32 (each weight read once for that many streams: throughput); 0 = 1 up to
  /// 4096 streams, else 8 (the faster on an H200, docs/gpu.md).
  int streams_per_block = 0;
  /// true: the kernel reads frames from and writes rates to mapped pinned host memory (one
  /// graph node); false: the graph copies them in and out around the kernel (three nodes).
  bool zero_copy = true;
};

class GpuGruStep {
 public:
  /// Uploads the weights and sizes every buffer for `streams` streams. Throws
  /// std::runtime_error when no CUDA device can be used (the message says why), an option is
  /// out of range, or a CUDA call fails.
  GpuGruStep(const GruStepWeights& weights, int streams, GpuGruStepOptions options = {});
  ~GpuGruStep();
  GpuGruStep(const GpuGruStep&) = delete;
  GpuGruStep& operator=(const GpuGruStep&) = delete;

  int streams() const;
  int num_bands() const;
  int num_units() const;
  /// Every stream's hidden state to zero (a new signal on every stream).
  void reset();
  /// frames: [streams, F] (stream-major), rates: [streams, N]; host memory. Blocks until
  /// the rates are back. Throws std::runtime_error if a CUDA call fails. Copies both through
  /// the engine's pinned buffers: step() without the copies is faster for many streams.
  void step(const float* frames, float* rates);
  /// Advances every stream by the frames the caller wrote into frames_buffer(); on return the
  /// rates are in rates_buffer(). Throws std::runtime_error if a CUDA call fails.
  void step();
  /// The engine's pinned host buffers: [streams, F] frames in, [streams, N] rates out.
  float* frames_buffer();
  const float* rates_buffer() const;
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
// [streams, H], advanced in place; rates [streams, N]; streams_per_block as in
// GpuGruStepOptions. Slow; for tests only.
void emulate_gpu_gru_step(const GruStepWeights& weights, int streams, const float* frames, float* hidden, float* rates,
                          int streams_per_block = 0);

}  // namespace statenet
