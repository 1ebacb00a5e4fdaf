#pragma once
// The pictures a training run leaves beside its model: the learning curve (losses and
// validation CC_norm per epoch) and the prediction of the best test unit (recorded PSTH and
// predicted response over the concatenated test clips). PNG, torch-free.

#include <string>
#include <vector>

#include "results/results_file.h"

namespace statenet {

// "seed<S>-learning.png": train and validation MSE above, validation CC_norm below.
void write_learning_curve(const std::string& path, const SeedResult& run);

// "seed<S>-prediction.png": `recorded` and `predicted` responses per bin of dt_ms, one unit,
// the test clips concatenated; titled with the unit's id and test CC_norm.
void write_prediction_plot(const std::string& path, const std::string& unit_id, double cc_norm, double dt_ms,
                           const std::vector<float>& recorded, const std::vector<float>& predicted);

}  // namespace statenet
