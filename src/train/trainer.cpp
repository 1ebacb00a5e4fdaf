#include "train/trainer.h"

#include <torch/torch.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include "metrics/response_metrics.h"
#include "models/model_io.h"
#include "models/response_model.h"
#include "results/results_file.h"
#include "results/training_figures.h"
#include "train/checkpoint.h"
#include "train/clips.h"
#include "util/usable_cores.h"

namespace statenet {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The population's mean CC_norm on a fixed set of clips, scored after every epoch: the trials'
// part of the metric is prepared once per unit (full scores cost ~0.4 s per NS1 epoch).
class EpochScorer {
 public:
  EpochScorer(const Dataset& d, const std::vector<Clip>& clips, const std::vector<int>& units) {
    std::vector<int> stimuli;
    for (const Clip& c : clips) stimuli.push_back(c.stimulus);
    for (int u : units) {
      const ConcatenatedTrials trials = concatenate_trials(d, stimuli, u);
      scorers_.emplace_back(TrialsView{trials.values.data(), trials.num_trials, trials.num_bins});
    }
  }
  // Mean over units with a finite CC_norm, as summarise(score(…)).mean_cc_norm.
  double mean_cc_norm(const std::vector<torch::Tensor>& predictions) const {
    double sum = 0;
    int count = 0;
    for (std::size_t i = 0; i < scorers_.size(); ++i) {
      const double cc = scorers_[i].score(concatenated_prediction(predictions, i).data()).cc_norm;
      if (std::isfinite(cc)) sum += cc, ++count;
    }
    return count > 0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  std::vector<CcNormScorer> scorers_;
};

// What the data are, for a run's description: sizes and a 64-bit FNV-1a hash of every
// cochleagram and response value (another file with the same name is another run).
std::string describe_data(const Dataset& d) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::vector<float>& v) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
    for (std::size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  };
  for (const Stimulus& s : d.stimuli) mix(s.cochleagram), mix(s.responses);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(h));
  return "data=" + d.name + "\ndata stimuli=" + std::to_string(d.stimuli.size()) + "\ndata units=" + std::to_string(d.num_units()) +
         "\ndata bands=" + std::to_string(d.num_bands()) + "\ndata dt_ms=" + std::to_string(d.dt_ms) + "\ndata values hash=" + hash + "\n";
}

std::string list(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// The first line where two run descriptions differ, as "key: a → b".
std::string first_difference(const std::string& was, const std::string& now) {
  std::istringstream a(was), b(now);
  std::string la, lb;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) return "?";
    if (la != lb || ga != gb) {
      const auto key = (ga ? la : lb).substr(0, (ga ? la : lb).find('='));
      const auto value = [](const std::string& line, bool got) { return got ? line.substr(line.find('=') + 1) : std::string("(none)"); };
      return key + " " + value(la, ga).substr(0, 80) + " → " + value(lb, gb).substr(0, 80);
    }
  }
}

