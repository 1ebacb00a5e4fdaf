#include "cochlea/gammatone.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <sstream>
#include <stdexcept>

#include "cochlea/frequency_scale.h"
#include "util/avx2_clone.h"

namespace statenet {
namespace {

constexpr double kPi = 3.14159265358979323846264338327950288;

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw std::invalid_argument("gammatone option '" + field + "': " + what);
}

}  // namespace

GammatoneChannelCoeffs design_gammatone_channel(double cf, double fs) {
  // Slaney (1993) MakeERBFilters: B = 2π·1.019·ERB(cf), θ = 2π·cf·T, E = e^(−B·T).
  const double T = 1.0 / fs;
  const double B = 2.0 * kPi * 1.019 * erb_hz(cf);
  const double theta = 2.0 * kPi * cf * T;
  const double E = std::exp(-B * T);
  GammatoneChannelCoeffs c;
  c.cf_hz = cf;
  c.a1 = -2.0 * std::cos(theta) * E;
  c.a2 = E * E;
  const double r_plus = std::sqrt(3.0 + 2.0 * std::sqrt(2.0));
  const double r_minus = std::sqrt(3.0 - 2.0 * std::sqrt(2.0));
  const double s[4] = {r_plus, -r_plus, r_minus, -r_minus};
  for (int k = 0; k < 4; ++k) {
    c.b0[k] = T;
    c.b1[k] = -T * E * (std::cos(theta) + s[k] * std::sin(theta));
  }
  // Gain: |H| of the unnormalised cascade at z = e^{iθ}, i.e. |N₁N₂N₃N₄ / D⁴|.
  const std::complex<double> z_inv = std::polar(1.0, -theta);
  const std::complex<double> den = 1.0 + c.a1 * z_inv + c.a2 * z_inv * z_inv;
  std::complex<double> h = 1.0;
  for (int k = 0; k < 4; ++k) h *= (c.b0[k] + c.b1[k] * z_inv) / den;
  c.gain_at_cf = std::abs(h);
  c.b0[0] /= c.gain_at_cf;
  c.b1[0] /= c.gain_at_cf;
  return c;
}

std::vector<double> gammatone_centre_frequencies(const GammatoneOptions& o) {
  if (!(o.sample_rate_hz > 0)) bad("sample_rate_hz", "must be positive");
  if (o.num_channels <= 0) bad("num_channels", "must be positive, got " + std::to_string(o.num_channels));
  const double high = o.f_max_hz > 0 ? o.f_max_hz : o.sample_rate_hz / 2;
  if (!(o.f_min_hz > 0)) bad("f_min_hz", "must be positive");
  if (!(high > o.f_min_hz)) bad("f_max_hz", "must exceed f_min_hz");
  if (high > o.sample_rate_hz / 2) {
    bad("f_max_hz", std::to_string(high) + " Hz is above the Nyquist frequency " +
                        std::to_string(o.sample_rate_hz / 2) + " Hz");
  }
  std::vector<double> cf = erb_space_slaney(o.f_min_hz, high, o.num_channels);
  std::reverse(cf.begin(), cf.end());
  return cf;
}

double gammatone_envelope_delay_s(double cf_hz) { return 3.0 / (2.0 * kPi * 1.019 * erb_hz(cf_hz)); }

