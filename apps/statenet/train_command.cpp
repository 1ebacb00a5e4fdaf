// `statenet train` and `statenet eval`.

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>

#include "commands.h"
#include "data/dataset.h"
#include "progress.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/index_list.h"

namespace statenet {

namespace {
std::atomic<bool> g_stop_training{false};
// The first signal asks for a stop after the epoch; a second one ends the process at once.
extern "C" void on_stop_training(int sig) {
  if (g_stop_training.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}
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
  auto core = std::make_shared<std::string>("gru");
  auto first = std::make_shared<std::string>("lc");
  auto output = std::make_shared<std::string>();
  auto window = std::make_shared<int>(0);
  auto o = std::make_shared<TrainOptions>();
  auto test = std::make_shared<std::string>();
  cmd->add_option("--data", *data, "Dataset file (.h5) from 'statenet data import|simulate'")->required();
  cmd->add_option("-o,--output-dir", *out, "Where to write models, pictures, checkpoints and results.json")->required();
  cmd->add_option("--model", *arch, "statenet, l, ln, nrf, dnet, cnn2d or transformer")->capture_default_str();
  cmd->add_option("--core", *core, "StateNet recurrent core: gru, lstm, rnn, s4 (diagonal S4D) or mamba")->capture_default_str();
  cmd->add_option("--first-layer", *first, "StateNet first layer: lc, fc or conv")->capture_default_str();
  cmd->add_option("--output", *output,
                  "Output nonlinearity: identity, double_exponential or sigmoid (default: identity for statenet and l, "
                  "double_exponential otherwise)");
  cmd->add_option("--window-bins", *window, "Temporal window of the stateless baselines (default per model)")->check(CLI::Range(1, 100000));
  cmd->add_option("--seeds", o->seeds, "Number of seeds")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--first-seed", o->first_seed, "First seed")->capture_default_str()->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--patience", o->patience_epochs, "Epochs without improvement before stopping")->capture_default_str()->check(CLI::Range(1, 1 << 30));
  cmd->add_option("--max-epochs", o->max_epochs, "Upper bound on epochs per run")->capture_default_str()->check(CLI::Range(1, 1 << 30));
  cmd->add_option("--lr", o->learning_rate, "AdamW learning rate")->capture_default_str()->check(CLI::Range(1e-12, 10.0));
  cmd->add_option("--batch", o->batch_size, "Clips per step (16 for NAT4-sized data)")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  cmd->add_option("--test-stimuli", *test, "A fixed test split, e.g. 3,6,9,19 (default: random per seed)");
  cmd->add_option("--tbptt", o->tbptt_k, "Train with TBPTT(1, K): gradients through the last K bins only (0 = full BPTT)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  auto no_warmup = std::make_shared<bool>(false);
  cmd->add_flag("--no-warmup", *no_warmup, "TBPTT windows start from a zero state instead of the true state");
  auto generic_output_init = std::make_shared<bool>(false);
  cmd->add_flag("--generic-output-init", *generic_output_init,
                "Start the output nonlinearity from its generic random init instead of the training responses' scale");
  auto raw_input = std::make_shared<bool>(false);
  cmd->add_flag("--raw-input", *raw_input,
                "Transformer: feed the cochleagram as it is instead of standardised per band with the training set's mean and s.d.");
  cmd->add_option("--parallel-seeds", o->parallel_seeds, "Seeds trained at once, one thread each (e.g. 2 with --threads 1 on 2 cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--device", o->device, "cpu, or cuda / cuda:N (with a CUDA build of LibTorch; docs/gpu.md)")->capture_default_str();
  cmd->add_flag("--resume", o->resume, "Continue a killed run from the checkpoints in the output directory");
  cmd->callback([=] {
    const Dataset d = read_dataset(*data, ReadOptions{false, false});
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
    opts.model = default_model_config(parse("architecture", *arch, parse_architecture), d.num_bands(), d.num_units());
    opts.model.core = parse("core", *core, parse_core);
    opts.model.first_layer = parse("first_layer", *first, parse_first_layer);
    if (!output->empty()) opts.model.output = parse("output", *output, parse_nonlinearity);
    if (*window > 0) opts.model.window_bins = *window;
    opts.output_dir = *out;
    if (!test->empty()) opts.test_stimuli = parse_index_list(*test, "--test-stimuli");
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
