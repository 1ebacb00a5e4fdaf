#pragma once
// Gammatone filterbank cochleagram (docs/cochleagram.md, "Gammatone channels"):
//   Slaney's ERB filters (4 cascaded biquads per channel, unit gain at cf) →
//   y² averaged over a rectangular causal window ending at each frame end
//   (power, or its square root = RMS as in Ellis' gammatonegram) → compression.
//
// Channels are ERB-spaced by Slaney's ERBSpace rule (f_max excluded) and stored in
// ASCENDING order (row 0 = lowest cf). The recursion runs in float64 for every
// channel: float32 state loses up to 1.6e-3 relative accuracy at low cf/fs
// (1.6e-3 relative error in float32 at 100 Hz/96 kHz), and the filters are vectorised across channels, so double
// precision costs little.

#include <array>

#include "cochlea/compression.h"
#include "cochlea/front_end.h"

namespace statenet {

// Channels are processed in groups of this many SIMD lanes (float64).
constexpr int kGammatoneLanes = 4;

struct GammatoneOptions {
  double sample_rate_hz = 48000.0;  ///< input rate; default 48 kHz
  int num_channels = 64;            ///< default 64
  double f_min_hz = 50.0;           ///< lowest centre frequency (included); default 50 Hz
  double f_max_hz = 0.0;            ///< ERBSpace upper end (excluded); 0 = Nyquist; default 0
  double window_ms = 10.0;          ///< envelope averaging window; default 10 ms
  double hop_ms = 5.0;              ///< default 5 ms (fractional sample counts allowed)
  bool rms = false;                 ///< false: mean power of y; true: its square root (gtgram)
  CompressionOptions compression;
};

// One channel's filter, as designed by Slaney's MakeERBFilters. All four sections
// share the denominator [1, a1, a2]; section k has numerator [b0_k, b1_k, 0]; the gain
// normalisation (1/|H(cf)|) is folded into section 0's numerator.
struct GammatoneChannelCoeffs {
  double cf_hz = 0.0;
  double a1 = 0.0, a2 = 0.0;
  std::array<double, 4> b0{}, b1{};
  double gain_at_cf = 0.0;  ///< |H(e^{iθ})| of the unnormalised cascade (before folding)
};

// Designs one channel (double precision throughout). [any thread]
GammatoneChannelCoeffs design_gammatone_channel(double cf_hz, double sample_rate_hz);

// Centre frequencies for the options, ascending. Throws std::invalid_argument.
std::vector<double> gammatone_centre_frequencies(const GammatoneOptions& options);

// Peak delay of a channel's envelope, 3/(2π·1.019·ERB(cf)) seconds.
double gammatone_envelope_delay_s(double cf_hz);

class GammatoneCochleagram final : public FrontEnd {
 public:
  explicit GammatoneCochleagram(const GammatoneOptions& options);

  int num_bands() const override { return num_channels_; }
  double sample_rate_hz() const override { return options_.sample_rate_hz; }
  double hop_samples() const override { return hop_samples_; }
  int window_samples() const override { return window_len_; }
  const std::vector<double>& centre_frequencies_hz() const override { return centres_hz_; }
  float silence_value() const override { return compress_.silence(); }
  std::string describe() const override;
  const std::vector<GammatoneChannelCoeffs>& channels() const { return coeffs_; }

  void reset() noexcept override;
  void process(const float* samples, std::size_t n, FrameSink& sink) noexcept override;
  std::int64_t samples_consumed() const noexcept override { return consumed_; }

  // Filters a whole signal and returns the basilar-membrane outputs, channel-major
  // [channel][n] (for tests and pictures; allocates). Does not touch the stream state.
  std::vector<double> filter_offline(const float* samples, std::size_t n) const;

 private:
  // Filters n samples through every channel, adding each channel's y² to run_power_.
  void filter_run(const float* x, std::size_t n) noexcept;
  // Adds run_power_ to every open window and clears it.
  void flush_run() noexcept;
  std::int64_t window_start(std::int64_t t) const noexcept {
    return frame_end_sample(t, hop_samples_) - window_len_;
  }

  GammatoneOptions options_;
  int num_channels_ = 0;
  int num_groups_ = 0;  // channels padded to groups of kGammatoneLanes
  int window_len_ = 0;
  double hop_samples_ = 0.0;
  std::vector<double> centres_hz_;
  std::vector<GammatoneChannelCoeffs> coeffs_;
  Compressor compress_;
  // Coefficients and state per group of lanes, laid out [group][...][lane] so that the
  // kernel keeps a group's whole state in registers for a run of samples.
  std::vector<double> coef_;   // per group: a1, a2, b0[4], b1[4]      (10 × lanes)
  std::vector<double> state_;  // per group: z1[4], z2[4], run_power   (9 × lanes)

  // Open envelope windows: frame t sums y² over [e_t − window, e_t). Windows open and
  // close at fixed sample positions ("events"), so sums do not depend on block sizes.
  int max_open_ = 0;
  std::vector<double> acc_;             // [slot][channel]
  std::vector<std::int64_t> open_frame_;  // frame index per slot (ring, oldest first)
  int open_head_ = 0, open_count_ = 0;
  std::int64_t next_open_frame_ = 0;
  std::vector<float> bands_;            // scratch: the frame handed to the sink
  std::int64_t consumed_ = 0;
};

}  // namespace statenet
