// The ns1 presets on the real NS1 waveforms against the reference values of
// docs/datasets.md (float64, recipes B and C). Skips when ../shared/data/ns1 is absent.

#include <gtest/gtest.h>

#include <cmath>

#include "audio/audio_file.h"
#include "cochlea/presets.h"
#include "support/test_support.h"

namespace statenet {
namespace {

std::string ns1_wav(int stimulus) {
  // Stimuli 0–11: source 1, frozen.1–12; 12–19: source 2, frozen.1–8.
  const bool first = stimulus < 12;
  return test::ns1_dir() + "/spikesandwav/SH.En.C/source." + (first ? "1" : "2") +
         ".sound.0.snr.0.token.0.fw." + (first ? "2" : "1") + ".frozen." +
         std::to_string(first ? stimulus + 1 : stimulus - 11);
}

Cochleagram ns1_cochleagram(const std::string& preset_name, int stimulus) {
  const auto preset = cochleagram_preset(preset_name);
  AudioReadOptions o;
  o.target_sample_rate_hz = preset.sample_rate_hz();
  o.highest_analysed_hz = preset.highest_centre_hz();
  const AudioBuffer a = read_audio_file(ns1_wav(stimulus), o);
  EXPECT_EQ(a.sample_rate_hz, 48828.125) << "the header's 48828 is the TDT rate 48828.125";
  auto fe = make_front_end(preset, a.sample_rate_hz);
  return compute_cochleagram(*fe, a.samples.data(), a.samples.size(), 999);
}

struct Stats {
  double min = 1e300, max = -1e300, mean = 0, sd = 0;
};
Stats stats(const std::vector<float>& v) {
  Stats s;
  double sum = 0, sum2 = 0;
  for (float x : v) {
    s.min = std::min<double>(s.min, x);
    s.max = std::max<double>(s.max, x);
    sum += x;
  }
  s.mean = sum / v.size();
  for (float x : v) sum2 += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(sum2 / v.size());
  return s;
}

TEST(Ns1Reference, recipeCMatchesTheReferenceValues) {
  if (test::ns1_dir().empty()) GTEST_SKIP() << "NS1 data not found (../shared/data/ns1)";
  const Cochleagram c = ns1_cochleagram("ns1", 0);
  ASSERT_EQ(c.num_bands, 34);
  ASSERT_EQ(c.num_frames, 999);
  // Reference values are printed to 3 decimals (float64); ours is float32 FFTW.
  const double band0[4] = {-18.847, -5.092, 1.548, -4.818};
  for (int t = 0; t < 4; ++t) EXPECT_NEAR(c.at(0, t), band0[t], 2e-3) << "band 0 frame " << t;
  const Stats s = stats(c.values);
  EXPECT_NEAR(s.min, -49.87, 0.01);
  EXPECT_NEAR(s.max, 42.61, 0.01);
  EXPECT_NEAR(s.mean, -10.64, 0.01);
  EXPECT_NEAR(s.sd, 13.54, 0.01);
}

TEST(Ns1Reference, recipeBMatchesTheReferenceValuesOnAllStimuli) {
  if (test::ns1_dir().empty()) GTEST_SKIP() << "NS1 data not found (../shared/data/ns1)";
  std::vector<float> all;
  for (int s = 0; s < 20; ++s) {
    const Cochleagram c = ns1_cochleagram("ns1-mel", s);
    ASSERT_EQ(c.num_frames, 999);
    if (s == 0) {
      const double band0[3] = {-2.5406, 0.1665, -0.5211};
      for (int t = 0; t < 3; ++t) EXPECT_NEAR(c.at(0, t), band0[t], 2e-4) << "stimulus 0 band 0 frame " << t;
    }
    if (s == 6) {
      EXPECT_NEAR(c.at(20, 100), 1.5013, 2e-4) << "stimulus 6 band 20 frame 100";
    }
    all.insert(all.end(), c.values.begin(), c.values.end());
  }
  const Stats st = stats(all);
  EXPECT_NEAR(st.min, -7.083, 2e-3);
  EXPECT_NEAR(st.max, 6.336, 2e-3);
  EXPECT_NEAR(st.mean, 0.357, 2e-3);
  EXPECT_NEAR(st.sd, 1.591, 2e-3);
}

}  // namespace
}  // namespace statenet
