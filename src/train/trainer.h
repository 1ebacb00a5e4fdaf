#pragma once
// The paper's training protocol (docs/models.md, Training protocol), torch-free interface:
//   MSE on the PSTH (units without data for a clip masked to zero in prediction and
//   target), AdamW (lr 1e-3, β 0.9/0.999, eps 1e-8, weight decay 0), batch of whole clips,
//   full-clip BPTT from a zero state, validation after every epoch, best model kept, stop
//   after `patience` epochs without strict improvement, test on the held-out split;
//   70/10/20 split by stimulus, a new split and initialisation per seed; population or
//   unit-by-unit fitting as the dataset says (or as asked).

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/dataset_api.h"
#include "metrics/response_metrics.h"
#include "model_format/model_config.h"
#include "results/results_file.h"  // TrainReport, SeedResult

namespace statenet {

enum class Fitting {
  kFromData,    ///< as the dataset says (dataset_protocol), e.g. population for NS1, NAT4, AA1
  kPopulation,  ///< one model for all units; a unit without data for a clip is masked in the loss
  kUnitByUnit,  ///< one model per unit on the stimuli it heard
};

struct TrainOptions {
  ModelConfig model;             ///< architecture and sizes; F, N and provenance come from the data
  int seeds = 10;                ///< seeds first_seed … first_seed + seeds − 1
  int first_seed = 0;
  int patience_epochs = 50;      ///< early stopping
  int max_epochs = 2000;         ///< safety bound (the paper states none)
  double learning_rate = 1e-3;
  int batch_size = 1;            ///< clips per step (clips of equal length only)
  /// Start the output nonlinearity on the scale of the training PSTHs (the generic
  /// double-exponential init outputs 0.2–2.5 per bin against NS1's ~0.06). Default on.
  bool fit_output_to_data = true;
  /// Standardise the input per band with the training cochleagrams' mean and s.d. in models
  /// without a normalisation of their own (ResponseModel::fit_to_stimuli: the Transformer).
  /// Default on.
  bool fit_input_to_data = true;
  int tbptt_k = 0;               ///< TBPTT(1, K) window in bins; 0 = full-clip BPTT
  bool tbptt_warmup = true;      ///< windows start from the true state (else from zero)
  int threads = 0;               ///< 0 = all cores
  /// Runs trained at once, each in its own thread (results and files as when trained one
  /// after another): seeds, or seed × unit pairs when fitting unit by unit. 0 = automatic: 1
  /// for a population model, one per core unit by unit. Torch threads default to cores / this.
  int parallel_runs = 0;
  Fitting fitting = Fitting::kFromData;
  /// With a fixed test set: the share of the other stimuli drawn per seed for validation
  /// (7/8 train, 1/8 validation keeps the paper's 70 : 10; NAT4 says 0.2).
  double validation_share_beside_test = 1.0 / 8.0;
  std::string sizes;             ///< where the model's sizes come from, for results.json
  /// Unit by unit: each unit's (train, validation, test) clip counts (Wehr's table), drawn per
  /// seed from the stimuli it heard; {0, 0, 0} or empty = the 70/10/20 split.
  std::vector<std::array<int, 3>> unit_split_counts;
  std::string device = "cpu";    ///< cpu, cuda or cuda:N (needs a CUDA build of LibTorch)
  std::vector<int> test_stimuli; ///< a fixed test split (validation still drawn per seed); empty = random
  std::string output_dir;        ///< checkpoints, results.json, models, pictures; empty = none
  bool resume = false;           ///< continue from output_dir's checkpoints
  /// Tests only: throw InterruptedForTest after this many epochs of a run, as a kill would
  /// leave it (checkpoint written, run unfinished). 0 = never.
  int stop_after_epochs = 0;
  /// When set (a SIGTERM or SIGINT handler sets it), every run stops after the epoch it is in,
  /// once that epoch's checkpoint is written, and TrainingStopped is thrown. May be null.
  const std::atomic<bool>* stop_requested = nullptr;
};

// Training stopped on request (stop_requested): the checkpoints are written, --resume continues.
struct TrainingStopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct InterruptedForTest : std::exception {
  const char* what() const noexcept override { return "training interrupted (test hook)"; }
};

struct TrainProgress {
  int seed = 0, seed_index = 0, seeds = 0;
  int unit = -1, units = 0;
  int epoch = 0, best_epoch = 0;
  double train_loss = 0, validation_loss = 0, validation_cc_norm = 0;
  double seconds = 0, seconds_left = 0;
};

// Throws std::invalid_argument on a dataset that does not fit the model (F), an empty
// split, or NaN in a cochleagram.
TrainReport train_models(const Dataset& data, const TrainOptions& options,
                         const std::function<void(const TrainProgress&)>& progress = {});

}  // namespace statenet
