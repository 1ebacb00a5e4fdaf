// The training protocol: recovery of a simulated linear neuron, early stopping with the
// best model restored, resume after a kill, and clear errors on bad input.

#include "train/evaluate.h"
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "data/simulator.h"
#include "support/test_support.h"

namespace statenet {
namespace {

Dataset tiny(int stimuli = 6, double seconds = 1.0) {
  SimulationOptions o = simulation_preset("tiny");
  o.num_stimuli = stimuli;
  o.stimulus_s = seconds;
  return simulate_dataset(o);
}

TEST(Trainer, aShortTrainingRecoversASimulatedLinearNeuron) {
  // One linear-STRF neuron (softplus output), 12 × 2 s, 40 trials; StateNet-GRU.
  SimulationOptions s = simulation_preset("tiny");
  s.kinds = {"strf"};
  s.num_stimuli = 12;
  s.stimulus_s = 2.0;
  s.trials = 40;
  s.seed = 3;
  const Dataset d = simulate_dataset(s);
  TrainOptions o;
  o.model = default_model_config(Architecture::kStateNet, d.num_bands(), d.num_units());
  o.seeds = 1;
  o.learning_rate = 3e-3;
  o.patience_epochs = 15;
  o.max_epochs = 120;
  o.threads = 1;  // deterministic: the same result on every machine with this LibTorch
  const TrainReport r = train_models(d, o);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_GE(r.runs[0].mean_cc_norm, 0.9) << "after " << r.runs[0].epochs_run << " epochs, " << r.runs[0].seconds << " s";
  EXPECT_EQ(r.parameters, 30465);  // the published NS1 StateNet-GRU count for one unit
}

TEST(Trainer, earlyStoppingStopsAfterPatienceAndRestoresTheBestModel) {
  const Dataset d = tiny();
  const std::string dir = test::temp_dir();
  TrainOptions o;
  o.model = default_model_config(Architecture::kL, d.num_bands(), d.num_units());
  o.model.window_bins = 10;
  o.seeds = 1;
  o.patience_epochs = 3;
  o.max_epochs = 200;
  o.output_dir = dir;
  const TrainReport r = train_models(d, o);
  const SeedResult& run = r.runs[0];
  EXPECT_EQ(run.epochs_run, run.best_epoch + 3);
  const auto best = std::min_element(run.validation_loss.begin(), run.validation_loss.end());
  EXPECT_EQ(best - run.validation_loss.begin() + 1, run.best_epoch) << "the first strict minimum";
  EXPECT_EQ(run.best_validation_loss, *best);
  // The exported model is the best epoch's: its validation CC_norm is the one recorded then.
  const EvalReport e = evaluate_model(run.model_path, d, run.split.validation);
  EXPECT_NEAR(e.mean_cc_norm, run.validation_cc_norm[run.best_epoch - 1], 1e-6);
  // And on the test clips it gives the reported scores.
  EXPECT_NEAR(evaluate_model(run.model_path, d, run.split.test).mean_cc_norm, run.mean_cc_norm, 1e-6);
  EXPECT_TRUE(std::filesystem::exists(dir + "/results.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/seed0-learning.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/seed0-prediction.png"));
}

TEST(Trainer, resumingAKilledRunEndsExactlyAsAnUninterruptedRun) {
  const Dataset d = tiny();
  TrainOptions o;
  o.model = default_model_config(Architecture::kStateNet, d.num_bands(), d.num_units());
  o.seeds = 1;
  o.patience_epochs = 100;
  o.max_epochs = 6;
  o.threads = 1;
  o.output_dir = test::temp_dir();
  const TrainReport whole = train_models(d, o);

  TrainOptions killed = o;
  killed.output_dir = test::temp_dir();
  killed.stop_after_epochs = 3;
  EXPECT_THROW(train_models(d, killed), InterruptedForTest);
  killed.stop_after_epochs = 0;
  killed.resume = true;
  const TrainReport resumed = train_models(d, killed);
  EXPECT_EQ(resumed.runs[0].train_loss, whole.runs[0].train_loss);
  EXPECT_EQ(resumed.runs[0].validation_loss, whole.runs[0].validation_loss);
  EXPECT_EQ(resumed.runs[0].mean_cc_norm, whole.runs[0].mean_cc_norm);
  EXPECT_EQ(resumed.runs[0].train_pass_seconds.size(), 6u) << "timings survive the kill";
  EXPECT_GT(resumed.runs[0].seconds_per_epoch, 0.0);
}

std::string train_error(const Dataset& d, const TrainOptions& o);

TEST(Trainer, resumeRefusesTheCheckpointOfAnotherRunNamingWhatDiffers) {
  // A killed run; then --resume into its directory with other options, or other data of the
  // same name, is refused before anything is written (it once continued the other run and
  // overwrote its results.json).
  const Dataset d = tiny();
  TrainOptions o;
  o.model = default_model_config(Architecture::kStateNet, d.num_bands(), d.num_units());
  o.seeds = 1;
  o.max_epochs = 4;
  o.threads = 1;
  o.output_dir = test::temp_dir();
  o.stop_after_epochs = 2;
  EXPECT_THROW(train_models(d, o), InterruptedForTest);
  o.stop_after_epochs = 0;
  o.resume = true;
  TrainOptions other_lr = o;
  other_lr.learning_rate = 2e-3;
  const std::string lr_error = train_error(d, other_lr);
  EXPECT_NE(lr_error.find("seed0.ckpt: --resume of another run (learning rate 0.001000 → 0.002000)"), std::string::npos) << lr_error;
  Dataset other_data = d;
  other_data.stimuli[0].responses[0] += 1.0f;
  const std::string data_error = train_error(other_data, o);
  EXPECT_NE(data_error.find("--resume of another run (data values hash "), std::string::npos) << data_error;
  EXPECT_FALSE(std::filesystem::exists(o.output_dir + "/results.json")) << "a refused resume wrote results";
  // The same run resumes (and more epochs are allowed: max_epochs is not part of the run); the
  // temporary file a kill left behind (a process that no longer runs) is removed.
  const std::string stale = o.output_dir + "/seed0.ckpt.tmp-999999999";
  std::ofstream(stale) << "half a checkpoint";
  o.max_epochs = 5;
  EXPECT_EQ(train_error(d, o), "(trained)");
  EXPECT_FALSE(std::filesystem::exists(stale));
}

std::string train_error(const Dataset& d, const TrainOptions& o) {
  try {
    train_models(d, o);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(trained)";
}

TEST(Trainer, badInputGetsAClearError) {
  Dataset d = tiny(2, 0.5);
  TrainOptions o;
  o.model = default_model_config(Architecture::kL, d.num_bands(), d.num_units());
  o.seeds = 1;
  EXPECT_NE(train_error(d, o).find("leaves an empty train, validation or test set"), std::string::npos) << train_error(d, o);
  d = tiny(6, 0.5);
  o.model.num_bands = 20;
  EXPECT_NE(train_error(d, o).find("the model expects 20 frequency bands, the dataset 'simulated' has 34"), std::string::npos)
      << train_error(d, o);
  o.model.num_bands = 34;
  d.stimuli[3].cochleagram[10] = NAN;
  EXPECT_NE(train_error(d, o).find("stimulus 3 has a non-finite cochleagram value"), std::string::npos) << train_error(d, o);
  d = tiny(6, 0.5);
  o.device = "tpu";
  EXPECT_NE(train_error(d, o).find("--device 'tpu': expected cpu, cuda or cuda:N"), std::string::npos) << train_error(d, o);
  if (!torch::cuda::is_available()) {
    o.device = "cuda";
    EXPECT_NE(train_error(d, o).find("this LibTorch build sees no CUDA device"), std::string::npos) << train_error(d, o);
  }
}

// Seeds trained side by side in threads end exactly as when trained one after another:
// same initialisation (the global generator is taken in turn), same splits and orders.
TEST(Trainer, concurrentSeedsEndAsSequentialSeeds) {
  const Dataset d = tiny();
  TrainOptions o;
  o.model = default_model_config(Architecture::kLn, d.num_bands(), d.num_units());
  o.model.window_bins = 10;
  o.seeds = 3;
  o.patience_epochs = 3;
  o.max_epochs = 12;
  o.threads = 1;
  const TrainReport one_by_one = train_models(d, o);
  o.parallel_runs = 3;
  const TrainReport side_by_side = train_models(d, o);
  ASSERT_EQ(side_by_side.runs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(side_by_side.runs[i].seed, one_by_one.runs[i].seed);
    EXPECT_EQ(side_by_side.runs[i].validation_loss, one_by_one.runs[i].validation_loss);
    EXPECT_EQ(side_by_side.runs[i].mean_cc_norm, one_by_one.runs[i].mean_cc_norm);
  }
  EXPECT_EQ(side_by_side.mean_cc_norm, one_by_one.mean_cc_norm);
}

// Per-unit clip counts (Wehr's table) decide each unit's split; "-" ({0, 0, 0}) is the random
// 70/10/20 split, and counts that do not fit the clips a unit heard are refused naming it.
TEST(Trainer, perUnitSplitCountsDecideEachUnitsSplit) {
  const Dataset d = tiny();  // 6 stimuli, every unit heard every one
  TrainOptions o;
  o.model = default_model_config(Architecture::kLn, d.num_bands(), d.num_units());
  o.model.window_bins = 10;
  o.fitting = Fitting::kUnitByUnit;
  o.seeds = 1;
  o.max_epochs = 1;
  o.threads = 1;
  o.unit_split_counts.assign(d.num_units(), {0, 0, 0});
  o.unit_split_counts[1] = {2, 2, 2};
  const TrainReport r = train_models(d, o);
  ASSERT_EQ(r.runs.size(), static_cast<std::size_t>(d.num_units()));
  EXPECT_EQ(r.runs[1].split.train.size(), 2u);
  EXPECT_EQ(r.runs[1].split.validation.size(), 2u);
  EXPECT_EQ(r.runs[1].split.test.size(), 2u);
  EXPECT_EQ(r.runs[0].split.train.size(), 4u) << "70/10/20 of 6";
  o.unit_split_counts[1] = {2, 2, 3};
  try {
    train_models(d, o);
    ADD_FAILURE() << "accepted counts for 7 clips";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unit " + d.unit_ids[1] + ": a split of 2/2/3 clips does not fit 6 stimuli");
  }
}

// Unit by unit, the seed × unit runs spread over the cores by default and end as they would
// one after another, reported in seed then unit order.
TEST(Trainer, unitByUnitRunsSpreadOverTheCoresAndEndAsSequentialRuns) {
  const Dataset d = tiny();
  TrainOptions o;
  o.model = default_model_config(Architecture::kLn, d.num_bands(), d.num_units());
  o.model.window_bins = 10;
  o.fitting = Fitting::kUnitByUnit;
  o.seeds = 2;
  o.patience_epochs = 2;
  o.max_epochs = 4;
  o.threads = 1;
  o.parallel_runs = 1;
  const TrainReport one_by_one = train_models(d, o);
  o.parallel_runs = 0;  // one per core
  const TrainReport side_by_side = train_models(d, o);
  EXPECT_FALSE(side_by_side.population);
  EXPECT_EQ(side_by_side.model.num_units, 1);
  ASSERT_EQ(side_by_side.runs.size(), static_cast<std::size_t>(2 * d.num_units()));
  for (std::size_t i = 0; i < side_by_side.runs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(side_by_side.runs[i].seed, static_cast<int>(i) / d.num_units());
    EXPECT_EQ(side_by_side.runs[i].unit, static_cast<int>(i) % d.num_units());
    EXPECT_EQ(side_by_side.runs[i].validation_loss, one_by_one.runs[i].validation_loss);
  }
  EXPECT_EQ(side_by_side.mean_cc_norm, one_by_one.mean_cc_norm);
}

}  // namespace
}  // namespace statenet
