#include "cochlea/stft_cochleagram.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace statenet {
namespace {

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw std::invalid_argument("cochleagram option '" + field + "': " + what);
}

int next_power_of_two(int n) {
  int p = 1;
  while (p < n) p *= 2;
  return p;
}

}  // namespace

std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

StftCochleagram::StftCochleagram(const StftCochleagramOptions& o) : StftCochleagram(Unconfigured{}) {
  options_ = o;
  const double fs = o.sample_rate_hz;
  if (!(fs > 0)) bad("sample_rate_hz", "must be positive");
  window_len_ = o.window_samples > 0 ? o.window_samples
                                     : static_cast<int>(std::lround(o.window_ms * fs / 1000.0));
  if (window_len_ < 2) bad("window_ms", "gives fewer than 2 samples");
  // hop_ms·fs/1000 keeps exact binary fractions exact (5 · 48828.125 / 1000 = 244.140625).
  hop_samples_ = o.hop_ms * fs / 1000.0;
  if (!(hop_samples_ >= 1.0)) bad("hop_ms", "must be at least one sample");
  n_fft_ = o.n_fft > 0 ? o.n_fft : next_power_of_two(window_len_);
  if (n_fft_ < window_len_) {
    bad("n_fft", std::to_string(n_fft_) + " is shorter than the window (" +
                     std::to_string(window_len_) + " samples)");
  }
  compress_ = Compressor(o.compression, o.spectrum == Spectrum::kPower);
  const std::vector<double> w = make_window(o.window, window_len_);
  window_.assign(w.begin(), w.end());

  if (o.analysis == SpectralAnalysis::kFftFilterbank) {
    filterbank_ = make_filterbank(o.filterbank, fs, n_fft_);
    sparse_ = SparseFilterbank(filterbank_);
    centres_hz_ = filterbank_.centres_hz;
    num_bands_ = filterbank_.num_bands;
    {
      std::lock_guard<std::mutex> lock(fftw_planner_mutex());
      fft_in_ = fftwf_alloc_real(static_cast<std::size_t>(n_fft_));
      fft_out_ = reinterpret_cast<float*>(fftwf_alloc_complex(static_cast<std::size_t>(n_fft_ / 2 + 1)));
      if (!PrunedRealDft::worthwhile(n_fft_, window_len_))
        plan_ = fftwf_plan_dft_r2c_1d(n_fft_, fft_in_, reinterpret_cast<fftwf_complex*>(fft_out_), FFTW_MEASURE);
    }
    // Heavy zero padding to an awkward size (recipe C: 488 samples in 1952 = 32·61): the
    // pruned transform, 1.5× faster than FFTW's there (pruned_real_dft.h).
    if (PrunedRealDft::worthwhile(n_fft_, window_len_)) pruned_ = std::make_unique<PrunedRealDft>(n_fft_, window_len_);
    else if (!plan_) bad("n_fft", "FFTW could not plan a transform of size " + std::to_string(n_fft_));
    spectrum_.assign(static_cast<std::size_t>(n_fft_ / 2 + 1), 0.0f);
  } else {
    const FilterbankOptions& f = o.filterbank;
    if (f.scale != FrequencyScale::kLogFrequency) bad("filterbank.scale", "a direct DFT needs log-frequency bands");
    if (f.num_bands <= 0) bad("filterbank.num_bands", "must be positive");
    if (!(f.f_min_hz > 0) || !(f.bands_per_octave > 0)) bad("filterbank.f_min_hz", "must be positive");
    num_bands_ = f.num_bands;
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    dft_cos_.resize(static_cast<std::size_t>(num_bands_) * window_len_);
    dft_sin_.resize(dft_cos_.size());
    for (int b = 0; b < num_bands_; ++b) {
      const double f_hz = f.f_min_hz * std::exp2(b / f.bands_per_octave);
      centres_hz_.push_back(f_hz);
      for (int i = 0; i < window_len_; ++i) {
        const double phase = kTwoPi * f_hz * i / fs;
        dft_cos_[static_cast<std::size_t>(b) * window_len_ + i] = static_cast<float>(w[i] * std::cos(phase));
        dft_sin_[static_cast<std::size_t>(b) * window_len_ + i] = static_cast<float>(w[i] * std::sin(phase));
      }
    }
    fft_in_ = fftwf_alloc_real(static_cast<std::size_t>(window_len_));
  }
  for (double c : centres_hz_) {
    if (!(c < fs / 2)) {
      bad("filterbank", "band centre " + std::to_string(c) + " Hz is not below the Nyquist frequency " +
                            std::to_string(fs / 2) + " Hz");
    }
  }
  bands_.assign(static_cast<std::size_t>(num_bands_), 0.0f);
  ring_.assign(static_cast<std::size_t>(window_len_), 0.0f);
  reset();
}

StftCochleagram::~StftCochleagram() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (plan_) fftwf_destroy_plan(static_cast<fftwf_plan>(plan_));
  fftwf_free(fft_in_);
  fftwf_free(fft_out_);
}

