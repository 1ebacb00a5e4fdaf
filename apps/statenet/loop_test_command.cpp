// `statenet loop-test`: the closed loop measured end to end. A click train plays on output
// channel 0 of a full-duplex device stream, comes back (through the audio server's loop) on
// input channel 0 into the model; every spike of one unit becomes a pulse on output channel 1
// (the pulse line), which comes back on input channel 1; the same spikes go out over ZeroMQ
// to a subscriber in another process (`statenet zmq-spike-log`, started and stopped here).
// For every click it reports the time from the click's first output sample to (a) its first
// spike's pulse found in the looped-back line and (b) that spike's ZeroMQ message received by
// the subscriber, with the budget: the audio loop, the neuron's own response, the wait for
// the frame to close, compute and hand-off, transport, the pulse line's fixed delay.

#include <signal.h>
#include <sys/prctl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "audio/click_train.h"
#include "audio_device/microphone.h"
#include "commands.h"
#include "net/zmq_publisher.h"
#include "stream/pipeline.h"
#include "stream/pulse_train.h"
#include "util/atomic_file.h"
#include "util/steady_clock.h"

extern char** environ;

namespace statenet {
namespace {

// Ctrl-C or SIGTERM end the run early; what was measured is still reported and the subscriber
// and the run's folder are cleaned up.
std::atomic<StreamPipeline*> g_running{nullptr};
std::atomic<bool> g_interrupted{false};
extern "C" void on_loop_test_interrupt(int) {
  g_interrupted.store(true);
  if (StreamPipeline* p = g_running.load()) p->stop();
}

struct LoopTestOptions {
  std::string model = STATENET_DEMO_MODEL;
  std::string device = "system";  // PortAudio's JACK device
  int unit = -1;                  // −1: the unit that answers clicks best (found offline first)
  int clicks = 1000;
  double click_rate_hz = 10.0;
  double click_width_ms = 1.0;
  float click_amplitude = 0.9f;
  double response_window_ms = 50.0;
  int block = 256;
  double audio_latency_ms = 0.0;
  std::string pulse_delay = "auto";
  std::string zmq = "auto";
  bool jack_connect = true;
  std::uint64_t seed = 1;
  std::string json;
};

// Every input block as it came (both channels) and when: preallocated for the whole run.
class LoopRecorder final : public InputTap {
 public:
  LoopRecorder(std::int64_t max_samples, int max_blocks) : line_(static_cast<std::size_t>(max_samples)), clicks_(line_.size()),
                                                          block_first_(static_cast<std::size_t>(max_blocks)), block_ns_(block_first_.size()) {}
  void capture(const float* x, int frames, int channels, std::int64_t first, std::int64_t arrival_ns) noexcept override {
    for (int i = 0; i < frames; ++i) {
      const std::int64_t n = first + i;
      if (n >= static_cast<std::int64_t>(line_.size())) break;
      clicks_[static_cast<std::size_t>(n)] = x[i * channels];
      line_[static_cast<std::size_t>(n)] = channels > 1 ? x[i * channels + 1] : 0.0f;
    }
    const int b = blocks_.load(std::memory_order_relaxed);
    if (b < static_cast<int>(block_first_.size())) {
      block_first_[static_cast<std::size_t>(b)] = first;
      block_ns_[static_cast<std::size_t>(b)] = arrival_ns;
      blocks_.store(b + 1, std::memory_order_release);
    }
    samples_.store(first + frames, std::memory_order_release);
  }
  std::int64_t samples() const { return std::min<std::int64_t>(samples_.load(std::memory_order_acquire), line_.size()); }
  // Steady-clock time of sample n: its callback's time (in and out are one callback) plus its
  // offset in that callback's block.
  double sample_ns(std::int64_t n, double fs) const {
    const int blocks = blocks_.load(std::memory_order_acquire);
    const auto it = std::upper_bound(block_first_.begin(), block_first_.begin() + blocks, n);
    if (it == block_first_.begin()) return 0.0;
    const std::size_t b = static_cast<std::size_t>(it - block_first_.begin() - 1);
    return static_cast<double>(block_ns_[b]) + (n - block_first_[b]) * 1e9 / fs;
  }
  const std::vector<float>& clicks() const { return clicks_; }
  const std::vector<float>& line() const { return line_; }

