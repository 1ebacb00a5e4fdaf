#pragma once
// Spikes from predicted rates: each unit an inhomogeneous Poisson process whose rate is
// constant within a frame (the model's prediction for that bin, in spikes/s), sampled in
// continuous time so spikes keep sub-frame timing, with an optional absolute refractory
// period and a seed (the same seed and rates give the same spikes).
//
// Method (exact for a piecewise-constant rate): each unit carries the integrated hazard
// still to go before its next spike, drawn as Exp(1); a frame of rate λ and length Δ consumes
// λ·Δ of it, and the unit fires where the remainder reaches zero. During the refractory
// period after a spike no hazard accumulates. By the time-rescaling theorem (Brown et al.
// 2002) the hazard integrated between consecutive spikes is then i.i.d. Exp(1): the tests
// check exactly that.
//
// Lifecycle: construct (sizes everything) → reset(seed) → process() per frame. reset and
// process are noexcept and allocation-free. [one processing thread]

#include <cstdint>
#include <vector>

namespace statenet {

struct Spike {
  std::int32_t unit = 0;
  std::int64_t sample = 0;  ///< input sample index (⌊time_s · fs⌋), within the frame's hop
  double time_s = 0.0;      ///< continuous spike time from the start of the stream
};

struct SpikeGeneratorOptions {
  std::uint64_t seed = 0;
  double refractory_s = 0.0;     ///< absolute refractory period; 0 = none
  int max_spikes_per_unit = 16;  ///< per frame; more are dropped and counted (3 200/s at 5 ms)
};

class SpikeGenerator {
 public:
  SpikeGenerator(int num_units, SpikeGeneratorOptions options);

  /// Forgets all state; the next frame starts a new stream. [RT]
  void reset() noexcept;
  /// One frame covering [start_s, end_s) (seconds since the stream's start) at rates_hz[N]
  /// (negative rates count as 0). Writes the frame's spikes, in time order, into out (at most
  /// capacity()); returns their number. sample_rate_hz turns times into sample indices. [RT]
  int process(const float* rates_hz, double start_s, double end_s, double sample_rate_hz, Spike* out) noexcept;

  int num_units() const { return static_cast<int>(hazard_left_.size()); }
  /// The most spikes one frame can hold: units × max_spikes_per_unit.
  int capacity() const { return num_units() * options_.max_spikes_per_unit; }
  /// Spikes dropped because a unit exceeded max_spikes_per_unit in a frame.
  std::int64_t overflow() const { return overflow_; }

 private:
  double exponential() noexcept;  // Exp(1) from the generator's own xoshiro256** stream

  SpikeGeneratorOptions options_;
  std::uint64_t state_[4] = {};
  std::vector<double> hazard_left_;      // per unit: integrated hazard before the next spike
  std::vector<double> refractory_until_; // per unit: no hazard accumulates before this time (s)
  std::int64_t overflow_ = 0;
};

}  // namespace statenet
