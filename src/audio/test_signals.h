#pragma once
// Deterministic test and demo signals (float64 maths, stored as float).

#include <cstdint>

#include "audio/audio_buffer.h"

namespace statenet {

AudioBuffer make_tone(double freq_hz, double amplitude, double duration_s, double sample_rate_hz);
// Linear chirp from f0 to f1 over the whole duration.
AudioBuffer make_chirp(double f0_hz, double f1_hz, double amplitude, double duration_s,
                       double sample_rate_hz);
// Gaussian white noise with standard deviation sigma, seeded (mt19937_64).
AudioBuffer make_white_noise(double sigma, double duration_s, double sample_rate_hz,
                             std::uint64_t seed);
// A unit impulse at sample `index` in `duration_s` of zeros.
AudioBuffer make_impulse(std::int64_t index, double duration_s, double sample_rate_hz);
// The test mixture: 440 Hz at 0.3 + 3 kHz at 0.15 + a 200→4200 Hz chirp at 0.2 +
// seeded white noise at 0.05.
AudioBuffer make_mixture_s2(double duration_s, double sample_rate_hz, std::uint64_t seed = 1);
// The built-in demo sound (about 3 s): a vocalisation-like harmonic sweep, two
// noise bursts and a speech-like sequence of formant vowels on a 120 Hz pulse train.
AudioBuffer make_demo_sound(double sample_rate_hz);

}  // namespace statenet
