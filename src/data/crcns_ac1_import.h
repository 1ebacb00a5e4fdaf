#pragma once
// CRCNS ac-1 (Zador lab), MATLAB v5 files (docs/datasets.md): intracellular
// recordings from single cells, each with its own stimuli, fitted unit by unit.
//
// Wehr (rat A1, whole-cell membrane potential):
//   <src>/wehr/Results/<session>/<trial>.mat   response {trace, scale, sf}, triggers(k)
//                                              {type, time (1-based sample), param {description,
//                                              duration ms}, file}
//   <src>/wehr/Stimuli/<category>/<idx>.mat    stimulus {samples, param {sf, description}}
// Asari (rat A1 / MGB):
//   <src>/asari-results-{1,2}/<cell>/*.mat     param {stimulus(k).file, recording {site, type}},
//                                              response {trace, scale, sf}, triggers(k) {type, time,
//                                              param {description "Sequence 1: 2 1 3", duration}}
//   <src>/asari/Stimuli/class<N>/<idx>.mat     stimulus {sample|samples}, param.sf

#include "data/dataset.h"
#include "data/ns1_import.h"

namespace statenet {

struct WehrImportOptions {
  double dt_ms = 5.0;
  double median_ms = 10.0;        ///< median filter of the 4 kHz trace before binning (GetEvoked)
  bool all_cells = false;         ///< false: drop cells 1, 2, 4, 8 (0-based, session order), as the paper
  /// The authors' cell-12 fix (clip 11 dropped, clip 10 cut to its first half) and their
  /// per-cell (train, validation, test) clip counts as the `unit_splits` attribute.
  bool paper_fixes = true;
  std::string cochleagram_preset = "wehr";
  bool store_waveforms = true;
};
Dataset import_wehr(const std::string& src_dir, const WehrImportOptions& options = {},
                    const ImportProgress& progress = {});

struct AsariImportOptions {
  std::string area = "A1";        ///< "A1" (recording.site contains "cortex") or "MGB"
  double dt_ms = 5.0;
  double median_ms = 501.0;       ///< MedGauss drift removal at 1 ms: median window …
  double gauss_sigma_ms = 40.0;   ///< … then a Gaussian of this σ, subtracted from the trace
  /// "vm": the membrane potential less its MedGauss baseline (the paper: every Asari cell
  /// whole-cell). "spikes": the cell-attached branch of the authors' loader, for MGB cells
  /// recorded cell-attached — spikes_from_trace, then the mean per bin.
  std::string signal = "vm";
  std::string cochleagram_preset = "asari";
  bool store_waveforms = true;
};
Dataset import_asari(const std::string& src_dir, const AsariImportOptions& options = {},
                     const ImportProgress& progress = {});

// Running median of odd length w (edges: the window shrinks), and a Gaussian smoother
// with reflect-mode edges — the MedGauss pieces, exposed for tests.
std::vector<double> running_median(const std::vector<double>& x, int w);
std::vector<double> gaussian_filter(const std::vector<double>& x, double sigma);
// The spike branch: the trace less its running median over 11 samples (the loader's 10,
// made odd to centre it), a spike wherever that exceeds 2.5 standard deviations of itself
// (1, else 0), smoothed by a 21-sample Hann window (0.5 − 0.5·cos(2πn/20), 'same' alignment).
// Same length as the trace, in the trace's samples.
std::vector<double> spikes_from_trace(const std::vector<double>& trace);
// Mean over consecutive groups of `factor` samples (a trailing partial group is dropped).
std::vector<double> average_pool(const std::vector<double>& x, int factor);

}  // namespace statenet
