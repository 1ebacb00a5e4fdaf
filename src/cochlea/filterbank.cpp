#include "cochlea/filterbank.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace statenet {
namespace {

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw std::invalid_argument("filterbank option '" + field + "': " + what);
}

}  // namespace

int Filterbank::empty_bands() const {
  int empty = 0;
  for (int b = 0; b < num_bands; ++b) {
    const auto row = weights.begin() + static_cast<std::ptrdiff_t>(b) * num_bins;
    if (std::all_of(row, row + num_bins, [](double w) { return w == 0.0; })) ++empty;
  }
  return empty;
}

Filterbank make_filterbank(const FilterbankOptions& o, double fs, int n_fft) {
  if (o.num_bands <= 0) bad("num_bands", "must be positive, got " + std::to_string(o.num_bands));
  if (n_fft < 2) bad("n_fft", "must be at least 2, got " + std::to_string(n_fft));
  if (!(fs > 0)) bad("sample_rate_hz", "must be positive");
  const int F = o.num_bands;
  Filterbank fb;
  fb.num_bands = F;
  fb.num_bins = n_fft / 2 + 1;
  fb.weights.assign(static_cast<std::size_t>(F) * fb.num_bins, 0.0);
  fb.edges_hz.resize(F + 2);

  // The F + 2 edge points, both on the scale (edge_scale) and in Hz (edges_hz), and the
  // map Hz → scale coordinate used for triangles drawn on the scale.
  std::vector<double> edge_scale(F + 2);
  std::function<double(double)> to_scale;
  if (o.scale == FrequencyScale::kLogFrequency) {
    if (!(o.f_min_hz > 0)) bad("f_min_hz", "a log-frequency scale needs a first centre above 0 Hz");
    if (!(o.bands_per_octave > 0)) bad("bands_per_octave", "must be positive");
    // Coordinate s = bands_per_octave·log2(f/f_min): centres at s = 0..F−1, DC at −∞.
    const double f_min = o.f_min_hz, bpo = o.bands_per_octave;
    to_scale = [f_min, bpo](double hz) { return bpo * std::log2(hz / f_min); };
    for (int j = 0; j < F + 2; ++j) {
      edge_scale[j] = j - 1.0;
      fb.edges_hz[j] = f_min * std::exp2((j - 1.0) / bpo);
    }
  } else {
    const double f_max = o.f_max_hz > 0 ? o.f_max_hz : fs / 2;
    if (o.f_min_hz < 0) bad("f_min_hz", "must not be negative");
    if (!(f_max > o.f_min_hz)) bad("f_max_hz", "must exceed f_min_hz");
    const FrequencyScale scale = o.scale;
    to_scale = [scale](double hz) { return hz_to_mel(hz, scale); };
    const double m_lo = to_scale(o.f_min_hz), m_hi = to_scale(f_max);
    for (int j = 0; j < F + 2; ++j) {
      edge_scale[j] = m_lo + (m_hi - m_lo) * j / (F + 1);
      fb.edges_hz[j] = mel_to_hz(edge_scale[j], o.scale);
    }
  }
  // Triangle b rises from edge b to its apex at edge b + 1 and falls to edge b + 2,
  // linearly in Hz or on the scale.
  const bool on_scale = o.triangle_domain == TriangleDomain::kScale;
  const std::vector<double>& edges = on_scale ? edge_scale : fb.edges_hz;
  for (int k = 0; k < fb.num_bins; ++k) {
    const double f = k * fs / n_fft;
    const double x = on_scale ? to_scale(f) : f;
    for (int b = 0; b < F; ++b) {
      const double w = std::min((x - edges[b]) / (edges[b + 1] - edges[b]),
                                (edges[b + 2] - x) / (edges[b + 2] - edges[b + 1]));
      fb.weights[static_cast<std::size_t>(b) * fb.num_bins + k] = std::max(0.0, w);  // NaN/−∞ → 0
    }
  }
  fb.centres_hz.assign(fb.edges_hz.begin() + 1, fb.edges_hz.end() - 1);

  for (int b = 0; b < F; ++b) {
    double* row = fb.weights.data() + static_cast<std::size_t>(b) * fb.num_bins;
    double scale = 1.0;
    if (o.normalisation == FilterNormalisation::kSlaneyArea) {
      scale = 2.0 / (fb.edges_hz[b + 2] - fb.edges_hz[b]);
    } else if (o.normalisation == FilterNormalisation::kUnitSum) {
      double sum = 0.0;
      for (int k = 0; k < fb.num_bins; ++k) sum += row[k];
      scale = sum > 0 ? 1.0 / sum : 0.0;
    }
    for (int k = 0; k < fb.num_bins; ++k) row[k] *= scale;
  }
  return fb;
}

SparseFilterbank::SparseFilterbank(const Filterbank& dense) {
  for (int b = 0; b < dense.num_bands; ++b) {
    const double* row = dense.weights.data() + static_cast<std::size_t>(b) * dense.num_bins;
    int first = 0, last = -1;
    for (int k = 0; k < dense.num_bins; ++k) {
      if (row[k] != 0.0) {
        if (last < 0) first = k;
        last = k;
      }
    }
    first_bin.push_back(first);
    num_bins.push_back(last < 0 ? 0 : last - first + 1);
    offset.push_back(static_cast<int>(weights.size()));
    for (int k = first; k <= last; ++k) weights.push_back(static_cast<float>(row[k]));
  }
}

std::string to_string(FrequencyScale scale) {
  switch (scale) {
    case FrequencyScale::kHtkMel: return "htk-mel";
    case FrequencyScale::kSlaneyMel: return "slaney-mel";
    case FrequencyScale::kLogFrequency: return "log-frequency";
  }
  return "?";
}
std::string to_string(TriangleDomain d) { return d == TriangleDomain::kHz ? "hz" : "scale"; }
std::string to_string(FilterNormalisation n) {
  switch (n) {
    case FilterNormalisation::kNone: return "none";
    case FilterNormalisation::kSlaneyArea: return "slaney-area";
    case FilterNormalisation::kUnitSum: return "unit-sum";
  }
  return "?";
}

}  // namespace statenet