 private:
  std::vector<float> line_, clicks_;
  std::vector<std::int64_t> block_first_, block_ns_;
  std::atomic<int> blocks_{0};
  std::atomic<std::int64_t> samples_{0};
};

class BothRenderers final : public OutputRenderer {
 public:
  BothRenderers(OutputRenderer& a, OutputRenderer& b) : a_(a), b_(b) {}
  void render(float* out, int frames, int channels, std::int64_t first, std::int64_t play_ns) noexcept override {
    a_.render(out, frames, channels, first, play_ns);
    b_.render(out, frames, channels, first, play_ns);
  }

 private:
  OutputRenderer &a_, &b_;
};

// The chosen unit's spikes and every frame's timing, as the pipeline handed them out.
class SpikeLog final : public PredictionSink {
 public:
  explicit SpikeLog(int unit) : unit_(unit) {}
  void consume(const Prediction& p) override {
    frames_[p.end_sample] = {p.arrival_ns, p.arrival_ns + static_cast<std::int64_t>(p.latency_us * 1e3)};
    for (int i = 0; i < p.num_spikes; ++i)
      if (p.spikes[i].unit == unit_) spikes_.push_back({p.spikes[i].sample, p.end_sample});
  }
  struct FrameTimes { std::int64_t arrival_ns, ready_ns; };
  struct SpikeAt { std::int64_t sample, end_sample; };
  std::map<std::int64_t, FrameTimes> frames_;
  std::vector<SpikeAt> spikes_;

 private:
  int unit_;
};

// Runs the click train offline through the model and picks the unit whose mean rate rises most
// in the response window after a click, over its rate just before.
int most_click_responsive_unit(const StreamPipelineOptions& base, const LoopTestOptions& o, double fs, std::int64_t period) {
  AudioBuffer clicks;
  clicks.sample_rate_hz = fs;
  const int count = 40;
  clicks.samples.assign(static_cast<std::size_t>(period * (count + 1)), 0.0f);
  ClickTrain train(0, period / 2, period, count, std::max(1, static_cast<int>(std::lround(o.click_width_ms * 1e-3 * fs))), o.click_amplitude);
  train.render(clicks.samples.data(), static_cast<int>(clicks.samples.size()), 1, 0, 0);
  StreamPipelineOptions po = base;
  po.spikes = false;
  StreamPipeline offline(po);
  FileSource source(std::move(clicks), Pacing::kAsFastAsPossible);
  struct Rates final : PredictionSink {
    std::vector<std::vector<float>> rows;
    std::vector<std::int64_t> ends;
    void consume(const Prediction& p) override {
      rows.emplace_back(p.rates, p.rates + units);
      ends.push_back(p.end_sample);
    }
    int units = 0;
  } rates;
  rates.units = offline.model_config().num_units;
  offline.add_sink(rates);
  offline.run(source);
  std::vector<double> gain(static_cast<std::size_t>(rates.units), 0.0);
  const std::int64_t window = static_cast<std::int64_t>(o.response_window_ms * 1e-3 * fs);
  for (std::size_t f = 0; f < rates.rows.size(); ++f) {
    const std::int64_t since = (rates.ends[f] - period / 2) % period;  // samples since the last click
    if (rates.ends[f] < period) continue;  // the first click's onset transient of the model's state
    const double sign = since < window ? 1.0 : (since >= period - window ? -1.0 : 0.0);
    for (int u = 0; u < rates.units; ++u) gain[static_cast<std::size_t>(u)] += sign * std::max(0.0f, rates.rows[f][static_cast<std::size_t>(u)]);
  }
  return static_cast<int>(std::max_element(gain.begin(), gain.end()) - gain.begin());
}

// Starts `args` with this process's environment plus `extra_env` ("NAME=value" entries).
std::int64_t run_child(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (const auto& e : extra_env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
  return pid;
}

int wait_child(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  int n = 0;
};
Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  p.n = static_cast<int>(v.size());
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) { return v[static_cast<std::size_t>(std::min<double>(v.size() - 1, std::floor(q * (v.size() - 1) + 0.5)))]; };
  p.p50 = at(0.5);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}
double median(std::vector<double> v) { return percentiles(std::move(v)).p50; }

// Where to start looking for a pulse expected at `expect`: 2 ms before it.
std::int64_t from_of(std::int64_t expect, double fs) { return expect - static_cast<std::int64_t>(0.002 * fs); }

std::string self_path() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot find statenet's own path (/proc/self/exe) to start the subscriber");
  return std::string(buf, static_cast<std::size_t>(n));
}

