#pragma once
// What a training run reports, and its file: `results.json` in the run directory, written by
// `statenet train` after every finished seed and read by `statenet results`. This is the one
// definition of the format, both ways. Torch-free.
//
// results.json (JSON; NaN is written as null):
//   model        the ModelConfig, as in the model file's metadata
//   parameters   of one model
//   training     {tbptt_k, tbptt_warmup, output_init: "training responses" | "generic", device,
//                 fitting: "population" | "unit-by-unit", batch_size, sizes (where they come from),
//                 and for the Transformer input_standardisation: "training cochleagrams" | "none"}
//   summary      {mean_cc_raw, sem_cc_raw, mean_cc_norm, sem_cc_norm, seconds}: over seeds
//   runs[]       one per seed (population) or per seed and unit (unit by unit):
//                {seed, unit, split {train, validation, test}, epochs_run, best_epoch,
//                 best_validation_loss, mean_cc_raw, mean_cc_norm, excluded_units, seconds,
//                 seconds_per_epoch, train_pass_seconds[], model, train_loss[], validation_loss[],
//                 validation_cc_norm[], test_units[{cc_raw, cc_norm, cc_max}]}

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset_api.h"
#include "metrics/response_metrics.h"
#include "model_format/model_config.h"

namespace statenet {

struct SeedResult {
  int seed = 0;
  int unit = -1;                  ///< unit-by-unit fits: the unit; population: −1
  Split split;
  int epochs_run = 0, best_epoch = 0;
  int resumed_at_epoch = 0;       ///< --resume: the checkpoint's epoch it continued from (0: a fresh start)
  double best_validation_loss = 0.0;
  std::vector<double> train_loss, validation_loss, validation_cc_norm;  ///< per epoch
  std::vector<ResponseScores> test_units;  ///< per unit, on the concatenated test clips
  double mean_cc_raw = 0.0, mean_cc_norm = 0.0;
  int excluded_units = 0;          ///< CC_norm NaN (SP ≤ 0 on the test set)
  double seconds = 0.0, seconds_per_epoch = 0.0;  ///< all epochs (across resumes); per epoch incl. validation
  std::vector<double> train_pass_seconds;          ///< per epoch: the training pass alone
  std::string model_path;          ///< the exported best model (when written to a directory)
};

struct TrainReport {
  ModelConfig model;               ///< as trained (sizes and provenance filled in)
  std::int64_t parameters = 0;     ///< of one model
  int tbptt_k = 0;                 ///< 0 = full BPTT
  bool tbptt_warmup = true;
  bool fit_output_to_data = true;
  bool fit_input_to_data = true;
  std::string device = "cpu";
  bool population = true;          ///< one model for all units, or one per unit
  int batch_size = 1;
  std::string sizes;               ///< where the model's sizes come from (ModelPreset::source) and the flags that changed them
  std::vector<SeedResult> runs;
  double mean_cc_raw = 0.0, sem_cc_raw = 0.0, mean_cc_norm = 0.0, sem_cc_norm = 0.0;  ///< over seeds
  double seconds = 0.0;
};

// The figures over seeds: each seed's mean over its runs (its units, unit by unit), then the
// mean and standard error over seeds, NaN runs left out.
struct SeedSummary {
  std::vector<int> seeds;          ///< distinct seeds, ascending
  MeanSem cc_raw, cc_norm;
};
SeedSummary summarise_seeds(const std::vector<SeedResult>& runs);

// How tables name the model: "statenet-gru", "statenet-gru (fc)", "statenet-gru + sigmoid",
// "ln", "transformer (raw input)".
std::string results_label(const TrainReport& report);

std::string results_to_json(const TrainReport& report);
// Writes results_to_json atomically; throws std::runtime_error naming the path.
void write_results_file(const std::string& path, const TrainReport& report);
// Throws std::runtime_error "<path>: …" (one line) for a missing, invalid or malformed file.
TrainReport read_results_file(const std::string& path);

}  // namespace statenet
