#include "cochlea/presets.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace statenet {
namespace {

constexpr double kTdtRateHz = 48828.125;        // TDT System 3 rate (NS1)
constexpr double kTdtDoubleRateHz = 97656.25;   // Asari/Wehr stimulus rate

std::vector<CochleagramPreset> all_presets() {
  std::vector<CochleagramPreset> p;
  {
    CochleagramPreset c;
    c.name = "ns1";
    c.summary = "NS1 recipe C: 34 log-spaced bands 500-22627 Hz, Hamming 10 ms, 5 ms hop, dB floored at -70";
    auto& s = c.options.emplace<StftCochleagramOptions>();
    s.sample_rate_hz = kTdtRateHz;
    s.window_samples = 488;
    s.hop_ms = 5.0;
    s.window = WindowType::kHammingSymmetric;
    s.n_fft = 1952;
    s.spectrum = Spectrum::kMagnitude;
    s.filterbank.scale = FrequencyScale::kLogFrequency;
    s.filterbank.num_bands = 34;
    s.filterbank.f_min_hz = 500.0;
    s.filterbank.bands_per_octave = 6.0;
    s.filterbank.triangle_domain = TriangleDomain::kScale;
    s.filterbank.normalisation = FilterNormalisation::kUnitSum;
    s.compression = {CompressionKind::kDecibel, std::pow(10.0, -70.0 / 20.0)};
    p.push_back(c);
  }
  {
    CochleagramPreset c;
    c.name = "ns1-mel";
    c.summary = "NS1 recipe B (deepSTRF-compatible): 34 HTK-mel bands 500-22627 Hz, Hann 488, ln";
    auto& s = c.options.emplace<StftCochleagramOptions>();
    s.sample_rate_hz = kTdtRateHz;
    s.window_samples = 488;
    s.hop_ms = 5.0;
    s.window = WindowType::kHannSymmetric;
    s.n_fft = 488;
    s.spectrum = Spectrum::kMagnitude;
    s.filterbank.scale = FrequencyScale::kHtkMel;
    s.filterbank.num_bands = 34;
    s.filterbank.f_min_hz = 500.0;
    s.filterbank.f_max_hz = 22627.0;
    s.compression = {CompressionKind::kLn, 1e-4};
    p.push_back(c);
  }
  {
    CochleagramPreset c;
    c.name = "aa1";
    c.summary = "AA1: 32 HTK-mel bands 0-16 kHz at 32 kHz, Hann 10 ms, 1 ms hop, power, cube root";
    auto& s = c.options.emplace<StftCochleagramOptions>();
    s.sample_rate_hz = 32000.0;
    s.window_samples = 320;
    s.hop_ms = 1.0;
    s.window = WindowType::kHannPeriodic;
    s.n_fft = 320;
    s.spectrum = Spectrum::kPower;
    s.filterbank.scale = FrequencyScale::kHtkMel;
    s.filterbank.num_bands = 32;
    s.filterbank.f_min_hz = 0.0;
    s.filterbank.f_max_hz = 16000.0;
    s.compression = {CompressionKind::kCubeRoot, 0.0};
    p.push_back(c);
  }
  {
    CochleagramPreset c;
    c.name = "nat4";
    c.summary = "NAT4: 18 gammatone channels 200 Hz-20 kHz at 44.1 kHz, RMS over 10 ms, dlog ln(1+10x)";
    auto& g = c.options.emplace<GammatoneOptions>();
    g.sample_rate_hz = 44100.0;
    g.num_channels = 18;
    g.f_min_hz = 200.0;
    g.f_max_hz = 20000.0;
    g.window_ms = 10.0;
    g.hop_ms = 10.0;
    g.rms = true;
    g.compression = {CompressionKind::kLog1p, 0.1};
    p.push_back(c);
  }
  for (const char* name : {"wehr", "asari"}) {
    CochleagramPreset c;
    c.name = name;
    const bool wehr = c.name == "wehr";
    c.summary = wehr ? "Wehr: 49 log bands 100 Hz-25.6 kHz (6/oct), Hamming-window DFT, 5 ms hop, dB"
                     : "Asari: 54 log bands 100 Hz-45.6 kHz (6/oct), Hamming-window DFT, 5 ms hop, dB";
    auto& s = c.options.emplace<StftCochleagramOptions>();
    s.sample_rate_hz = kTdtDoubleRateHz;
    s.window_ms = 10.0;
    s.hop_ms = 5.0;
    s.window = WindowType::kHammingSymmetric;
    s.spectrum = Spectrum::kMagnitude;
    s.analysis = SpectralAnalysis::kDirectDft;
    s.filterbank.scale = FrequencyScale::kLogFrequency;
    s.filterbank.num_bands = wehr ? 49 : 54;
    s.filterbank.f_min_hz = 100.0;
    s.filterbank.bands_per_octave = 6.0;
    s.compression = {CompressionKind::kDecibel, 1e-5};
    p.push_back(c);
  }
  {
    CochleagramPreset c;
    c.name = "gammatone64";
    c.summary = "64 gammatone channels 50 Hz-24 kHz at 48 kHz, 10 ms window, 5 ms hop, power in dB";
    auto& g = c.options.emplace<GammatoneOptions>();
    g.sample_rate_hz = 48000.0;
    g.num_channels = 64;
    g.f_min_hz = 50.0;
    g.window_ms = 10.0;
    g.hop_ms = 5.0;
    g.compression = {CompressionKind::kDecibel, 1e-10};
    p.push_back(c);
  }
  return p;
}

}  // namespace