void run_loop_test(const LoopTestOptions& o) {
  if (o.clicks < 2) throw std::runtime_error("--clicks " + std::to_string(o.clicks) + ": expected ≥ 2");
  if (!(o.click_rate_hz > 0 && o.click_rate_hz <= 100)) throw std::runtime_error("--click-rate-hz: expected in (0, 100]");
  if (!(o.response_window_ms > 0) || o.response_window_ms * 1e-3 * o.click_rate_hz >= 1.0)
    throw std::runtime_error("--window-ms: expected > 0 and shorter than the clicks' period");
  StreamPipelineOptions po;
  po.model_path = o.model;
  po.block_samples = o.block;
  po.spikes = true;
  po.spike_options.seed = o.seed;
  StreamPipeline pipeline(po);
  const double fs = std::round(pipeline.sample_rate_hz());
  const std::int64_t period = std::llround(fs / o.click_rate_hz);
  const int num_units = pipeline.model_config().num_units;
  const int unit = o.unit >= 0 ? o.unit : most_click_responsive_unit(po, o, pipeline.sample_rate_hz(), period);
  if (unit >= num_units) throw std::runtime_error("--unit " + std::to_string(unit) + ": the model has " + std::to_string(num_units) + " units");

  // Clicks start after 0.5 s (the server's ports are connected by then) and the run ends 0.5 s
  // after the last one.
  const std::int64_t lead = static_cast<std::int64_t>(0.5 * fs);
  ClickTrain clicks(0, lead, period, o.clicks, std::max(1, static_cast<int>(std::lround(o.click_width_ms * 1e-3 * fs))), o.click_amplitude);
  const double run_s = (clicks.end_sample() + lead) / fs;
  PulseTrainOptions pulse_options;
  pulse_options.clock = PulseClock::kSample;
  pulse_options.num_channels = 2;
  pulse_options.channel_of_unit.assign(static_cast<std::size_t>(num_units), -1);
  pulse_options.channel_of_unit[static_cast<std::size_t>(unit)] = 1;
  pulse_options.delay_ms = parse_pulse_delay_ms(o.pulse_delay, automatic_pulse_delay_ms(pipeline.frame_period_s(), o.block, fs, 0.0));
  PulseTrain pulses(pulse_options, num_units, pipeline.sample_rate_hz());
  BothRenderers renderers(clicks, pulses);
  const std::int64_t capacity = static_cast<std::int64_t>((run_s + 2.0) * fs);
  LoopRecorder recorder(capacity, static_cast<int>(capacity / std::max(1, o.block / 4) + 16));

  MicrophoneOptions m;
  m.device = o.device;
  m.sample_rate_hz = fs;
  m.block_samples = o.block;
  m.input_channels = 2;
  m.tap = &recorder;
  m.output_channels = 2;
  m.renderer = &renderers;
  m.suggested_latency_s = o.audio_latency_ms / 1e3;
  Microphone device(m);

  // A folder of the run's own for the ipc socket and the subscriber's log, removed at the end
  // whatever happens (declared before the publisher: removed after it closes).
  char dir_template[] = "/tmp/statenet-loop-XXXXXX";
  if (!::mkdtemp(dir_template)) throw std::runtime_error("cannot create a folder in /tmp for the loop test");
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } run_dir{dir_template};
  const std::string endpoint = o.zmq == "auto" ? "ipc://" + run_dir.path + "/zmq" : o.zmq;
  const std::string log_path = run_dir.path + "/spikes.log";
  ZmqPublisherOptions zo;
  zo.endpoint = endpoint;
  zo.wait_for_subscribers = 1;
  ZmqPublisher zmq(zo);
  const pid_t subscriber =
      static_cast<pid_t>(run_child({self_path(), "zmq-spike-log", endpoint, std::to_string(unit), log_path, std::to_string(::getpid())},
                                   {"STATENET_NO_SUPERVISOR=1"}));  // in-process, so that its PDEATHSIG ties it to us
  if (subscriber <= 0) throw std::runtime_error("cannot start the subscriber process");
  struct Reap {  // whatever happens, the subscriber does not outlive the test
    pid_t pid;
    ~Reap() {
      if (pid > 0) ::kill(pid, SIGKILL), wait_child(pid);
    }
  } reap{subscriber};

  SpikeLog spike_log(unit);
  pipeline.add_sink(pulses);
  pipeline.add_sink(zmq);
  pipeline.add_sink(spike_log);
  std::printf("loop test on '%s' (%s), %d clicks at %.1f Hz, unit %d (%s), %.0f Hz, blocks of %d; pulse delay %.2f ms; ZeroMQ %s\n",
              device.device_name().c_str(), device.host_api().c_str(), o.clicks, o.click_rate_hz, unit,
              pipeline.info(device).unit_names[static_cast<std::size_t>(unit)].c_str(), fs, o.block,
              pulses.delay_samples() * 1e3 / fs, endpoint.c_str());
  std::fflush(stdout);

  // On JACK the ports are wired once the stream runs: out_0 → in_0 (clicks), out_1 → in_1 (pulses).
  std::thread wiring;
  std::atomic<bool> wired{device.host_api().find("JACK") == std::string::npos || !o.jack_connect};
  std::atomic<bool> finished{false};  // the run is over (or failed): helper threads give up
  if (!wired) {
    wiring = std::thread([&] {
      while (device.blocks() == 0)
        if (finished) return;
        else std::this_thread::sleep_for(std::chrono::milliseconds(5));
      for (const char* c : {"jack_disconnect system:capture_1 PortAudio:in_0", "jack_disconnect system:capture_2 PortAudio:in_1",
                            "jack_connect PortAudio:out_0 PortAudio:in_0", "jack_connect PortAudio:out_1 PortAudio:in_1"}) {
        const std::string quiet = std::string(c) + " >/dev/null 2>&1";
        if (std::system(quiet.c_str()) != 0 && std::strstr(c, "jack_connect")) return;
      }
      wired = true;
    });
  }
  const std::int64_t progress_every = std::max<std::int64_t>(1, static_cast<std::int64_t>(fs * 5));
  struct Progress final : PredictionSink {
    std::int64_t every, next;
    double total_s, fs;
    void consume(const Prediction& p) override {
      if (p.end_sample >= next) {
        std::fprintf(stderr, "\r  %.0f / %.0f s", p.end_sample / fs, total_s);
        next += every;
      }
    }
  } progress;
  progress.every = progress.next = progress_every;
  progress.total_s = run_s;
  progress.fs = fs;
  pipeline.add_sink(progress);
  // The run ends once the recorder holds the whole train and its tail.
  // A device that stalls ends the run 10 s after it should have ended.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(run_s + 10.0);
  std::thread stopper([&] {
    while (!finished && recorder.samples() < static_cast<std::int64_t>(run_s * fs) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pipeline.stop();
  });
  StreamSummary summary;
  g_running = &pipeline;
  auto previous_int = std::signal(SIGINT, on_loop_test_interrupt);
  auto previous_term = std::signal(SIGTERM, on_loop_test_interrupt);
  const auto restore_signals = [&] {
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    g_running = nullptr;
  };
  try {
    summary = pipeline.run(device);
    restore_signals();
  } catch (...) {
    restore_signals();
    finished = true;
    pipeline.stop();
    stopper.join();
    if (wiring.joinable()) wiring.join();
    throw;
  }
  finished = true;
  stopper.join();
  if (wiring.joinable()) wiring.join();
  std::fprintf(stderr, "\n");
  if (g_interrupted) std::printf("interrupted after %.1f s: the clicks so far\n", recorder.samples() / fs);
  else if (recorder.samples() < static_cast<std::int64_t>(run_s * fs))
    throw std::runtime_error("the device delivered " + std::to_string(recorder.samples() / fs) + " s of the run's " + std::to_string(run_s) +
                             " s: it stalled");
  if (!wired) throw std::runtime_error("could not connect the JACK ports (jack_connect PortAudio:out_0 PortAudio:in_0 failed)");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last messages reach the subscriber
  ::kill(subscriber, SIGTERM);
  const int sub_status = wait_child(subscriber);
  reap.pid = -1;
  if (sub_status != 0) throw std::runtime_error("the subscriber process failed (exit " + std::to_string(sub_status) + ")");
  struct Received { std::int64_t recv_ns, publish_ns; };
  std::map<std::int64_t, Received> received;  // by spike sample
  {
    std::ifstream in(log_path);
    std::int64_t sample, recv_ns, publish_ns;
    while (in >> sample >> recv_ns >> publish_ns) received.emplace(sample, Received{recv_ns, publish_ns});
  }

  // Per click: where it came back, its first spike, that spike's pulse and message.
  const std::vector<float>& back = recorder.clicks();
  const std::vector<float>& line = recorder.line();
  const std::int64_t recorded = recorder.samples();
  const float threshold = 0.5f * o.click_amplitude;
  const std::int64_t window = static_cast<std::int64_t>(o.response_window_ms * 1e-3 * fs);
  std::vector<double> loop_ms, response_ms, close_ms, compute_ms, transport_ms, pulse_total_ms, zmq_total_ms, line_loop_ms;
  std::vector<double> zmq_system_ms;  // (b) less the neuron's own response: the system's share
  int no_return = 0, no_spike = 0, no_pulse = 0, no_message = 0;
  int pulse_exact = 0;  // pulses back after exactly their click's loop (±1 sample): at spike + delay
  std::size_t next_spike = 0;
  const auto& spikes = spike_log.spikes_;
  int played = 0;  // clicks whose whole period was recorded (all, unless interrupted)
  while (played < o.clicks && clicks.click_sample(played) + period <= recorded) ++played;
  for (int k = 0; k < played; ++k) {
    const std::int64_t c = clicks.click_sample(k);
    std::int64_t a = -1;  // the click's first sample back on input channel 0
    for (std::int64_t n = c; n < std::min(c + period, recorded); ++n)
      if (std::fabs(back[static_cast<std::size_t>(n)]) >= threshold) {
        a = n;
        break;
      }
    if (a < 0) { ++no_return; continue; }
    while (next_spike < spikes.size() && spikes[next_spike].sample < a) ++next_spike;
    if (next_spike >= spikes.size() || spikes[next_spike].sample >= a + window) { ++no_spike; continue; }
    const auto& s = spikes[next_spike];
    loop_ms.push_back((a - c) * 1e3 / fs);
    response_ms.push_back((s.sample - a) * 1e3 / fs);
    close_ms.push_back((s.end_sample - s.sample) * 1e3 / fs);
    // (a) the pulse: written at output sample q, it comes back through the same loop as the
    // click; where it is not exactly there, the line's first rising edge from 2 ms before that
    // (an earlier spike's pulse, still on its way back, must not be taken for it)
    const std::int64_t q = s.sample + pulses.delay_samples();
    const float half = 0.5f * pulse_options.amplitude;
    const auto high = [&](std::int64_t n) { return n >= 0 && n < recorded && line[static_cast<std::size_t>(n)] >= half; };
    // Exact: the line is high over the pulse's whole span where this click's loop brings it
    // back (q + loop), and it rose there ±1 sample — unless an earlier spike's pulse, within a
    // pulse width before, was still high (the two merge; no edge to see).
    const std::int64_t expect = q + (a - c), width = pulses.width_samples();
    bool exact = expect + width < recorded;
    for (std::int64_t n = expect + 1; exact && n < expect + width - 1; ++n) exact = high(n);
    const bool merged = next_spike > 0 && spikes[next_spike - 1].sample >= s.sample - width - 2;
    exact = exact && (!high(expect - 2) || merged);
    std::int64_t p = exact ? expect : -1;
    for (std::int64_t n = std::max<std::int64_t>(from_of(expect, fs), 1); p < 0 && n < std::min(expect + period, recorded); ++n)
      if (high(n) && !high(n - 1)) p = n;
    if (p < 0) ++no_pulse;
    else {
      pulse_total_ms.push_back((p - c) * 1e3 / fs);
      line_loop_ms.push_back((p - q) * 1e3 / fs);
      pulse_exact += exact;
    }
    // (b) the message, against the host time the click was handed to the server
    const auto r = received.find(s.sample);
    const auto f = spike_log.frames_.find(s.end_sample);
    if (r == received.end() || f == spike_log.frames_.end()) { ++no_message; continue; }
    const double click_ns = recorder.sample_ns(c, fs);
    zmq_total_ms.push_back((r->second.recv_ns - click_ns) / 1e6);
    zmq_system_ms.push_back(zmq_total_ms.back() - response_ms.back());
    compute_ms.push_back((f->second.ready_ns - f->second.arrival_ns) / 1e6);
    transport_ms.push_back((r->second.recv_ns - f->second.ready_ns) / 1e6);
  }
  const auto line_of = [](const char* what, const Percentiles& p) {
    std::printf("  %-44s p50 %8.3f ms · p99 %8.3f ms · max %8.3f ms  (n = %d)\n", what, p.p50, p.p99, p.max, p.n);
  };
  const Percentiles pa = percentiles(pulse_total_ms), pb = percentiles(zmq_total_ms), pbs = percentiles(zmq_system_ms);
  std::printf("clicks %d: %d came back, %d with a spike of unit %d within %.0f ms; %d pulses not found, %d messages not received;\n"
              "  %d pulses at their spike's sample + the delay (±1 sample, after the same loop as their click)\n",
              played, played - no_return, played - no_return - no_spike, unit, o.response_window_ms, no_pulse, no_message, pulse_exact);
  line_of("(a) click out → pulse back on the line", pa);
  line_of("(b) click out → ZeroMQ message received", pb);
  line_of("(b) less the neuron's response (the system)", pbs);
  std::printf("budget (medians): audio loop (out + in, per click) %.3f ms · neuron's response (model + Poisson) %.3f ms\n"
              "  · wait for the frame to close %.3f ms · compute + hand-off %.3f ms · transport %.3f ms\n"
              "  · pulse line: fixed delay %.3f ms + its loop back %.3f ms\n"
              "  device: input latency %.3f ms, output latency %.3f ms (PortAudio); front end: window %.2f ms, hop %.2f ms\n",
              median(loop_ms), median(response_ms), median(close_ms), median(compute_ms), median(transport_ms),
              pulses.delay_samples() * 1e3 / fs, median(line_loop_ms), device.input_latency_s() * 1e3, device.output_latency_s() * 1e3,
              summary.window_s * 1e3, pipeline.frame_period_s() * 1e3);
  std::printf("pulse line: %lld pulses, %lld late (up to %.3f ms), %lld dropped; headroom %.3f ms · zmq dropped %lld · input drops %lld · underflows %lld\n",
              static_cast<long long>(pulses.scheduled()), static_cast<long long>(pulses.late()), pulses.max_lateness_samples() * 1e3 / fs,
              static_cast<long long>(pulses.dropped()), pulses.scheduled() ? pulses.min_slack_samples() * 1e3 / fs : 0.0,
              static_cast<long long>(zmq.dropped()), static_cast<long long>(summary.counts.dropped_input_blocks),
              static_cast<long long>(device.output_underflows()));
  if (!o.json.empty()) {
    std::ostringstream j;
    const auto pj = [&](const char* name, const Percentiles& p) {
      j << "\"" << name << "\": {\"p50_ms\": " << p.p50 << ", \"p99_ms\": " << p.p99 << ", \"max_ms\": " << p.max << ", \"n\": " << p.n << "}";
    };
    j << "{\"device\": \"" << device.device_name() << "\", \"host_api\": \"" << device.host_api() << "\", \"block\": " << o.block
      << ", \"sample_rate_hz\": " << fs << ", \"clicks\": " << played << ", \"unit\": " << unit << ", ";
    pj("click_to_pulse", pa);
    j << ", ";
    pj("click_to_zmq", pb);
    j << ", ";
    pj("click_to_zmq_less_response", pbs);
    j << ", \"budget_median_ms\": {\"audio_loop\": " << median(loop_ms) << ", \"response\": " << median(response_ms)
      << ", \"frame_close\": " << median(close_ms) << ", \"compute_handoff\": " << median(compute_ms) << ", \"transport\": " << median(transport_ms)
      << ", \"pulse_delay\": " << pulses.delay_samples() * 1e3 / fs << ", \"pulse_loop\": " << median(line_loop_ms) << "}"
      << ", \"pulses_exact\": " << pulse_exact << ", \"late_pulses\": " << pulses.late() << ", \"no_spike\": " << no_spike << ", \"no_pulse\": " << no_pulse
      << ", \"no_message\": " << no_message << ", \"no_return\": " << no_return << "}\n";
    write_file_atomically(o.json, j.str());
    std::printf("wrote %s\n", o.json.c_str());
  }
  if (no_return == played) throw std::runtime_error("no click came back on the input: the output is not looped into the input");
}

