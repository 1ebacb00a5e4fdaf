#include "model_format/model_config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

#include "util/json_integer.h"

namespace statenet {
namespace {

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw std::invalid_argument("model config '" + field + "': " + what);
}

// Each enumeration's values and names, in the order messages list them.
template <class E>
using Names = std::vector<std::pair<E, const char*>>;
const Names<Architecture> kArchitectures = {{Architecture::kStateNet, "statenet"}, {Architecture::kL, "l"},
                                            {Architecture::kLn, "ln"},             {Architecture::kNrf, "nrf"},
                                            {Architecture::kDnet, "dnet"},         {Architecture::kCnn2d, "cnn2d"},
                                            {Architecture::kTransformer, "transformer"}};
const Names<RecurrentCore> kCores = {{RecurrentCore::kRnn, "rnn"}, {RecurrentCore::kLstm, "lstm"}, {RecurrentCore::kGru, "gru"},
                                     {RecurrentCore::kS4, "s4"},   {RecurrentCore::kS4d, "s4d"}, {RecurrentCore::kMamba, "mamba"}};
const Names<FirstLayer> kFirstLayers = {
    {FirstLayer::kLocallyConnected, "lc"}, {FirstLayer::kFullyConnected, "fc"}, {FirstLayer::kConvolution, "conv"}};
const Names<Nonlinearity> kNonlinearities = {
    {Nonlinearity::kIdentity, "identity"}, {Nonlinearity::kDoubleExponential, "double_exponential"}, {Nonlinearity::kSigmoid, "sigmoid"}};
const Names<DnetDecay> kDecays = {{DnetDecay::kRecurrent, "recurrent"}, {DnetDecay::kFir14, "fir14"}};

template <class E>
std::string name_in(const Names<E>& names, E value) {
  for (const auto& [v, n] : names)
    if (v == value) return n;
  return "?";
}

template <class E>
E parse_in(const Names<E>& names, const std::string& text) {
  std::string known;
  for (const auto& [v, n] : names) {
    if (text == n) return v;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw std::invalid_argument("unknown '" + text + "' (" + known + ")");
}

}  // namespace

std::string to_string(Architecture a) { return name_in(kArchitectures, a); }
std::string to_string(RecurrentCore c) { return name_in(kCores, c); }
std::string to_string(FirstLayer f) { return name_in(kFirstLayers, f); }
std::string to_string(Nonlinearity n) { return name_in(kNonlinearities, n); }
std::string to_string(DnetDecay d) { return name_in(kDecays, d); }
Architecture parse_architecture(const std::string& text) { return parse_in(kArchitectures, text); }
RecurrentCore parse_core(const std::string& text) { return parse_in(kCores, text); }
FirstLayer parse_first_layer(const std::string& text) { return parse_in(kFirstLayers, text); }
Nonlinearity parse_nonlinearity(const std::string& text) { return parse_in(kNonlinearities, text); }
DnetDecay parse_dnet_decay(const std::string& text) { return parse_in(kDecays, text); }

std::vector<Architecture> all_architectures() {
  std::vector<Architecture> v;
  for (const auto& [a, name] : kArchitectures) v.push_back(a);
  return v;
}

std::string ModelConfig::model_name() const {
  return (is_statenet() ? "statenet-" + to_string(core) : to_string(architecture)) + (adaptrans ? "-adaptrans" : "");
}

void ModelConfig::validate() const {
  // Every size at most 2^16 (products of two stay far inside 64 bits, of three inside int
  // arithmetic's reach for shapes): a file cannot ask for a model that exhausts the machine.
  constexpr int kMaxSize = 1 << 16;
  const std::pair<const char*, int> sizes[] = {
      {"num_bands", num_bands}, {"num_units", num_units}, {"lc_kernel", lc_kernel}, {"lc_stride", lc_stride},
      {"lc_channels", lc_channels}, {"window_bins", window_bins}, {"hidden", hidden}, {"cnn_channels", cnn_channels},
      {"cnn_hidden", cnn_hidden}, {"cnn_kernel_f", cnn_kernel_f}, {"cnn_kernel_t", cnn_kernel_t}, {"embed", embed},
      {"heads", heads}, {"ff", ff}, {"s4_kernel_bins", s4_kernel_bins}, {"adaptrans_taps", adaptrans_taps}};
  for (const auto& [name, value] : sizes)
    if (value > kMaxSize) bad(name, std::to_string(value) + " exceeds the largest size, " + std::to_string(kMaxSize));
  if (num_bands < 1) bad("num_bands", "must be positive");
  if (num_units < 1) bad("num_units", "must be positive");
  if (!unit_ids.empty() && static_cast<int>(unit_ids.size()) != num_units)
    bad("unit_ids", std::to_string(unit_ids.size()) + " ids for " + std::to_string(num_units) + " units");
  if (is_statenet()) {
    if (lc_kernel < 1 || lc_stride < 1 || lc_channels < 1) bad("lc_kernel", "kernel, stride and channels must be positive");
    if (core == RecurrentCore::kS4 && (s4_kernel_bins < 1 || s4_kernel_bins % 2 == 0))
      bad("s4_kernel_bins", "must be a positive odd number, got " + std::to_string(s4_kernel_bins));
    if (lc_kernel > num_bands) bad("lc_kernel", std::to_string(lc_kernel) + " exceeds the " + std::to_string(num_bands) + " bands");
    if (static_cast<std::int64_t>(lc_channels) * lc_positions() > kMaxSize)
      bad("lc_channels", "a hidden size of " + std::to_string(static_cast<std::int64_t>(lc_channels) * lc_positions()) +
                             " (channels × positions) exceeds " + std::to_string(kMaxSize));
  }
  if (window_bins < 1) bad("window_bins", "must be positive");
  if (architecture == Architecture::kNrf || architecture == Architecture::kDnet) {
    if (hidden < 1) bad("hidden", "must be positive");
  }
  if (architecture == Architecture::kCnn2d) {
    if (cnn_channels < 1 || cnn_hidden < 1 || cnn_kernel_t < 1) bad("cnn_channels", "sizes must be positive");
    if (num_bands - 3 * (cnn_kernel_f - 1) < 1)
      bad("cnn_kernel_f", "three valid convolutions of " + std::to_string(cnn_kernel_f) + " bands need more than " +
                              std::to_string(num_bands) + " bands");
  }
  if (adaptrans && adaptrans_taps < 2) bad("adaptrans_taps", "must be at least 2, got " + std::to_string(adaptrans_taps));
  if (architecture == Architecture::kTransformer) {
    if (embed < 1 || heads < 1 || embed % heads != 0) bad("embed", "must be a positive multiple of heads");
    if (ff < 1) bad("ff", "must be positive");
  }
}

std::string ModelConfig::to_json() const {
  nlohmann::json j;
  j["architecture"] = to_string(architecture);
  j["num_bands"] = num_bands;
  j["num_units"] = num_units;
  j["output"] = to_string(output);
  j["first_layer"] = to_string(first_layer);
  j["lc_kernel"] = lc_kernel;
  j["lc_stride"] = lc_stride;
  j["lc_channels"] = lc_channels;
  j["core"] = to_string(core);
  j["s4_kernel_bins"] = s4_kernel_bins;
  j["window_bins"] = window_bins;
  j["hidden"] = hidden;
  j["dnet_decay"] = to_string(dnet_decay);
  j["cnn_channels"] = cnn_channels;
  j["cnn_hidden"] = cnn_hidden;
  j["cnn_kernel_f"] = cnn_kernel_f;
  j["cnn_kernel_t"] = cnn_kernel_t;
  j["embed"] = embed;
  j["heads"] = heads;
  j["ff"] = ff;
  j["adaptrans"] = adaptrans;
  j["adaptrans_taps"] = adaptrans_taps;
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
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, int>) {
      // Sizes are whole numbers within int: 7.5 or 1e25 is refused, not truncated or wrapped.
      const nlohmann::json& v = j.at(key);
      const JsonInteger fit = json_integer_fit<int>(v);
      if (fit == JsonInteger::kNotInteger) bad(key, "expected a whole number, found " + v.dump());
      if (fit == JsonInteger::kOutOfRange) bad(key, v.dump() + " is out of range");
      field = static_cast<int>(v.get<std::int64_t>());
      return;
    }
    try {
      j.at(key).get_to(field);
    } catch (const std::exception&) {
      bad(key, "has the wrong type");
    }
  };
  // The enumerations travel as names.
  auto get_enum = [&](const char* key, auto& field, auto parse) {
    if (!j.contains(key)) return;
    std::string text;
    get(key, text);
    try {
      field = parse(text);
    } catch (const std::invalid_argument& e) {
      bad(key, e.what());
    }
  };
  if (!j.contains("architecture")) bad("architecture", "missing");
  get_enum("architecture", c.architecture, parse_architecture);
  get("num_bands", c.num_bands);
  get("num_units", c.num_units);
  get_enum("output", c.output, parse_nonlinearity);
  get_enum("first_layer", c.first_layer, parse_first_layer);
  get("lc_kernel", c.lc_kernel);
  get("lc_stride", c.lc_stride);
  get("lc_channels", c.lc_channels);
  get_enum("core", c.core, parse_core);
  get("s4_kernel_bins", c.s4_kernel_bins);
  get("window_bins", c.window_bins);
  get("hidden", c.hidden);
  get_enum("dnet_decay", c.dnet_decay, parse_dnet_decay);
  get("cnn_channels", c.cnn_channels);
  get("cnn_hidden", c.cnn_hidden);
  get("cnn_kernel_f", c.cnn_kernel_f);
  get("cnn_kernel_t", c.cnn_kernel_t);
  get("embed", c.embed);
  get("heads", c.heads);
  get("ff", c.ff);
  get("adaptrans", c.adaptrans);
  get("adaptrans_taps", c.adaptrans_taps);
  get("cochleagram", c.cochleagram);
  get("dt_ms", c.dt_ms);
  get("unit_ids", c.unit_ids);
  get("dataset", c.dataset);
  c.validate();
  return c;
}

double adaptrans_tau_ms(double cf_hz) { return 500.0 - 105.0 * std::log10(cf_hz); }

int adaptrans_taps_for(const std::vector<double>& freqs_hz) {
  double longest = 0.0;
  for (double f : freqs_hz) longest = std::max(longest, adaptrans_tau_ms(f));
  return static_cast<int>(std::clamp(std::lround(3.0 * longest) + 1, 2L, 1L << 16));
}

ModelConfig default_model_config(Architecture architecture, int F, int N) {
  ModelConfig c;
  c.architecture = architecture;
  c.num_bands = F;
  c.num_units = N;
  // Every model but L and StateNet ends with the double exponential (docs/models.md).
  c.output = (architecture == Architecture::kStateNet || architecture == Architecture::kL) ? Nonlinearity::kIdentity
                                                                                           : Nonlinearity::kDoubleExponential;
  if (architecture == Architecture::kNrf || architecture == Architecture::kDnet) c.window_bins = 41;
  if (architecture == Architecture::kTransformer) c.window_bins = 48;
  if (architecture == Architecture::kCnn2d) c.window_bins = 3 * (c.cnn_kernel_t - 1) + 1;
  c.validate();
  return c;
}

}  // namespace statenet
