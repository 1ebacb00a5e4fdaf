// The model configuration is typed inside the program and named only in JSON and on the
// command line: every enumeration value survives to_string → parse and to_json → from_json,
// and an unknown name gets one line that names the field and lists the known names.

#include "model_format/model_config.h"

#include <gtest/gtest.h>

namespace statenet {
namespace {

template <class E, class Parse>
void expect_round_trip(std::initializer_list<E> values, Parse parse) {
  for (E v : values) {
    SCOPED_TRACE(to_string(v));
    EXPECT_EQ(parse(to_string(v)), v);
  }
}

TEST(ModelConfig, everyNameParsesBackToItsValue) {
  for (Architecture a : all_architectures()) EXPECT_EQ(parse_architecture(to_string(a)), a) << to_string(a);
  expect_round_trip({RecurrentCore::kRnn, RecurrentCore::kLstm, RecurrentCore::kGru, RecurrentCore::kS4, RecurrentCore::kS4d, RecurrentCore::kMamba}, parse_core);
  expect_round_trip({FirstLayer::kLocallyConnected, FirstLayer::kFullyConnected, FirstLayer::kConvolution}, parse_first_layer);
  expect_round_trip({Nonlinearity::kIdentity, Nonlinearity::kDoubleExponential, Nonlinearity::kSigmoid}, parse_nonlinearity);
  expect_round_trip({DnetDecay::kRecurrent, DnetDecay::kFir14}, parse_dnet_decay);
  EXPECT_EQ(all_architectures().size(), 7u);
}

TEST(ModelConfig, jsonCarriesNamesAndComesBackEqual) {
  ModelConfig c = default_model_config(Architecture::kStateNet, 18, 4);
  c.core = RecurrentCore::kMamba;
  c.first_layer = FirstLayer::kConvolution;
  c.output = Nonlinearity::kSigmoid;
  c.dnet_decay = DnetDecay::kFir14;
  const std::string json = c.to_json();
  EXPECT_NE(json.find("\"core\":\"mamba\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"first_layer\":\"conv\""), std::string::npos) << json;
  const ModelConfig back = ModelConfig::from_json(json);
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(back.model_name(), "statenet-mamba");
  EXPECT_EQ(default_model_config(Architecture::kLn, 34, 1).model_name(), "ln");
}

TEST(ModelConfig, anUnknownNameIsOneLineNamingTheFieldAndTheKnownNames) {
  auto error_of = [](const std::string& json) -> std::string {
    try {
      ModelConfig::from_json(json);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(R"({"architecture": "statenet", "core": "transformerish"})"),
            "model config 'core': unknown 'transformerish' (rnn, lstm, gru, s4, s4d, mamba)");
  EXPECT_EQ(error_of(R"({"architecture": "rnn"})"),
            "model config 'architecture': unknown 'rnn' (statenet, l, ln, nrf, dnet, cnn2d, transformer)");
  EXPECT_EQ(error_of(R"({"architecture": "l", "output": "relu"})"),
            "model config 'output': unknown 'relu' (identity, double_exponential, sigmoid)");
  EXPECT_EQ(error_of(R"({"architecture": "dnet", "dnet_decay": 3})"), "model config 'dnet_decay': has the wrong type");
  EXPECT_EQ(error_of(R"({"num_units": 3})"), "model config 'architecture': missing");
  // Sizes are whole numbers within int (found by fuzzing: 1e25 was cast to int, undefined).
  EXPECT_EQ(error_of(R"({"architecture": "l", "cnn_channels": 15555555555555555555555550})"),
            "model config 'cnn_channels': expected a whole number, found 1.5555555555555555e+25");
  EXPECT_EQ(error_of(R"({"architecture": "l", "window_bins": 7.5})"), "model config 'window_bins': expected a whole number, found 7.5");
  EXPECT_EQ(error_of(R"({"architecture": "l", "hidden": 4294967296})"), "model config 'hidden': 4294967296 is out of range");
  EXPECT_EQ(error_of(R"({"architecture": "l", "hidden": -2147483649})"), "model config 'hidden': -2147483649 is out of range");
  // No size beyond 2^16, nor a StateNet hidden size (channels × positions) beyond it.
  EXPECT_EQ(error_of(R"({"architecture": "l", "ff": 65537})"), "model config 'ff': 65537 exceeds the largest size, 65536");
  EXPECT_EQ(error_of(R"({"architecture": "statenet", "num_bands": 34, "lc_channels": 8000})"),
            "model config 'lc_channels': a hidden size of 80000 (channels × positions) exceeds 65536");
}

}  // namespace
}  // namespace statenet
