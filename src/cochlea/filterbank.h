#pragma once
// Triangular filterbanks on a mel or log-frequency scale (docs/cochleagram.md, "Triangular
// filterbanks"; NS1 recipe C in docs/datasets.md), built once in float64 and applied in a
// sparse form.

#include <string>
#include <vector>

#include "cochlea/frequency_scale.h"

namespace statenet {

enum class TriangleDomain {
  kHz,     ///< triangles linear in Hz between scale-spaced points (librosa, torchaudio)
  kScale,  ///< triangles linear on the scale itself (VOICEBOX melbankm 'l', Kaldi)
};

enum class FilterNormalisation {
  kNone,
  kSlaneyArea,  ///< filter i × 2/(f_{i+2} − f_i): unit area in Hz
  kUnitSum,     ///< each row sums to 1 (melbankm 's'); an empty row stays zero
};

// Where the F + 2 edge points come from:
//  - mel scales: equally spaced in mel from mel(f_min_hz) to mel(f_max_hz) (f_min and
//    f_max are the OUTER feet of the first and last filters);
//  - kLogFrequency: centres f_min_hz·2^(k/bands_per_octave), k = 0..F−1 (f_min_hz is the
//    FIRST CENTRE; f_max_hz is ignored), feet at the neighbouring centres.
struct FilterbankOptions {
  FrequencyScale scale = FrequencyScale::kHtkMel;  ///< default HTK mel
  int num_bands = 32;                               ///< F; default 32
  double f_min_hz = 0.0;                            ///< default 0 Hz
  double f_max_hz = 0.0;                            ///< 0 = Nyquist; mel scales only
  double bands_per_octave = 6.0;                    ///< kLogFrequency only; default 6
  TriangleDomain triangle_domain = TriangleDomain::kHz;
  FilterNormalisation normalisation = FilterNormalisation::kNone;
};

// Dense filterbank: weights[band * num_bins + k], num_bins = n_fft/2 + 1, bin k at
// k·fs/n_fft Hz. Rows are ordered from the lowest band up.
struct Filterbank {
  int num_bands = 0;
  int num_bins = 0;
  std::vector<double> weights;
  std::vector<double> centres_hz;  ///< apex of each triangle
  std::vector<double> edges_hz;    ///< F + 2 points: feet and apexes
  int empty_bands() const;         ///< rows with no non-zero weight
};

// Throws std::invalid_argument naming the field when the options are inconsistent
// (non-positive F, f_min ≥ f_max, a log scale starting at 0 Hz, …).
Filterbank make_filterbank(const FilterbankOptions& options, double sample_rate_hz, int n_fft);

// The filterbank as contiguous runs of non-zero weights, one run per band (float).
struct SparseFilterbank {
  std::vector<int> first_bin;   ///< per band
  std::vector<int> num_bins;    ///< per band
  std::vector<int> offset;      ///< per band, into weights
  std::vector<float> weights;

  explicit SparseFilterbank(const Filterbank& dense);
  SparseFilterbank() = default;
  // out[b] = Σ_k W[b, k]·spectrum[k].
  void apply(const float* spectrum, float* out) const noexcept {
    const int bands = static_cast<int>(first_bin.size());
    for (int b = 0; b < bands; ++b) {
      const float* w = weights.data() + offset[b];
      const float* s = spectrum + first_bin[b];
      float acc = 0.0f;
      for (int k = 0; k < num_bins[b]; ++k) acc += w[k] * s[k];
      out[b] = acc;
    }
  }
};

std::string to_string(FrequencyScale scale);
std::string to_string(TriangleDomain domain);
std::string to_string(FilterNormalisation normalisation);

}  // namespace statenet
