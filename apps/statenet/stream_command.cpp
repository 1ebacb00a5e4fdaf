// `statenet stream`: sound → the model's own cochleagram → predicted firing, one model step
// per frame, live — a thin command over StreamPipeline (src/stream/pipeline.h): it picks the
// source and the sinks from the options and prints the summary. `statenet devices` lists the
// audio inputs.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "audio/audio_file.h"
#include "audio_device/audio_output.h"
#include "audio_device/microphone.h"
#include "audio_device/portaudio_device.h"
#include "commands.h"
#include "stream/file_input.h"
#include "stream/model_front_end.h"
#include "stream/pipeline.h"
#include "stream/prediction_writers.h"
#include "stream/pulse_train.h"
#include "net/osc_sender.h"
#include "net/zmq_publisher.h"
#include "stream/terminal_view.h"
#include "stream_gpu.h"

namespace statenet {
namespace {

std::atomic<StreamPipeline*> g_running{nullptr};
extern "C" void on_interrupt(int) {
  if (StreamPipeline* p = g_running.load()) p->stop();
}

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
  std::string spikes;
  std::uint64_t seed = 0;
  double refractory_ms = 0.0;
  ZmqPublisherOptions zmq;
  std::string osc;
  std::string pulse_out;
  std::string pulse_units = "all:0";
  std::string pulse_delay = "auto";
  int pulse_channels = 0;
  double audio_latency_ms = 0.0;
  PulseTrainOptions pulse;
};

void run_stream(const StreamOptions& o) {
  if (o.gpu) {
    const ModelConfig config = load_step_model(o.model)->config();
    run_stream_gpu({o.model, o.inputs, o.copies, o.output}, front_end_for_model(config, o.model));  // -o: a directory
    return;
  }
  if (!o.inputs.empty()) throw std::runtime_error("--inputs streams several files at once with --gpu; without it, use --input");
  const bool mic = o.input == "mic";
  if (!o.record.empty() && mic && !(o.seconds > 0))
    throw std::runtime_error("--record from a microphone needs --seconds (the recording is sized up front)");
  if (o.block < 1 || o.block > StreamPipeline::kMaxBlockSamples)
    throw std::runtime_error("--block " + std::to_string(o.block) + ": expected 1–" + std::to_string(StreamPipeline::kMaxBlockSamples) + " samples");

  StreamPipelineOptions po;
  po.model_path = o.model;
  po.block_samples = o.block;
  po.max_seconds = o.seconds;
  po.record_input = !o.record.empty();
  // Spikes go to the spike file and, when asked for, over the network with the rates.
  po.spikes = !o.spikes.empty() || !o.zmq.endpoint.empty() || !o.osc.empty() || !o.pulse_out.empty();
  if (!(o.refractory_ms >= 0) || !std::isfinite(o.refractory_ms))
    throw std::runtime_error("--refractory-ms " + std::to_string(o.refractory_ms) + ": expected a finite number ≥ 0");
  po.spike_options.seed = o.seed;
  po.spike_options.refractory_s = o.refractory_ms / 1e3;
  StreamPipeline pipeline(po);

  // The pulse line: full duplex with the microphone when it names the same device (or "same"),
  // on the device's sample clock; else its own output stream, placed by the host clock.
  const bool duplex = mic && !o.pulse_out.empty() && (o.pulse_out == "same" || o.pulse_out == o.device);
  if (!(o.audio_latency_ms >= 0) || !(o.audio_latency_ms <= 10e3))
    throw std::runtime_error("--audio-latency-ms " + std::to_string(o.audio_latency_ms) + ": expected 0–10 000");
  if (!o.pulse_out.empty() && !mic && o.fast) throw std::runtime_error("--pulse-out plays in real time: drop --fast");
  std::unique_ptr<PulseTrain> pulses;
  if (!o.pulse_out.empty()) {
    PulseTrainOptions p = o.pulse;
    p.clock = duplex ? PulseClock::kSample : PulseClock::kHost;
    p.num_channels = o.pulse_channels;
    p.channel_of_unit = parse_unit_channel_map(o.pulse_units, pipeline.model_config().num_units, 1 << 16);
    for (int c : p.channel_of_unit) p.num_channels = std::max(p.num_channels, c + 1);
    p.delay_ms = parse_pulse_delay_ms(o.pulse_delay, p.delay_ms);  // "auto" is set once the output's latency is known
    pulses = std::make_unique<PulseTrain>(p, pipeline.model_config().num_units, pipeline.sample_rate_hz());
  }

  std::unique_ptr<AudioSource> source;
  Microphone* microphone = nullptr;
  if (mic) {
    MicrophoneOptions m;
    m.device = o.device;
    m.block_samples = o.block;
    // Devices take integer rates (StreamPipeline::kRateToleranceHz).
    m.sample_rate_hz = std::round(pipeline.sample_rate_hz());
    m.suggested_latency_s = o.audio_latency_ms / 1e3;
    if (duplex) {
      m.output_channels = pulses->num_channels();
      m.renderer = pulses.get();
    }
    auto owned = std::make_unique<Microphone>(m);
    microphone = owned.get();
    std::fprintf(stderr, "capturing from '%s' at %.0f Hz%s\n", microphone->device_name().c_str(), microphone->sample_rate_hz(),
                 duplex ? " (full duplex: the pulse line plays on the same device)" : "");
    std::fflush(stderr);
    source = std::move(owned);
  } else {
    source = open_file_input(o.input, pipeline.preset(), o.fast ? Pacing::kAsFastAsPossible : Pacing::kRealTime, o.seconds);
  }
  std::unique_ptr<AudioOutput> pulse_output;
  double pulse_output_latency_s = 0.0;
  if (pulses && !duplex) {
    AudioOutputOptions a;
    a.device = o.pulse_out;
    a.sample_rate_hz = std::round(pipeline.sample_rate_hz());
    a.channels = pulses->num_channels();
    a.block_samples = o.block;
    a.suggested_latency_s = o.audio_latency_ms / 1e3;
    pulse_output = std::make_unique<AudioOutput>(a, *pulses);
    pulse_output_latency_s = pulse_output->output_latency_s();
  } else if (duplex) {
    pulse_output_latency_s = microphone->output_latency_s();
  }
  if (pulses) {
    if (o.pulse_delay == "auto")
      pulses->set_delay_ms(automatic_pulse_delay_ms(pipeline.frame_period_s(), o.block, pipeline.sample_rate_hz(), duplex ? 0.0 : pulse_output_latency_s));
    std::fprintf(stderr,
                 "pulse line on '%s' (%d channel(s), units %s; %s clock): %.2f-ms pulses at %.2f, %.2f ms (%lld samples) after each spike%s; "
                 "output latency %.2f ms (%lld samples)\n",
                 duplex ? microphone->device_name().c_str() : pulse_output->device_name().c_str(), pulses->num_channels(),
                 o.pulse_units.c_str(), duplex ? "the device's sample" : "the host", pulses->width_samples() * 1e3 / pipeline.sample_rate_hz(),
                 o.pulse.amplitude, pulses->delay_samples() * 1e3 / pipeline.sample_rate_hz(), static_cast<long long>(pulses->delay_samples()),
                 o.pulse_delay == "auto" ? " (auto)" : "", pulse_output_latency_s * 1e3,
                 static_cast<long long>(std::llround(pulse_output_latency_s * pipeline.sample_rate_hz())));
    std::fflush(stderr);
  }
  const StreamInfo info = pipeline.info(*source);

  if (pulses) pipeline.add_sink(*pulses);  // first: the one sink with a deadline
  std::unique_ptr<PredictionFileWriter> file;
  if (!o.output.empty()) pipeline.add_sink(*(file = std::make_unique<PredictionFileWriter>(o.output, info)));
  CsvStreamWriter csv(stdout);
  if (o.to_stdout) pipeline.add_sink(csv);
  TerminalViewSink view;
  if (o.view == "on" || (o.view == "auto" && ::isatty(STDOUT_FILENO) && !o.to_stdout)) pipeline.add_sink(view);
  std::unique_ptr<ZmqPublisher> zmq;
  if (!o.zmq.endpoint.empty()) pipeline.add_sink(*(zmq = std::make_unique<ZmqPublisher>(o.zmq)));
  std::unique_ptr<OscSender> osc;
  if (!o.osc.empty()) pipeline.add_sink(*(osc = std::make_unique<OscSender>(o.osc)));
  std::unique_ptr<SpikeFileWriter> spikes;
  if (!o.spikes.empty()) pipeline.add_sink(*(spikes = std::make_unique<SpikeFileWriter>(o.spikes, info)));
  std::unique_ptr<LatencyJsonWriter> latency_json;
  if (!o.latency_json.empty()) pipeline.add_sink(*(latency_json = std::make_unique<LatencyJsonWriter>(o.latency_json, mic ? "mic" : o.input)));

  g_running = &pipeline;
  auto previous_handler = std::signal(SIGINT, on_interrupt);
  auto previous_term = std::signal(SIGTERM, on_interrupt);  // as Ctrl-C: end cleanly, outputs committed
  StreamSummary s;
  try {
    if (pulse_output) pulse_output->start();
    s = pipeline.run(*source);
    if (pulse_output) {  // let the pulses already queued play out (a delay and the output's latency)
      const auto until = std::chrono::steady_clock::now() +
                         std::chrono::duration<double>(pulses->delay_samples() / pipeline.sample_rate_hz() + pulse_output_latency_s + 0.05);
      while (pulses->rendered() < pulses->scheduled() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::this_thread::sleep_for(std::chrono::duration<double>(pulse_output_latency_s));
      pulse_output->stop();
    }
  } catch (...) {
    std::signal(SIGINT, previous_handler);
    std::signal(SIGTERM, previous_term);
    g_running = nullptr;
    throw;
  }
  std::signal(SIGINT, previous_handler);
  std::signal(SIGTERM, previous_term);
  g_running = nullptr;
  if (!o.record.empty()) write_wav_float(o.record, pipeline.recorded_input());

  std::FILE* out = o.to_stdout ? stderr : stdout;
  const StreamProgress& c = s.counts;
  std::fprintf(out, "streamed %.2f s of %s in %.2f s (%s): %lld frames of %.2f ms, %d units\n", c.audio_s, info.input.c_str(), s.wall_s,
               mic ? "live" : (o.fast ? "as fast as possible" : "paced in real time"), static_cast<long long>(c.frames),
               info.frame_period_s * 1e3, info.num_units);
  std::fprintf(out, "latency (hop's last sample → prediction): %s\n", s.latency.summary().c_str());
  std::fprintf(out, "dropped predictions %lld · dropped input blocks %lld · input overflows %lld · unusable samples (non-finite or beyond ±10⁴) %lld\n",
               static_cast<long long>(c.dropped_predictions), static_cast<long long>(c.dropped_input_blocks),
               static_cast<long long>(c.input_overflows), static_cast<long long>(c.non_finite_samples));
  if (mic)
    std::fprintf(out, "device input latency (PortAudio) %.1f ms, plus the front end's window of %.1f ms\n", s.device_latency_s * 1e3,
                 s.window_s * 1e3);
  if (po.spikes)
    std::fprintf(out, "spikes %lld (seed %llu, refractory %.2f ms; %lld over a unit's per-frame maximum)\n",
                 static_cast<long long>(c.spikes), static_cast<unsigned long long>(o.seed), o.refractory_ms,
                 static_cast<long long>(c.spike_overflow));
  if (zmq)
    std::fprintf(out, "zmq: %lld messages published on %s, %lld dropped (subscribers behind)\n", static_cast<long long>(zmq->messages_sent()),
                 zmq->endpoint().c_str(), static_cast<long long>(zmq->dropped()));
  if (osc)
    std::fprintf(out, "osc: %lld messages sent to %s, %lld refused\n", static_cast<long long>(osc->messages_sent()), o.osc.c_str(),
                 static_cast<long long>(osc->dropped()));
  if (pulses) {
    const double ms_per_sample = 1e3 / pipeline.sample_rate_hz();
    std::fprintf(out, "pulse-out: %lld pulses queued, %lld played, %lld late (up to %.2f ms), %lld dropped; headroom %.2f ms (the delay could be that much shorter)%s\n",
                 static_cast<long long>(pulses->scheduled()), static_cast<long long>(pulses->rendered()), static_cast<long long>(pulses->late()),
                 pulses->max_lateness_samples() * ms_per_sample, static_cast<long long>(pulses->dropped()),
                 pulses->scheduled() > 0 ? pulses->min_slack_samples() * ms_per_sample : 0.0,
                 (pulse_output ? pulse_output->underflows() : microphone->output_underflows()) > 0 ? " · output underflows" : "");
  }
  if (file) std::fprintf(out, "wrote %s\n", o.output.c_str());
  if (spikes) std::fprintf(out, "wrote %s (%lld spikes, + .json)\n", o.spikes.c_str(), static_cast<long long>(spikes->spikes_written()));
  if (!o.record.empty()) std::fprintf(out, "wrote %s (the input as received)\n", o.record.c_str());
  if (latency_json) std::fprintf(out, "wrote %s\n", o.latency_json.c_str());
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
  cmd->add_option("--seconds", o->seconds, "Stop after this much audio (0 = the whole file / until Ctrl-C); loops the demo sound")->capture_default_str()->check(CLI::Range(0.0, 1e7));
  cmd->add_option("-o,--output", o->output, "Write predictions: .csv (frame, time, latency, units) or .f32 (raw float32, + .json);\n- for CSV on stdout (as --stdout); with --gpu a directory (one .f32 per input)");
  cmd->add_flag("--stdout", o->to_stdout, "Print predictions as CSV on stdout (the summary goes to stderr)");
  cmd->add_option("--view", o->view, "Live terminal view: auto (on a terminal), on or off")->check(CLI::IsMember({"auto", "on", "off"}))->capture_default_str();
  cmd->add_option("--latency-json", o->latency_json, "Write the latency histogram and drop counts as JSON");
  cmd->add_option("--spikes", o->spikes,
                  "Draw Poisson spikes from the predicted rates (spikes/s = max(0, rate)/dt, sub-frame times) and\n"
                  "write them: .csv (unit,unit_id,sample,time_s) or binary (int32 unit, int64 sample, float64 time_s),\n"
                  "with a .json sidecar");
  cmd->add_option("--zmq", o->zmq.endpoint,
                  "Publish every frame's rates (and spikes) over ZeroMQ: tcp://127.0.0.1:5556, ipc://PATH (docs/zmq.md)");
  cmd->add_option("--osc", o->osc,
                  "Send every frame's rates (/statenet/rates) and each spike (/statenet/spike) as OSC over UDP:\n"
                  "udp://127.0.0.1:9000 (docs/osc.md)");
  cmd->add_option("--zmq-wait-subscribers", o->zmq.wait_for_subscribers,
                  "With --zmq: wait for this many subscribers before streaming (up to 5 s)")->capture_default_str();
  cmd->add_option("--zmq-hwm", o->zmq.send_high_water_mark, "With --zmq: messages queued per subscriber before drops")->capture_default_str();
  cmd->add_option("--pulse-out", o->pulse_out,
                  "Play a pulse for every spike on an audio output ('virtual electrode'): a device name or index "
                  "(see 'statenet devices'), or 'same' for full duplex with --input mic (one clock)");
  cmd->add_option("--pulse-units", o->pulse_units, "With --pulse-out: which units on which channel, UNIT:CHANNEL,… or all:CHANNEL")
      ->capture_default_str();
  cmd->add_option("--pulse-width-ms", o->pulse.width_ms, "With --pulse-out: pulse length")->capture_default_str();
  cmd->add_option("--pulse-amplitude", o->pulse.amplitude, "With --pulse-out: pulse height (full scale 1)")->capture_default_str();
  cmd->add_option("--pulse-delay-ms", o->pulse_delay,
                  "With --pulse-out: fixed delay from a spike's time to its pulse; auto = a hop, two blocks, the output's "
                  "latency and 5 ms")->capture_default_str();
  cmd->add_option("--audio-latency-ms", o->audio_latency_ms,
                  "Latency asked of the audio device streams (microphone, pulse line); 0 = the device's low default. "
                  "Larger values survive a busy machine without underruns");
  cmd->add_option("--pulse-channels", o->pulse_channels, "With --pulse-out: output channels to open (default: what the map needs)");
  cmd->add_option("--seed", o->seed, "With --spikes, --zmq or --osc: the spikes' random seed (the same seed and input give the same spikes)")->capture_default_str();
  cmd->add_option("--refractory-ms", o->refractory_ms, "With --spikes, --zmq or --osc: the spikes' absolute refractory period")->capture_default_str();
  cmd->add_option("--record", o->record, "Also write the input exactly as processed to a float WAV file (diagnostics)");
  cmd->add_flag("--gpu", o->gpu, "Stream the --inputs files at once on the GPU, one batched step per frame (StateNet-GRU)");
  cmd->add_option("--inputs", o->inputs, "With --gpu: audio files, one stream each")->delimiter(',');
  cmd->add_option("--copies", o->copies, "With --gpu: stream each file this many times (load tests)")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--block", o->block, "Samples per audio block (the callback size for a microphone)")->capture_default_str();
  cmd->callback([o] {
    if (o->output == "-") {  // -o -: CSV written through to stdout (no file, no rename), as --stdout
      o->output.clear();
      o->to_stdout = true;
    }
    run_stream(*o);
  });

  auto* devices = app.add_subcommand("devices", "List the audio devices PortAudio can open (for 'stream --device' and '--pulse-out').");
  devices->callback([] {
    const auto list = list_audio_devices();
    std::printf("inputs:\n%soutputs:\n%s", describe_audio_devices(list, DeviceDirection::kInput).c_str(),
                describe_audio_devices(list, DeviceDirection::kOutput).c_str());
  });
}

}  // namespace statenet
