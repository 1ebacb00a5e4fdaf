// Filterbank matrices against (1) an independent float64 implementation of the
// librosa/torchaudio formulas written here, and (2) torchaudio's melscale_fbanks
// (goldens from tools/golden/make_goldens.py).

#include "cochlea/filterbank.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "support/test_support.h"

namespace statenet {
namespace {

// --- Independent reference: written from the formulas of docs/cochleagram.md, torchaudio's slope form.
double ref_mel(double f, bool htk) {
  if (htk) return 1127.0 * std::log(1.0 + f / 700.0);  // = 2595·log10(1 + f/700)
  const double f_sp = 200.0 / 3, logstep = std::log(6.4) / 27.0;
  return f < 1000 ? f / f_sp : 15.0 + std::log(f / 1000.0) / logstep;
}
double ref_hz(double m, bool htk) {
  if (htk) return 700.0 * (std::exp(m / 1127.0) - 1.0);
  const double f_sp = 200.0 / 3, logstep = std::log(6.4) / 27.0;
  return m < 15 ? f_sp * m : 1000.0 * std::exp(logstep * (m - 15.0));
}
std::vector<double> ref_filterbank(double sr, int n_fft, int n_mels, double f_min, double f_max, bool htk,
                                   bool slaney_norm) {
  const int n_freqs = n_fft / 2 + 1;
  std::vector<double> pts(n_mels + 2);
  const double m0 = ref_mel(f_min, htk), m1 = ref_mel(f_max, htk);
  for (int j = 0; j < n_mels + 2; ++j) pts[j] = ref_hz(m0 + (m1 - m0) * j / (n_mels + 1.0), htk);
  std::vector<double> fb(static_cast<std::size_t>(n_mels) * n_freqs, 0.0);
  for (int k = 0; k < n_freqs; ++k) {
    const double f = sr * k / n_fft;
    for (int i = 0; i < n_mels; ++i) {
      const double down = (f - pts[i]) / (pts[i + 1] - pts[i]);
      const double up = (pts[i + 2] - f) / (pts[i + 2] - pts[i + 1]);
      double w = std::max(0.0, std::min(down, up));
      if (slaney_norm) w *= 2.0 / (pts[i + 2] - pts[i]);
      fb[static_cast<std::size_t>(i) * n_freqs + k] = w;
    }
  }
  return fb;
}

TEST(Filterbank, melMatricesMatchIndependentFloat64FormulasOverTheWholeGrid) {
  // ≤ 1e-12 of max against float64.
  int cases = 0;
  for (double sr : {16000.0, 44100.0, 96000.0})
    for (int n_fft : {256, 512, 1024, 2048})
      for (int n_mels : {18, 32, 54, 64, 128})
        for (bool htk : {true, false})
          for (bool slaney_norm : {false, true})
            for (int range = 0; range < 3; ++range) {
              double f_min = 0, f_max = sr / 2;
              if (range == 1) f_min = 100, f_max = 0.47 * sr;
              if (range == 2) f_min = 500, f_max = 16000;
              FilterbankOptions o;
              o.scale = htk ? FrequencyScale::kHtkMel : FrequencyScale::kSlaneyMel;
              o.num_bands = n_mels;
              o.f_min_hz = f_min;
              o.f_max_hz = f_max;
              o.normalisation = slaney_norm ? FilterNormalisation::kSlaneyArea : FilterNormalisation::kNone;
              const Filterbank fb = make_filterbank(o, sr, n_fft);
              const auto ref = ref_filterbank(sr, n_fft, n_mels, f_min, f_max, htk, slaney_norm);
              ASSERT_EQ(fb.weights.size(), ref.size());
              double max_ref = 0, max_diff = 0;
              for (std::size_t i = 0; i < ref.size(); ++i) {
                max_ref = std::max(max_ref, std::fabs(ref[i]));
                max_diff = std::max(max_diff, std::fabs(ref[i] - fb.weights[i]));
              }
              ASSERT_LE(max_diff, 1e-12 * max_ref)
                  << "sr " << sr << " n_fft " << n_fft << " mels " << n_mels << (htk ? " htk" : " slaney")
                  << (slaney_norm ? " slaney-norm" : "") << " range " << range;
              ++cases;
            }
  EXPECT_EQ(cases, 3 * 4 * 5 * 2 * 2 * 3);
}

TEST(Filterbank, melMatricesMatchTorchaudioGoldens) {
  // ≤ 2e-5 of max against torchaudio (float32).
  struct Case {
    const char* name;
    double sr;
    int n_fft, n_mels;
    double f_min, f_max;
    bool htk, slaney_norm;
  } cases[] = {
      {"melfb_sr16000_nfft512_mels64_htk_none_fmin0", 16000, 512, 64, 0, 8000, true, false},
      {"melfb_sr16000_nfft512_mels32_slaney_slaney_fmin100", 16000, 512, 32, 100, 0.47 * 16000, false, true},
      {"melfb_sr32000_nfft320_mels32_htk_none_fmin0", 32000, 320, 32, 0, 16000, true, false},
      {"melfb_sr48000_nfft1024_mels128_htk_slaney_fmin500", 48000, 1024, 128, 500, 16000, true, true},
      {"melfb_sr96000_nfft2048_mels54_slaney_none_fmin100", 96000, 2048, 54, 100, 0.47 * 96000, false, false},
      {"melfb_sr44100_nfft2048_mels18_slaney_slaney_fmin0", 44100, 2048, 18, 0, 22050, false, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const test::Golden g = test::load_golden(c.name);
    FilterbankOptions o;
    o.scale = c.htk ? FrequencyScale::kHtkMel : FrequencyScale::kSlaneyMel;
    o.num_bands = c.n_mels;
    o.f_min_hz = c.f_min;
    o.f_max_hz = c.f_max;
    o.normalisation = c.slaney_norm ? FilterNormalisation::kSlaneyArea : FilterNormalisation::kNone;
    const Filterbank fb = make_filterbank(o, c.sr, c.n_fft);
    ASSERT_EQ(g.shape, (std::vector<std::int64_t>{c.n_mels, c.n_fft / 2 + 1}));
    std::vector<float> ours(fb.weights.begin(), fb.weights.end());
    const float max_ref = *std::max_element(g.values.begin(), g.values.end());
    const auto d = test::max_abs_diff(ours.data(), g.values.data(), ours.size());
    EXPECT_LE(d.value, 2e-5 * max_ref) << "band " << d.index / fb.num_bins << " bin " << d.index % fb.num_bins;
  }
}

TEST(Filterbank, ns1LogFrequencyTrianglesFollowRecipeC) {
  // NS1 recipe C (docs/datasets.md): centres 500·2^(k/6), log10-frequency triangles with feet
  // at the neighbouring centres, rows summing to 1.
  FilterbankOptions o;
  o.scale = FrequencyScale::kLogFrequency;
  o.num_bands = 34;
  o.f_min_hz = 500;
  o.bands_per_octave = 6;
  o.triangle_domain = TriangleDomain::kScale;
  o.normalisation = FilterNormalisation::kUnitSum;
  const double fs = 48828.125;
  const Filterbank fb = make_filterbank(o, fs, 1952);
  EXPECT_NEAR(fb.centres_hz[33], 22627.417, 1e-3);
  const double delta = std::log10(2.0) / 6;
  for (int b = 0; b < 34; ++b) {
    EXPECT_NEAR(fb.centres_hz[b], 500 * std::exp2(b / 6.0), 1e-9);
    double sum = 0.0;
    std::vector<double> raw(fb.num_bins, 0.0);
    double raw_sum = 0.0;
    for (int k = 1; k < fb.num_bins; ++k) {
      const double p = (std::log10(k * fs / 1952) - (std::log10(500.0) - delta)) / delta;
      raw[k] = std::max(0.0, 1.0 - std::fabs(p - (b + 1)));
      raw_sum += raw[k];
    }
    for (int k = 0; k < fb.num_bins; ++k) {
      sum += fb.weights[b * fb.num_bins + k];
      ASSERT_NEAR(fb.weights[b * fb.num_bins + k], raw[k] / raw_sum, 1e-12) << "band " << b << " bin " << k;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << "band " << b;
  }
}

TEST(Filterbank, coarseLowBandsAreReportedEmpty) {
  // 54 log-spaced triangles from 100 Hz at 96 kHz leave bands empty
  // at short FFTs; a long FFT fills them all.
  FilterbankOptions o;
  o.scale = FrequencyScale::kLogFrequency;
  o.num_bands = 54;
  o.f_min_hz = 100;
  o.bands_per_octave = 6;
  o.triangle_domain = TriangleDomain::kHz;
  const int empty_480 = make_filterbank(o, 96000, 480).empty_bands();
  const int empty_2048 = make_filterbank(o, 96000, 2048).empty_bands();
  const int empty_16384 = make_filterbank(o, 96000, 16384).empty_bands();
  EXPECT_GT(empty_480, empty_2048);
  EXPECT_GT(empty_480, 5);
  EXPECT_EQ(empty_16384, 0);
}

TEST(Filterbank, scalesRoundTripAndAreMonotonic) {
  for (auto scale : {FrequencyScale::kHtkMel, FrequencyScale::kSlaneyMel, FrequencyScale::kLogFrequency}) {
    double previous = -1e300;
    for (double f = 1.0; f < 48000; f *= 1.07) {
      const double m = hz_to_mel(f, scale);
      EXPECT_GT(m, previous);
      previous = m;
      EXPECT_NEAR(mel_to_hz(m, scale), f, 1e-9 * f) << to_string(scale) << " at " << f << " Hz";
    }
  }
}

TEST(Filterbank, inconsistentOptionsNameTheField) {
  FilterbankOptions o;
  o.num_bands = 0;
  try {
    make_filterbank(o, 16000, 512);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("num_bands"), std::string::npos) << e.what();
  }
  o.num_bands = 10;
  o.f_min_hz = 9000;
  o.f_max_hz = 8000;
  EXPECT_THROW(make_filterbank(o, 16000, 512), std::invalid_argument);
  o.scale = FrequencyScale::kLogFrequency;
  o.f_min_hz = 0;
  EXPECT_THROW(make_filterbank(o, 16000, 512), std::invalid_argument);
}

}  // namespace
}  // namespace statenet