void StftCochleagram::reset() noexcept {
  std::fill(ring_.begin(), ring_.end(), 0.0f);
  ring_pos_ = 0;
  consumed_ = 0;
  next_frame_ = 0;
  next_end_ = frame_end_sample(0, hop_samples_);
  if (fft_in_) std::fill(fft_in_, fft_in_ + (plan_ ? n_fft_ : window_len_), 0.0f);
}

void StftCochleagram::process(const float* x, std::size_t n, FrameSink& sink) noexcept {
  const std::size_t N = ring_.size();
  while (n > 0) {
    const std::size_t take = std::min<std::size_t>(n, static_cast<std::size_t>(next_end_ - consumed_));
    // Only the last N samples of this chunk can reach the ring.
    const std::size_t skip = take > N ? take - N : 0;
    const float* src = x + skip;
    std::size_t left = take - skip;
    ring_pos_ = (ring_pos_ + skip) % N;
    while (left > 0) {
      const std::size_t run = std::min(left, N - ring_pos_);
      std::memcpy(ring_.data() + ring_pos_, src, run * sizeof(float));
      src += run;
      left -= run;
      ring_pos_ = (ring_pos_ + run) % N;
    }
    consumed_ += static_cast<std::int64_t>(take);
    x += take;
    n -= take;
    if (consumed_ == next_end_) {
      compute_frame();
      sink.on_frame(next_frame_, bands_.data());
      ++next_frame_;
      next_end_ = frame_end_sample(next_frame_, hop_samples_);
    }
  }
}

void StftCochleagram::compute_frame() noexcept {
  // Oldest sample sits at ring_pos_ (the slot the next sample would overwrite).
  const std::size_t N = ring_.size();
  const std::size_t first = N - ring_pos_;
  for (std::size_t i = 0; i < first; ++i) fft_in_[i] = window_[i] * ring_[ring_pos_ + i];
  for (std::size_t i = first; i < N; ++i) fft_in_[i] = window_[i] * ring_[i - first];

  if (plan_ || pruned_) {
    if (pruned_) pruned_->execute(fft_in_, fft_out_);
    else fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan_), fft_in_, reinterpret_cast<fftwf_complex*>(fft_out_));
    const std::size_t bins = spectrum_.size();
    const bool power = options_.spectrum == Spectrum::kPower;
    for (std::size_t k = 0; k < bins; ++k) {
      const float re = fft_out_[2 * k], im = fft_out_[2 * k + 1];
      const float p = re * re + im * im;
      spectrum_[k] = power ? p : std::sqrt(p);
    }
    sparse_.apply(spectrum_.data(), bands_.data());
  } else {
    const bool power = options_.spectrum == Spectrum::kPower;
    for (int b = 0; b < num_bands_; ++b) {
      const float* c = dft_cos_.data() + static_cast<std::size_t>(b) * N;
      const float* s = dft_sin_.data() + static_cast<std::size_t>(b) * N;
      float re = 0.0f, im = 0.0f;
      for (std::size_t i = 0; i < N; ++i) {
        re += c[i] * fft_in_[i];
        im += s[i] * fft_in_[i];
      }
      const float p = re * re + im * im;
      bands_[b] = power ? p : std::sqrt(p);
    }
  }
  for (auto& v : bands_) v = compress_(v);
}

std::string StftCochleagram::describe() const {
  const auto& o = options_;
  std::ostringstream s;
  s.precision(10);
  s << "stft fs=" << o.sample_rate_hz << "Hz window=" << window_len_ << "(" << to_string(o.window)
    << ") hop=" << hop_samples_ << " samples";
  if (o.analysis == SpectralAnalysis::kFftFilterbank) {
    s << " n_fft=" << n_fft_ << " " << (o.spectrum == Spectrum::kPower ? "power" : "magnitude") << " "
      << to_string(o.filterbank.scale) << " bands=" << num_bands_ << " f_min=" << o.filterbank.f_min_hz << "Hz";
    if (o.filterbank.scale == FrequencyScale::kLogFrequency)
      s << " per_octave=" << o.filterbank.bands_per_octave;
    else
      s << " f_max=" << (o.filterbank.f_max_hz > 0 ? o.filterbank.f_max_hz : o.sample_rate_hz / 2) << "Hz";
    s << " triangles=" << to_string(o.filterbank.triangle_domain)
      << " norm=" << to_string(o.filterbank.normalisation);
  } else {
    s << " direct-dft " << (o.spectrum == Spectrum::kPower ? "power" : "magnitude") << " bands=" << num_bands_
      << " f_min=" << o.filterbank.f_min_hz << "Hz per_octave=" << o.filterbank.bands_per_octave;
  }
  s << " compression=" << to_string(o.compression.kind) << " floor=" << o.compression.floor;
  return s.str();
}

}  // namespace statenet