double CochleagramPreset::sample_rate_hz() const {
  return std::visit([](const auto& o) { return o.sample_rate_hz; }, options);
}

double CochleagramPreset::hop_ms() const {
  return std::visit([](const auto& o) { return o.hop_ms; }, options);
}

void CochleagramPreset::set_hop_ms(double hop_ms) {
  std::visit([hop_ms](auto& o) { o.hop_ms = hop_ms; }, options);
}

double CochleagramPreset::highest_centre_hz() const {
  if (const auto* g = std::get_if<GammatoneOptions>(&options)) return gammatone_centre_frequencies(*g).back();
  const auto& stft = std::get<StftCochleagramOptions>(options);
  const auto& f = stft.filterbank;
  if (f.scale == FrequencyScale::kLogFrequency) return f.f_min_hz * std::exp2((f.num_bands - 1) / f.bands_per_octave);
  const double f_max = f.f_max_hz > 0 ? f.f_max_hz : stft.sample_rate_hz / 2;
  const double m_lo = hz_to_mel(f.f_min_hz, f.scale), m_hi = hz_to_mel(f_max, f.scale);
  return mel_to_hz(m_lo + (m_hi - m_lo) * f.num_bands / (f.num_bands + 1), f.scale);
}

std::string CochleagramPreset::value_label() const {
  const auto* g = std::get_if<GammatoneOptions>(&options);
  const auto* stft = std::get_if<StftCochleagramOptions>(&options);
  const CompressionOptions& c = g ? g->compression : stft->compression;
  const bool power = g ? !g->rms : stft->spectrum == Spectrum::kPower;
  const std::string what = power ? "power" : (g ? "RMS" : "magnitude");
  switch (c.kind) {
    case CompressionKind::kNone: return what;
    case CompressionKind::kLn: return "ln " + what;
    case CompressionKind::kLog10: return "log10 " + what;
    case CompressionKind::kDecibel: return "level (dB)";
    case CompressionKind::kCubeRoot: return "cube root of " + what;
    case CompressionKind::kLog1p: return "ln(1 + " + what + "/" + std::to_string(c.floor).substr(0, 4) + ")";
  }
  return what;
}

std::vector<std::string> cochleagram_preset_names() {
  std::vector<std::string> names;
  for (const auto& p : all_presets()) names.push_back(p.name);
  return names;
}

CochleagramPreset cochleagram_preset(const std::string& name) {
  std::string known;
  for (const auto& p : all_presets()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  throw std::invalid_argument("unknown cochleagram preset '" + name + "' (known: " + known + ")");
}

std::unique_ptr<FrontEnd> make_front_end(const CochleagramPreset& preset, double sample_rate_hz) {
  if (const auto* g = std::get_if<GammatoneOptions>(&preset.options)) {
    GammatoneOptions o = *g;
    if (sample_rate_hz > 0) o.sample_rate_hz = sample_rate_hz;
    return std::make_unique<GammatoneCochleagram>(o);
  }
  StftCochleagramOptions o = std::get<StftCochleagramOptions>(preset.options);
  if (sample_rate_hz > 0) o.sample_rate_hz = sample_rate_hz;
  return std::make_unique<StftCochleagram>(o);
}

std::string front_end_description(const std::string& preset_name, const FrontEnd& front_end) {
  return preset_name + ": " + front_end.describe();
}

CochleagramPreset preset_for_description(const std::string& description, int num_bands, const std::string& source) {
  const std::string name = description.substr(0, description.find(':'));
  CochleagramPreset preset;
  try {
    preset = cochleagram_preset(name);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(source + ": its front end '" + description + "' is no preset of this build (" + e.what() + ")");
  }
  const std::unique_ptr<FrontEnd> front_end = make_front_end(preset);
  const std::string now = front_end_description(name, *front_end);
  if (now != description)
    throw std::runtime_error(source + ": trained on cochleagram '" + description + "', but this build's preset gives '" + now + "'");
  if (front_end->num_bands() != num_bands)
    throw std::runtime_error(source + ": the model expects F = " + std::to_string(num_bands) + " bands, preset '" + name + "' has " +
                             std::to_string(front_end->num_bands()));
  return preset;
}

DisplayRange display_range(const CochleagramPreset& preset) {
  constexpr double kToneHz = 1000.0, kToneSeconds = 0.1;
  const std::unique_ptr<FrontEnd> front_end = make_front_end(preset);
  const double fs = front_end->sample_rate_hz();
  std::vector<float> tone(static_cast<std::size_t>(kToneSeconds * fs));
  for (std::size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<float>(std::sin(2.0 * M_PI * kToneHz * i / fs));
  const Cochleagram c = compute_cochleagram(*front_end, tone.data(), tone.size());
  DisplayRange r{front_end->silence_value(), front_end->silence_value()};
  for (float v : c.values) r.high = std::max(r.high, v);
  return r;
}

}  // namespace statenet
