#include "stream/spike_generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace statenet {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

}  // namespace

SpikeGenerator::SpikeGenerator(int num_units, SpikeGeneratorOptions options)
    : options_(options), hazard_left_(static_cast<std::size_t>(std::max(num_units, 0))), refractory_until_(hazard_left_.size()) {
  if (num_units < 1) throw std::invalid_argument("spike generator: " + std::to_string(num_units) + " units, expected at least 1");
  if (!(options.refractory_s >= 0) || !std::isfinite(options.refractory_s))
    throw std::invalid_argument("spike generator: refractory period must be a finite number ≥ 0 s");
  if (options.max_spikes_per_unit < 1) throw std::invalid_argument("spike generator: max_spikes_per_unit must be at least 1");
  reset();
}

double SpikeGenerator::exponential() noexcept {
  // xoshiro256** (Blackman & Vigna), then the top 53 bits as u ∈ [0, 1): −ln(1 − u) ~ Exp(1).
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  const double u = static_cast<double>(result >> 11) * 0x1.0p-53;
  return -std::log1p(-u);
}

void SpikeGenerator::reset() noexcept {
  std::uint64_t x = options_.seed;
  for (auto& s : state_) s = splitmix64(x);
  for (auto& h : hazard_left_) h = exponential();
  std::fill(refractory_until_.begin(), refractory_until_.end(), 0.0);
  overflow_ = 0;
}

int SpikeGenerator::process(const float* rates_hz, double start_s, double end_s, double sample_rate_hz, Spike* out) noexcept {
  int count = 0;
  const std::int64_t last_sample = static_cast<std::int64_t>(std::ceil(end_s * sample_rate_hz)) - 1;
  for (int u = 0; u < num_units(); ++u) {
    const double rate = std::max(0.0, static_cast<double>(rates_hz[u]));
    double t = std::max(start_s, refractory_until_[u]);
    int fired = 0;
    while (t < end_s && rate > 0) {
      const double room = (end_s - t) * rate;  // hazard this frame still offers
      if (hazard_left_[u] > room) {
        hazard_left_[u] -= room;
        break;
      }
      t += hazard_left_[u] / rate;
      hazard_left_[u] = exponential();
      if (fired < options_.max_spikes_per_unit) {
        const std::int64_t sample = std::min(static_cast<std::int64_t>(std::floor(t * sample_rate_hz)), last_sample);
        out[count++] = Spike{u, sample, t};
        ++fired;
      } else {
        ++overflow_;
      }
      refractory_until_[u] = t + options_.refractory_s;
      t = refractory_until_[u];
    }
  }
  // Time order across units (std::sort works in place: no allocation).
  std::sort(out, out + count, [](const Spike& a, const Spike& b) { return a.time_s < b.time_s; });
  return count;
}

}  // namespace statenet
