#pragma once
// LibTorch response models: every architecture of the paper maps a cochleagram
// x [B, F, T] to predicted responses r̂ [B, N, T], causally (output t sees input ≤ t).
// Build one with make_response_model(config). [training and interpretation threads;
// never the real-time path]

#include <torch/torch.h>

#include <memory>

#include "model_format/model_config.h"

namespace statenet {

// Per-unit output nonlinearity on [B, N, T] (docs/models.md, "Output nonlinearities"):
//   identity; double exponential a·exp(−exp(k·x − s)) + b with a, b = softplus(·);
//   sigmoid b/(1 + exp(−(x − c)/d)).
class OutputNonlinearityImpl : public torch::nn::Module {
 public:
  OutputNonlinearityImpl(Nonlinearity kind, int num_units);
  torch::Tensor forward(const torch::Tensor& y);
  Nonlinearity kind() const { return kind_; }
  /// Data-driven start, [N] tensors each: the double exponential gets b (offset) = each unit's
  /// lowest response, a (range) = highest − lowest; the sigmoid its height = highest; then s
  /// (or c) so that the output for a zero input is the unit's mean response. Identity: nothing.
  void fit_to_responses(const torch::Tensor& low, const torch::Tensor& mean, const torch::Tensor& high);

 private:
  Nonlinearity kind_;
  torch::Tensor p0_, p1_, p2_, p3_;  // DE: ã, b̃, k, s; sigmoid: b, c, d
};
TORCH_MODULE(OutputNonlinearity);

class ResponseModel : public torch::nn::Module {
 public:
  explicit ResponseModel(ModelConfig config);
  /// x [B, F, T] → r̂ [B, N, T].
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  /// The same outputs for training with TBPTT(1, K) (paper Methods): output t is computed
  /// by a graph that starts K bins earlier, from the true state there (warm-up: the state of a
  /// no-grad run from the clip start) or from zero (no warm-up); for t < K the graph starts
  /// at the clip start. K ≥ T is full BPTT. Recurrent StateNet cores (rnn, gru, lstm) only;
  /// others throw std::invalid_argument.
  virtual torch::Tensor forward_tbptt(const torch::Tensor& x, std::int64_t k, bool warmup);
  /// The training cochleagrams' per-band mean and standard deviation [F] each, for models
  /// without a normalisation after their first layer (the Transformer: a fixed standardisation
  /// (x − μ)/σ of every input frame, padding included, kept in buffers input_mean and
  /// input_scale). Others: nothing.
  virtual void fit_to_stimuli(const torch::Tensor& band_mean, const torch::Tensor& band_std) {}
  /// The bands' centre frequencies and the bin width, for models whose initialisation depends
  /// on them (AdapTrans: each band's time constant). Others: nothing.
  virtual void fit_to_bands(const std::vector<double>& freqs_hz, double dt_ms) {}
  const ModelConfig& config() const { return config_; }
  std::int64_t parameter_count() const;
  OutputNonlinearity& output_nonlinearity() { return output_; }

 protected:
  ModelConfig config_;
  OutputNonlinearity output_{nullptr};
};

std::shared_ptr<ResponseModel> make_response_model(const ModelConfig& config);

}  // namespace statenet
