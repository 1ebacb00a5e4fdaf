#pragma once
// The streaming cochleagram interface shared by the STFT and gammatone front ends.
//
// Framing (docs/design.md, "Framing and time"): frame t covers the `window` samples that END at
//   e_t = round_half_even((t + 1) · hop_samples)      (exclusive end, zeros before sample 0)
// and is emitted as soon as sample e_t − 1 has arrived: causal, and free of drift for
// fractional hops (NS1: 244.140625 samples per 5 ms bin), because e_t is computed from
// t, never accumulated. Output is identical whatever the block sizes.
//
// Lifecycle: construct (designs coefficients, allocates everything) → process() any
// number of blocks → reset() to start a new signal. process() and reset() are
// noexcept and allocation-free. [one processing thread per instance]

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>


namespace statenet {

// Receives each completed frame: `bands` holds num_bands() compressed values, lowest
// band first, valid only during the call.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_frame(std::int64_t frame_index, const float* bands) noexcept = 0;
};

// End (exclusive) of frame t in samples, for a possibly fractional hop.
inline std::int64_t frame_end_sample(std::int64_t t, double hop_samples) noexcept {
  return static_cast<std::int64_t>(std::nearbyint(static_cast<double>(t + 1) * hop_samples));
}

class FrontEnd {
 public:
  virtual ~FrontEnd() = default;
  virtual int num_bands() const = 0;
  virtual double sample_rate_hz() const = 0;
  /// Hop in samples, possibly fractional.
  virtual double hop_samples() const = 0;
  virtual int window_samples() const = 0;
  /// Band centre frequencies in Hz, ascending.
  virtual const std::vector<double>& centre_frequencies_hz() const = 0;
  /// Delay from a frame's effective time (its window centre) to its emission, in
  /// samples: (window − 1)/2. Gammatone channels add their own group delay.
  double latency_samples() const { return (window_samples() - 1) / 2.0; }
  /// What a compressed band holds for silent input.
  virtual float silence_value() const = 0;
  /// One line describing every parameter (recorded with datasets and results).
  virtual std::string describe() const = 0;

  /// Clears all signal state: the next sample is sample 0 of a new signal. [RT]
  virtual void reset() noexcept = 0;
  /// Consumes n samples; calls sink.on_frame for each frame completed. [RT]
  virtual void process(const float* samples, std::size_t n, FrameSink& sink) noexcept = 0;
  /// Samples consumed since the last reset.
  virtual std::int64_t samples_consumed() const noexcept = 0;
};

// A whole cochleagram, band-major: values[band * num_frames + t].
struct Cochleagram {
  int num_bands = 0;
  std::int64_t num_frames = 0;
  std::vector<float> values;
  std::vector<double> centre_frequencies_hz;
  double frame_rate_hz = 0.0;
  float at(int band, std::int64_t t) const { return values[static_cast<std::size_t>(band) * num_frames + t]; }
};

// Runs a whole signal through `front_end` (after reset()). num_frames < 0 keeps every
// complete frame; otherwise exactly num_frames frames, zero-padding the input on the
// right when it is too short. [main thread]
Cochleagram compute_cochleagram(FrontEnd& front_end, const float* samples, std::size_t n,
                                std::int64_t num_frames = -1);

}  // namespace statenet
