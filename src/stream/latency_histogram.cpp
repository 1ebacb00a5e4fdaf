#include "stream/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace statenet {

void LatencyHistogram::record(std::int64_t ns) noexcept {
  ns = std::max<std::int64_t>(ns, 0);
  int bin = 0;
  if (ns >= kLowestNs) bin = 1 + static_cast<int>(std::log2(static_cast<double>(ns) / kLowestNs) * kBinsPerOctave);
  bins_[std::min(bin, kBins - 1)] += 1;
  ++count_;
  sum_ns_ += ns;
  max_ns_ = std::max(max_ns_, ns);
}

double LatencyHistogram::upper_edge_ns(int bin) {
  return kLowestNs * std::exp2(static_cast<double>(bin) / kBinsPerOctave);
}

double LatencyHistogram::quantile_ns(double q) const {
  if (count_ == 0) return 0.0;
  const auto rank = static_cast<std::int64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * count_));
  std::int64_t seen = 0;
  for (int b = 0; b < kBins; ++b) {
    seen += bins_[b];
    if (seen >= std::max<std::int64_t>(rank, 1)) return std::min(upper_edge_ns(b), static_cast<double>(max_ns_));
  }
  return static_cast<double>(max_ns_);
}

std::string LatencyHistogram::to_json() const {
  char head[400];
  std::snprintf(head, sizeof head,
                "{\"count\": %lld, \"mean_us\": %.3f, \"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, \"p999_us\": %.3f, "
                "\"max_us\": %.3f, \"bins_per_octave\": %d, \"bins\": [",
                static_cast<long long>(count_), mean_ns() / 1e3, quantile_ns(0.5) / 1e3, quantile_ns(0.9) / 1e3,
                quantile_ns(0.99) / 1e3, quantile_ns(0.999) / 1e3, max_ns_ / 1e3, kBinsPerOctave);
  std::string s = head;
  bool first = true;
  for (int b = 0; b < kBins; ++b) {
    if (bins_[b] == 0) continue;
    char item[80];
    std::snprintf(item, sizeof item, "%s{\"upper_us\": %.4g, \"count\": %lld}", first ? "" : ", ",
                  b == kBins - 1 ? max_ns_ / 1e3 : upper_edge_ns(b) / 1e3, static_cast<long long>(bins_[b]));
    s += item;
    first = false;
  }
  return s + "]}";
}

std::string LatencyHistogram::summary() const {
  char line[200];
  std::snprintf(line, sizeof line, "p50 %.1f µs · p99 %.1f µs · p99.9 %.1f µs · max %.1f µs (n = %lld)", quantile_ns(0.5) / 1e3,
                quantile_ns(0.99) / 1e3, quantile_ns(0.999) / 1e3, max_ns_ / 1e3, static_cast<long long>(count_));
  return line;
}

}  // namespace statenet
