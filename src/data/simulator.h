#pragma once
// A ground-truth population for tests, demos and recovery checks: synthesised
// natural-like sounds and dynamic random chords, our own cochleagrams, neurons of known
// kinds and parameters, and Poisson trials binned like NS1. Seeded and deterministic.
//
// Neuron kinds (drive u[t] = Σ_{f,l} W[f,l]·z[f, t−l] on the standardised cochleagram z):
//   strf       rate = r₀·softplus(a·u + b)                          (linear STRF + nonlinearity)
//   adapting   a[t] = a[t−1] + (dt/τ)(u⁺[t] − a[t−1]);  rate = r₀·softplus(a·u − k·a[t] + b),
//              τ from 50 ms to 4 s                                   (STRF with adaptation)
//   onoff      e[t] = Σ_f w_f z[f, t]; rate = r₀·softplus(c₁[e[t] − e[t−1]]⁺ + c₂[e[t−1] − e[t]]⁺ + b)
//   recurrent  h[t] = ρh[t−1] + (1 − ρ)·tanh(u[t]), ρ = e^(−dt/τ), τ = 2–3 s;
//              rate = r₀·softplus(a·u + β·h + b)                      (multi-second memory)
// Trials: Poisson spikes at 1-ms resolution, a 1-ms indicator, summed per bin (as NS1).
//
// /truth holds: rates/<k> [N, T_k] (the expected binned count), strf [N, F, L],
// adaptation/<k> and memory/<k> states [N, T_k], and attributes describing every unit.

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/ns1_import.h"

namespace statenet {

struct SimulationOptions {
  int num_stimuli = 20;            ///< half natural-like sounds, half DRCs; default 20
  double stimulus_s = 5.0;         ///< default 5 s
  int trials = 20;                 ///< Poisson trials per stimulus; default 20
  int units_per_kind = 2;          ///< × 4 kinds (adapting units span τ); default 2
  int strf_lags = 20;              ///< STRF length in bins; default 20 (100 ms at 5 ms)
  double mean_rate_hz = 15.0;      ///< target mean firing rate; default 15 spikes/s
  std::string cochleagram_preset = "ns1";
  bool store_waveforms = false;
  std::uint64_t seed = 1;
  /// Which kinds to simulate, in this order; default all four.
  std::vector<std::string> kinds = {"strf", "adapting", "onoff", "recurrent"};
};

// Named configurations: "tiny" (6 × 2 s, 5 trials, 1 unit per kind: for tests),
// "default" (as above), "long-memory" (12 × 8 s, adaptation and memory to 4 s).
SimulationOptions simulation_preset(const std::string& name);
std::vector<std::string> simulation_preset_names();

Dataset simulate_dataset(const SimulationOptions& options, const ImportProgress& progress = {});

}  // namespace statenet
