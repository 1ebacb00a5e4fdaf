// Per-frame cost and real-time factor of the streaming cochleagrams, single thread.
// Input is generated before timing (the test mixture, make_mixture_s2); each iteration streams
// it through the front end in blocks of 256 samples, as an audio callback would.
//
//   build/bench/cochlea_bench --benchmark_min_time=0.5
// Counters: time_per_frame (CPU time per emitted frame, e.g. 1.2us), x_realtime (audio
// seconds processed per second of CPU time, printed as N/s).

#include <benchmark/benchmark.h>
#include <fftw3.h>

#include <memory>

#include "audio/test_signals.h"
#include "cochlea/pruned_real_dft.h"
#include "cochlea/presets.h"

namespace {

using namespace statenet;

class CountingSink final : public FrameSink {
 public:
  void on_frame(std::int64_t, const float* bands) noexcept override {
    ++frames;
    benchmark::DoNotOptimize(bands[0]);
  }
  std::int64_t frames = 0;
};

void run(benchmark::State& state, FrontEnd& fe, double seconds) {
  const AudioBuffer audio = make_mixture_s2(seconds, fe.sample_rate_hz());
  const std::size_t block = 256;
  CountingSink sink;
  std::int64_t frames_per_pass = 0;
  for (auto _ : state) {
    fe.reset();
    const std::int64_t before = sink.frames;
    for (std::size_t i = 0; i < audio.samples.size(); i += block) {
      fe.process(audio.samples.data() + i, std::min(block, audio.samples.size() - i), sink);
    }
    frames_per_pass = sink.frames - before;
  }
  state.counters["time_per_frame"] = benchmark::Counter(
      static_cast<double>(frames_per_pass), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["x_realtime"] = benchmark::Counter(audio.duration_s(), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["frames"] = static_cast<double>(frames_per_pass);
}

void BM_Preset(benchmark::State& state, const std::string& name) {
  auto fe = make_front_end(cochleagram_preset(name));
  run(state, *fe, 2.0);
}

// Log-mel frames of common sizes (1 ms hop).
void BM_LogMel(benchmark::State& state) {
  StftCochleagramOptions o;
  o.sample_rate_hz = static_cast<double>(state.range(0));
  o.window_samples = static_cast<int>(state.range(1));
  o.n_fft = 0;  // next power of two
  o.hop_ms = 1.0;
  o.window = WindowType::kHannPeriodic;
  o.spectrum = Spectrum::kPower;
  o.filterbank.num_bands = static_cast<int>(state.range(2));
  o.compression = {CompressionKind::kLn, 1e-10};
  StftCochleagram fe(o);
  run(state, fe, 2.0);
  state.SetLabel("n_fft " + std::to_string(fe.n_fft()));
}

void BM_Gammatone(benchmark::State& state) {
  GammatoneOptions o;
  o.sample_rate_hz = static_cast<double>(state.range(0));
  o.num_channels = static_cast<int>(state.range(1));
  o.f_min_hz = 50.0;
  o.window_ms = 10.0;
  o.hop_ms = 5.0;
  o.compression = {CompressionKind::kDecibel, 1e-10};
  GammatoneCochleagram fe(o);
  run(state, fe, 1.0);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Preset, ns1, std::string("ns1"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, ns1_mel, std::string("ns1-mel"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, aa1, std::string("aa1"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, nat4, std::string("nat4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, wehr, std::string("wehr"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, asari, std::string("asari"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Preset, gammatone64, std::string("gammatone64"))->Unit(benchmark::kMillisecond);
// sample rate, window samples, bands
BENCHMARK(BM_LogMel)
    ->Args({16000, 400, 64})
    ->Args({32000, 512, 32})
    ->Args({44100, 441, 64})
    ->Args({48000, 1024, 128})
    ->Unit(benchmark::kMillisecond);
// sample rate, channels
BENCHMARK(BM_Gammatone)->Args({16000, 64})->Args({48000, 32})->Args({48000, 64})->Args({48000, 128})->Unit(benchmark::kMillisecond);

// The ns1 transform: FFTW's real FFT of a frame of 488 samples zero-padded to n points, by
// planner flag (0 ESTIMATE, 1 MEASURE, 2 PATIENT), against the pruned transform of the same
// frame (cochlea/pruned_real_dft.h) that the ns1 preset uses.
void BM_FftwRealFft(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const unsigned flags[] = {FFTW_ESTIMATE, FFTW_MEASURE, FFTW_PATIENT};
  float* in = fftwf_alloc_real(n);
  fftwf_complex* out = fftwf_alloc_complex(n / 2 + 1);
  fftwf_plan plan = fftwf_plan_dft_r2c_1d(n, in, out, flags[state.range(1)]);
  for (int i = 0; i < n; ++i) in[i] = i < 488 ? static_cast<float>(i % 7) * 0.1f : 0.0f;
  for (auto _ : state) {
    fftwf_execute(plan);
    benchmark::DoNotOptimize(out);
  }
  fftwf_destroy_plan(plan);
  fftwf_free(in);
  fftwf_free(out);
}
BENCHMARK(BM_FftwRealFft)->ArgNames({"n", "flag"})->Args({1952, 0})->Args({1952, 1})->Args({1952, 2})->Args({2048, 1});

void BM_PrunedRealDft(benchmark::State& state) {
  PrunedRealDft dft(1952, 488);
  std::vector<float> in(488), out(2 * 977);
  for (int i = 0; i < 488; ++i) in[i] = static_cast<float>(i % 7) * 0.1f;
  for (auto _ : state) {
    dft.execute(in.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PrunedRealDft);

BENCHMARK_MAIN();
