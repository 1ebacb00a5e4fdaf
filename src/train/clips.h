#pragma once
// A dataset's stimuli as LibTorch tensors for training and evaluation, and what is computed
// on them: predictions, the masked loss, per-unit scores. Internal to src/train.

#include <torch/torch.h>

#include <vector>

#include "data/dataset.h"
#include "metrics/response_metrics.h"
#include "models/response_model.h"

namespace statenet {

// One clip: input [1, F, T], PSTH target [1, N, T] (0 where a unit has no data) and the
// mask of the bins with data [1, N, T] (a unit that did not hear the clip: all 0; Wehr's
// cell 12 on its cut clip: 0 over the second half).
struct Clip {
  int stimulus = 0;
  torch::Tensor x, target, mask;
};

// Stimulus k for `units` (indices into the dataset's units).
Clip make_clip(const Dataset& d, int k, const std::vector<int>& units);
// Bins without data are zero-masked in prediction and target and still count in the mean
// (docs/models.md, Training protocol).
torch::Tensor masked_mse(const torch::Tensor& prediction, const Clip& c);
// Stacks clips of equal length into one batch.
Clip stack(const std::vector<const Clip*>& clips);
// Eval-mode predictions of every clip, [N, T_k] each, on the CPU (the model may be on a GPU).
std::vector<torch::Tensor> predict(ResponseModel& model, const std::vector<Clip>& clips);
// Mean masked MSE of predictions made by predict().
double mean_loss(const std::vector<Clip>& clips, const std::vector<torch::Tensor>& predictions);
// Row i of every clip's prediction [N, T_k], concatenated in clip order (as concatenate_trials).
std::vector<float> concatenated_prediction(const std::vector<torch::Tensor>& predictions, std::size_t i);
// Per-unit scores on the concatenation of the clips (docs/metrics.md).
std::vector<ResponseScores> score(const Dataset& d, const std::vector<Clip>& clips, const std::vector<torch::Tensor>& predictions,
                                  const std::vector<int>& units);
// Throws std::invalid_argument when the dataset does not fit the model (F) or holds a
// non-finite cochleagram value.
void check_data(const Dataset& d, const ModelConfig& c);

}  // namespace statenet
