#pragma once
// CRCNS aa-1 (Theunissen lab; zebra finch MLd and Field L) in its plain-text layout
// (docs/datasets.md):
//   <src>/all_stims/<class>/<name>.wav            32 kHz PCM
//   <src>/<area>_cells/<cell>/<class>/stimN        one line: the wav file name
//   <src>/<area>_cells/<cell>/<class>/spikeN       one line per trial: spike times (ms from onset)

#include "data/dataset.h"
#include "data/ns1_import.h"

namespace statenet {

struct Aa1ImportOptions {
  std::string area = "MLd";            ///< "MLd" or "Field_L"
  std::string stimulus_class = "conspecific";  ///< the paper's 20 songs per neuron
  double dt_ms = 5.0;                  ///< response bin and cochleagram hop (1 or 5 in the paper)
  double smooth_ms = 21.0;             ///< raw Hann smoothing of each trial (the paper's 21 ms); 0 = none
  std::string cochleagram_preset = "aa1";
  bool store_waveforms = true;
};

Dataset import_aa1(const std::string& src_dir, const Aa1ImportOptions& options = {},
                   const ImportProgress& progress = {});

}  // namespace statenet
