// Gammatone filters and cochleagram against the formulas of Slaney (1993) and
// Glasberg & Moore (1990), and against an independent float64 implementation.

#include "cochlea/gammatone.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>

#include "audio/test_signals.h"
#include "cochlea/frequency_scale.h"

namespace statenet {
namespace {

constexpr double kPi = 3.14159265358979323846;

// |H(e^{iω})| of a designed channel (the cascade as stored, gain folded in).
double response(const GammatoneChannelCoeffs& c, double f_hz, double fs) {
  const std::complex<double> zi = std::polar(1.0, -2 * kPi * f_hz / fs);
  std::complex<double> h = 1.0;
  for (int s = 0; s < 4; ++s) h *= (c.b0[s] + c.b1[s] * zi) / (1.0 + c.a1 * zi + c.a2 * zi * zi);
  return std::abs(h);
}

// Independent design from the design in docs/cochleagram.md, with the closed-form gain |N₁N₂N₃N₄/D⁴|.
struct RefChannel {
  double b0[4], b1[4], a1, a2;
};
RefChannel ref_design(double cf, double fs) {
  const double T = 1 / fs, erb = cf / 9.26449 + 24.7, B = 1.019 * 2 * kPi * erb, th = 2 * cf * kPi * T;
  const std::complex<double> I(0, 1);
  std::complex<double> num = 1.0;
  for (double sigma : {1.0, -1.0})
    for (double tau : {1.0, -1.0})
      num *= -2.0 * std::exp(2.0 * I * th) * T +
             2.0 * std::exp(-B * T + I * th) * T * (std::cos(th) + sigma * std::sqrt(3 + tau * std::pow(2.0, 1.5)) * std::sin(th));
  const std::complex<double> den =
      -2.0 * std::exp(-2 * B * T) - 2.0 * std::exp(2.0 * I * th) + 2.0 * (1.0 + std::exp(2.0 * I * th)) * std::exp(-B * T);
  const double gain = std::abs(num / (den * den * den * den));
  RefChannel r{};
  const double k[4] = {std::sqrt(3 + std::pow(2.0, 1.5)), -std::sqrt(3 + std::pow(2.0, 1.5)),
                       std::sqrt(3 - std::pow(2.0, 1.5)), -std::sqrt(3 - std::pow(2.0, 1.5))};
  for (int s = 0; s < 4; ++s) {
    r.b0[s] = T;
    r.b1[s] = -(2 * T * std::cos(th) / std::exp(B * T) + 2 * k[s] * T * std::sin(th) / std::exp(B * T)) / 2;
  }
  r.b0[0] /= gain;
  r.b1[0] /= gain;
  r.a1 = -2 * std::cos(th) / std::exp(B * T);
  r.a2 = std::exp(-2 * B * T);
  return r;
}

TEST(Gammatone, erbSpaceFollowsSlaneysRule) {
  // Slaney ERBSpace(100, 8000, 8), descending, ends exactly at low.
  const std::vector<double> expected = {5273, 3450, 2231, 1416, 871, 507, 263, 100};
  const auto cf = erb_space_slaney(100, 8000, 8);
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(cf[i], expected[i], 0.5) << i;
  EXPECT_DOUBLE_EQ(cf.back(), 100.0);
  EXPECT_NEAR(erb_space_slaney(100, 8000, 32).front(), 7212, 0.5);  // fs 16 kHz, N 32: top is not 8000
  EXPECT_DOUBLE_EQ(erb_hz(1000.0), 1000 / 9.26449 + 24.7);
}

TEST(Gammatone, coefficientsMatchAnIndependentDesignWithTheClosedFormGain) {
  for (double fs : {16000.0, 44100.0, 96000.0})
    for (double cf : {100.0, 440.0, 1000.0, 5000.0, 0.4 * fs}) {
      const auto c = design_gammatone_channel(cf, fs);
      const RefChannel r = ref_design(cf, fs);
      for (int s = 0; s < 4; ++s) {
        EXPECT_NEAR(c.b0[s], r.b0[s], 1e-9 * std::fabs(r.b0[s]) + 1e-300) << cf << " Hz @ " << fs;
        EXPECT_NEAR(c.b1[s], r.b1[s], 1e-9 * std::fabs(r.b1[s]) + 1e-15 * std::fabs(r.b0[s])) << cf << " Hz @ " << fs;
      }
      EXPECT_NEAR(c.a1, r.a1, 1e-12);
      EXPECT_NEAR(c.a2, r.a2, 1e-12);
    }
}

TEST(Gammatone, unitGainAtCfBandwidthAndPeak) {
  // |H(cf)| = 0 ± 1e-6 dB; 3 dB bandwidth 0.887·ERB ± 3 %; peak at
  // cf (dense grid); poles inside the unit circle for cf ≥ 20 Hz up to fs 192 kHz.
  for (double fs : {16000.0, 48000.0, 96000.0, 192000.0})
    for (double cf : {100.0, 250.0, 1000.0, 4000.0, 0.3 * fs}) {
      SCOPED_TRACE(std::to_string(cf) + " Hz @ " + std::to_string(fs));
      const auto c = design_gammatone_channel(cf, fs);
      EXPECT_NEAR(20 * std::log10(response(c, cf, fs)), 0.0, 1e-6);
      EXPECT_LT(std::sqrt(c.a2), 1.0) << "pole radius";
      const double step = erb_hz(cf) / 2000;
      double peak_f = cf, peak = 0, lo = 0, hi = 0;
      for (double f = std::max(1.0, cf - 3 * erb_hz(cf)); f < std::min(fs / 2, cf + 3 * erb_hz(cf)); f += step) {
        const double h = response(c, f, fs);
        if (h > peak) peak = h, peak_f = f;
      }
      for (double f = peak_f; f > 0 && !lo; f -= step)
        if (response(c, f, fs) < peak / std::sqrt(2.0)) lo = f;
      for (double f = peak_f; f < fs / 2 && !hi; f += step)
        if (response(c, f, fs) < peak / std::sqrt(2.0)) hi = f;
      EXPECT_NEAR((hi - lo) / erb_hz(cf), 0.887, 0.887 * 0.03);
      EXPECT_NEAR(peak_f, cf, std::max(2 * step, 0.01 * cf));
    }
  EXPECT_LT(std::sqrt(design_gammatone_channel(20.0, 192000.0).a2), 1.0);
}

TEST(Gammatone, float64FilterOutputMatchesAnIndependentCascadeAtTheStressCase) {
  // Stress case: 100 Hz @ 96 kHz on white noise; rtol 1e-5.
  GammatoneOptions o;
  o.sample_rate_hz = 96000;
  o.num_channels = 3;
  o.f_min_hz = 100;
  o.f_max_hz = 8000;
  GammatoneCochleagram g(o);
  const AudioBuffer noise = make_white_noise(0.1, 1.0, o.sample_rate_hz, 5);
  const auto ours = g.filter_offline(noise.samples.data(), noise.samples.size());
  const std::size_t n = noise.samples.size();
  for (int ch = 0; ch < o.num_channels; ++ch) {
    const RefChannel r = ref_design(g.centre_frequencies_hz()[ch], o.sample_rate_hz);
    // Direct form I, a different structure from ours.
    double xs[4][2] = {}, ys[4][2] = {}, max_ref = 0, max_diff = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double v = noise.samples[i];
      for (int s = 0; s < 4; ++s) {
        const double y = r.b0[s] * v + r.b1[s] * xs[s][0] - r.a1 * ys[s][0] - r.a2 * ys[s][1];
        xs[s][1] = xs[s][0];
        xs[s][0] = v;
        ys[s][1] = ys[s][0];
        ys[s][0] = y;
        v = y;
      }
      max_ref = std::max(max_ref, std::fabs(v));
      max_diff = std::max(max_diff, std::fabs(v - ours[ch * n + i]));
    }
    EXPECT_LE(max_diff, 1e-5 * max_ref) << "channel " << ch << " cf " << g.centre_frequencies_hz()[ch];
  }
}

TEST(Gammatone, streamedRmsCochleagramEqualsTheGtgramDefinition) {
  // gtgram (Ellis): column t = √(mean of y² over the window ending at its
  // end sample), here with window 25 ms > hop 10 ms (overlapping windows).
  GammatoneOptions o;
  o.sample_rate_hz = 16000;
  o.num_channels = 16;
  o.f_min_hz = 100;
  o.window_ms = 25;
  o.hop_ms = 10;
  o.rms = true;
  o.compression = {CompressionKind::kNone, 0.0};
  GammatoneCochleagram g(o);
  const AudioBuffer s2 = make_mixture_s2(0.5, o.sample_rate_hz);
  const Cochleagram c = compute_cochleagram(g, s2.samples.data(), s2.samples.size());
  const auto y = g.filter_offline(s2.samples.data(), s2.samples.size());
  const std::size_t n = s2.samples.size();
  ASSERT_EQ(c.num_frames, static_cast<std::int64_t>(n / 160));
  for (int ch = 0; ch < o.num_channels; ++ch)
    for (std::int64_t t = 0; t < c.num_frames; ++t) {
      const std::int64_t end = (t + 1) * 160;
      double sum = 0;
      for (std::int64_t i = std::max<std::int64_t>(0, end - 400); i < end; ++i) sum += y[ch * n + i] * y[ch * n + i];
      const double expected = std::sqrt(sum / 400);
      ASSERT_NEAR(c.at(ch, t), expected, 1e-5 * expected + 1e-12) << "channel " << ch << " frame " << t;
    }
}

TEST(Gammatone, aPureToneAtACentreFrequencyPeaksInThatChannel) {
  GammatoneOptions o;
  o.sample_rate_hz = 48000;
  o.num_channels = 32;
  o.f_min_hz = 100;
  GammatoneCochleagram g(o);
  for (int ch : {3, 10, 17, 25, 30}) {
    const double f = g.centre_frequencies_hz()[ch];
    const AudioBuffer tone = make_tone(f, 0.1, 0.3, o.sample_rate_hz);
    const Cochleagram c = compute_cochleagram(g, tone.samples.data(), tone.samples.size());
    int best = 0;
    for (int b = 1; b < c.num_bands; ++b)
      if (c.at(b, c.num_frames - 1) > c.at(best, c.num_frames - 1)) best = b;
    EXPECT_EQ(best, ch) << "tone at " << f << " Hz";
  }
}

TEST(Gammatone, envelopePeaksAtTheTheoreticalGroupDelay) {
  // The impulse response envelope peaks at 3/(2π·1.019·ERB): 3.5 ms at 1 kHz.
  const double fs = 96000, cf = 1000;
  GammatoneOptions o;
  o.sample_rate_hz = fs;
  o.num_channels = 1;
  o.f_min_hz = cf;
  o.f_max_hz = 2000;
  GammatoneCochleagram g(o);
  ASSERT_NEAR(g.centre_frequencies_hz()[0], cf, 1e-9);
  const AudioBuffer imp = make_impulse(0, 0.05, fs);
  const auto y = g.filter_offline(imp.samples.data(), imp.samples.size());
  // Envelope from the local maxima of |y|.
  std::size_t best = 0;
  for (std::size_t i = 1; i < y.size(); ++i)
    if (std::fabs(y[i]) > std::fabs(y[best])) best = i;
  EXPECT_NEAR(best / fs, gammatone_envelope_delay_s(cf), 0.5 / cf) << "within half a period";
  EXPECT_NEAR(gammatone_envelope_delay_s(cf), 3.5e-3, 0.1e-3);
}

TEST(Gammatone, optionsAreValidatedWithTheFieldName) {
  GammatoneOptions o;
  o.f_max_hz = 30000;  // above 24 kHz Nyquist
  try {
    GammatoneCochleagram g(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("f_max_hz"), std::string::npos) << e.what();
  }
  o = GammatoneOptions{};
  o.num_channels = 0;
  EXPECT_THROW(GammatoneCochleagram{o}, std::invalid_argument);
}

}  // namespace
}  // namespace statenet
