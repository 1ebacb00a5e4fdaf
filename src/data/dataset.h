#pragma once
// The statenet dataset: stimuli (cochleagrams, optional waveforms) and the recorded
// responses of a population of units, one HDF5 file per dataset (docs/dataset-format.md).
//
//   /  attributes: format = "statenet-dataset", version = 1, name, dt_ms, cochleagram
//   /freqs_hz              float64 [F]
//   /unit_ids              string  [N]
//   /stimuli/0000 …        groups in stimulus order, attribute name
//       cochleagram        float32 [F, T_k]
//       responses          float32 [N, R_k, T_k]   NaN: unit absent or fewer trials
//       waveform           float32 [samples], attribute sample_rate   (optional)
//   /truth/…               float32 arrays and attributes of simulated data (optional)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/h5_file.h"

namespace statenet {

struct Stimulus {
  std::string name;
  std::int64_t num_frames = 0;     ///< T_k
  int num_trials = 0;              ///< R_k
  std::vector<float> cochleagram;  ///< [F, T_k]
  std::vector<float> responses;    ///< [N, R_k, T_k]
  std::vector<float> waveform;     ///< optional
  double waveform_rate_hz = 0.0;

  float response(int unit, int trial, std::int64_t t) const {
    return responses[(static_cast<std::size_t>(unit) * num_trials + trial) * num_frames + t];
  }
  float* unit_trials(int unit) { return responses.data() + static_cast<std::size_t>(unit) * num_trials * num_frames; }
  const float* unit_trials(int unit) const {
    return responses.data() + static_cast<std::size_t>(unit) * num_trials * num_frames;
  }
  /// True when the unit has at least one recorded (non-NaN) value for this stimulus.
  bool heard_by(int unit) const;
};

struct TruthArray {
  Shape shape;
  std::vector<float> data;
};

struct Dataset {
  std::string name;
  double dt_ms = 0.0;
  std::string cochleagram;  ///< the preset and its parameters (FrontEnd::describe)
  std::vector<double> freqs_hz;
  std::vector<std::string> unit_ids;
  std::vector<Stimulus> stimuli;
  /// Extra root attributes (source, response_unit, smoothing, …), all strings.
  std::map<std::string, std::string> attributes;
  /// Simulated data: arrays under /truth, keyed by their path below it ("rates/0000").
  std::map<std::string, TruthArray> truth;
  std::map<std::string, std::string> truth_attributes;

  int num_bands() const { return static_cast<int>(freqs_hz.size()); }
  int num_units() const { return static_cast<int>(unit_ids.size()); }
};

// Checks every invariant of the format; throws std::runtime_error
// "<context>: <object>: <problem>".
void validate_dataset(const Dataset& d, const std::string& context);

// Validates, then writes to a temporary file and renames it over `path`.
void write_dataset(const std::string& path, const Dataset& d);

struct ReadOptions {
  bool waveforms = true;  ///< load /stimuli/*/waveform
  bool truth = true;      ///< load /truth
};
// Reads and validates; a malformed file is rejected with a message naming the object.
Dataset read_dataset(const std::string& path, const ReadOptions& options = {});

// "0000", "0001", …
std::string stimulus_key(std::size_t index);

}  // namespace statenet
