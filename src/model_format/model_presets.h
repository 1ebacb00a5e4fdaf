#pragma once
// The paper's model sizes per dataset (docs/models.md, "Sizes per dataset"): what
// `statenet train` builds unless a flag overrides a size. Torch-free.
//
// A dataset says what it is with the root attributes `kind` (ns1, nat4, aa1, wehr, asari,
// simulated) and `area` (A1, PEG, MLd, Field_L, MGB) that the importers write. Each
// architecture then gets the sizes of the paper's published model on that dataset, where
// one was published, and the generic defaults (NS1's sizes) everywhere else:
//
//   dataset (F)       StateNet K S C → H, best core   2D-CNN kernel   NRF / DNet window
//   ns1 (34)          7 3 7 → 70, gru                 6 × 15          41 / 41
//   nat4 (18)         5 2 10 → 70, lstm               3 × 7           41 / 41
//   aa1 MLd (32)      7 3 7 → 63, mamba               6 × 15          41 / 41
//   aa1 Field_L (32)  7 3 7 → 63, s4 (DPLR)           6 × 9           41 / 41
//   wehr (49)         9 4 5 → 55, s4 (DPLR)           6 × 15          41 / 11
//   asari A1 (54)     9 4 5 → 60, gru                 6 × 15          41 / 41
//   asari MGB (54)    9 4 5 → 60, gru                 6 × 15          41 / 1
//   generic           7 3 7, gru                      6 × 15          41 / 41
//
// NRF and DNet have 20 hidden channels, the 2D-CNN 10 channels and 90 hidden units, the
// Transformer E 48, 4 heads, d_ff 160 and a 48-bin window, everywhere. StateNet and L end
// with the identity, the others with the per-unit double exponential.

#include <string>

#include "model_format/model_config.h"

namespace statenet {

struct DatasetIdentity {
  std::string kind;  ///< "ns1", "nat4", "aa1", "wehr", "asari", "simulated", or "" (unknown)
  std::string area;  ///< "A1", "PEG", "MLd", "Field_L", "MGB", or ""
};

struct ModelPreset {
  ModelConfig config;
  /// Where the sizes come from: "the paper's sizes for aa1 Field_L" or "generic defaults
  /// (no published model for this dataset)".
  std::string source;
};

// The sizes `statenet train` uses for `architecture` on a dataset with F bands and N units.
// The recurrent core is the paper's best on that dataset (GRU where none was published).
ModelPreset preset_model_config(Architecture architecture, const DatasetIdentity& dataset, int num_bands, int num_units);

// The sizes that matter for the configuration's architecture, for messages and tables:
// "lc K 7 S 3 C 7 → H 70, gru", "window 41, hidden 20, decay recurrent", "kernel 6×15, 10
// channels, hidden 90", "E 48, 4 heads, d_ff 160, window 48"; then ", output identity".
std::string describe_sizes(const ModelConfig& config);

}  // namespace statenet
