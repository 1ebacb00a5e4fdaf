#pragma once
// Exporting and loading trained models as one .safetensors file: every parameter and
// BatchNorm running statistic as F32 under its LibTorch name, and in __metadata__:
//   format = "statenet-model", format_version = "1", config = ModelConfig JSON.

#include <memory>
#include <string>

#include "models/response_model.h"

namespace statenet {

void export_model(const std::string& path, ResponseModel& model);

// Builds the model from the file's config and loads every tensor; a missing, extra or
// mis-shaped tensor, a foreign or corrupt file each throw std::runtime_error naming
// the path and the tensor. The model is returned in eval mode.
std::shared_ptr<ResponseModel> load_model(const std::string& path);

}  // namespace statenet
