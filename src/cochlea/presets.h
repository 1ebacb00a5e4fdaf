#pragma once
// Named cochleagram recipes, one per paper dataset (docs/cochleagram.md; the NS1 recipes in docs/datasets.md).
//
//   ns1      NS1 recipe C: 34 log10-frequency triangles (unit sum), 500 Hz–22 627 Hz,
//            1/6 octave; symmetric Hamming 488, n_fft 1952, |X|; 20·log10 floored at
//            −70 dB; 5 ms hop at 48 828.125 Hz (fractional: 244.140625 samples)
//   ns1-mel  NS1 recipe B (deepSTRF-compatible): symmetric Hann 488, n_fft 488, |X|,
//            34 HTK-mel triangles 500–22 627 Hz, no norm, ln(max(·, 1e-4))
//   aa1      32 HTK-mel bands 0–16 kHz at 32 kHz, periodic Hann 320, |X|², cube root,
//            1 ms hop, causal framing (torchaudio MelSpectrogram otherwise)
//   nat4     18 gammatone channels, ERB-spaced 200 Hz–20 kHz at 44.1 kHz, RMS over
//            window = hop = 10 ms, NEMS dlog ln(1 + x/0.1)
//   wehr     49 bands 100 Hz–25.6 kHz, 6/octave: Hamming-windowed DFT at each band
//            (10 ms window, 5 ms hop), 20·log10 floored at −100 dB, at 97 656.25 Hz
//   asari    54 bands from 100 Hz (to 45.6 kHz), 6/octave, as wehr, at 97 656.25 Hz
//   gammatone64  64 gammatone channels 50 Hz–fs/2 at 48 kHz, 10 ms window, 5 ms hop,
//            power in dB (floored at −100 dB); a general-purpose auditory front end

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cochlea/front_end.h"
#include "cochlea/gammatone.h"
#include "cochlea/stft_cochleagram.h"

namespace statenet {

struct CochleagramPreset {
  std::string name;
  std::string summary;
  std::variant<StftCochleagramOptions, GammatoneOptions> options;  ///< which front end, and its parameters
  bool is_gammatone() const { return std::holds_alternative<GammatoneOptions>(options); }
  double sample_rate_hz() const;
  double hop_ms() const;
  void set_hop_ms(double hop_ms);
  // The highest band centre in Hz (audio must have a Nyquist frequency above it).
  double highest_centre_hz() const;
  // What a compressed value is, for axis labels: "level (dB)", "ln magnitude", …
  std::string value_label() const;
};

// Throws std::invalid_argument listing the known names when `name` is unknown.
CochleagramPreset cochleagram_preset(const std::string& name);
std::vector<std::string> cochleagram_preset_names();

// Builds the front end; `sample_rate_hz` > 0 overrides the preset's rate.
std::unique_ptr<FrontEnd> make_front_end(const CochleagramPreset& preset, double sample_rate_hz = 0.0);

// "<name>: <FrontEnd::describe()>": how datasets, and the models trained on them, record the
// front end that made their cochleagrams.
std::string front_end_description(const std::string& preset_name, const FrontEnd& front_end);

// The preset a recorded description names (the part before ':'), checked against this build:
// its description must be the recorded one and its band count `num_bands`. Throws
// std::runtime_error "<source>: …" saying which of the three does not match.
CochleagramPreset preset_for_description(const std::string& description, int num_bands, const std::string& source);

// Values to draw darkest and brightest: the compressed value of silence (the compression's
// floor) and the largest value a full-scale 1 kHz tone gives. Runs the front end once.
struct DisplayRange {
  float low = 0.0f, high = 0.0f;
};
DisplayRange display_range(const CochleagramPreset& preset);

}  // namespace statenet
