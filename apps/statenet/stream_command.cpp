// `statenet stream`: sound → the model's own cochleagram → predicted firing, one model step
// per frame, live. Threads: a processing thread (audio → front end → step engine, real-time
// safe) and this one (outputs, live view), joined by StreamProcessor's bounded queue.
// `statenet devices` lists the audio inputs.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "audio/audio_file.h"
#include "audio/audio_source.h"
#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "cochleagram_render.h"
#include "commands.h"
#include "stream/microphone.h"
#include "stream/step_model.h"
#include "stream/stream_processor.h"
#include "stream/terminal_view.h"
#include "stream_gpu.h"
#include "util/atomic_file.h"

namespace statenet {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted = true; }

struct StreamOptions {
  std::string model = STATENET_DEMO_MODEL;
  std::string input = "demo";
  std::string device;
  bool fast = false;
  double seconds = 0.0;
  std::string output;
  bool to_stdout = false;
  std::string view = "auto";
  std::string latency_json;
  std::string record;
  int block = 256;
  bool gpu = false;
  std::vector<std::string> inputs;
  int copies = 1;
};

// The model's front end: the preset named before ':' in its recorded description, checked
// against that description so a preset changed since training is caught.
CochleagramPreset model_preset(const ModelConfig& c, const std::string& model_path) {
  const std::string name = c.cochleagram.substr(0, c.cochleagram.find(':'));
  CochleagramPreset preset;
  try {
    preset = cochleagram_preset(name);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(model_path + ": its front end '" + c.cochleagram + "' is no preset of this build (" + e.what() + ")");
  }
  const std::unique_ptr<FrontEnd> front_end = make_front_end(preset);
  const std::string now = name + ": " + front_end->describe();  // as datasets record it
  if (now != c.cochleagram)
    throw std::runtime_error(model_path + ": trained on cochleagram '" + c.cochleagram + "', but this build's preset gives '" + now + "'");
  if (front_end->num_bands() != c.num_bands)
    throw std::runtime_error(model_path + ": the model expects F = " + std::to_string(c.num_bands) + " bands, preset '" + name + "' has " +
                             std::to_string(front_end->num_bands()));
  return preset;
}

// "frame,time_s,latency_us,r_0,…,r_{N−1}\n" for one prediction.
std::string csv_row(const StreamProcessor::Prediction& p, int units, double dt_s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld,%.4f,%.2f", static_cast<long long>(p.frame), (p.frame + 1) * dt_s, p.latency_us);
  std::string row = buf;
  for (int u = 0; u < units; ++u) {
    std::snprintf(buf, sizeof buf, ",%.6g", p.rates[u]);
    row += buf;
  }
  return row + "\n";
}

std::string csv_header(const ModelConfig& c) {
  std::string h = "frame,time_s,latency_us";
  for (int u = 0; u < c.num_units; ++u) h += "," + (u < static_cast<int>(c.unit_ids.size()) ? c.unit_ids[u] : "unit" + std::to_string(u));
  return h + "\n";
}

// Writes predictions as CSV (frame, time, latency, one column per unit) or raw float32
// frames × units (.f32, with a .json sidecar); atomically, when the stream ends.
class PredictionWriter {
 public:
  PredictionWriter(const std::string& path, const ModelConfig& c, double dt_s)
      : file_(path), binary_(path.size() > 4 && path.substr(path.size() - 4) == ".f32"), dt_s_(dt_s), config_(c) {
    out_.open(file_.temp_path(), std::ios::binary);
    if (!out_) throw std::runtime_error(path + ": cannot write");
    if (!binary_) out_ << csv_header(c);
  }
  void write(const StreamProcessor::Prediction& p) {
    if (binary_) {
      out_.write(reinterpret_cast<const char*>(p.rates), sizeof(float) * config_.num_units);
    } else {
      out_ << csv_row(p, config_.num_units, dt_s_);
    }
    ++frames_;
  }
  void finish() {
    out_.close();
    if (!out_) throw std::runtime_error(file_.final_path() + ": write failed");
    file_.commit();
    if (binary_) {
      AtomicFile side(file_.final_path() + ".json");
      std::ofstream j(side.temp_path());
      j << "{\"dtype\": \"float32\", \"shape\": [" << frames_ << ", " << config_.num_units << "], \"dt_ms\": " << dt_s_ * 1e3
        << ", \"layout\": \"frame-major: rates[frame][unit]\"}\n";
      j.close();
      side.commit();
    }
  }

