#pragma once
// Every model configuration the LibTorch tests sweep: each architecture's defaults, every
// StateNet core and first layer, DNet's FIR-14 decay, a 2-D CNN of 7 channels, AdapTrans in
// front of every architecture, and the output nonlinearities.

#include <string>
#include <vector>

#include "model_format/model_config.h"

namespace statenet::test {

inline std::vector<ModelConfig> model_zoo(int F, int N) {
  std::vector<ModelConfig> v;
  for (Architecture a : all_architectures()) v.push_back(default_model_config(a, F, N));
  const auto variant = [&](Architecture arch, auto change) {
    ModelConfig c = default_model_config(arch, F, N);
    change(c);
    v.push_back(c);
  };
  for (RecurrentCore core : {RecurrentCore::kRnn, RecurrentCore::kLstm, RecurrentCore::kS4, RecurrentCore::kS4d, RecurrentCore::kMamba})
    variant(Architecture::kStateNet, [&](ModelConfig& c) { c.core = core; });
  // S4 with a kernel length shorter than the clips the tests use: the longer-input path.
  variant(Architecture::kStateNet, [](ModelConfig& c) { c.core = RecurrentCore::kS4, c.s4_kernel_bins = 21; });
  for (FirstLayer first : {FirstLayer::kFullyConnected, FirstLayer::kConvolution})
    variant(Architecture::kStateNet, [&](ModelConfig& c) { c.first_layer = first; });
  variant(Architecture::kDnet, [](ModelConfig& c) { c.dnet_decay = DnetDecay::kFir14; });
  variant(Architecture::kCnn2d, [](ModelConfig& c) { c.cnn_channels = 7; });  // the step kernel's 4 + 2 + 1 channel blocks
  variant(Architecture::kCnn2d, [](ModelConfig& c) {  // with AdapTrans, a 40-bin FIR and the sigmoid output
    c.adaptrans = true, c.adaptrans_taps = 40, c.output = Nonlinearity::kSigmoid;
  });
  // AdapTrans (12-bin FIR) in front of every other architecture and each StateNet first layer.
  const auto with_adaptrans = [](ModelConfig& c) { c.adaptrans = true, c.adaptrans_taps = 12; };
  for (Architecture a : {Architecture::kL, Architecture::kNrf, Architecture::kTransformer}) variant(a, with_adaptrans);
  variant(Architecture::kDnet, [&](ModelConfig& c) { with_adaptrans(c), c.dnet_decay = DnetDecay::kFir14; });
  for (FirstLayer first : {FirstLayer::kLocallyConnected, FirstLayer::kFullyConnected, FirstLayer::kConvolution})
    variant(Architecture::kStateNet, [&](ModelConfig& c) { with_adaptrans(c), c.first_layer = first; });
  for (Nonlinearity out : {Nonlinearity::kDoubleExponential, Nonlinearity::kSigmoid})
    variant(Architecture::kStateNet, [&](ModelConfig& c) { c.output = out; });
  variant(Architecture::kLn, [](ModelConfig& c) { c.output = Nonlinearity::kSigmoid; });
  return v;
}

// "statenet-lc-gru+identity", "dnet-fir14+double_exponential", …
inline std::string model_name(const ModelConfig& c) {
  std::string n = to_string(c.architecture);
  if (c.is_statenet()) n += "-" + to_string(c.first_layer) + "-" + to_string(c.core);
  if (c.is_statenet() && c.core == RecurrentCore::kS4 && c.s4_kernel_bins != ModelConfig().s4_kernel_bins)
    n += "-L" + std::to_string(c.s4_kernel_bins);
  if (c.architecture == Architecture::kDnet) n += "-" + to_string(c.dnet_decay);
  if (c.architecture == Architecture::kCnn2d) n += "-" + std::to_string(c.cnn_channels) + "ch";
  return n + (c.adaptrans ? "-adaptrans" : "") + "+" + to_string(c.output);
}

}  // namespace statenet::test
