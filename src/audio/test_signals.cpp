#include "audio/test_signals.h"

#include <cmath>
#include <random>

namespace statenet {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

AudioBuffer empty(double duration_s, double sample_rate_hz, const char* name) {
  AudioBuffer b;
  b.sample_rate_hz = sample_rate_hz;
  b.origin = name;
  b.samples.assign(static_cast<std::size_t>(std::llround(duration_s * sample_rate_hz)), 0.0f);
  return b;
}

}  // namespace

AudioBuffer make_tone(double freq_hz, double amplitude, double duration_s, double fs) {
  AudioBuffer b = empty(duration_s, fs, "tone");
  for (std::size_t i = 0; i < b.samples.size(); ++i)
    b.samples[i] = static_cast<float>(amplitude * std::sin(kTwoPi * freq_hz * i / fs));
  return b;
}

AudioBuffer make_chirp(double f0, double f1, double amplitude, double duration_s, double fs) {
  AudioBuffer b = empty(duration_s, fs, "chirp");
  const double rate = (f1 - f0) / duration_s;  // Hz per second
  for (std::size_t i = 0; i < b.samples.size(); ++i) {
    const double t = i / fs;
    b.samples[i] = static_cast<float>(amplitude * std::sin(kTwoPi * (f0 * t + 0.5 * rate * t * t)));
  }
  return b;
}

AudioBuffer make_white_noise(double sigma, double duration_s, double fs, std::uint64_t seed) {
  AudioBuffer b = empty(duration_s, fs, "white noise");
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, sigma);
  for (auto& s : b.samples) s = static_cast<float>(normal(rng));
  return b;
}

AudioBuffer make_impulse(std::int64_t index, double duration_s, double fs) {
  AudioBuffer b = empty(duration_s, fs, "impulse");
  if (index >= 0 && static_cast<std::size_t>(index) < b.samples.size()) b.samples[index] = 1.0f;
  return b;
}

AudioBuffer make_mixture_s2(double duration_s, double fs, std::uint64_t seed) {
  AudioBuffer b = empty(duration_s, fs, "S2 mixture");
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.05);
  const double rate = (4200.0 - 200.0) / duration_s;
  for (std::size_t i = 0; i < b.samples.size(); ++i) {
    const double t = i / fs;
    const double v = 0.3 * std::sin(kTwoPi * 440.0 * t) + 0.15 * std::sin(kTwoPi * 3000.0 * t) +
                     0.2 * std::sin(kTwoPi * (200.0 * t + 0.5 * rate * t * t)) + normal(rng);
    b.samples[i] = static_cast<float>(v);
  }
  return b;
}

AudioBuffer make_demo_sound(double fs) {
  AudioBuffer b = empty(3.0, fs, "built-in demo sound");
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double nyquist = fs / 2;
  double phase = 0.0;
  // Formant vowels (F1, F2, F3 in Hz) for the speech-like part.
  const double vowels[4][3] = {{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}};
  double pulse_phase = 0.0;
  double res_state[3][2] = {};
  for (std::size_t i = 0; i < b.samples.size(); ++i) {
    const double t = i / fs;
    double v = 0.0;
    // 0.1–1.1 s: a vocalisation-like call, f0 rising 400 → 900 Hz and falling back,
    // 8 harmonics with a 1/k spectrum and a smooth envelope.
    if (t >= 0.1 && t < 1.1) {
      const double u = (t - 0.1) / 1.0;
      const double f0 = 400.0 + 500.0 * std::sin(M_PI * u);
      phase += kTwoPi * f0 / fs;
      const double env = std::sin(M_PI * u) * std::sin(M_PI * u);
      for (int k = 1; k <= 8; ++k)
        if (k * f0 < nyquist) v += 0.25 / k * env * std::sin(k * phase);
    }
    // 1.25–1.45 s and 1.55–1.6 s: broadband noise bursts.
    if ((t >= 1.25 && t < 1.45) || (t >= 1.55 && t < 1.6)) v += 0.15 * normal(rng);
    // 1.75–2.95 s: four vowels of 0.3 s on a 120 Hz pulse train through three
    // two-pole resonators.
    if (t >= 1.75 && t < 2.95) {
      const int vowel = static_cast<int>((t - 1.75) / 0.3);
      pulse_phase += 120.0 / fs;
      double excitation = 0.0;
      if (pulse_phase >= 1.0) {
        pulse_phase -= 1.0;
        excitation = 1.0;
      }
      double y = 0.0;
      for (int r = 0; r < 3; ++r) {
        const double f = vowels[vowel][r];
        if (f >= nyquist) continue;
        const double bw = 80.0 + 40.0 * r;
        const double radius = std::exp(-M_PI * bw / fs);
        const double a1 = 2 * radius * std::cos(kTwoPi * f / fs), a2 = -radius * radius;
        const double out = excitation + a1 * res_state[r][0] + a2 * res_state[r][1];
        res_state[r][1] = res_state[r][0];
        res_state[r][0] = out;
        y += out * (1.0 - radius) / (r + 1);
      }
      v += 0.6 * y;
    }
    b.samples[i] = static_cast<float>(v);
  }
  return b;
}

}  // namespace statenet
