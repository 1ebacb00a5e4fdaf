#include "data/dataset_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "data/dataset_api.h"

namespace statenet {

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const std::size_t i = static_cast<std::size_t>(pos);
  return i + 1 < v.size() ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
}

DatasetSummary summarise_dataset(const Dataset& d) {
  DatasetSummary s;
  s.min_trials = d.stimuli.empty() ? 0 : 1 << 30;
  s.shortest_frames = d.stimuli.empty() ? 0 : d.stimuli.front().num_frames;
  for (const auto& st : d.stimuli) {
    s.bins += st.num_frames;
    s.shortest_frames = std::min(s.shortest_frames, st.num_frames);
    s.longest_frames = std::max(s.longest_frames, st.num_frames);
    s.min_trials = std::min(s.min_trials, st.num_trials);
    s.max_trials = std::max(s.max_trials, st.num_trials);
  }
  const DatasetProtocol protocol = dataset_protocol(d);
  s.population = protocol.population;
  s.fitting_from = protocol.fitting_from;
  for (int u = 0; u < d.num_units(); ++u) {  // responses per bin → per second
    double sum = 0;
    std::int64_t n = 0;
    for (const auto& st : d.stimuli) {
      const float* r = st.unit_trials(u);
      for (std::size_t i = 0; i < static_cast<std::size_t>(st.num_trials) * st.num_frames; ++i)
        if (!std::isnan(r[i])) sum += r[i], ++n;
    }
    s.mean_rate_per_s.push_back(n ? sum / n * 1000.0 / d.dt_ms : NAN);
  }
  if (s.population) {
    s.cc_max = unit_cc_max(d, all_stimuli(d));
  } else {
    for (int u = 0; u < d.num_units(); ++u) s.cc_max.push_back(unit_cc_max(d, stimuli_heard_by(d, u))[u]);
  }
  for (double c : s.cc_max) {
    if (std::isnan(c)) ++s.single_trial_units;
    else ++s.cc_max_histogram[std::clamp(static_cast<int>(c * 10), 0, 9)];
  }
  return s;
}

std::string describe_dataset(const std::string& path, const Dataset& d, const DatasetSummary& s) {
  std::string out;
  auto line = [&out](const char* format, auto... args) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, format, args...);
    out += buf;
  };
  line("%s: dataset '%s'\n", path.c_str(), d.name.c_str());
  for (const auto& [k, v] : d.attributes) line("  %-14s %s\n", k.c_str(), v.c_str());
  line("  cochleagram    %s\n", d.cochleagram.c_str());
  line("  bands          F = %d, %.0f–%.0f Hz\n", d.num_bands(), d.freqs_hz.front(), d.freqs_hz.back());
  line("  stimuli        %zu, %.1f s in all (%lld bins of %g ms; T = %lld–%lld)\n", d.stimuli.size(), s.bins * d.dt_ms / 1000.0,
       static_cast<long long>(s.bins), d.dt_ms, static_cast<long long>(s.shortest_frames), static_cast<long long>(s.longest_frames));
  line("  trials         %d–%d per stimulus\n", s.min_trials, s.max_trials);
  line("  units          N = %d (%s fitting, %s)\n", d.num_units(), s.population ? "population" : "unit-by-unit", s.fitting_from.c_str());
  line("  mean rate      %.1f / %.1f / %.1f per second (min / median / max over units)\n", quantile(s.mean_rate_per_s, 0),
       quantile(s.mean_rate_per_s, 0.5), quantile(s.mean_rate_per_s, 1));
  const std::string single = s.single_trial_units ? ", " + std::to_string(s.single_trial_units) + " single-trial units" : "";
  line("  reliability    CC_max (signal power, all stimuli concatenated): median %.3f, 10–90%% %.3f–%.3f, range %.3f–%.3f%s\n",
       quantile(s.cc_max, 0.5), quantile(s.cc_max, 0.1), quantile(s.cc_max, 0.9), quantile(s.cc_max, 0), quantile(s.cc_max, 1),
       single.c_str());
  const int peak = std::max(1, *std::max_element(s.cc_max_histogram.begin(), s.cc_max_histogram.end()));
  for (int b = 0; b < 10; ++b)  // a text histogram of CC_max
    line("    %.1f–%.1f %4d %s\n", b / 10.0, (b + 1) / 10.0, s.cc_max_histogram[b],
         std::string(s.cc_max_histogram[b] * 40 / peak, '#').c_str());
  if (!d.truth_attributes.empty() || d.attributes.count("simulated")) out += "  ground truth   /truth present\n";
  return out;
}

}  // namespace statenet
