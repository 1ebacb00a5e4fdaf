// Spikes from rates. The time-rescaling theorem (Brown et al. 2002): for spikes of an
// inhomogeneous Poisson process of rate λ(t), the hazard integrated between consecutive
// spikes, z_k = Λ(t_k) − Λ(t_{k−1}), is i.i.d. Exp(1), so 1 − e^{−z_k} is uniform on [0, 1).
// A Kolmogorov–Smirnov test of that (α = 0.01) passes for the rate the spikes were drawn at
// and fails for the same profile scaled by 1.2. Also: the same seed gives the same spikes,
// the refractory period holds, spikes fall inside their frame in time order, overflow is
// counted, and a frame allocates nothing.

#include "stream/spike_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "support/allocation_counter.h"

namespace statenet {
namespace {

constexpr double kFs = 48828.125, kDt = 0.005;

// A known rate profile, per 5-ms frame: 30 ± 25 Hz, period 1 s, for two units (the second
// at half the rate).
float profile(int unit, std::int64_t frame) {
  const double r = 30.0 + 25.0 * std::sin(2 * M_PI * frame * kDt);
  return static_cast<float>(unit == 0 ? r : r / 2);
}

// Spikes of `frames` frames at `scale` × the profile.
std::vector<Spike> generate(std::uint64_t seed, std::int64_t frames, double scale, double refractory_s = 0.0) {
  SpikeGenerator g(2, {seed, refractory_s, 16});
  std::vector<Spike> all, frame(g.capacity());
  for (std::int64_t t = 0; t < frames; ++t) {
    const float rates[2] = {static_cast<float>(scale * profile(0, t)), static_cast<float>(scale * profile(1, t))};
    const int n = g.process(rates, t * kDt, (t + 1) * kDt, kFs, frame.data());
    all.insert(all.end(), frame.begin(), frame.begin() + n);
  }
  return all;
}

// Λ(t) of the unscaled profile for one unit: the integral of the piecewise-constant rate.
double integrated_rate(int unit, double t) {
  const std::int64_t k = static_cast<std::int64_t>(t / kDt);
  double sum = 0;
  for (std::int64_t j = 0; j < k; ++j) sum += profile(unit, j) * kDt;
  return sum + profile(unit, k) * (t - k * kDt);
}

// KS distance of u_k = 1 − exp(−z_k) from U(0, 1), rescaling one unit's spikes by the profile.
std::pair<double, std::size_t> ks_distance(const std::vector<Spike>& spikes, int unit) {
  std::vector<double> times;
  for (const Spike& s : spikes)
    if (s.unit == unit) times.push_back(s.time_s);
  // Λ at every spike, accumulated frame by frame (one pass).
  std::vector<double> u;
  double previous = 0, lambda_at = 0;
  std::int64_t frame = 0;
  double frame_start_lambda = 0;
  for (double t : times) {
    while ((frame + 1) * kDt <= t) frame_start_lambda += profile(unit, frame++) * kDt;
    lambda_at = frame_start_lambda + profile(unit, frame) * (t - frame * kDt);
    u.push_back(1.0 - std::exp(-(lambda_at - previous)));
    previous = lambda_at;
  }
  std::sort(u.begin(), u.end());
  double d = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    d = std::max({d, std::fabs(u[i] - static_cast<double>(i) / u.size()), std::fabs(u[i] - static_cast<double>(i + 1) / u.size())});
  return {d, u.size()};
}

TEST(SpikeGenerator, rescaledIntervalsPassKolmogorovSmirnovForTheTrueRateAndFailForOneScaledBy1_2) {
  constexpr std::int64_t kFrames = 100000;  // 500 s
  EXPECT_NEAR(integrated_rate(0, 1.0), 30.0, 0.5) << "the profile averages 30 Hz over a period";
  const std::vector<Spike> truth = generate(1, kFrames, 1.0), scaled = generate(1, kFrames, 1.2);
  for (int unit = 0; unit < 2; ++unit) {
    SCOPED_TRACE("unit " + std::to_string(unit));
    const auto [d_true, n_true] = ks_distance(truth, unit);
    const auto [d_scaled, n_scaled] = ks_distance(scaled, unit);
    const double critical_true = 1.628 / std::sqrt(static_cast<double>(n_true));  // α = 0.01
    const double critical_scaled = 1.628 / std::sqrt(static_cast<double>(n_scaled));
    std::printf("  unit %d: KS D = %.4f (n = %zu, critical %.4f) for the true rate; D = %.4f (n = %zu) for 1.2×\n", unit, d_true,
                n_true, critical_true, d_scaled, n_scaled);
    EXPECT_GT(n_true, 3000u);
    EXPECT_LT(d_true, critical_true) << "spikes drawn at the profile do not rescale to Exp(1)";
    EXPECT_GT(d_scaled, critical_scaled) << "a rate 20 % off passed the test";
  }
}

TEST(SpikeGenerator, theSameSeedGivesTheSameSpikes) {
  const std::vector<Spike> a = generate(7, 2000, 1.0), b = generate(7, 2000, 1.0), c = generate(8, 2000, 1.0);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].unit, b[i].unit);
    EXPECT_EQ(a[i].time_s, b[i].time_s);
  }
  bool differs = a.size() != c.size();
  for (std::size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].time_s != c[i].time_s;
  EXPECT_TRUE(differs) << "seeds 7 and 8 gave the same spikes";
  // reset() starts the same stream again.
  SpikeGenerator g(2, {7, 0.0, 16});
  std::vector<Spike> frame(g.capacity());
  const float rates[2] = {profile(0, 0), profile(1, 0)};
  const int n1 = g.process(rates, 0, 1.0, kFs, frame.data());
  const double first = n1 ? frame[0].time_s : -1;
  g.reset();
  const int n2 = g.process(rates, 0, 1.0, kFs, frame.data());
  EXPECT_EQ(n1, n2);
  if (n2) {
    EXPECT_EQ(frame[0].time_s, first);
  }
}