namespace {

// aligned(8): the coefficient and state vectors are plain std::vector<double>.
typedef double Lanes __attribute__((vector_size(kGammatoneLanes * sizeof(double)), aligned(8)));
constexpr int kCoefPerGroup = 10;   // a1, a2, b0[4], b1[4]
constexpr int kStatePerGroup = 9;   // z1[4], z2[4], run_power

// The hot loop: every group of lanes runs the 4-section cascade over n samples with
// its state in registers, summing y² per lane. Transposed direct form II:
//   y = b0·x + z1;  z1 = b1·x − a1·y + z2;  z2 = −a2·y.
// Compiled twice (x86-64-v3 with AVX2, and the portable baseline) and chosen at load
// time, so the default build stays portable. Within one machine the same clone always
// runs, so streaming and offline outputs stay bit-identical.
STATENET_AVX2_CLONE
void gammatone_kernel(const float* x, std::size_t n, const double* coef, double* state, int groups) {
  for (int g = 0; g < groups; ++g) {
    const Lanes* c = reinterpret_cast<const Lanes*>(coef + static_cast<std::size_t>(g) * kCoefPerGroup * kGammatoneLanes);
    Lanes* st = reinterpret_cast<Lanes*>(state + static_cast<std::size_t>(g) * kStatePerGroup * kGammatoneLanes);
    const Lanes a1 = c[0], a2 = c[1];
    const Lanes b00 = c[2], b01 = c[3], b02 = c[4], b03 = c[5];
    const Lanes b10 = c[6], b11 = c[7], b12 = c[8], b13 = c[9];
    Lanes z10 = st[0], z11 = st[1], z12 = st[2], z13 = st[3];
    Lanes z20 = st[4], z21 = st[5], z22 = st[6], z23 = st[7];
    Lanes power = st[8];
    for (std::size_t i = 0; i < n; ++i) {
      const Lanes in = Lanes{} + static_cast<double>(x[i]);
      Lanes y0 = b00 * in + z10;
      z10 = b10 * in - a1 * y0 + z20;
      z20 = -a2 * y0;
      Lanes y1 = b01 * y0 + z11;
      z11 = b11 * y0 - a1 * y1 + z21;
      z21 = -a2 * y1;
      Lanes y2 = b02 * y1 + z12;
      z12 = b12 * y1 - a1 * y2 + z22;
      z22 = -a2 * y2;
      Lanes y3 = b03 * y2 + z13;
      z13 = b13 * y2 - a1 * y3 + z23;
      z23 = -a2 * y3;
      power += y3 * y3;
    }
    st[0] = z10; st[1] = z11; st[2] = z12; st[3] = z13;
    st[4] = z20; st[5] = z21; st[6] = z22; st[7] = z23;
    st[8] = power;
  }
}

}  // namespace

GammatoneCochleagram::GammatoneCochleagram(const GammatoneOptions& o) : options_(o) {
  centres_hz_ = gammatone_centre_frequencies(o);
  num_channels_ = o.num_channels;
  const double fs = o.sample_rate_hz;
  window_len_ = static_cast<int>(std::lround(o.window_ms * fs / 1000.0));
  if (window_len_ < 1) bad("window_ms", "gives no sample");
  hop_samples_ = o.hop_ms * fs / 1000.0;
  if (!(hop_samples_ >= 1.0)) bad("hop_ms", "must be at least one sample");
  compress_ = Compressor(o.compression, !o.rms);

  const int L = kGammatoneLanes;
  num_groups_ = (num_channels_ + L - 1) / L;
  coef_.assign(static_cast<std::size_t>(num_groups_) * kCoefPerGroup * L, 0.0);
  for (int ch = 0; ch < num_channels_; ++ch) {
    coeffs_.push_back(design_gammatone_channel(centres_hz_[ch], fs));
    const auto& k = coeffs_.back();
    double* c = coef_.data() + static_cast<std::size_t>(ch / L) * kCoefPerGroup * L + ch % L;
    c[0 * L] = k.a1;
    c[1 * L] = k.a2;
    for (int s = 0; s < 4; ++s) {
      c[(2 + s) * L] = k.b0[s];
      c[(6 + s) * L] = k.b1[s];
    }
  }  // padding lanes keep zero coefficients and stay silent
  state_.assign(static_cast<std::size_t>(num_groups_) * kStatePerGroup * L, 0.0);
  max_open_ = static_cast<int>(std::ceil(window_len_ / hop_samples_)) + 2;
  acc_.assign(static_cast<std::size_t>(max_open_) * num_channels_, 0.0);
  open_frame_.assign(static_cast<std::size_t>(max_open_), 0);
  bands_.assign(static_cast<std::size_t>(num_channels_), 0.0f);
  reset();
}

