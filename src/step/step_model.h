#pragma once
// The step engine: a trained model (an exported .safetensors file) advanced one cochleagram
// frame at a time, torch-free, for every architecture of the zoo:
//   StateNet (LC/FC/CONV × RNN/GRU/LSTM/S4D/Mamba) and DNet keep their recurrent states;
//   L, LN, NRF, 2D-CNN and the Transformer keep a ring buffer of their last window.
// Batch norms are folded into the weights at load time. Stepping frames 0 … T − 1 from a
// reset gives the LibTorch forward on the whole [1, F, T] sequence (causal, zero history).
//
// Lifecycle: load (throws with context; sizes every buffer) → step() per frame → reset()
// to start a new signal. step() and reset() are noexcept, allocate nothing, take no lock
// and make no system call. [one processing thread per instance]

#include <map>
#include <memory>
#include <string>

#include "model_format/model_config.h"
#include "model_format/safetensors.h"

namespace statenet {

class StepModel {
 public:
  virtual ~StepModel() = default;
  const ModelConfig& config() const { return config_; }
  int num_bands() const { return config_.num_bands; }
  int num_units() const { return config_.num_units; }
  /// Frames of history that affect the output: the window of a stateless model, 0 (unbounded)
  /// for a stateful one.
  virtual int window_frames() const = 0;

  /// Forgets all history: the next frame is frame 0 of a new signal. [RT]
  virtual void reset() noexcept = 0;
  /// Advances one frame: frame[F] (compressed cochleagram values, lowest band first) →
  /// rates[N] (the model's predicted responses, output nonlinearity applied). [RT]
  virtual void step(const float* frame, float* rates) noexcept = 0;

 protected:
  explicit StepModel(ModelConfig config) : config_(std::move(config)) {}
  ModelConfig config_;
};

// Builds the engine from a configuration and its tensors (the names and shapes that
// export_model writes). Throws std::runtime_error naming `source`, the tensor, and the
// expected and found shapes when a tensor is missing, misshapen or unexpected.
std::unique_ptr<StepModel> make_step_model(const ModelConfig& config, const std::map<std::string, NamedTensor>& tensors,
                                           const std::string& source = "model");
// Reads an exported model (read_safetensors + its config metadata). Throws std::runtime_error
// "<path>: <problem>" for unreadable, foreign or inconsistent files.
std::unique_ptr<StepModel> load_step_model(const std::string& path);

// A StateNet-GRU's weights, ready for a batched step engine (the GPU one): per frame
// u = σ(W₁x + b₁), the PyTorch GRU update of h from u, y = out(R·h + b_R) (docs/models.md).
struct GruStepWeights {
  int num_bands = 0, hidden = 0, num_units = 0;                 // F, H, N
  std::vector<float> first_weight, first_bias;                  // [H, F], [H]: LC/FC/CONV, batch norm folded
  std::vector<float> weight_ih, bias_ih, weight_hh, bias_hh;    // [3H, H], [3H]: gates r, z, n
  std::vector<float> readout_weight, readout_bias;              // [N, H], [N]
  Nonlinearity output = Nonlinearity::kIdentity;
  std::vector<float> output_params;                             // [4, N] (see OutputStage::packed_parameters)
};
// Throws std::runtime_error for unreadable files and for models other than StateNet-GRU.
GruStepWeights read_gru_step_weights(const std::string& path);

}  // namespace statenet
