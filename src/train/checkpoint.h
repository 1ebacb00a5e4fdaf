#pragma once
// A training run's checkpoint, `seed<S>[-unit<U>].ckpt`, written atomically after every epoch:
// the model, the optimiser, the best state so far, the epoch counters and the curves. Loading
// it continues a killed run so that it ends exactly as an uninterrupted one.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "models/response_model.h"

namespace statenet {

// A model's parameters ("p.<name>") and buffers ("b.<name>"), in registration order.
using State = std::vector<std::pair<std::string, torch::Tensor>>;
State model_state(ResponseModel& m);        ///< the live tensors
State clone_state(ResponseModel& m);        ///< detached copies
void load_state(ResponseModel& m, const State& s);

// Counters and curves of a run so far.
struct Checkpoint {
  int epoch = 0, best_epoch = 0;
  double best_loss = INFINITY;
  bool finished = false;
  double train_seconds = 0;  ///< wall time of all epochs so far, across resumes
  std::vector<double> train_loss, val_loss, val_cc, pass_seconds;
  /// What the run is — "key=value" lines for its data, model, seed, split and options — so that
  /// --resume refuses a checkpoint of another run. Empty in checkpoints written before it.
  std::string run;
};

void save_checkpoint(const std::string& path, ResponseModel& model, torch::optim::AdamW& opt, const State& best,
                     const Checkpoint& c);
// False when `path` does not exist; throws std::runtime_error "<path>: …" for an unreadable
// checkpoint or one of another model.
bool load_checkpoint(const std::string& path, ResponseModel& model, torch::optim::AdamW& opt, State& best, Checkpoint& c);

}  // namespace statenet