void GammatoneCochleagram::reset() noexcept {
  std::fill(state_.begin(), state_.end(), 0.0);
  std::fill(acc_.begin(), acc_.end(), 0.0);
  open_head_ = 0;
  open_count_ = 0;
  next_open_frame_ = 0;
  consumed_ = 0;
}

void GammatoneCochleagram::filter_run(const float* x, std::size_t n) noexcept {
  gammatone_kernel(x, n, coef_.data(), state_.data(), num_groups_);
}

void GammatoneCochleagram::flush_run() noexcept {
  const int L = kGammatoneLanes;
  for (int ch = 0; ch < num_channels_; ++ch) {
    double& run = state_[static_cast<std::size_t>(ch / L) * kStatePerGroup * L + 8 * L + ch % L];
    for (int k = 0; k < open_count_; ++k)
      acc_[static_cast<std::size_t>((open_head_ + k) % max_open_) * num_channels_ + ch] += run;
    run = 0.0;
  }
}

void GammatoneCochleagram::process(const float* x, std::size_t n, FrameSink& sink) noexcept {
  const std::size_t C = static_cast<std::size_t>(num_channels_);
  while (true) {
    // Events at the current position: close windows ending here, open those starting.
    bool flushed = false;
    while (open_count_ > 0 && frame_end_sample(open_frame_[open_head_], hop_samples_) == consumed_) {
      if (!flushed) {
        flush_run();
        flushed = true;
      }
      const double* acc = acc_.data() + static_cast<std::size_t>(open_head_) * C;
      for (std::size_t c = 0; c < C; ++c) {
        const double mean_power = acc[c] / window_len_;
        bands_[c] = compress_(static_cast<float>(options_.rms ? std::sqrt(mean_power) : mean_power));
      }
      sink.on_frame(open_frame_[open_head_], bands_.data());
      open_head_ = (open_head_ + 1) % max_open_;
      --open_count_;
    }
    while (window_start(next_open_frame_) <= consumed_) {
      if (!flushed) {
        flush_run();
        flushed = true;
      }
      const int slot = (open_head_ + open_count_) % max_open_;
      open_frame_[slot] = next_open_frame_++;
      std::fill(acc_.begin() + slot * C, acc_.begin() + (slot + 1) * C, 0.0);
      ++open_count_;
    }
    if (n == 0) break;
    // Run to the next event or the end of the block.
    std::int64_t next_event = window_start(next_open_frame_);
    if (open_count_ > 0) next_event = std::min(next_event, frame_end_sample(open_frame_[open_head_], hop_samples_));
    const std::size_t len = std::min<std::size_t>(n, static_cast<std::size_t>(next_event - consumed_));
    filter_run(x, len);
    consumed_ += static_cast<std::int64_t>(len);
    x += len;
    n -= len;
  }
}

std::vector<double> GammatoneCochleagram::filter_offline(const float* x, std::size_t n) const {
  const std::size_t C = coeffs_.size();
  std::vector<double> out(C * n);
  for (std::size_t c = 0; c < C; ++c) {
    const auto& k = coeffs_[c];
    double z1[4] = {}, z2[4] = {};
    for (std::size_t i = 0; i < n; ++i) {
      double v = x[i];
      for (int s = 0; s < 4; ++s) {
        const double y = k.b0[s] * v + z1[s];
        z1[s] = k.b1[s] * v - k.a1 * y + z2[s];
        z2[s] = -k.a2 * y;
        v = y;
      }
      out[c * n + i] = v;
    }
  }
  return out;
}

std::string GammatoneCochleagram::describe() const {
  const auto& o = options_;
  std::ostringstream s;
  s.precision(10);
  s << "gammatone fs=" << o.sample_rate_hz << "Hz channels=" << num_channels_ << " erb-space("
    << o.f_min_hz << "Hz.." << (o.f_max_hz > 0 ? o.f_max_hz : o.sample_rate_hz / 2)
    << "Hz, top excluded) window=" << window_len_ << " hop=" << hop_samples_ << " samples "
    << (o.rms ? "rms" : "power") << " compression=" << to_string(o.compression.kind)
    << " floor=" << o.compression.floor;
  return s.str();
}

}  // namespace statenet
