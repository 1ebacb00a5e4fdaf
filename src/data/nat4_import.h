#pragma once
// NAT4 (Pennington & David 2023; ferret A1 / PEG) from its NEMS recording archives,
// unpacked (docs/datasets.md):
//   <src>/<AREA>_NAT4_ozgf.fs100.ch18/<rec>.{resp,stim}.{csv,json,epoch.csv}   population, 100 Hz
//   <src>/<site>/<site>.resp.{h5,json,epoch.csv}                               per site, spike times
//   <src>/<AREA>_pred_correlation.csv                                           cellid, sig_auditory
// (Unpack the .tgz archives into <src> first: tar xzf A1_NAT4_ozgf.fs100.ch18.tgz, and each
// per-site archive of A1_single_sites.zip.)
//
// Cochleagram: the shipped 18-channel "ozgf" gammatone signal, NEMS dlog ln(1 + 10x), then
// min–max per channel over the recording. Estimation sounds: one trial each, the population
// response min–max normalised per unit. Validation sounds: 20 trials rasterised from the
// per-site spike times (⌊t·1000⌋ at 1 kHz, summed per 10 ms) and scaled by the same per-unit
// min–max, so both are on one scale. Units: sig_auditory.

#include "data/dataset.h"
#include "data/ns1_import.h"

namespace statenet {

struct Nat4ImportOptions {
  std::string area = "A1";  ///< "A1" or "PEG"
  bool auditory_only = true;  ///< keep units with sig_auditory (needs <AREA>_pred_correlation.csv)
};

Dataset import_nat4(const std::string& src_dir, const Nat4ImportOptions& options = {},
                    const ImportProgress& progress = {});

// "ARM029a-01-1" and "ARM029a-1-1" → "ARM029a-1-1" (site-electrode-unit with integers).
std::string normalise_nat4_unit_id(const std::string& id);

}  // namespace statenet