// Trains one model (one seed; all units or one) and scores it on its test clips.
SeedResult train_one(const Dataset& d, const std::string& data_description, const TrainOptions& o, const ModelConfig& config, int seed,
                     const std::vector<int>& units, const std::vector<int>& stimuli, int seed_index,
                     int num_units_total, const std::function<void(const TrainProgress&)>& progress) {
  const auto start = Clock::now();
  SeedResult r;
  r.seed = seed;
  r.unit = units.size() == 1 && num_units_total > 1 ? units[0] : -1;
  if (units.size() == 1 && !o.unit_split_counts.empty() &&
      (units[0] >= static_cast<int>(o.unit_split_counts.size()) || o.unit_split_counts[units[0]][0] > 0)) {
    if (o.unit_split_counts.size() != static_cast<std::size_t>(d.num_units()))
      throw std::invalid_argument(std::to_string(o.unit_split_counts.size()) + " unit splits for " + std::to_string(d.num_units()) + " units");
    try {
      r.split = random_split_counts(stimuli, static_cast<std::uint64_t>(seed), o.unit_split_counts[units[0]]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("unit " + d.unit_ids[units[0]] + ": " + e.what());
    }
  } else if (o.test_stimuli.empty()) {
    r.split = random_split(stimuli, static_cast<std::uint64_t>(seed));
  } else {
    std::vector<int> rest;
    for (int k : stimuli)
      if (std::find(o.test_stimuli.begin(), o.test_stimuli.end(), k) == o.test_stimuli.end()) rest.push_back(k);
    r.split = random_split_beside_test(rest, static_cast<std::uint64_t>(seed), o.validation_share_beside_test);
    for (int k : o.test_stimuli)
      if (std::find(stimuli.begin(), stimuli.end(), k) != stimuli.end()) r.split.test.push_back(k);
  }
  if (r.split.train.empty() || r.split.validation.empty() || r.split.test.empty()) {
    throw std::invalid_argument("split of " + std::to_string(stimuli.size()) + " stimuli leaves an empty train, validation or test set (" +
                                std::to_string(r.split.train.size()) + "/" + std::to_string(r.split.validation.size()) + "/" +
                                std::to_string(r.split.test.size()) + ")");
  }
  auto clips_of = [&](const std::vector<int>& ks) {
    std::vector<Clip> v;
    for (int k : ks) v.push_back(make_clip(d, k, units));
    return v;
  };
  const std::vector<Clip> train = clips_of(r.split.train), val = clips_of(r.split.validation), test = clips_of(r.split.test);
  const EpochScorer val_scorer(d, val, units);

  std::shared_ptr<ResponseModel> model;
  {
    // LibTorch's generator is global: seeds trained concurrently initialise one at a time,
    // so seed s starts from the same weights however many run beside it.
    static std::mutex init_mutex;
    std::lock_guard<std::mutex> lock(init_mutex);
    torch::manual_seed(static_cast<std::uint64_t>(seed));
    model = make_response_model(config);
  }
  if (o.fit_output_to_data) {
    // The output nonlinearity starts on the scale of the training responses (per unit:
    // lowest, mean and highest PSTH value), instead of the generic init's 0.2–2.5.
    std::vector<torch::Tensor> targets;
    for (const Clip& c : train) targets.push_back(c.target[0]);
    const torch::Tensor all = torch::cat(targets, 1);  // [N, ΣT]
    model->output_nonlinearity()->fit_to_responses(std::get<0>(all.min(1)), all.mean(1), std::get<0>(all.max(1)));
  }
  model->fit_to_bands(d.freqs_hz, d.dt_ms);
  if (o.fit_input_to_data) {
    std::vector<torch::Tensor> inputs;
    for (const Clip& c : train) inputs.push_back(c.x[0]);
    const torch::Tensor all = torch::cat(inputs, 1);  // [F, ΣT]
    model->fit_to_stimuli(all.mean(1), all.std(1));
  }
  // Training clips live on the training device; validation and test clips stay on the CPU
  // (predict() moves each clip's input over and its prediction back).
  const torch::Device device(o.device);
  model->to(device);
  std::vector<Clip> train_on_device = train;
  for (Clip& c : train_on_device) c.x = c.x.to(device), c.target = c.target.to(device), c.mask = c.mask.to(device);
  torch::optim::AdamW opt(model->parameters(),
                          torch::optim::AdamWOptions(o.learning_rate).betas({0.9, 0.999}).eps(1e-8).weight_decay(0.0));
  State best = clone_state(*model);
  Checkpoint ck;
  // Everything that decides the run's course (not max_epochs, threads or device: a resumed run
  // may be given more epochs or another machine).
  ck.run = data_description + "model=" + config.to_json() + "\nseed=" + std::to_string(seed) + "\nunits=" + list(units) +
           "\nsplit train=" + list(r.split.train) + "\nsplit validation=" + list(r.split.validation) + "\nsplit test=" + list(r.split.test) +
           "\nlearning rate=" + std::to_string(o.learning_rate) + "\nbatch=" + std::to_string(o.batch_size) +
           "\npatience=" + std::to_string(o.patience_epochs) + "\ntbptt=" + std::to_string(o.tbptt_k) + (o.tbptt_warmup ? " with" : " without") +
           " warm-up\nfit output to data=" + std::to_string(o.fit_output_to_data) + "\nfit input to data=" + std::to_string(o.fit_input_to_data) + "\n";
  std::string stem;
  if (!o.output_dir.empty()) {
    stem = o.output_dir + "/seed" + std::to_string(seed) + (r.unit >= 0 ? "-unit" + std::to_string(r.unit) : "");
    const std::string this_run = ck.run;
    if (o.resume && load_checkpoint(stem + ".ckpt", *model, opt, best, ck)) {
      if (!ck.run.empty() && ck.run != this_run)
        throw std::runtime_error(stem + ".ckpt: --resume of another run (" + first_difference(ck.run, this_run) +
                                 "): train into another directory, or run without --resume to start afresh");
      ck.run = this_run;
      r.resumed_at_epoch = ck.epoch;
    }
  }
  while (!ck.finished) {
    const auto epoch_start = Clock::now();
    // Shuffled order, seeded by (seed, epoch): a resumed run draws the same order.
    std::vector<int> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed) * 1000003ull + static_cast<std::uint64_t>(ck.epoch));
    std::shuffle(order.begin(), order.end(), rng);
    model->train();
    const auto pass_start = Clock::now();
    double loss_sum = 0;
    int batches = 0;
    for (std::size_t i = 0; i < order.size();) {
      std::vector<const Clip*> batch{&train_on_device[order[i++]]};
      while (static_cast<int>(batch.size()) < o.batch_size && i < order.size() &&
             train_on_device[order[i]].x.size(2) == batch.front()->x.size(2))
        batch.push_back(&train_on_device[order[i++]]);
      const Clip b = batch.size() == 1 ? *batch.front() : stack(batch);
      opt.zero_grad();
      const torch::Tensor prediction = o.tbptt_k > 0 ? model->forward_tbptt(b.x, o.tbptt_k, o.tbptt_warmup) : model->forward(b.x);
      const torch::Tensor loss = masked_mse(prediction, b);
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    ck.pass_seconds.push_back(std::chrono::duration<double>(Clock::now() - pass_start).count());
    ++ck.epoch;
    const auto val_predictions = predict(*model, val);  // one pass for the loss and the CC
    const double vloss = mean_loss(val, val_predictions);
    ck.train_loss.push_back(loss_sum / batches);
    ck.val_loss.push_back(vloss);
    ck.val_cc.push_back(val_scorer.mean_cc_norm(val_predictions));
    if (vloss < ck.best_loss) {
      ck.best_loss = vloss;
      ck.best_epoch = ck.epoch;
      best = clone_state(*model);
    }
    ck.finished = ck.epoch - ck.best_epoch >= o.patience_epochs || ck.epoch >= o.max_epochs;
    if (!stem.empty()) save_checkpoint(stem + ".ckpt", *model, opt, best, ck);
    ck.train_seconds += std::chrono::duration<double>(Clock::now() - epoch_start).count();
    if (progress) {
      TrainProgress p;
      p.seed = seed, p.seed_index = seed_index, p.seeds = o.seeds;
      p.unit = r.unit, p.units = num_units_total;
      p.epoch = ck.epoch, p.best_epoch = ck.best_epoch;
      p.train_loss = ck.train_loss.back(), p.validation_loss = vloss, p.validation_cc_norm = ck.val_cc.back();
      p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      // At least `patience` more epochs unless the run stops now.
      const int epochs_left = ck.finished ? 0 : std::max(o.patience_epochs - (ck.epoch - ck.best_epoch), 0);
      p.seconds_left = ck.train_seconds / std::max(1, static_cast<int>(ck.train_loss.size())) * epochs_left;
      progress(p);
    }
    if (o.stop_after_epochs > 0 && static_cast<int>(ck.train_loss.size()) >= o.stop_after_epochs && !ck.finished) {
      throw InterruptedForTest();
    }
    if (o.stop_requested && o.stop_requested->load() && !ck.finished)
      throw TrainingStopped(stem.empty() ? "training stopped by a signal after epoch " + std::to_string(ck.epoch) + " (no output directory: nothing kept)"
                                         : "training stopped by a signal after epoch " + std::to_string(ck.epoch) + "; " + stem +
                                               ".ckpt is written: run the same command with --resume to continue");
  }
  load_state(*model, best);
  const auto predictions = predict(*model, test);
  r.test_units = score(d, test, predictions, units);
  const PopulationSummary test_summary = summarise(r.test_units);
  r.mean_cc_raw = test_summary.mean_cc_raw;
  r.mean_cc_norm = test_summary.mean_cc_norm;
  r.excluded_units = test_summary.excluded_units;
  r.epochs_run = ck.epoch;
  r.best_epoch = ck.best_epoch;
  r.best_validation_loss = ck.best_loss;
  r.train_loss = ck.train_loss;
  r.validation_loss = ck.val_loss;
  r.validation_cc_norm = ck.val_cc;
  r.seconds = ck.train_seconds;  // all epochs, across resumes
  r.seconds_per_epoch = ck.train_loss.empty() ? 0 : ck.train_seconds / ck.train_loss.size();
  r.train_pass_seconds = ck.pass_seconds;
  if (!stem.empty()) {
    r.model_path = stem + ".safetensors";
    export_model(r.model_path, *model);
    write_learning_curve(stem + "-learning.png", r);
    int best_row = 0;
    for (std::size_t i = 1; i < r.test_units.size(); ++i)
      if (std::isfinite(r.test_units[i].cc_norm) && !(r.test_units[i].cc_norm <= r.test_units[best_row].cc_norm)) best_row = static_cast<int>(i);
    std::vector<float> recorded;
    for (const Clip& c : test) {
      const float* t = c.target[0][best_row].data_ptr<float>();
      recorded.insert(recorded.end(), t, t + c.target.size(2));
    }
    write_prediction_plot(stem + "-prediction.png", d.unit_ids[units[best_row]], r.test_units[best_row].cc_norm, d.dt_ms, recorded,
                          concatenated_prediction(predictions, best_row));
  }
  return r;
}