// The subscriber of the loop test (another process): logs "sample recv_ns publish_ns" for each
// spike of UNIT received on statenet/spikes, until SIGTERM or the loop test's end.
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_term(int) { g_stop = 1; }

void run_zmq_spike_log(const std::string& endpoint, int unit, const std::string& out_path, pid_t parent) {
  std::signal(SIGTERM, on_term);
  // Ends with the loop test even when that is killed (SIGKILL leaves it no chance to stop us).
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) return;
  void* context = zmq_ctx_new();
  void* sub = zmq_socket(context, ZMQ_SUB);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "statenet/spikes", 15);
  if (zmq_connect(sub, endpoint.c_str()) != 0) throw std::runtime_error(endpoint + ": " + zmq_strerror(zmq_errno()));
  std::vector<std::array<std::int64_t, 3>> log;
  log.reserve(1 << 20);
  static char topic[64], header[32], body[1 << 20];
  zmq_pollitem_t item{sub, 0, ZMQ_POLLIN, 0};
  while (!g_stop) {
    if (zmq_poll(&item, 1, 100) <= 0) continue;
    zmq_recv(sub, topic, sizeof topic, 0);
    zmq_recv(sub, header, sizeof header, 0);
    const std::int64_t arrived = steady_now_ns();
    const int n = zmq_recv(sub, body, sizeof body, 0);
    std::int64_t publish_ns;
    std::memcpy(&publish_ns, header + 24, 8);
    for (int i = 0; i + 20 <= n; i += 20) {
      std::int32_t u;
      std::int64_t sample;
      std::memcpy(&u, body + i, 4);
      std::memcpy(&sample, body + i + 4, 8);
      if (u == unit) log.push_back({sample, arrived, publish_ns});
    }
  }
  std::ostringstream text;
  for (const auto& e : log) text << e[0] << ' ' << e[1] << ' ' << e[2] << '\n';
  write_file_atomically(out_path, text.str());
  zmq_close(sub);
  zmq_ctx_term(context);
}

}  // namespace