 private:
  AtomicFile file_;
  bool binary_;
  double dt_s_;
  const ModelConfig& config_;
  std::ofstream out_;
  std::int64_t frames_ = 0;
};

void run_stream(const StreamOptions& o) {
  if (o.gpu) {
    const ModelConfig config = load_step_model(o.model)->config();
    run_stream_gpu({o.model, o.inputs, o.copies, o.output}, model_preset(config, o.model));  // -o: a directory
    return;
  }
  if (!o.inputs.empty()) throw std::runtime_error("--inputs streams several files at once with --gpu; without it, use --input");
  std::unique_ptr<StepModel> model = load_step_model(o.model);
  const ModelConfig& config = model->config();
  const CochleagramPreset preset = model_preset(config, o.model);
  if (!o.record.empty() && o.input == "mic" && !(o.seconds > 0))
    throw std::runtime_error("--record from a microphone needs --seconds (the recording is sized up front)");
  if (o.block < 1 || o.block > AudioBlock::kMaxSamples)
    throw std::runtime_error("--block " + std::to_string(o.block) + ": expected 1–" + std::to_string(AudioBlock::kMaxSamples) + " samples");

  // Input.
  std::unique_ptr<FileSource> file;
  std::unique_ptr<Microphone> mic;
  std::unique_ptr<FrontEnd> front_end;
  std::string input_name;
  std::int64_t total_samples = -1;  // the audio this run will process, when known up front
  if (o.input == "mic") {
    MicrophoneOptions m;
    m.device = o.device;
    m.block_samples = o.block;
    // Devices take integer rates: ns1's 48 828.125 Hz is opened as 48 828 Hz (2.6 ppm off) and
    // analysed at the preset's nominal rate, as files with that header are.
    m.sample_rate_hz = std::round(preset.sample_rate_hz());
    mic = std::make_unique<Microphone>(m);
    front_end = make_front_end(preset);
    input_name = "microphone '" + mic->device_name() + "'";
  } else {
    AudioBuffer audio;
    if (o.input == "demo") {
      audio = make_demo_sound(preset.sample_rate_hz());
      input_name = "built-in demo sound";
    } else {
      audio = load_for_preset(o.input, preset);
      input_name = o.input;
    }
    for (std::size_t i = 0; i < audio.samples.size(); ++i)
      if (!std::isfinite(audio.samples[i]))
        throw std::runtime_error(o.input + ": sample " + std::to_string(i) + " is not a finite number");
    // --seconds cuts a file short, or loops the demo sound for as long as asked (soak runs).
    std::int64_t total = static_cast<std::int64_t>(audio.samples.size());
    if (o.seconds > 0) {
      const auto asked = static_cast<std::int64_t>(o.seconds * audio.sample_rate_hz);
      total = o.input == "demo" ? asked : std::min(total, asked);
    }
    total_samples = total;
    file = std::make_unique<FileSource>(std::move(audio), o.fast ? Pacing::kAsFastAsPossible : Pacing::kRealTime, total);
    front_end = make_front_end(preset);
  }
  const double dt_s = front_end->hop_samples() / front_end->sample_rate_hz();
  StreamProcessor processor(*front_end, *model, 8192, /*wait_when_full=*/o.fast && !mic);
  std::unique_ptr<PredictionWriter> writer;
  if (!o.output.empty()) writer = std::make_unique<PredictionWriter>(o.output, config, dt_s);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  const bool view_on = o.view == "on" || (o.view == "auto" && tty && !o.to_stdout);
  std::unique_ptr<TerminalView> view;
  if (view_on) {
    TerminalViewOptions v;
    v.title = "statenet stream · " + input_name + " → " + config.architecture + "-" + config.core + " (" + std::to_string(config.num_units) +
              " units) · Ctrl-C stops";
    v.level_low = preset.gammatone ? -100.0f : -70.0f;
    view = std::make_unique<TerminalView>(config.num_bands, config.num_units, v);
  }
  if (o.to_stdout) std::fputs(csv_header(config).c_str(), stdout);

  g_interrupted = false;
  auto previous_handler = std::signal(SIGINT, on_interrupt);
  std::atomic<bool> producer_done{false};
  const std::int64_t max_samples = o.seconds > 0 ? static_cast<std::int64_t>(o.seconds * front_end->sample_rate_hz()) : -1;
  std::int64_t samples_in = 0;
  std::exception_ptr producer_error;
  // --record keeps the samples exactly as the processing thread received them, in a buffer
  // sized up front (the last block may overshoot by one block), so recording never allocates
  // on the processing thread.
  AudioBuffer recorded;
  recorded.sample_rate_hz = front_end->sample_rate_hz();
  if (mic) total_samples = max_samples;
  if (!o.record.empty()) {
    recorded.samples.reserve(static_cast<std::size_t>(total_samples) + AudioBlock::kMaxSamples);
  }
  auto process = [&](const float* samples, std::size_t n, std::int64_t arrival_ns) {
    processor.process(samples, n, arrival_ns);
    if (!o.record.empty()) recorded.samples.insert(recorded.samples.end(), samples, samples + n);
    samples_in += static_cast<std::int64_t>(n);
  };
  if (mic) {
    mic->start();
    std::fprintf(stderr, "capturing from '%s' at %.0f Hz\n", mic->device_name().c_str(), mic->sample_rate_hz());
    std::fflush(stderr);
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::thread producer([&] {
    try {
      if (mic) {
        AudioBlock block;
        while (!g_interrupted && (max_samples < 0 || samples_in < max_samples)) {
          if (!mic->pop(block)) {  // poll: the queue is wait-free and never signals
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            continue;
          }
          process(block.samples, block.num_samples, block.arrival_ns);
        }
      } else {
        std::vector<float> block(o.block);
        while (!g_interrupted) {
          const std::size_t n = file->read(block.data(), block.size());
          if (n == 0) break;
          process(block.data(), n, steady_now_ns());
        }
      }
    } catch (...) {
      producer_error = std::current_exception();
    }
    producer_done = true;
  });

  auto last_draw = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  StreamProcessor::Prediction p;
  std::int64_t shown = 0;
  while (true) {
    const bool done = producer_done.load();
    bool any = false;
    while (processor.pop(p)) {
      any = true;
      ++shown;
      if (writer) writer->write(p);
      if (o.to_stdout) std::fputs(csv_row(p, config.num_units, dt_s).c_str(), stdout);
      if (view) view->add(p.bands, p.rates);
    }
    processor.release();
    const auto now = std::chrono::steady_clock::now();
    if (view && now - last_draw > std::chrono::milliseconds(33)) {
      char status[256];
      std::snprintf(status, sizeof status, "t = %.1f s · frame %lld · last latency %.1f µs · dropped %lld · input overflows %lld",
                    samples_in / front_end->sample_rate_hz(), static_cast<long long>(processor.frames()), p.latency_us,
                    static_cast<long long>(processor.dropped_predictions() + (mic ? mic->dropped_blocks() : 0)),
                    static_cast<long long>(mic ? mic->input_overflows() : 0));
      view->draw(status);
      last_draw = now;
    }
    if (done && !any) break;
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  producer.join();
  if (mic) mic->stop();
  std::signal(SIGINT, previous_handler);
  view.reset();
  if (producer_error) std::rethrow_exception(producer_error);
  if (writer) writer->finish();
  if (!o.record.empty()) write_wav_float(o.record, recorded);

  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double audio_s = samples_in / front_end->sample_rate_hz();
  const LatencyHistogram& lat = processor.latency();
  std::FILE* info = o.to_stdout ? stderr : stdout;
  std::fprintf(info, "streamed %.2f s of %s in %.2f s (%s): %lld frames of %.2f ms, %d units\n", audio_s, input_name.c_str(), wall,
               mic ? "live" : (o.fast ? "as fast as possible" : "paced in real time"), static_cast<long long>(processor.frames()), dt_s * 1e3,
               config.num_units);
  std::fprintf(info, "latency (hop's last sample → prediction): %s\n", lat.summary().c_str());
  std::fprintf(info, "dropped predictions %lld · dropped input blocks %lld · input overflows %lld · non-finite samples %lld\n",
               static_cast<long long>(processor.dropped_predictions()), static_cast<long long>(mic ? mic->dropped_blocks() : 0),
               static_cast<long long>(mic ? mic->input_overflows() : 0), static_cast<long long>(processor.non_finite_samples()));
  if (mic) std::fprintf(info, "device input latency (PortAudio) %.1f ms, plus the front end's window of %.1f ms\n", mic->input_latency_s() * 1e3,
                        front_end->window_samples() / front_end->sample_rate_hz() * 1e3);
  if (writer) std::fprintf(info, "wrote %s\n", o.output.c_str());
  if (!o.record.empty()) std::fprintf(info, "wrote %s (the input as received)\n", o.record.c_str());
  if (!o.latency_json.empty()) {
    AtomicFile out(o.latency_json);
    std::ofstream j(out.temp_path());
    j << "{\"input\": \"" << (mic ? "mic" : o.input) << "\", \"mode\": \"" << (mic ? "live" : (o.fast ? "fast" : "realtime"))
      << "\", \"audio_s\": " << audio_s << ", \"wall_s\": " << wall << ", \"frames\": " << processor.frames()
      << ", \"dropped_predictions\": " << processor.dropped_predictions() << ", \"dropped_input_blocks\": " << (mic ? mic->dropped_blocks() : 0)
      << ", \"input_overflows\": " << (mic ? mic->input_overflows() : 0) << ", \"non_finite_samples\": " << processor.non_finite_samples()
      << ", \"latency\": " << lat.to_json() << "}\n";
    j.close();
    out.commit();
    std::fprintf(info, "wrote %s\n", o.latency_json.c_str());
  }
}

}  // namespace

void add_stream_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stream",
      "Stream sound through a trained model, one step per cochleagram frame: the predicted\n"
      "firing of every unit, live. Input: the built-in demo sound (default), an audio file\n"
      "(paced in real time, or --fast), or a microphone (--input mic). Outputs: a live terminal\n"
      "view (default on a terminal), --output FILE.csv|FILE.f32, --stdout (CSV). Prints the\n"
      "per-frame latency (hop's last sample → prediction ready) and every drop at the end.\n"
      "With --gpu --inputs a.wav,b.wav,…: many files at once, one batched GPU step per frame.");
  auto o = std::make_shared<StreamOptions>();
  cmd->add_option("--model", o->model, "Exported model (.safetensors); its own front-end preset is used")->capture_default_str();
  cmd->add_option("-i,--input", o->input, "demo, mic, or an audio file (resampled to the model's rate)")->capture_default_str();
  cmd->add_option("--device", o->device, "Microphone: device name (or unique part of it) or index; see 'statenet devices'");
  cmd->add_flag("--fast", o->fast, "Files: process as fast as possible instead of in real time");
  cmd->add_option("--seconds", o->seconds, "Stop after this much audio (0 = the whole file / until Ctrl-C); loops the demo sound")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write predictions: .csv (frame, time, latency, units) or .f32 (raw float32, + .json);\nwith --gpu a directory (one .f32 per input)");
  cmd->add_flag("--stdout", o->to_stdout, "Print predictions as CSV on stdout (the summary goes to stderr)");
  cmd->add_option("--view", o->view, "Live terminal view: auto (on a terminal), on or off")->check(CLI::IsMember({"auto", "on", "off"}))->capture_default_str();
  cmd->add_option("--latency-json", o->latency_json, "Write the latency histogram and drop counts as JSON");
  cmd->add_option("--record", o->record, "Also write the input exactly as processed to a float WAV file (diagnostics)");
  cmd->add_flag("--gpu", o->gpu, "Stream the --inputs files at once on the GPU, one batched step per frame (StateNet-GRU)");
  cmd->add_option("--inputs", o->inputs, "With --gpu: audio files, one stream each")->delimiter(',');
  cmd->add_option("--copies", o->copies, "With --gpu: stream each file this many times (load tests)")->capture_default_str();
  cmd->add_option("--block", o->block, "Samples per audio block (the callback size for a microphone)")->capture_default_str();
  cmd->callback([o] { run_stream(*o); });

  auto* devices = app.add_subcommand("devices", "List the audio input devices PortAudio can open (for 'stream --input mic --device').");
  devices->callback([] {
    const auto list = list_input_devices();
    std::printf("%s", describe_input_devices(list).c_str());
  });
}

}  // namespace statenet