// Runs trained at once: as asked, else one (a population model uses every core itself) or,
// unit by unit, one per core (a one-unit model on one clip keeps one core busy at best).
int parallel_runs(const TrainOptions& o, bool population) {
  if (o.parallel_runs > 0) return o.parallel_runs;
  return population ? 1 : usable_cores();
}

}  // namespace

TrainReport train_models(const Dataset& d, const TrainOptions& o, const std::function<void(const TrainProgress&)>& progress) {
  const auto start = Clock::now();
  const bool population = o.fitting == Fitting::kFromData ? dataset_protocol(d).population : o.fitting == Fitting::kPopulation;
  TrainReport report;
  report.model = o.model;
  report.model.num_bands = o.model.num_bands > 0 ? o.model.num_bands : d.num_bands();
  report.model.num_units = population ? d.num_units() : 1;
  report.model.unit_ids = population ? d.unit_ids : std::vector<std::string>{};
  report.model.dt_ms = d.dt_ms;
  report.model.cochleagram = d.cochleagram;
  report.model.dataset = d.name;
  if (report.model.adaptrans) report.model.adaptrans_taps = adaptrans_taps_for(d.freqs_hz);
  if (report.model.is_statenet() && report.model.core == RecurrentCore::kS4) {
    // The S4 kernel spans the longest clip (odd: docs/models.md).
    std::int64_t longest = 1;
    for (const auto& s : d.stimuli) longest = std::max(longest, s.num_frames);
    report.model.s4_kernel_bins = static_cast<int>(std::min<std::int64_t>(longest | 1, (1 << 16) - 1));
  }
  report.model.validate();
  check_data(d, report.model);
  report.parameters = make_response_model(report.model)->parameter_count();
  report.tbptt_k = o.tbptt_k;
  report.tbptt_warmup = o.tbptt_warmup;
  report.fit_output_to_data = o.fit_output_to_data;
  report.fit_input_to_data = o.fit_input_to_data;
  report.device = o.device;
  report.population = population;
  report.batch_size = o.batch_size;
  report.sizes = o.sizes;
  if (o.seeds < 1) throw std::invalid_argument("at least one seed is needed");
  if (o.parallel_runs < 0) throw std::invalid_argument("--parallel-runs must be at least 0, got " + std::to_string(o.parallel_runs));
  if (!(o.validation_share_beside_test > 0 && o.validation_share_beside_test < 1))
    throw std::invalid_argument("the validation share beside a fixed test set must lie in (0, 1), got " +
                                std::to_string(o.validation_share_beside_test));
  if (o.device != "cpu" && o.device != "cuda" && o.device.rfind("cuda:", 0) != 0)
    throw std::invalid_argument("--device '" + o.device + "': expected cpu, cuda or cuda:N");
  if (o.device != "cpu" && !torch::cuda::is_available())
    throw std::invalid_argument("--device " + o.device + ": this LibTorch build sees no CUDA device (Debian's LibTorch is CPU-only; docs/gpu.md builds against a CUDA LibTorch)");
  if (o.tbptt_k > 0 && !(report.model.is_statenet() && (report.model.core == RecurrentCore::kGru || report.model.core == RecurrentCore::kLstm ||
                                                 report.model.core == RecurrentCore::kRnn)))
    throw std::invalid_argument("--tbptt applies to StateNet with an rnn, gru or lstm core");
  if (!o.output_dir.empty()) fs::create_directories(o.output_dir);
  if (o.resume && !o.output_dir.empty()) {
    // A killed run leaves the temporary file it was writing (`<name>.tmp-<pid>`): remove those
    // of processes that no longer run.
    for (const auto& entry : fs::directory_iterator(o.output_dir)) {
      const std::string name = entry.path().filename().string();
      const auto at = name.rfind(".tmp-");
      if (at == std::string::npos || !entry.is_regular_file()) continue;
      const std::string pid_text = name.substr(at + 5);
      if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
      if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
        std::error_code ignored;
        fs::remove(entry.path(), ignored);
      }
    }
  }
  const std::string data_description = describe_data(d);
  auto write_results = [&] {
    if (!o.output_dir.empty()) write_results_file(o.output_dir + "/results.json", report);
  };
  std::mutex progress_mutex;
  const std::function<void(const TrainProgress&)> report_progress = [&](const TrainProgress& p) {
    if (!progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress(p);
  };
  // The runs: per seed the population model, or one model per unit on the stimuli it heard.
  struct Task {
    int seed_index, unit;  ///< unit −1: the population model
  };
  std::vector<Task> tasks;
  for (int i = 0; i < o.seeds; ++i) {
    if (population) tasks.push_back({i, -1});
    else
      for (int u = 0; u < d.num_units(); ++u) tasks.push_back({i, u});
  }
  auto run_task = [&](const Task& t) {
    const int seed = o.first_seed + t.seed_index;
    if (t.unit < 0) {
      std::vector<int> all(d.num_units());
      std::iota(all.begin(), all.end(), 0);
      return train_one(d, data_description, o, report.model, seed, all, all_stimuli(d), t.seed_index, d.num_units(), report_progress);
    }
    ModelConfig c = report.model;
    c.unit_ids = {d.unit_ids[t.unit]};
    return train_one(d, data_description, o, c, seed, {t.unit}, stimuli_heard_by(d, t.unit), t.seed_index, d.num_units(),
                     report_progress);
  };
  // The report of the seeds finished so far, in seed order; written after every seed, so
  // that a long run that is stopped keeps what it finished.
  const int runs_per_seed = population ? 1 : d.num_units();
  std::vector<std::vector<SeedResult>> finished(o.seeds, std::vector<SeedResult>(runs_per_seed));
  std::vector<int> left(o.seeds, runs_per_seed);
  auto publish = [&] {
    report.runs.clear();
    for (int i = 0; i < o.seeds; ++i)
      if (left[i] == 0) report.runs.insert(report.runs.end(), finished[i].begin(), finished[i].end());
    const SeedSummary summary = summarise_seeds(report.runs);
    report.mean_cc_raw = summary.cc_raw.mean, report.sem_cc_raw = summary.cc_raw.sem;
    report.mean_cc_norm = summary.cc_norm.mean, report.sem_cc_norm = summary.cc_norm.sem;
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    write_results();
  };
  const int concurrent = std::max(1, std::min<int>(parallel_runs(o, population), static_cast<int>(tasks.size())));
  const int cores = usable_cores();
  torch::set_num_threads(o.threads > 0 ? o.threads : std::max(1, cores / concurrent));
  std::mutex result_mutex;
  std::atomic<std::size_t> next_task{0};
  std::exception_ptr failure;
  auto worker = [&] {
    for (std::size_t k; (k = next_task++) < tasks.size();) {
      {
        std::lock_guard<std::mutex> lock(result_mutex);
        if (failure) return;
      }
      try {
        SeedResult run = run_task(tasks[k]);
        std::lock_guard<std::mutex> lock(result_mutex);
        const Task& t = tasks[k];
        finished[t.seed_index][t.unit < 0 ? 0 : t.unit] = std::move(run);
        if (--left[t.seed_index] == 0) publish();
      } catch (...) {
        std::lock_guard<std::mutex> lock(result_mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  if (concurrent == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < concurrent; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failure) std::rethrow_exception(failure);
  return report;
}

}  // namespace statenet