void add_loop_test_command(CLI::App& app) {
  auto o = std::make_shared<LoopTestOptions>();
  auto* cmd = app.add_subcommand(
      "loop-test",
      "Measure the closed loop end to end through a real audio server: a click train out on channel 0,\n"
      "looped back into the model; each spike of one unit a pulse on channel 1, looped back too; the same\n"
      "spikes over ZeroMQ to a subscriber process. Prints click → pulse and click → message p50/p99/max\n"
      "and the budget. Needs a full-duplex device whose output comes back on its input: JACK's dummy\n"
      "driver (jackd -d dummy -r 48828 -p 256; the ports are wired here) or PulseAudio's null sink and\n"
      "its monitor. docs/closed-loop.md.");
  cmd->add_option("--model", o->model, "Exported model (.safetensors)")->capture_default_str();
  cmd->add_option("--device", o->device, "Full-duplex device (see 'statenet devices'); 'system' is PortAudio's JACK device")->capture_default_str();
  cmd->add_option("--unit", o->unit, "The unit whose spikes drive the pulse line (default: the one that answers clicks best)");
  cmd->add_option("--clicks", o->clicks, "Number of clicks")->capture_default_str()->check(CLI::Range(2, 1000000));
  cmd->add_option("--click-rate-hz", o->click_rate_hz, "Clicks per second")->capture_default_str();
  cmd->add_option("--click-width-ms", o->click_width_ms, "Click length (rectangular)")->capture_default_str();
  cmd->add_option("--window-ms", o->response_window_ms, "A click's spike is the unit's first within this long after it comes back")->capture_default_str();
  cmd->add_option("--block", o->block, "Frames per audio callback")->capture_default_str()->check(CLI::Range(1, AudioBlock::kMaxSamples));
  cmd->add_option("--audio-latency-ms", o->audio_latency_ms, "Latency asked of the device stream; 0 = its low default")->capture_default_str();
  cmd->add_option("--pulse-delay-ms", o->pulse_delay, "Spike → pulse delay; auto = a hop, two blocks and 5 ms")->capture_default_str();
  cmd->add_option("--zmq", o->zmq, "ZeroMQ endpoint; auto = an ipc:// path in /tmp")->capture_default_str();
  cmd->add_flag("!--no-jack-connect", o->jack_connect, "Do not wire the JACK ports (wire them yourself)");
  cmd->add_option("--seed", o->seed, "The spikes' seed")->capture_default_str();
  cmd->add_option("--json", o->json, "Also write the figures as JSON");
  cmd->callback([o] { run_loop_test(*o); });

  auto* log = app.add_subcommand("zmq-spike-log", "")->group("");  // the loop test's subscriber process (hidden)
  auto args = std::make_shared<std::vector<std::string>>();
  log->add_option("args", *args)->expected(4);  // endpoint, unit, log file, the loop test's pid
  log->callback([args] { run_zmq_spike_log((*args)[0], std::stoi((*args)[1]), (*args)[2], static_cast<pid_t>(std::stol((*args)[3]))); });
}

}  // namespace statenet
