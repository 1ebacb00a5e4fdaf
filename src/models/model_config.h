#pragma once
// The full configuration of a response model: architecture, sizes, output nonlinearity
// and provenance (front end, dt, unit ids). Torch-free: the training code builds LibTorch
// modules from it, the step engine builds its kernels from it, and it travels as JSON in
// the `__metadata__` of the exported .safetensors file.

#include <string>
#include <vector>

namespace statenet {

struct ModelConfig {
  /// "statenet", "l", "ln", "nrf", "dnet", "cnn2d" or "transformer".
  std::string architecture = "statenet";
  int num_bands = 34;   ///< F
  int num_units = 1;    ///< N
  /// "identity", "double_exponential" or "sigmoid" (per-unit parameters).
  std::string output = "identity";

  // StateNet (models.md §1; NS1 defaults).
  std::string first_layer = "lc";  ///< "lc", "fc" or "conv"
  int lc_kernel = 7, lc_stride = 3, lc_channels = 7;
  std::string core = "gru";        ///< "rnn", "lstm", "gru", "s4" (diagonal S4D) or "mamba"

  // Stateless baselines: temporal window in bins (left zero padding of window − 1).
  int window_bins = 43;
  int hidden = 20;                 ///< NRF / DNet hidden channels
  std::string dnet_decay = "recurrent";  ///< "recurrent" (paper) or "fir14" (code)
  int cnn_channels = 10, cnn_hidden = 90, cnn_kernel_f = 6, cnn_kernel_t = 15;
  int embed = 48, heads = 4, ff = 160;   ///< Transformer (window_bins = 48 by default for it)

  // Provenance.
  std::string cochleagram;   ///< the dataset's front-end description
  double dt_ms = 0.0;
  std::vector<std::string> unit_ids;
  std::string dataset;

  /// The hidden size H = C·L of StateNet's LC layer.
  int lc_positions() const { return (num_bands - lc_kernel) / lc_stride + 1; }
  int statenet_hidden() const { return lc_channels * lc_positions(); }

  std::string to_json() const;
  // Parses and validates; throws std::invalid_argument naming the field.
  static ModelConfig from_json(const std::string& json);
  // Throws std::invalid_argument naming the first inconsistent field.
  void validate() const;
};

// The defaults of each architecture for F bands and N units (models.md §1.2, §2.2).
ModelConfig default_model_config(const std::string& architecture, int num_bands, int num_units);
std::vector<std::string> architecture_names();

}  // namespace statenet
