// The .safetensors reader and the model loader behind `statenet stream`: read_safetensors on
// any bytes, then — for a statenet model — the step engine built from it and stepped.
// Property: every tensor's data holds exactly its shape's elements. (Finite weights can still
// overflow to inf or NaN in a step, so outputs are stepped for memory errors only.)

#include <vector>

#include "fuzz_support.h"
#include "model_format/safetensors.h"
#include "step/step_model.h"

using namespace statenet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/input.safetensors";
  fuzz::write_bytes(path, data, size);
  try {
    const SafetensorsFile f = read_safetensors(path);
    for (const auto& [name, t] : f.tensors) FUZZ_CHECK(t.numel() >= 0 && t.data.size() == static_cast<std::size_t>(t.numel()));
  } catch (const std::exception&) {
    return 0;
  }
  try {
    const auto model = load_step_model(path);
    std::vector<float> frame(model->num_bands(), 0.5f), rates(model->num_units());
    for (int t = 0; t < 4; ++t) model->step(frame.data(), rates.data());
  } catch (const std::exception&) {
  }
  return 0;
}
