// `statenet train` and `statenet eval`.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <ctime>
#include <cstdio>

#include "commands.h"
#include "data/dataset.h"
#include "model_format/model_presets.h"
#include "progress.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/index_list.h"

namespace statenet {

namespace {
std::atomic<bool> g_stop_training{false};
std::atomic<std::int64_t> g_first_stop_ns{0};
// The first signal asks for a stop after the epoch; a second one ends the process at once —
// if it comes a second or more after the first: a scheduler's SIGTERM reaches every process
// of the job (this one directly and again through the supervisor's forwarding), and that
// burst is one request, not two.
extern "C" void on_stop_training(int sig) {
  timespec now {};
  ::clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  const std::int64_t ns = static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
  if (!g_stop_training.exchange(true)) {
    g_first_stop_ns.store(ns);
  } else if (ns - g_first_stop_ns.load() >= 1000000000) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}
static_assert(std::atomic<std::int64_t>::is_always_lock_free, "the handler stores into it");
static_assert(std::atomic<bool>::is_always_lock_free, "the handler stores into it");
}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train a response model with the paper's protocol (AdamW lr 1e-3, whole clips, full BPTT,\n"
      "early stopping on the validation loss, 70/10/20 split by stimulus, a new split and\n"
      "initialisation per seed). Writes per seed the best model (.safetensors), its learning\n"
      "curve and test predictions (.png), and results.json; prints mean ± sem over seeds.");
  auto data = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto arch = std::make_shared<std::string>("statenet");
  auto core = std::make_shared<std::string>();
  auto first = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto fitting = std::make_shared<std::string>();
  auto o = std::make_shared<TrainOptions>();
  auto test = std::make_shared<std::string>();
  auto sizes = std::make_shared<ModelConfig>();
  auto cnn_kernel = std::make_shared<std::string>();
  auto dnet_decay = std::make_shared<std::string>();
  cmd->add_option("--data", *data, "Dataset file (.h5) from 'statenet data import|simulate'")->required();
  cmd->add_option("-o,--output-dir", *out, "Where to write models, pictures, checkpoints and results.json")->required();
  cmd->add_option("--model", *arch, "statenet, l, ln, nrf, dnet, cnn2d or transformer")->capture_default_str();
  // Sizes: each defaults to the paper's for the dataset (docs/models.md); a flag that does not
  // apply to --model is refused.
  const auto positive = CLI::Range(1, 1 << 16);
  std::vector<std::pair<CLI::Option*, std::vector<Architecture>>> size_flags;
  const std::vector<Architecture> statenet_only{Architecture::kStateNet};
  auto size_flag = [&](CLI::Option* option, std::vector<Architecture> applies_to) { size_flags.emplace_back(option, std::move(applies_to)); };
  size_flag(cmd->add_option("--core", *core, "StateNet recurrent core: gru, lstm, rnn, s4 (the paper's DPLR S4), s4d (diagonal S4D) or mamba (default: the paper's best on the dataset)"),
            statenet_only);
  size_flag(cmd->add_option("--first-layer", *first, "StateNet first layer: lc, fc or conv (default lc)"), statenet_only);
  size_flag(cmd->add_option("--lc-kernel", sizes->lc_kernel, "StateNet first layer: bands per position K")->check(positive), statenet_only);
  size_flag(cmd->add_option("--lc-stride", sizes->lc_stride, "StateNet first layer: stride S in bands")->check(positive), statenet_only);
  size_flag(cmd->add_option("--lc-channels", sizes->lc_channels, "StateNet first layer: channels C (H = C·L)")->check(positive), statenet_only);
  size_flag(cmd->add_option("--window-bins", sizes->window_bins, "Temporal window in bins of l, ln, nrf, dnet and transformer")->check(positive),
            {Architecture::kL, Architecture::kLn, Architecture::kNrf, Architecture::kDnet, Architecture::kTransformer});
  size_flag(cmd->add_option("--hidden", sizes->hidden, "NRF / DNet hidden channels")->check(positive), {Architecture::kNrf, Architecture::kDnet});
  size_flag(cmd->add_option("--dnet-decay", *dnet_decay, "DNet decay: recurrent (the paper's leaky integrator) or fir14 (the code's)"),
            {Architecture::kDnet});
  size_flag(cmd->add_option("--cnn-kernel", *cnn_kernel, "2D-CNN kernel, bands x bins, e.g. 6x15 (its window is 3·(bins − 1) + 1)"),
            {Architecture::kCnn2d});
  size_flag(cmd->add_option("--cnn-channels", sizes->cnn_channels, "2D-CNN channels")->check(positive), {Architecture::kCnn2d});
  size_flag(cmd->add_option("--cnn-hidden", sizes->cnn_hidden, "2D-CNN hidden units of its per-bin layer")->check(positive), {Architecture::kCnn2d});
  size_flag(cmd->add_option("--embed", sizes->embed, "Transformer embedding E")->check(positive), {Architecture::kTransformer});
  size_flag(cmd->add_option("--heads", sizes->heads, "Transformer attention heads")->check(positive), {Architecture::kTransformer});
  size_flag(cmd->add_option("--ff", sizes->ff, "Transformer feed-forward width d_ff")->check(positive), {Architecture::kTransformer});
  cmd->add_option("--output", *output,
                  "Output nonlinearity: identity, double_exponential or sigmoid (default: identity for statenet and l, "
                  "double_exponential otherwise)");
  cmd->add_option("--fitting", *fitting,
                  "population (one model, units without data for a clip masked) or unit (one model per unit); default: what "
                  "the dataset says");
  cmd->add_option("--seeds", o->seeds, "Number of seeds")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--first-seed", o->first_seed, "First seed")->capture_default_str()->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--patience", o->patience_epochs, "Epochs without improvement before stopping")->capture_default_str()->check(CLI::Range(1, 1 << 30));
  cmd->add_option("--max-epochs", o->max_epochs, "Upper bound on epochs per run")->capture_default_str()->check(CLI::Range(1, 1 << 30));
  cmd->add_option("--lr", o->learning_rate, "AdamW learning rate")->capture_default_str()->check(CLI::Range(1e-12, 10.0));
  auto* batch_flag = cmd->add_option("--batch", o->batch_size, "Clips per step (default: the dataset's, e.g. 16 for NAT4; else 1)")
                         ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--threads", o->threads, "CPU threads per run (0 = cores / runs at once)")->capture_default_str()->check(CLI::Range(0, 4096));
  cmd->add_option("--test-stimuli", *test, "A fixed test split, e.g. 3,6,9,19 (default: the dataset's, e.g. NAT4's; else random per seed)");
  cmd->add_option("--tbptt", o->tbptt_k, "Train with TBPTT(1, K): gradients through the last K bins only (0 = full BPTT)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  auto no_warmup = std::make_shared<bool>(false);
  cmd->add_flag("--no-warmup", *no_warmup, "TBPTT windows start from a zero state instead of the true state");
  auto generic_output_init = std::make_shared<bool>(false);
  cmd->add_flag("--generic-output-init", *generic_output_init,
                "Start the output nonlinearity from its generic random init instead of the training responses' scale");
  auto adaptrans = std::make_shared<bool>(false);
  cmd->add_flag("--adaptrans", *adaptrans,
                "The AdapTrans ON/OFF prefilter before the model's first layer, any model (2 input channels, 3 parameters "
                "per band; output sigmoid unless --output says otherwise)");
  auto raw_input = std::make_shared<bool>(false);
  size_flag(cmd->add_flag("--raw-input", *raw_input,
                          "Transformer: feed the cochleagram as it is instead of standardised per band with the training set's mean and s.d."),
            {Architecture::kTransformer});
  cmd->add_option("--parallel-runs,--parallel-seeds", o->parallel_runs,
                  "Runs trained at once, one thread each: seeds, or seed × unit when fitting unit by unit (0 = 1 for a population, "
                  "one per core unit by unit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--device", o->device, "cpu, or cuda / cuda:N (with a CUDA build of LibTorch; docs/gpu.md)")->capture_default_str();
  cmd->add_flag("--resume", o->resume, "Continue a killed run from the checkpoints in the output directory");
  cmd->callback([=] {
    const Dataset d = read_dataset(*data, ReadOptions{false, false});
    const DatasetProtocol protocol = dataset_protocol(d);
    TrainOptions opts = *o;
    opts.tbptt_warmup = !*no_warmup;
    opts.fit_output_to_data = !*generic_output_init;
    opts.fit_input_to_data = !*raw_input;
    // Names become enumerations here, with the configuration's own one-line errors.
    auto parse = [](const char* field, const std::string& text, auto parse_name) {
      try {
        return parse_name(text);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("model config '") + field + "': " + e.what());
      }
    };
    const Architecture architecture = parse("architecture", *arch, parse_architecture);
    for (const auto& [option, applies_to] : size_flags) {
      if (option->count() == 0 || std::find(applies_to.begin(), applies_to.end(), architecture) != applies_to.end()) continue;
      std::string models;
      for (Architecture a : applies_to) models += (models.empty() ? "" : ", ") + to_string(a);
      throw std::invalid_argument(option->get_name() + " applies to --model " + models + ", not " + to_string(architecture));
    }
    const ModelPreset preset = preset_model_config(architecture, {protocol.kind, protocol.area}, d.num_bands(), d.num_units());
    opts.model = preset.config;
    std::string changed;
    for (const auto& [option, applies_to] : size_flags)
      if (option->count() > 0) changed += (changed.empty() ? "" : " ") + option->get_name() + (option->get_expected_min() > 0 ? " " + option->as<std::string>() : "");
    ModelConfig& m = opts.model;
    if (!core->empty()) m.core = parse("core", *core, parse_core);
    if (!first->empty()) m.first_layer = parse("first_layer", *first, parse_first_layer);
    if (!dnet_decay->empty()) m.dnet_decay = parse("dnet_decay", *dnet_decay, parse_dnet_decay);
    if (*adaptrans) {
      m.adaptrans = true;
      m.adaptrans_taps = adaptrans_taps_for(d.freqs_hz);
      m.output = Nonlinearity::kSigmoid;  // the 2024 models' 3-parameter sigmoid
    }
    if (!output->empty()) m.output = parse("output", *output, parse_nonlinearity);
    auto given = [&](const char* name) { return cmd->get_option(name)->count() > 0; };
    if (given("--lc-kernel")) m.lc_kernel = sizes->lc_kernel;
    if (given("--lc-stride")) m.lc_stride = sizes->lc_stride;
    if (given("--lc-channels")) m.lc_channels = sizes->lc_channels;
    if (given("--window-bins")) m.window_bins = sizes->window_bins;
    if (given("--hidden")) m.hidden = sizes->hidden;
    if (given("--cnn-channels")) m.cnn_channels = sizes->cnn_channels;
    if (given("--cnn-hidden")) m.cnn_hidden = sizes->cnn_hidden;
    if (given("--embed")) m.embed = sizes->embed;
    if (given("--heads")) m.heads = sizes->heads;
    if (given("--ff")) m.ff = sizes->ff;
    if (!cnn_kernel->empty()) {
      int f = 0, t = 0;
      char x = 0, rest = 0;
      if (std::sscanf(cnn_kernel->c_str(), "%d%c%d%c", &f, &x, &t, &rest) != 3 || (x != 'x' && x != 'X') || f < 1 || t < 1 || f > (1 << 16) ||
          t > (1 << 16))
        throw std::invalid_argument("--cnn-kernel '" + *cnn_kernel + "': expected bands x bins, e.g. 6x15");
      m.cnn_kernel_f = f, m.cnn_kernel_t = t;
      m.window_bins = 3 * (t - 1) + 1;
    }
    m.validate();
    opts.sizes = preset.source + (changed.empty() ? "" : "; changed by " + changed);
    // The protocol: what the dataset says unless a flag says otherwise.
    if (!fitting->empty()) {
      if (*fitting != "population" && *fitting != "unit")
        throw std::invalid_argument("--fitting '" + *fitting + "': expected population or unit");
      opts.fitting = *fitting == "population" ? Fitting::kPopulation : Fitting::kUnitByUnit;
    }
    const bool population = fitting->empty() ? protocol.population : *fitting == "population";
    if (batch_flag->count() == 0 && protocol.batch_size > 0) opts.batch_size = protocol.batch_size;
    std::string test_from = "split 70/10/20 per seed";
    if (!test->empty()) {
      opts.test_stimuli = parse_index_list(*test, "--test-stimuli");
      test_from = "test --test-stimuli";
    } else if (!protocol.test_stimuli.empty()) {
      opts.test_stimuli = protocol.test_stimuli;
      if (protocol.validation_share > 0) opts.validation_share_beside_test = protocol.validation_share;
      test_from = "test the dataset's " + std::to_string(opts.test_stimuli.size()) + " stimuli";
    }
    std::string split_from = test_from;
    if (!population && !protocol.unit_splits.empty() && test->empty()) {
      opts.unit_split_counts = protocol.unit_splits;
      split_from = "split by the dataset's per-unit clip counts";
    }
    std::printf("%s: %s; %s\n", m.model_name().c_str(), describe_sizes(m).c_str(), opts.sizes.c_str());
    std::printf("protocol: %s fitting (%s), %s, batch %d\n", population ? "population" : "unit-by-unit",
                fitting->empty() ? protocol.fitting_from.c_str() : "--fitting", split_from.c_str(), opts.batch_size);
    std::fflush(stdout);
    opts.output_dir = *out;
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    // SIGTERM (a scheduler's preemption, `kill`) and Ctrl-C end the epoch in progress, write its
    // checkpoint and stop with one line saying how to continue; a second one ends at once.
    g_stop_training.store(false);
    opts.stop_requested = &g_stop_training;
    const auto previous_term = std::signal(SIGTERM, on_stop_training), previous_int = std::signal(SIGINT, on_stop_training);
    struct RestoreSignals {
      void (*term)(int), (*interrupt)(int);
      ~RestoreSignals() {
        std::signal(SIGTERM, term);
        std::signal(SIGINT, interrupt);
      }
    } restore{previous_term, previous_int};
    const TrainReport r = train_models(d, opts, [&](const TrainProgress& p) {
      if (!tty) return;
      std::fprintf(stderr, "\r\033[Kseed %d/%d%s  epoch %d  train %.5f  val %.5f  val CC_norm %.3f  best %d  (%.0f s, ~%.0f s left in this run)",
                   p.seed_index + 1, p.seeds, p.unit >= 0 ? (" unit " + std::to_string(p.unit + 1) + "/" + std::to_string(p.units)).c_str() : "",
                   p.epoch, p.train_loss, p.validation_loss, p.validation_cc_norm, p.best_epoch, p.seconds, p.seconds_left);
    });
    if (tty) std::fprintf(stderr, "\r\033[K");
    std::printf("%s on %s: %lld parameters, %zu runs\n", opts.model.model_name().c_str(),
                d.name.c_str(), static_cast<long long>(r.parameters), r.runs.size());
    for (const auto& run : r.runs) {
      std::string test;
      for (int k : run.split.test) test += (test.empty() ? "" : ",") + std::to_string(k);
      const std::string resumed = run.resumed_at_epoch > 0 ? ", resumed at epoch " + std::to_string(run.resumed_at_epoch) : "";
      std::printf("  seed %d%s: test CC_raw %.3f  CC_norm %.3f  on stimuli %s  (best epoch %d of %d, %.1f s, %.2f s/epoch%s)\n",
                  run.seed, run.unit >= 0 ? (" unit " + std::to_string(run.unit)).c_str() : "", run.mean_cc_raw,
                  run.mean_cc_norm, test.c_str(), run.best_epoch, run.epochs_run, run.seconds, run.seconds_per_epoch, resumed.c_str());
    }
    std::printf("mean over %d seeds: CC_raw %.3f ± %.3f, CC_norm %.3f ± %.3f (sem); %.0f s → %s/results.json\n", opts.seeds,
                r.mean_cc_raw, r.sem_cc_raw, r.mean_cc_norm, r.sem_cc_norm, r.seconds, out->c_str());
  });

  auto* eval = app.add_subcommand("eval", "Evaluate an exported model on a dataset: per-unit CC_raw and CC_norm");
  auto model = std::make_shared<std::string>();
  auto eval_data = std::make_shared<std::string>();
  auto stimuli = std::make_shared<std::string>();
  eval->add_option("--model", *model, "Model file (.safetensors)")->required();
  eval->add_option("--data", *eval_data, "Dataset file (.h5)")->required();
  eval->add_option("--stimuli", *stimuli, "Stimulus indices, e.g. 3,6,9,19 (default: all)");
  eval->callback([=] {
    const Dataset d = read_dataset(*eval_data, ReadOptions{false, false});
    const EvalReport e = evaluate_model(*model, d, stimuli->empty() ? std::vector<int>{} : parse_index_list(*stimuli, "--stimuli"));
    std::printf("%s on %s: mean CC_raw %.3f, CC_norm %.3f over %zu units (%d without signal power)\n", model->c_str(),
                d.name.c_str(), e.mean_cc_raw, e.mean_cc_norm, e.units.size(), e.excluded_units);
  });
}

}  // namespace statenet
