// The STFT front end against torchaudio and against the properties listed in docs/cochleagram.md.

#include "cochlea/stft_cochleagram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "audio/test_signals.h"
#include "cochlea/presets.h"
#include "support/test_support.h"

namespace statenet {
namespace {

TEST(StftCochleagram, aa1PresetMatchesTorchaudioMelSpectrogramWithCausalFraming) {
  // Golden: torchaudio MelSpectrogram(32 kHz, n_fft 320, hop 32, 32 HTK mels, power 2,
  // center=False) on the input left-padded with n_fft − hop zeros, then a cube root.
  // Tolerance: power within 1e-3 relative where P > 1e-6·max,
  // i.e. cube roots within 1e-3/3 relative.
  const test::Golden input = test::load_golden("aa1_input");
  const test::Golden golden = test::load_golden("aa1_cochleagram");
  auto fe = make_front_end(cochleagram_preset("aa1"));
  const Cochleagram c = compute_cochleagram(*fe, input.values.data(), input.values.size());
  ASSERT_EQ(c.num_bands, golden.shape[0]);
  ASSERT_EQ(c.num_frames, golden.shape[1]) << "same frame count as torchaudio";
  const float max_ref = *std::max_element(golden.values.begin(), golden.values.end());
  const float threshold = std::cbrt(1e-6f) * max_ref;
  double worst = 0.0;
  std::size_t worst_at = 0, compared = 0;
  for (std::size_t i = 0; i < golden.values.size(); ++i) {
    if (golden.values[i] <= threshold) continue;
    ++compared;
    const double rel = std::fabs(c.values[i] - golden.values[i]) / golden.values[i];
    if (rel > worst) worst = rel, worst_at = i;
  }
  EXPECT_GT(compared, golden.values.size() / 2);
  EXPECT_LE(worst, 1e-3 / 3) << "band " << worst_at / c.num_frames << " frame " << worst_at % c.num_frames
                             << ": ours " << c.values[worst_at] << " torchaudio " << golden.values[worst_at];
}

StftCochleagramOptions plain_options(double fs, int window, double hop_ms) {
  StftCochleagramOptions o;
  o.sample_rate_hz = fs;
  o.window_samples = window;
  o.hop_ms = hop_ms;
  o.window = WindowType::kHannPeriodic;
  o.spectrum = Spectrum::kPower;
  o.filterbank.num_bands = 40;
  o.compression = {CompressionKind::kNone, 0.0};
  return o;
}

TEST(StftCochleagram, anImpulseFirstAppearsInTheFrameWhoseWindowEndsAfterIt) {
  // impulse at sample 1000; hop 160; first non-zero frame
  // is ⌊1000/160⌋ = 6 (frame 6 covers [720, 1120)).
  StftCochleagram fe(plain_options(16000, 400, 10.0));
  const AudioBuffer s3 = make_impulse(1000, 1.0, 16000);
  const Cochleagram c = compute_cochleagram(fe, s3.samples.data(), s3.samples.size());
  std::int64_t first = -1;
  for (std::int64_t t = 0; t < c.num_frames && first < 0; ++t)
    for (int b = 0; b < c.num_bands; ++b)
      if (c.at(b, t) > 0) first = t;
  EXPECT_EQ(first, 6);
}

TEST(StftCochleagram, whiteNoiseBandPowerMatchesTheWindowEnergy) {
  // E|X_k|² = σ²·Σw² (periodic Hann: 3N/8), so a
  // slaney-normalised band holds σ²·(3N/8)·Σ_k w_bk on average. ±5 %, over 30 s so that
  // the narrowest (2-bin) bands average enough independent windows (~2 % s.d.).
  StftCochleagramOptions o = plain_options(16000, 512, 5.0);
  o.filterbank.normalisation = FilterNormalisation::kSlaneyArea;
  o.filterbank.f_min_hz = 200;
  StftCochleagram fe(o);
  const double sigma = 0.1;
  const AudioBuffer s4 = make_white_noise(sigma, 30.0, 16000, 11);
  const Cochleagram c = compute_cochleagram(fe, s4.samples.data(), s4.samples.size());
  const Filterbank& fb = fe.filterbank();
  for (int b = 0; b < c.num_bands; ++b) {
    double mean = 0.0;
    for (std::int64_t t = 2; t < c.num_frames; ++t) mean += c.at(b, t);  // skip the zero-padded start
    mean /= (c.num_frames - 2);
    double weight_sum = 0.0;
    for (int k = 0; k < fb.num_bins; ++k) weight_sum += fb.weights[b * fb.num_bins + k];
    const double expected = sigma * sigma * (3.0 * 512 / 8) * weight_sum;
    EXPECT_NEAR(mean / expected, 1.0, 0.05) << "band " << b << " at " << fb.centres_hz[b] << " Hz";
  }
}

TEST(StftCochleagram, aToneLandsInTheBandThatContainsIt) {
  // S1: a 1 kHz tone at 0.1; the argmax band's triangle contains 1 kHz.
  for (const char* preset : {"ns1", "ns1-mel", "aa1", "wehr", "asari"}) {
    SCOPED_TRACE(preset);
    auto fe = make_front_end(cochleagram_preset(preset));
    const AudioBuffer s1 = make_tone(1000.0, 0.1, 0.5, fe->sample_rate_hz());
    const Cochleagram c = compute_cochleagram(*fe, s1.samples.data(), s1.samples.size());
    const std::int64_t t = c.num_frames - 1;
    int best = 0;
    for (int b = 1; b < c.num_bands; ++b)
      if (c.at(b, t) > c.at(best, t)) best = b;
    const auto& cf = c.centre_frequencies_hz;
    const double lower = best > 0 ? cf[best - 1] : 0.0;
    const double upper = best + 1 < c.num_bands ? cf[best + 1] : 1e9;
    EXPECT_LT(lower, 1000.0) << "argmax band centre " << cf[best];
    EXPECT_GT(upper, 1000.0) << "argmax band centre " << cf[best];
  }
}

TEST(StftCochleagram, silenceGivesExactlyTheDocumentedFloor) {
  // every band equals the floor exactly, for every preset.
  for (const auto& name : cochleagram_preset_names()) {
    SCOPED_TRACE(name);
    auto fe = make_front_end(cochleagram_preset(name));
    const std::vector<float> zeros(static_cast<std::size_t>(fe->sample_rate_hz() * 0.1), 0.0f);
    const Cochleagram c = compute_cochleagram(*fe, zeros.data(), zeros.size());
    ASSERT_GT(c.num_frames, 0);
    for (float v : c.values) ASSERT_EQ(v, fe->silence_value());
  }
  EXPECT_FLOAT_EQ(make_front_end(cochleagram_preset("ns1"))->silence_value(), -70.0f);
  EXPECT_FLOAT_EQ(make_front_end(cochleagram_preset("ns1-mel"))->silence_value(), std::log(1e-4f));
  EXPECT_EQ(make_front_end(cochleagram_preset("aa1"))->silence_value(), 0.0f);
  EXPECT_EQ(make_front_end(cochleagram_preset("nat4"))->silence_value(), 0.0f);
}

TEST(StftCochleagram, fractionalHopsDoNotDrift) {
  // NS1: 5 ms at 48 828.125 Hz is 244.140625 samples. Frame t ends at
  // round_half_even((t + 1)·244.140625): after 20 000 frames (100 s) the end is exact.
  auto fe = make_front_end(cochleagram_preset("ns1"));
  EXPECT_EQ(fe->hop_samples(), 244.140625);
  EXPECT_EQ(frame_end_sample(0, fe->hop_samples()), 244);
  EXPECT_EQ(frame_end_sample(999, fe->hop_samples()), 244141);      // 1000·244.140625 = 244 140.625
  EXPECT_EQ(frame_end_sample(19999, fe->hop_samples()), 4882812);   // 4 882 812.5, a tie → even
  // Half-even: 31·244.140625 = 7568.359375; 32·244.140625 = 7812.5 → 7812.
  EXPECT_EQ(frame_end_sample(31, fe->hop_samples()), 7812);
}

TEST(StftCochleagram, reportsItsLatency) {
  auto fe = make_front_end(cochleagram_preset("ns1"));
  EXPECT_EQ(fe->window_samples(), 488);
  EXPECT_DOUBLE_EQ(fe->latency_samples(), 243.5);
}

TEST(StftCochleagram, inconsistentOptionsThrowNamingTheOption) {
  StftCochleagramOptions o = plain_options(16000, 400, 10.0);
  o.n_fft = 256;
  try {
    StftCochleagram fe(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("n_fft"), std::string::npos) << e.what();
  }
  o = plain_options(16000, 400, 0.01);
  EXPECT_THROW(StftCochleagram{o}, std::invalid_argument);
  o = plain_options(16000, 400, 10.0);
  o.filterbank.scale = FrequencyScale::kLogFrequency;
  o.filterbank.f_min_hz = 1000;
  o.filterbank.num_bands = 40;  // 1 kHz·2^(39/6) ≫ 8 kHz Nyquist
  try {
    StftCochleagram fe(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Nyquist"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cochleagram_preset("ns2"), std::invalid_argument);
}

}  // namespace
}  // namespace statenet
