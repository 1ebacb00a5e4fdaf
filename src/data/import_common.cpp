#include "data/import_common.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "audio/resample.h"
#include "cochlea/presets.h"

namespace statenet {

std::vector<float> bin_spike_counts(const std::vector<double>& times, double dt_ms, std::int64_t T) {
  std::vector<float> bins(static_cast<std::size_t>(T), 0.0f);
  for (double t : times) {
    if (!(t >= 0)) continue;
    const std::optional<std::int64_t> b = floor_index(t / dt_ms);
    if (b && *b < T) bins[static_cast<std::size_t>(*b)] += 1.0f;
  }
  return bins;
}

std::optional<std::int64_t> floor_index(double x) {
  constexpr double kLimit = 9007199254740992.0;  // 2^53
  if (!(std::fabs(x) <= kLimit)) return std::nullopt;
  return static_cast<std::int64_t>(std::floor(x));
}

Stimulus make_stimulus(Dataset& d, std::string name, const AudioBuffer& audio, const std::string& preset_name,
                       double hop_ms, bool keep_waveform) {
  CochleagramPreset preset = cochleagram_preset(preset_name);
  if (hop_ms > 0) preset.set_hop_ms(hop_ms);
  if (audio.sample_rate_hz / 2 <= preset.highest_centre_hz()) {
    throw std::runtime_error(audio.origin + ": sample rate " + std::to_string(audio.sample_rate_hz) +
                             " Hz is too low for the top band at " + std::to_string(preset.highest_centre_hz()) + " Hz");
  }
  std::vector<float> resampled;
  const std::vector<float>* samples = &audio.samples;
  if (std::fabs(audio.sample_rate_hz - preset.sample_rate_hz()) > 1e-5 * preset.sample_rate_hz()) {
    resampled = resample(audio.samples.data(), audio.samples.size(), audio.sample_rate_hz, preset.sample_rate_hz());
    samples = &resampled;
  }
  auto fe = make_front_end(preset);
  const Cochleagram c = compute_cochleagram(*fe, samples->data(), samples->size());
  if (c.num_frames == 0) throw std::runtime_error(audio.origin + ": too short for one cochleagram frame");
  if (d.freqs_hz.empty()) {
    d.freqs_hz = c.centre_frequencies_hz;
    d.cochleagram = front_end_description(preset.name, *fe);
  }
  Stimulus s;
  s.name = std::move(name);
  s.cochleagram = c.values;
  s.num_frames = c.num_frames;
  if (keep_waveform) {
    s.waveform = audio.samples;
    s.waveform_rate_hz = audio.sample_rate_hz;
  }
  return s;
}

void ResponseTable::fill(Stimulus& s, int k, int N) const {
  int R = 0;
  for (int u = 0; u < N; ++u) {
    auto it = trials_.find({k, u});
    if (it != trials_.end()) R = std::max(R, static_cast<int>(it->second.size()));
  }
  s.num_trials = std::max(R, 1);
  s.responses.assign(static_cast<std::size_t>(N) * s.num_trials * s.num_frames, NAN);
  for (int u = 0; u < N; ++u) {
    auto it = trials_.find({k, u});
    if (it == trials_.end()) continue;
    for (std::size_t m = 0; m < it->second.size(); ++m) {
      const auto& tr = it->second[m];
      const std::size_t n = std::min<std::size_t>(tr.size(), static_cast<std::size_t>(s.num_frames));
      std::copy(tr.begin(), tr.begin() + n, s.unit_trials(u) + m * s.num_frames);
      // A trial shorter than the stimulus (a response cut early) stays NaN at the end.
    }
  }
}

std::vector<std::string> list_directory(const std::string& dir, bool directories) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::runtime_error(dir + ": no such directory");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() == directories) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace statenet
