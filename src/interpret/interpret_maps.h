#pragma once
// What looking inside a trained model yields, and the analyses of it that need no LibTorch
// (paper Methods, "Model interpretability"; docs/interpretation.md):
//   GradMap of unit n: g = ∂𝓛/∂x at the null stimulus x = c ∈ ℝ^{F×T} (c = 0 by default), 𝓛 = −r̂_n[T − 1]
//     (the last bin), in eval mode (BatchNorm uses its running statistics);
//   Dream of unit n: x optimised from the null stimulus with Adam on the same loss;
//   Energy E[ℓ] = mean over bands of g[f, T − 1 − ℓ]², by latency ℓ (0 = the output bin).
// The maps are computed by train/interpret.h (LibTorch).

#include <string>
#include <vector>

#include "model_format/model_config.h"

namespace statenet {

struct InterpretOptions {
  std::vector<int> units;        ///< unit indices; empty = all
  int length_bins = 50;          ///< T of the null stimulus (50 for the similarity analysis)
  int dream_iterations = 1500;
  double dream_learning_rate = 0.01;
  /// The null stimulus's constant value, in the cochleagram's units (dB for the presets):
  /// 0 as in the paper; a model fitted to dB cochleagrams is better probed near the level it
  /// heard (e.g. the training data's mean), where its linearisation is not an extrapolation.
  float null_level = 0.0f;
  int threads = 0;               ///< 0 = all cores
};

struct InterpretMaps {
  ModelConfig config;
  std::vector<int> units;
  int num_bands = 0, length_bins = 0;
  float null_level = 0.0f;         ///< the null stimulus's value the maps were computed at
  std::vector<float> maps;         ///< [U, F, T], column T − 1 = the output bin
  std::vector<float> energy;       ///< [U, T], by latency ℓ = 0 … T − 1
  std::vector<float> loss_curve;   ///< dreams: [U, iterations]; empty for GradMaps
  float map(int u, int f, int t) const { return maps[(static_cast<std::size_t>(u) * num_bands + f) * length_bins + t]; }
};

// Similarity of models (paper: "Similarity"): for each pair, the Pearson CC between the
// flattened F × T GradMaps of the same unit, averaged over units. All models must predict
// the same units (same unit ids, or the same count); returns the M × M matrix, row-major.
std::vector<double> gradmap_similarity(const std::vector<InterpretMaps>& models);

// Recovery of a known STRF: for each unit of `maps`, the Pearson CC between its GradMap's
// response-raising direction −g at latencies 0…L−1 (column T − 1 − ℓ) and strf[n] [F, L],
// strf[n][f][ℓ] = weight of x[f, t − ℓ] (the simulator's /truth/strf, [N, F, L], indexed by
// the unit index n = maps.units[u]). Throws std::invalid_argument if T < L or shapes differ.
std::vector<double> strf_correlation(const InterpretMaps& maps, const std::vector<float>& strf, int num_units, int lags);

// The latency (in bins) below which `fraction` of the energy lies, per unit.
std::vector<int> memory_length_bins(const InterpretMaps& maps, double fraction = 0.95);

// How far the energy reaches, per unit: 1 + the largest latency ℓ (bins) with
// E[ℓ] ≥ relative · max E (default 10⁻⁶: 60 dB below the peak); 0 for an all-zero map.
// A stateless model's extent never exceeds its window; a stateful one's can reach seconds.
std::vector<int> energy_extent_bins(const InterpretMaps& maps, double relative = 1e-6);

}  // namespace statenet
