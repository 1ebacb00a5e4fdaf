#pragma once
// Writing a cochleagram as a picture (PNG) or an array (HDF5), both atomically.

#include <string>

#include "cochlea/front_end.h"

namespace statenet {

struct CochleagramInfo {
  std::string preset;       ///< preset name
  std::string front_end;    ///< FrontEnd::describe()
  std::string source;       ///< input file or generator
  std::string value_label;  ///< what a value is, e.g. "level (dB)"
  double sample_rate_hz = 0.0;
  double hop_samples = 0.0;
};

// PNG: time on x (s), frequency on y (Hz, log), viridis, colour bar in the
// compressed unit.
void write_cochleagram_png(const std::string& path, const Cochleagram& c, const CochleagramInfo& info);

// HDF5, readable with h5py:
//   /cochleagram float32 [F, T]; /freqs_hz float64 [F];
//   root attributes: format = "statenet-cochleagram", version = 1, preset, front_end,
//   source, sample_rate_hz, hop_samples, frame_rate_hz.
void write_cochleagram_h5(const std::string& path, const Cochleagram& c, const CochleagramInfo& info);

}  // namespace statenet
