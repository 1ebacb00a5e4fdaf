#pragma once
// Pieces shared by the importers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audio/audio_buffer.h"
#include "data/dataset.h"

namespace statenet {

// Spike times (ms from stimulus onset) → counts per bin of dt_ms over T bins:
// bin ⌊t/dt⌋, negative times and times past the last bin dropped (a count histogram).
std::vector<float> bin_spike_counts(const std::vector<double>& times_ms, double dt_ms, std::int64_t num_bins);

// A number read from a file as a whole index: floor(x), or nullopt when x is NaN, infinite or
// beyond ±2^53 (converting such a double to an integer is undefined behaviour).
std::optional<std::int64_t> floor_index(double x);

// A stimulus from its waveform: resampled to the preset's rate when needed (a rate whose
// Nyquist frequency is not above the top band is refused), its cochleagram with the named
// preset at hop `hop_ms` (0 = the preset's own), and the original waveform when asked.
// Fills d.freqs_hz and d.cochleagram on first use.
Stimulus make_stimulus(Dataset& d, std::string name, const AudioBuffer& audio, const std::string& preset,
                       double hop_ms, bool keep_waveform);

// Collects per-unit trials of each stimulus, then lays them out as [N, R_k, T_k] with NaN
// where a unit did not hear the stimulus or has fewer trials.
class ResponseTable {
 public:
  void add(int stimulus, int unit, std::vector<float> trial) { trials_[{stimulus, unit}].push_back(std::move(trial)); }
  bool has(int stimulus, int unit) const { return trials_.count({stimulus, unit}) > 0; }
  // Fills stimulus.responses / num_trials for stimulus index k (num_frames must be set).
  void fill(Stimulus& s, int k, int num_units) const;

 private:
  std::map<std::pair<int, int>, std::vector<std::vector<float>>> trials_;
};

// Files in a directory (names only, sorted); throws "<dir>: no such directory".
std::vector<std::string> list_directory(const std::string& dir, bool directories);

}  // namespace statenet
