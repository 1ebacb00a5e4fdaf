#pragma once
// Named cochleagram recipes, one per paper dataset (datasets.md, cochlea.md §1.4).
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
#include <vector>

#include "cochlea/front_end.h"
#include "cochlea/gammatone.h"
#include "cochlea/stft_cochleagram.h"

namespace statenet {

struct CochleagramPreset {
  std::string name;
  std::string summary;
  bool gammatone = false;           ///< which of the two option structs applies
  StftCochleagramOptions stft;
  GammatoneOptions gamma;
  double sample_rate_hz() const { return gammatone ? gamma.sample_rate_hz : stft.sample_rate_hz; }
  double hop_ms() const { return gammatone ? gamma.hop_ms : stft.hop_ms; }
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

}  // namespace statenet
