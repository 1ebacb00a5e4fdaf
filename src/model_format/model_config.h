#pragma once
// The full configuration of a response model: architecture, sizes, output nonlinearity
// and provenance (front end, dt, unit ids). Torch-free: the training code builds LibTorch
// modules from it, the step engine builds its kernels from it, and it travels as JSON in
// the `__metadata__` of the exported .safetensors file.

#include <string>
#include <vector>

namespace statenet {

enum class Architecture { kStateNet, kL, kLn, kNrf, kDnet, kCnn2d, kTransformer };
enum class RecurrentCore { kRnn, kLstm, kGru, kS4, kS4d, kMamba };  ///< kS4: the paper's DPLR S4; kS4d: the diagonal S4D
enum class FirstLayer { kLocallyConnected, kFullyConnected, kConvolution };
enum class Nonlinearity { kIdentity, kDoubleExponential, kSigmoid };  ///< per-unit output stage
enum class DnetDecay { kRecurrent, kFir14 };  ///< the paper's leaky recurrence, or the code's 14-tap FIR

// The names used in JSON, on the command line and in messages: "statenet", "l", "ln", "nrf",
// "dnet", "cnn2d", "transformer"; "rnn", "lstm", "gru", "s4", "s4d", "mamba"; "lc", "fc", "conv";
// "identity", "double_exponential", "sigmoid"; "recurrent", "fir14".
std::string to_string(Architecture a);
std::string to_string(RecurrentCore c);
std::string to_string(FirstLayer f);
std::string to_string(Nonlinearity n);
std::string to_string(DnetDecay d);
// The reverse; each throws std::invalid_argument "unknown '<text>' (<every name>)".
Architecture parse_architecture(const std::string& text);
RecurrentCore parse_core(const std::string& text);
FirstLayer parse_first_layer(const std::string& text);
Nonlinearity parse_nonlinearity(const std::string& text);
DnetDecay parse_dnet_decay(const std::string& text);

struct ModelConfig {
  Architecture architecture = Architecture::kStateNet;
  int num_bands = 34;   ///< F
  int num_units = 1;    ///< N
  Nonlinearity output = Nonlinearity::kIdentity;

  // StateNet (docs/models.md; NS1 defaults).
  FirstLayer first_layer = FirstLayer::kLocallyConnected;
  int lc_kernel = 7, lc_stride = 3, lc_channels = 7;
  RecurrentCore core = RecurrentCore::kGru;
  /// The S4 core's kernel length L in bins (odd): its C̃ = C·(I − Ā^L) is kept relative to it
  /// (docs/models.md); training sets it to the longest clip. Longer inputs still work.
  int s4_kernel_bins = 1001;

  // Stateless baselines: temporal window in bins (left zero padding of window − 1).
  int window_bins = 43;
  int hidden = 20;                 ///< NRF / DNet hidden channels
  DnetDecay dnet_decay = DnetDecay::kRecurrent;
  int cnn_channels = 10, cnn_hidden = 90, cnn_kernel_f = 6, cnn_kernel_t = 15;
  int embed = 48, heads = 4, ff = 160;   ///< Transformer (window_bins = 48 by default for it)
  /// AdapTrans ON/OFF prefilter before the first layer of any architecture (2 input channels,
  /// ON bands then OFF bands; docs/models.md), with its FIR length in bins (adaptrans_taps_for).
  bool adaptrans = false;
  int adaptrans_taps = 0;

  // Provenance.
  std::string cochleagram;   ///< the dataset's front-end description
  double dt_ms = 0.0;
  std::vector<std::string> unit_ids;
  std::string dataset;

  bool is_statenet() const { return architecture == Architecture::kStateNet; }
  /// C_in: the channels the first layer sees per band (2 with AdapTrans's ON and OFF).
  int input_channels() const { return adaptrans ? 2 : 1; }
  /// The hidden size H = C·L of StateNet's LC layer.
  int lc_positions() const { return (num_bands - lc_kernel) / lc_stride + 1; }
  int statenet_hidden() const { return lc_channels * lc_positions(); }
  /// How messages and results name the model: "statenet-gru", "cnn2d-adaptrans",
  /// "statenet-gru-adaptrans", else the architecture ("ln").
  std::string model_name() const;

  std::string to_json() const;
  // Parses and validates; throws std::invalid_argument naming the field.
  static ModelConfig from_json(const std::string& json);
  // Throws std::invalid_argument naming the first inconsistent field.
  void validate() const;
};

// AdapTrans's FIR length for bands centred at freqs_hz: round(3·max τ) + 1 with
// τ = 500 − 105·log10(CF) taken as a count of bins, as in the authors' code (docs/models.md).
int adaptrans_taps_for(const std::vector<double>& freqs_hz);
// Its time constant τ in ms for a band centred at cf_hz (Willmore et al. 2016).
double adaptrans_tau_ms(double cf_hz);

// The defaults of each architecture for F bands and N units (docs/models.md, the zoo).
ModelConfig default_model_config(Architecture architecture, int num_bands, int num_units);
std::vector<Architecture> all_architectures();

}  // namespace statenet
