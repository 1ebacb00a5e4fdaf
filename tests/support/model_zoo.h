#pragma once
// Every model configuration the LibTorch tests sweep: each architecture's defaults, every
// StateNet core and first layer, DNet's FIR-14 decay, a 2-D CNN of 7 channels, and the output
// nonlinearities.

#include <string>
#include <vector>

#include "models/model_config.h"

namespace statenet::test {

inline std::vector<ModelConfig> model_zoo(int F, int N) {
  std::vector<ModelConfig> v;
  for (const auto& a : architecture_names()) v.push_back(default_model_config(a, F, N));
  const auto variant = [&](const std::string& arch, auto change) {
    ModelConfig c = default_model_config(arch, F, N);
    change(c);
    v.push_back(c);
  };
  for (const char* core : {"rnn", "lstm", "s4", "mamba"}) variant("statenet", [&](ModelConfig& c) { c.core = core; });
  for (const char* first : {"fc", "conv"}) variant("statenet", [&](ModelConfig& c) { c.first_layer = first; });
  variant("dnet", [](ModelConfig& c) { c.dnet_decay = "fir14"; });
  variant("cnn2d", [](ModelConfig& c) { c.cnn_channels = 7; });  // the step kernel's 4 + 2 + 1 channel blocks
  for (const char* out : {"double_exponential", "sigmoid"}) variant("statenet", [&](ModelConfig& c) { c.output = out; });
  variant("ln", [](ModelConfig& c) { c.output = "sigmoid"; });
  return v;
}

// "statenet-lc-gru+identity", "dnet-fir14+double_exponential", …
inline std::string model_name(const ModelConfig& c) {
  std::string n = c.architecture;
  if (c.architecture == "statenet") n += "-" + c.first_layer + "-" + c.core;
  if (c.architecture == "dnet") n += "-" + c.dnet_decay;
  if (c.architecture == "cnn2d") n += "-" + std::to_string(c.cnn_channels) + "ch";
  return n + "+" + c.output;
}

}  // namespace statenet::test
