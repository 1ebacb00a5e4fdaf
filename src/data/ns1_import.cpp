#include "data/ns1_import.h"

#include <matio.h>

#include <cmath>
#include <stdexcept>

#include "audio/audio_file.h"
#include "cochlea/presets.h"
#include "data/mat_file.h"

namespace statenet {
namespace {

constexpr int kStimuli = 20;      // natural sounds: sets 0–19 (sets 20–31 are DRCs, no waveforms)
constexpr int kBins = 999;        // 5-ms bins over 0–4995 ms
constexpr std::size_t kMaxSpikeTimesPerTrial = 1000000;  // ~200 per 1-ms bin: nothing a real trial holds
constexpr double kDtMs = 5.0;

std::string wav_path(const std::string& src, int stimulus) {
  const bool first = stimulus < 12;  // stimuli 0–11: source 1 frozen 1–12; 12–19: source 2 frozen 1–8
  return src + "/spikesandwav/SH.En.C/source." + (first ? "1" : "2") + ".sound.0.snr.0.token.0.fw." +
         (first ? "2" : "1") + ".frozen." + std::to_string(first ? stimulus + 1 : stimulus - 11);
}

}  // namespace

std::vector<float> ns1_bin_trial(const std::vector<double>& times) {
  std::vector<unsigned char> ms(kBins * 5, 0);
  for (double t : times) {
    const double k = std::nearbyint(t);  // round half to even, as NumPy
    if (k >= 0 && k < kBins * 5) ms[static_cast<std::size_t>(k)] = 1;
  }
  std::vector<float> bins(kBins, 0.0f);
  for (int b = 0; b < kBins; ++b)
    for (int j = 0; j < 5; ++j) bins[b] += ms[5 * b + j];
  return bins;
}

std::vector<float> hann_smoothing_kernel(double smooth_ms, double dt_ms) {
  int n = static_cast<int>(std::floor(smooth_ms / dt_ms + 1e-9));
  if (n % 2 == 0) ++n;
  std::vector<float> w(static_cast<std::size_t>(n), 1.0f);
  if (n == 1) return w;
  for (int k = 0; k < n; ++k) w[k] = static_cast<float>(0.5 - 0.5 * std::cos(2 * M_PI * k / (n - 1)));
  return w;
}

std::vector<float> smooth(const std::vector<float>& x, const std::vector<float>& kernel) {
  const int half = static_cast<int>(kernel.size()) / 2;
  std::vector<float> y(x.size(), 0.0f);
  for (std::size_t t = 0; t < x.size(); ++t) {
    double acc = 0.0;
    for (int j = -half; j <= half; ++j) {
      const long i = static_cast<long>(t) + j;
      if (i >= 0 && i < static_cast<long>(x.size())) acc += kernel[half + j] * x[i];
    }
    y[t] = static_cast<float>(acc);
  }
  return y;
}

Dataset import_ns1(const std::string& src, const Ns1ImportOptions& options, const ImportProgress& progress) {
  MatFile meta(src + "/MetadataSHEnCneurons.mat");
  const matvar_t* neuron = meta.variable("neuron");
  if (!mat_is_struct(neuron)) throw std::runtime_error(meta.path() + ": neuron: expected a struct array");
  const std::size_t total_units = mat_numel(neuron);

  // 1. Valid units: singleT ∈ {Yes, Maybe} and depth ≥ 0, in metadata order.
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < total_units; ++i) {
    const std::string where = "neuron(" + std::to_string(i + 1) + ")";
    const std::string single = mat_string(meta, mat_field(meta, neuron, "singleT", i, where), where + ".singleT");
    const auto depth = mat_numbers(meta, mat_field(meta, neuron, "depth", i, where), where + ".depth");
    if (depth.size() != 1) throw std::runtime_error(meta.path() + ": " + where + ".depth: expected one number");
    if ((single == "Yes" || single == "Maybe") && depth[0] >= 0)
      paths.push_back(mat_string(meta, mat_field(meta, neuron, "path", i, where), where + ".path"));
  }
  if (paths.empty()) throw std::runtime_error(meta.path() + ": no valid unit (singleT Yes/Maybe and depth ≥ 0)");

  Dataset d;
  d.name = "ns1";
  d.dt_ms = kDtMs;
  const int N = static_cast<int>(paths.size());
  for (const auto& p : paths) {
    std::string id = p;
    const std::string suffix = ".data.mat";
    if (id.size() > suffix.size() && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0)
      id.resize(id.size() - suffix.size());
    d.unit_ids.push_back(id);
  }
  const std::vector<float> kernel = options.smooth_ms > 0 ? hann_smoothing_kernel(options.smooth_ms, kDtMs) : std::vector<float>{};

