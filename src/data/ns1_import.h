#pragma once
// Import of the NS1 recordings (Harper et al. 2016; Rahman et al. 2019) from their
// original OSF layout into a statenet Dataset (docs/datasets.md, "NS1 in detail"):
//   <src>/MetadataSHEnCneurons.mat                        unit table (119 units)
//   <src>/spikesandwav/<path of each unit>                 spike times per set and trial
//   <src>/spikesandwav/SH.En.C/source.*.frozen.<k>         the 20 natural-sound waveforms

#include <functional>
#include <string>

#include "data/dataset.h"

namespace statenet {

struct Ns1ImportOptions {
  /// Trial smoothing: 0 = none (the paper-era default); otherwise a
  /// raw, unnormalised Hann window of ⌊smooth_ms/dt⌋ taps (made odd), e.g. 21 → 5 taps.
  double smooth_ms = 0.0;
  std::string cochleagram_preset = "ns1";
  bool store_waveforms = true;
};

// `progress(done, total, what)` is called as units and stimuli are read.
using ImportProgress = std::function<void(int done, int total, const std::string& what)>;

// Throws std::runtime_error naming the file and the field on any problem.
Dataset import_ns1(const std::string& src_dir, const Ns1ImportOptions& options = {},
                   const ImportProgress& progress = {});

// The 5-ms bins of one trial: a 1-ms indicator (two spikes in one millisecond count
// once) of k = round_half_even(t_ms), 0 ≤ k < 4995, summed in groups of 5 → 999 bins.
std::vector<float> ns1_bin_trial(const std::vector<double>& spike_times_ms);

// Raw Hann smoothing kernel for dt: n = ⌊smooth_ms/dt_ms⌋, made odd; w_k = 0.5 − 0.5·cos(2πk/(n−1)).
std::vector<float> hann_smoothing_kernel(double smooth_ms, double dt_ms);
// Centred convolution with zero padding, length preserved.
std::vector<float> smooth(const std::vector<float>& x, const std::vector<float>& kernel);

}  // namespace statenet
