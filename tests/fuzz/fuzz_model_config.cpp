// The model configuration JSON (a .safetensors file's __metadata__ "config"):
// ModelConfig::from_json on any text. Property: a configuration that was accepted writes
// itself out and reads back as the same configuration.

#include "fuzz_support.h"
#include "model_format/model_config.h"

using namespace statenet;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (Architecture a : all_architectures())
    fuzz::offer_seed(to_string(a) + ".json", default_model_config(a, 34, 3).to_json());
  ModelConfig lstm = default_model_config(Architecture::kStateNet, 18, 2);
  lstm.core = RecurrentCore::kLstm;
  lstm.first_layer = FirstLayer::kConvolution;
  fuzz::offer_seed("statenet-lstm-conv.json", lstm.to_json());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ModelConfig c;
  try {
    c = ModelConfig::from_json(text);
    c.validate();
  } catch (const std::exception&) {
    return 0;
  }
  const std::string written = c.to_json();
  try {
    const ModelConfig again = ModelConfig::from_json(written);
    FUZZ_CHECK(again.to_json() == written);
  } catch (const std::exception&) {
    FUZZ_CHECK(!"an accepted configuration must read back");
  }
  return 0;
}