TEST(SpikeGenerator, spikesFallInsideTheirFrameInTimeOrderAndRespectTheRefractoryPeriod) {
  constexpr double kRefractory = 0.002, kRate = 1000.0;
  SpikeGenerator g(3, {3, kRefractory, 16});
  std::vector<Spike> frame(g.capacity());
  std::vector<double> last(3, -1.0);
  std::int64_t spikes = 0;
  for (std::int64_t t = 0; t < 20000; ++t) {  // 100 s
    const float rates[3] = {static_cast<float>(kRate), static_cast<float>(kRate), -5.0f};
    const int n = g.process(rates, t * kDt, (t + 1) * kDt, kFs, frame.data());
    for (int i = 0; i < n; ++i) {
      const Spike& s = frame[i];
      ASSERT_NE(s.unit, 2) << "a negative rate fired";
      ASSERT_GE(s.time_s, t * kDt);
      ASSERT_LT(s.time_s, (t + 1) * kDt);
      ASSERT_EQ(s.sample, static_cast<std::int64_t>(std::floor(s.time_s * kFs)));
      ASSERT_TRUE(i == 0 || frame[i - 1].time_s <= s.time_s) << "frame " << t << " out of order";
      if (last[s.unit] >= 0) {
        ASSERT_GE(s.time_s - last[s.unit], kRefractory - 1e-12) << "refractory period broken";
      }
      last[s.unit] = s.time_s;
      ++spikes;
    }
  }
  // A dead-time Poisson process fires at 1/(1/λ + τ) = 333 Hz.
  const double rate = spikes / 2.0 / 100.0;
  EXPECT_NEAR(rate, 1.0 / (1.0 / kRate + kRefractory), 5.0) << rate;
}

TEST(SpikeGenerator, overflowIsCountedAndAFrameAllocatesNothing) {
  SpikeGenerator g(4, {5, 0.0, 2});
  std::vector<Spike> frame(g.capacity());
  const float rates[4] = {1e6f, 1e6f, 0.0f, 10.0f};
  int n = 0;
  {
    test::CountAllocations count;
    for (int t = 0; t < 100; ++t) n = g.process(rates, t * kDt, (t + 1) * kDt, kFs, frame.data());
    g.reset();
    EXPECT_EQ(count.allocations(), 0);
  }
  n = g.process(rates, 0, kDt, kFs, frame.data());
  EXPECT_GE(n, 4);
  EXPECT_LE(n, g.capacity());
  EXPECT_GT(g.overflow(), 0) << "a million spikes per second fit in 2 per frame";
}

}  // namespace
}  // namespace statenet
