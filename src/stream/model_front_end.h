#pragma once
// The model ↔ front-end contract: a model streams only through the front end it was trained
// with. Its configuration records that front end's description ("ns1: stft fs=…"); this build
// must have the preset it names, describe it identically and give the model's band count.

#include <string>

#include "cochlea/presets.h"
#include "model_format/model_config.h"

namespace statenet {

// Throws std::runtime_error "<model_path>: …" naming what does not match.
inline CochleagramPreset front_end_for_model(const ModelConfig& config, const std::string& model_path) {
  return preset_for_description(config.cochleagram, config.num_bands, model_path);
}

}  // namespace statenet
