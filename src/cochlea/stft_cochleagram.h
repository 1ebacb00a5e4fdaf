#pragma once
// Streaming STFT cochleagram (docs/cochleagram.md; framing in docs/design.md):
//   ring buffer → window → zero-padded real FFT (FFTW) → |X| or |X|² →
//   sparse triangular filterbank → compression,
// or, with SpectralAnalysis::kDirectDft, a windowed DFT evaluated directly at each
// band's centre frequency (Wehr/Asari "logspectrogram", CRCNS ac-1).
//
// Params (StftCochleagramOptions) → coefficients (window, plan, filterbank; built in
// the constructor) → state (ring buffer, frame counter; cleared by reset()).

#include <memory>
#include <mutex>

#include "cochlea/compression.h"
#include "cochlea/filterbank.h"
#include "cochlea/front_end.h"
#include "cochlea/pruned_real_dft.h"
#include "cochlea/window.h"

namespace statenet {

enum class Spectrum {
  kMagnitude,  ///< |X_k| (NS1 recipes)
  kPower,      ///< |X_k|² (torchaudio's power = 2)
};

enum class SpectralAnalysis {
  kFftFilterbank,  ///< FFT, then triangular filters
  kDirectDft,      ///< DFT evaluated at each band centre (no filters)
};

struct StftCochleagramOptions {
  double sample_rate_hz = 48000.0;   ///< input rate; default 48 kHz
  double window_ms = 10.0;           ///< analysis window; default 10 ms
  int window_samples = 0;            ///< > 0 overrides window_ms; default 0
  double hop_ms = 5.0;               ///< may be a fractional number of samples; default 5 ms
  WindowType window = WindowType::kHannPeriodic;
  int n_fft = 0;                     ///< ≥ window; 0 = next power of two; default 0
  Spectrum spectrum = Spectrum::kMagnitude;
  SpectralAnalysis analysis = SpectralAnalysis::kFftFilterbank;
  FilterbankOptions filterbank;      ///< for kDirectDft only scale kLogFrequency is allowed
  CompressionOptions compression;
};

class StftCochleagram final : public FrontEnd {
 public:
  // Throws std::invalid_argument naming the option when it is inconsistent.
  explicit StftCochleagram(const StftCochleagramOptions& options);
  ~StftCochleagram() override;
  StftCochleagram(const StftCochleagram&) = delete;
  StftCochleagram& operator=(const StftCochleagram&) = delete;

  int num_bands() const override { return num_bands_; }
  double sample_rate_hz() const override { return options_.sample_rate_hz; }
  double hop_samples() const override { return hop_samples_; }
  int window_samples() const override { return window_len_; }
  const std::vector<double>& centre_frequencies_hz() const override { return centres_hz_; }
  float silence_value() const override { return compress_.silence(); }
  std::string describe() const override;
  int n_fft() const { return n_fft_; }
  const Filterbank& filterbank() const { return filterbank_; }

  void reset() noexcept override;
  void process(const float* samples, std::size_t n, FrameSink& sink) noexcept override;
  std::int64_t samples_consumed() const noexcept override { return consumed_; }

 private:
  // The options constructor delegates here first, so that the destructor frees FFTW's buffers
  // and plan when a later check throws.
  struct Unconfigured {};
  explicit StftCochleagram(Unconfigured) noexcept {}
  void compute_frame() noexcept;

  StftCochleagramOptions options_;
  int window_len_ = 0;
  int n_fft_ = 0;
  int num_bands_ = 0;
  double hop_samples_ = 0.0;
  std::vector<double> centres_hz_;
  Filterbank filterbank_;
  SparseFilterbank sparse_;
  Compressor compress_;
  std::vector<float> window_;
  // kDirectDft: per band, window·cos and window·sin kernels [band][n].
  std::vector<float> dft_cos_, dft_sin_;
  void* plan_ = nullptr;        // fftwf_plan (null when pruned_ does the transform)
  std::unique_ptr<PrunedRealDft> pruned_;
  float* fft_in_ = nullptr;     // fftwf_malloc'd, n_fft; tail beyond the window stays zero
  float* fft_out_ = nullptr;    // fftwf_malloc'd, complex, n_fft/2 + 1
  std::vector<float> spectrum_; // scratch: |X| or |X|² of the current frame
  std::vector<float> bands_;    // scratch: the frame handed to the sink

  // State.
  std::vector<float> ring_;     // last window_len_ samples, circular
  std::size_t ring_pos_ = 0;    // where the next sample goes
  std::int64_t consumed_ = 0;
  std::int64_t next_frame_ = 0;
  std::int64_t next_end_ = 0;
};

// FFTW's planner is not thread-safe: every plan creation and destruction in the
// project holds this mutex.
std::mutex& fftw_planner_mutex();

}  // namespace statenet
