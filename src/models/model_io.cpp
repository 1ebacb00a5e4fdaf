#include "models/model_io.h"

#include <stdexcept>

#include "model_format/safetensors.h"
#include "step/step_model.h"

namespace statenet {
namespace {

// Every tensor that defines the model's function: parameters and BN running statistics
// (the integer num_batches_tracked counters are not).
std::vector<std::pair<std::string, torch::Tensor>> state_tensors(ResponseModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model.named_buffers())
    if (b.key().find("num_batches_tracked") == std::string::npos) out.emplace_back(b.key(), b.value());
  return out;
}

}  // namespace

void export_model(const std::string& path, ResponseModel& model) {
  SafetensorsFile file;
  for (const auto& [name, tensor] : state_tensors(model)) {
    const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    NamedTensor nt;
    nt.shape.assign(t.sizes().begin(), t.sizes().end());
    nt.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    file.tensors[name] = std::move(nt);
  }
  file.metadata["format"] = "statenet-model";
  file.metadata["format_version"] = "1";
  file.metadata["config"] = model.config().to_json();
  write_safetensors(path, file);
}

std::shared_ptr<ResponseModel> load_model(const std::string& path) {
  SafetensorsFile file = read_safetensors(path);
  if (file.metadata.count("format") == 0 || file.metadata.at("format") != "statenet-model")
    throw std::runtime_error(path + ": not a statenet model (its __metadata__ has no format = statenet-model)");
  if (file.metadata.count("format_version") == 0 || file.metadata.at("format_version") != "1")
    throw std::runtime_error(path + ": unsupported statenet model format version");
  if (file.metadata.count("config") == 0) throw std::runtime_error(path + ": __metadata__ has no config");
  ModelConfig config;
  try {
    config = ModelConfig::from_json(file.metadata.at("config"));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  // The configuration against the file's tensors before LibTorch allocates anything: the step
  // engine names every tensor and shape the configuration implies, allocating only what the
  // file holds (a configuration asking for a huge model with small tensors stops here).
  make_step_model(config, file.tensors, path);
  std::shared_ptr<ResponseModel> model = make_response_model(config);
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : state_tensors(*model)) {
    auto it = file.tensors.find(name);
    // The Transformer's input standardisation came later: files without it keep the identity.
    if (it == file.tensors.end() && (name == "input_mean" || name == "input_scale")) continue;
    if (it == file.tensors.end()) throw std::runtime_error(path + ": missing tensor " + name);
    const std::vector<std::int64_t> expected(tensor.sizes().begin(), tensor.sizes().end());
    if (it->second.shape != expected) {
      std::string found, want;
      for (auto d : it->second.shape) found += (found.empty() ? "" : ", ") + std::to_string(d);
      for (auto d : expected) want += (want.empty() ? "" : ", ") + std::to_string(d);
      throw std::runtime_error(path + ": tensor " + name + " has shape [" + found + "], the model expects [" + want + "]");
    }
    tensor.copy_(torch::from_blob(it->second.data.data(), tensor.sizes(), torch::kFloat32));
    file.tensors.erase(it);
  }
  if (!file.tensors.empty()) throw std::runtime_error(path + ": unexpected tensor " + file.tensors.begin()->first + " for this model");
  model->eval();
  return model;
}

}  // namespace statenet
