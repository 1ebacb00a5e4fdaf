#pragma once
// GradMaps and Dreams of a trained model (LibTorch inside, torch-free interface). All
// requested units are computed in one batch (one batch element per unit): in eval mode the
// elements do not interact, so the result equals unit-by-unit runs. What the maps are and the
// analyses of them: interpret/interpret_maps.h.

#include <string>

#include "interpret/interpret_maps.h"

namespace statenet {

// Throws std::invalid_argument for unit indices outside the model or a length < 1.
InterpretMaps compute_gradmaps(const std::string& model_path, const InterpretOptions& options);
InterpretMaps compute_dreams(const std::string& model_path, const InterpretOptions& options);

}  // namespace statenet
