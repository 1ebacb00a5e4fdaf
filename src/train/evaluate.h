#pragma once
// Running an exported model offline (LibTorch) and scoring it on a dataset, torch-free
// interface: `statenet eval` and the demo's predicted firing.

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "metrics/response_metrics.h"
#include "model_format/model_config.h"

namespace statenet {

struct EvalReport {
  std::vector<ResponseScores> units;
  double mean_cc_raw = 0.0, mean_cc_norm = 0.0;
  int excluded_units = 0;
};

// Runs an exported model on one cochleagram [F, T] (band-major) and returns its predicted
// responses [N, T] (unit-major), with the model's configuration.
std::vector<float> predict_responses(const std::string& model_path, const std::vector<float>& cochleagram,
                                     std::int64_t num_frames, ModelConfig* config = nullptr);

// Evaluates an exported model on the given stimuli of a dataset (all if empty): the units it
// names (by id), or all of the dataset's when it predicts them all.
EvalReport evaluate_model(const std::string& model_path, const Dataset& data, const std::vector<int>& stimuli = {},
                          int threads = 0);

}  // namespace statenet
