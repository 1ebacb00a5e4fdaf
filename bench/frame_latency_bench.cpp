// Where the whole-frame latency's tail comes from (issue 6): the ns1 front end and the NS1
// StateNet-GRU step, frame by frame in ONE thread (no queue, no consumer thread), each
// frame timed with steady_clock. Counters p50/p99/p999/max in µs, and over_30us_pct: the
// share of frames over 30 µs (hit by an interruption on our VM):
//   FrameLatency/frontend_and_step  61-sample blocks until a frame completes → the step (ftz:1 = with
//                                   flush-to-zero and denormals-are-zero set: denormals ruled out)
//   FrameLatency/frontend_only      the same blocks through the front end alone
//   FrameLatency/step_only          the model step alone on precomputed frames
//   FrameLatency/clock_only         two clock reads back to back (the machine's own jitter)
//   FrameLatency/spikes_only        Poisson spikes of 73 units from one frame's rates (mean time)
// Compare with `statenet stream --fast --latency-json` (the threaded pipeline).

#include <benchmark/benchmark.h>

#include <xmmintrin.h>

#include <chrono>
#include <memory>

#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "stream/latency_histogram.h"
#include "step/step_model.h"
#include "stream/spike_generator.h"

namespace {

using namespace statenet;
using Clock = std::chrono::steady_clock;

std::int64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

// The histogram plus the share of records hit by an interruption (on our VM the tail starts
// near 30 µs).
struct Latencies {
  LatencyHistogram histogram;
  std::int64_t over_30us = 0;
  void record(std::int64_t ns) {
    histogram.record(ns);
    over_30us += ns > 30000;
  }
};

void report(benchmark::State& state, const Latencies& l) {
  const LatencyHistogram& h = l.histogram;
  state.counters["p50_us"] = h.quantile_ns(0.5) / 1e3;
  state.counters["p99_us"] = h.quantile_ns(0.99) / 1e3;
  state.counters["p999_us"] = h.quantile_ns(0.999) / 1e3;
  state.counters["max_us"] = h.max_ns() / 1e3;
  state.counters["over_30us_pct"] = 100.0 * l.over_30us / std::max<std::int64_t>(h.count(), 1);
}

// Marks each completed frame and steps the model on it (no model: the front end alone).
struct StepSink final : FrameSink {
  StepModel* model = nullptr;
  float rates[512];
  bool got = false;
  void on_frame(std::int64_t, const float* bands) noexcept override {
    if (model) model->step(bands, rates);
    got = true;
  }
};

// Feeds the demo sound in 61-sample blocks until a frame completes; times the block that
// completes it (front end, plus the step when `model` is given).
void time_frames(benchmark::State& state, StepModel* model) {
  const CochleagramPreset preset = cochleagram_preset("ns1");
  auto front_end = make_front_end(preset);
  const AudioBuffer audio = make_demo_sound(preset.sample_rate_hz());
  StepSink sink;
  sink.model = model;
  Latencies h;
  std::size_t pos = 0;
  constexpr std::size_t kBlock = 61;
  for (auto _ : state) {
    sink.got = false;
    while (!sink.got) {
      if (pos + kBlock > audio.samples.size()) pos = 0;
      const auto t0 = Clock::now();
      front_end->process(audio.samples.data() + pos, kBlock, sink);
      const auto t1 = Clock::now();
      pos += kBlock;
      if (sink.got) h.record(ns_between(t0, t1));
    }
  }
  report(state, h);
}

void FrontendAndStep(benchmark::State& state) {
  const unsigned csr = _mm_getcsr();
  if (state.range(0)) _mm_setcsr(csr | 0x8040);  // FTZ | DAZ: denormals as zero
  auto model = load_step_model(STATENET_DEMO_MODEL_PATH);
  time_frames(state, model.get());
  _mm_setcsr(csr);
}

void FrontendOnly(benchmark::State& state) { time_frames(state, nullptr); }

void StepOnly(benchmark::State& state) {
  auto model = load_step_model(STATENET_DEMO_MODEL_PATH);
  std::vector<float> frame(model->num_bands(), -30.0f), rates(model->num_units());
  Latencies h;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    model->step(frame.data(), rates.data());
    const auto t1 = Clock::now();
    h.record(ns_between(t0, t1));
    frame[0] = rates[0];  // a dependency, so the step cannot be hoisted
  }
  report(state, h);
}

void ClockOnly(benchmark::State& state) {
  Latencies h;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    h.record(ns_between(t0, t1));
  }
  report(state, h);
}

// Spikes for the NS1 population's 73 units from one frame of rates (5 ms), at a mean rate of
// state.range(0) spikes/s per unit (NS1's units fire 12/s on average), beside the step above.
void SpikesOnly(benchmark::State& state) {
  constexpr int kUnits = 73;
  constexpr double kFs = 48828.125, kDt = 0.005;
  SpikeGenerator g(kUnits, {1, 0.001, 16});
  std::vector<Spike> out(g.capacity());
  std::vector<float> rates(kUnits);
  for (int u = 0; u < kUnits; ++u) rates[u] = static_cast<float>(state.range(0) * (0.5 + u / double(kUnits)));
  std::int64_t t = 0, spikes = 0;
  for (auto _ : state) {
    spikes += g.process(rates.data(), t * kDt, (t + 1) * kDt, kFs, out.data());
    ++t;
  }
  state.counters["spikes_per_frame"] = static_cast<double>(spikes) / t;
}

BENCHMARK(FrontendAndStep)->Name("FrameLatency/frontend_and_step")->ArgName("ftz")->Arg(0)->Arg(1)->Iterations(200000);
BENCHMARK(FrontendOnly)->Name("FrameLatency/frontend_only")->Iterations(200000);
BENCHMARK(StepOnly)->Name("FrameLatency/step_only")->Iterations(1000000);
BENCHMARK(ClockOnly)->Name("FrameLatency/clock_only")->Iterations(2000000);
BENCHMARK(SpikesOnly)->Name("FrameLatency/spikes_only")->ArgName("hz")->Arg(12)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
