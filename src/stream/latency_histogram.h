#pragma once
// Latency accounting for the real-time path: a fixed log-spaced histogram (16 bins per
// octave, 50 ns – 100 s; a percentile is reported as its bin's upper edge, so within 4.4 %),
// plus exact count, sum and max. record() is noexcept and allocation-free.

#include <array>
#include <cstdint>
#include <string>

#include "util/steady_clock.h"

namespace statenet {

class LatencyHistogram {
 public:
  static constexpr int kBinsPerOctave = 16;
  static constexpr double kLowestNs = 50.0;
  static constexpr int kBins = 31 * kBinsPerOctave + 2;  // underflow, 31 octaves, overflow

  void record(std::int64_t ns) noexcept;  // [RT]
  void clear() noexcept { *this = LatencyHistogram(); }
  std::int64_t count() const { return count_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_ns_) / count_ : 0.0; }
  std::int64_t max_ns() const { return max_ns_; }
  /// The latency below which a fraction q ∈ [0, 1] of the records lie (bin upper edge,
  /// capped at the exact max); 0 when empty.
  double quantile_ns(double q) const;
  /// {"count":…, "mean_us":…, "p50_us":…, "p90_us":…, "p99_us":…, "p999_us":…, "max_us":…,
  ///  "bins":[{"upper_us":…, "count":…}, …]} (non-empty bins only).
  std::string to_json() const;
  /// One line: "p50 3.1 µs · p99 5.2 µs · p99.9 9.8 µs · max 41 µs (n = 20000)".
  std::string summary() const;

 private:
  static double upper_edge_ns(int bin);
  std::array<std::int64_t, kBins> bins_{};
  std::int64_t count_ = 0, sum_ns_ = 0, max_ns_ = 0;
};

}  // namespace statenet
