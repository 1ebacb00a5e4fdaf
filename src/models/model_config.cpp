#include "models/model_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace statenet {
namespace {

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw std::invalid_argument("model config '" + field + "': " + what);
}

bool one_of(const std::string& v, std::initializer_list<const char*> options) {
  return std::any_of(options.begin(), options.end(), [&](const char* o) { return v == o; });
}

}  // namespace

std::vector<std::string> architecture_names() { return {"statenet", "l", "ln", "nrf", "dnet", "cnn2d", "transformer"}; }

void ModelConfig::validate() const {
  const auto archs = architecture_names();
  if (std::find(archs.begin(), archs.end(), architecture) == archs.end())
    bad("architecture", "unknown '" + architecture + "' (statenet, l, ln, nrf, dnet, cnn2d, transformer)");
  if (num_bands < 1) bad("num_bands", "must be positive");
  if (num_units < 1) bad("num_units", "must be positive");
  if (!one_of(output, {"identity", "double_exponential", "sigmoid"}))
    bad("output", "unknown '" + output + "' (identity, double_exponential, sigmoid)");
  if (!unit_ids.empty() && static_cast<int>(unit_ids.size()) != num_units)
    bad("unit_ids", std::to_string(unit_ids.size()) + " ids for " + std::to_string(num_units) + " units");
  if (architecture == "statenet") {
    if (!one_of(first_layer, {"lc", "fc", "conv"})) bad("first_layer", "unknown '" + first_layer + "' (lc, fc, conv)");
    if (!one_of(core, {"rnn", "lstm", "gru", "s4", "mamba"})) bad("core", "unknown '" + core + "' (rnn, lstm, gru, s4, mamba)");
    if (lc_kernel < 1 || lc_stride < 1 || lc_channels < 1) bad("lc_kernel", "kernel, stride and channels must be positive");
    if (lc_kernel > num_bands) bad("lc_kernel", std::to_string(lc_kernel) + " exceeds the " + std::to_string(num_bands) + " bands");
  }
  if (window_bins < 1) bad("window_bins", "must be positive");
  if (architecture == "nrf" || architecture == "dnet") {
    if (hidden < 1) bad("hidden", "must be positive");
  }
  if (architecture == "dnet" && !one_of(dnet_decay, {"recurrent", "fir14"})) bad("dnet_decay", "recurrent or fir14");
  if (architecture == "cnn2d") {
    if (cnn_channels < 1 || cnn_hidden < 1 || cnn_kernel_t < 1) bad("cnn_channels", "sizes must be positive");
    if (num_bands - 3 * (cnn_kernel_f - 1) < 1)
      bad("cnn_kernel_f", "three valid convolutions of " + std::to_string(cnn_kernel_f) + " bands need more than " +
                              std::to_string(num_bands) + " bands");
  }
  if (architecture == "transformer") {
    if (embed < 1 || heads < 1 || embed % heads != 0) bad("embed", "must be a positive multiple of heads");
    if (ff < 1) bad("ff", "must be positive");
  }
}

std::string ModelConfig::to_json() const {
  nlohmann::json j;
  j["architecture"] = architecture;
  j["num_bands"] = num_bands;
  j["num_units"] = num_units;
  j["output"] = output;
  j["first_layer"] = first_layer;
  j["lc_kernel"] = lc_kernel;
  j["lc_stride"] = lc_stride;
  j["lc_channels"] = lc_channels;
  j["core"] = core;
  j["window_bins"] = window_bins;
  j["hidden"] = hidden;
  j["dnet_decay"] = dnet_decay;
  j["cnn_channels"] = cnn_channels;
  j["cnn_hidden"] = cnn_hidden;
  j["cnn_kernel_f"] = cnn_kernel_f;
  j["cnn_kernel_t"] = cnn_kernel_t;
  j["embed"] = embed;
  j["heads"] = heads;
  j["ff"] = ff;
  j["cochleagram"] = cochleagram;
  j["dt_ms"] = dt_ms;
  j["unit_ids"] = unit_ids;
  j["dataset"] = dataset;
  return j.dump();
}

ModelConfig ModelConfig::from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("model config: not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw std::invalid_argument("model config: expected a JSON object");
  ModelConfig c;
  auto get = [&](const char* key, auto& field) {
    if (!j.contains(key)) return;
    try {
      j.at(key).get_to(field);
    } catch (const std::exception&) {
      bad(key, "has the wrong type");
    }
  };
  if (!j.contains("architecture")) bad("architecture", "missing");
  get("architecture", c.architecture);
  get("num_bands", c.num_bands);
  get("num_units", c.num_units);
  get("output", c.output);
  get("first_layer", c.first_layer);
  get("lc_kernel", c.lc_kernel);
  get("lc_stride", c.lc_stride);
  get("lc_channels", c.lc_channels);
  get("core", c.core);
  get("window_bins", c.window_bins);
  get("hidden", c.hidden);
  get("dnet_decay", c.dnet_decay);
  get("cnn_channels", c.cnn_channels);
  get("cnn_hidden", c.cnn_hidden);
  get("cnn_kernel_f", c.cnn_kernel_f);
  get("cnn_kernel_t", c.cnn_kernel_t);
  get("embed", c.embed);
  get("heads", c.heads);
  get("ff", c.ff);
  get("cochleagram", c.cochleagram);
  get("dt_ms", c.dt_ms);
  get("unit_ids", c.unit_ids);
  get("dataset", c.dataset);
  c.validate();
  return c;
}

ModelConfig default_model_config(const std::string& architecture, int F, int N) {
  ModelConfig c;
  c.architecture = architecture;
  c.num_bands = F;
  c.num_units = N;
  // Every model but L and StateNet ends with the double exponential (models.md §1.3, §2.1).
  c.output = (architecture == "statenet" || architecture == "l") ? "identity" : "double_exponential";
  if (architecture == "nrf" || architecture == "dnet") c.window_bins = 41;
  if (architecture == "transformer") c.window_bins = 48;
  if (architecture == "cnn2d") c.window_bins = 3 * (c.cnn_kernel_t - 1) + 1;
  c.validate();
  return c;
}

}  // namespace statenet