  // 2. Responses: [N, R = 20, T = 999] per stimulus; NaN for trials a unit lacks.
  std::vector<std::vector<float>> responses(kStimuli);
  std::vector<int> trials(kStimuli, 0);
  std::vector<std::vector<std::vector<std::vector<float>>>> per_unit(N);  // [unit][stimulus][trial][bin]
  for (int u = 0; u < N; ++u) {
    if (progress) progress(u, N + kStimuli, "unit " + d.unit_ids[u]);
    MatFile cluster(src + "/spikesandwav/" + paths[u]);
    const matvar_t* data = cluster.variable("data");
    const matvar_t* sets = mat_field(cluster, data, "set", 0, "data");
    if (mat_numel(sets) < static_cast<std::size_t>(kStimuli)) {
      throw std::runtime_error(cluster.path() + ": data.set: expected at least 20 sets, found " +
                               std::to_string(mat_numel(sets)));
    }
    per_unit[u].resize(kStimuli);
    for (int s = 0; s < kStimuli; ++s) {
      const std::string where = "data.set(" + std::to_string(s + 1) + ")";
      const matvar_t* repeats = mat_field(cluster, sets, "repeats", s, where);
      const std::size_t R = mat_numel(repeats);
      for (std::size_t m = 0; m < R; ++m) {
        const std::string w = where + ".repeats(" + std::to_string(m + 1) + ").t";
        const matvar_t* times = mat_field(cluster, repeats, "t", m, w);
        // A 5-s trial holds at most 4 995 distinct 1-ms spike bins: far more spike times than
        // that is a damaged file, refused before ~10⁸ of them are copied.
        if (mat_numel(times) > kMaxSpikeTimesPerTrial)
          throw std::runtime_error(cluster.path() + ": " + w + ": " + std::to_string(mat_numel(times)) +
                                   " spike times in one trial, expected at most " + std::to_string(kMaxSpikeTimesPerTrial));
        std::vector<float> bins = ns1_bin_trial(mat_numbers(cluster, times, w));
        if (!kernel.empty()) bins = smooth(bins, kernel);
        per_unit[u][s].push_back(std::move(bins));
      }
      trials[s] = std::max(trials[s], static_cast<int>(R));
    }
  }
  // 3. Stimuli: the ns1 cochleagram of each waveform.
  const CochleagramPreset preset = cochleagram_preset(options.cochleagram_preset);
  for (int s = 0; s < kStimuli; ++s) {
    if (progress) progress(N + s, N + kStimuli, "stimulus " + std::to_string(s));
    AudioReadOptions ro;
    ro.target_sample_rate_hz = preset.sample_rate_hz();
    ro.highest_analysed_hz = preset.highest_centre_hz();
    const AudioBuffer audio = read_audio_file(wav_path(src, s), ro);
    auto fe = make_front_end(preset, audio.sample_rate_hz);
    if (std::fabs(fe->hop_samples() * 1000.0 / fe->sample_rate_hz() - kDtMs) > 1e-9) {
      throw std::runtime_error("preset " + preset.name + " has a " +
                               std::to_string(fe->hop_samples() * 1000.0 / fe->sample_rate_hz()) +
                               " ms hop; NS1 responses are binned at 5 ms");
    }
    const Cochleagram c = compute_cochleagram(*fe, audio.samples.data(), audio.samples.size(), kBins);
    if (s == 0) {
      d.freqs_hz = c.centre_frequencies_hz;
      d.cochleagram = front_end_description(preset.name, *fe);
    }
    Stimulus st;
    const std::string file = wav_path(src, s);
    st.name = file.substr(file.rfind('/') + 1);
    st.num_frames = kBins;
    st.num_trials = trials[s];
    st.cochleagram = c.values;
    st.responses.assign(static_cast<std::size_t>(N) * trials[s] * kBins, NAN);
    for (int u = 0; u < N; ++u)
      for (std::size_t m = 0; m < per_unit[u][s].size(); ++m)
        std::copy(per_unit[u][s][m].begin(), per_unit[u][s][m].end(),
                  st.responses.begin() + (static_cast<std::size_t>(u) * trials[s] + m) * kBins);
    if (options.store_waveforms) {
      st.waveform = audio.samples;
      st.waveform_rate_hz = audio.sample_rate_hz;
    }
    d.stimuli.push_back(std::move(st));
  }
  if (progress) progress(N + kStimuli, N + kStimuli, "done");
  d.attributes["source"] = "NS1: Harper et al. 2016, ferret A1/AAF, OSF project ayw2p (" + src + ")";
  d.attributes["response_unit"] = "spikes per 5-ms bin (1-ms indicator: two spikes in one ms count once)";
  d.attributes["smoothing"] = options.smooth_ms > 0
                                  ? "raw Hann window of " + std::to_string(kernel.size()) + " taps (" +
                                        std::to_string(options.smooth_ms) + " ms), unnormalised, centred, per trial"
                                  : "none";
  d.attributes["alignment"] = "causal: cochleagram frame t ends on the last sample of response bin t";
  d.attributes["kind"] = "ns1";
  d.attributes["area"] = "A1/AAF";
  d.attributes["fitting"] = "population";
  return d;
}

}  // namespace statenet
