#include "metrics/response_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

namespace statenet {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sample covariance and variances of two series over the same bins, unbiased.
struct Moments {
  double cov = 0.0, var_a = 0.0, var_b = 0.0;
  std::int64_t n = 0;
};

Moments moments(const std::vector<double>& a, const std::vector<double>& b) {
  Moments m;
  double mean_a = 0.0, mean_b = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    mean_a += a[i];
    mean_b += b[i];
  }
  m.n = static_cast<std::int64_t>(a.size());
  if (m.n < 2) return m;
  mean_a /= m.n;
  mean_b /= m.n;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - mean_a, db = b[i] - mean_b;
    m.cov += da * db;
    m.var_a += da * da;
    m.var_b += db * db;
  }
  m.cov /= (m.n - 1);
  m.var_a /= (m.n - 1);
  m.var_b /= (m.n - 1);
  return m;
}

// CC of two series over the bins where both are finite; 0 if either is constant,
// NaN if fewer than two such bins.
double cc_over_finite(const double* a, const double* b, std::int64_t n) {
  std::vector<double> x, y;
  for (std::int64_t i = 0; i < n; ++i) {
    if (std::isfinite(a[i]) && std::isfinite(b[i])) {
      x.push_back(a[i]);
      y.push_back(b[i]);
    }
  }
  const Moments m = moments(x, y);
  if (m.n < 2) return kNaN;
  if (m.var_a == 0.0 || m.var_b == 0.0) return 0.0;
  return m.cov / std::sqrt(m.var_a * m.var_b);
}

std::vector<double> trial_row(const TrialsView& r, int m) {
  std::vector<double> row(static_cast<std::size_t>(r.num_bins));
  for (std::int64_t t = 0; t < r.num_bins; ++t) row[t] = r.at(m, t);
  return row;
}

// Mean over the given trial slots per bin; NaN where none of them is present.
std::vector<double> subset_mean(const TrialsView& r, const std::vector<int>& slots) {
  std::vector<double> mean(static_cast<std::size_t>(r.num_bins), kNaN);
  for (std::int64_t t = 0; t < r.num_bins; ++t) {
    double sum = 0.0;
    int count = 0;
    for (int m : slots) {
      const float v = r.at(m, t);
      if (!std::isnan(v)) {
        sum += v;
        ++count;
      }
    }
    if (count > 0) mean[t] = sum / count;
  }
  return mean;
}

}  // namespace

double pearson_cc(const double* a, const double* b, std::int64_t n) { return cc_over_finite(a, b, n); }

std::vector<double> trial_mean(const TrialsView& r) {
  std::vector<int> all(static_cast<std::size_t>(r.num_trials));
  std::iota(all.begin(), all.end(), 0);
  return subset_mean(r, all);
}

double signal_power(const TrialsView& r) {
  const int M = r.num_trials;
  const std::vector<double> mean = trial_mean(r);
  // Bins with at least two trials, and the mean response over them.
  std::vector<char> paired(static_cast<std::size_t>(r.num_bins), 0);
  double mu = 0.0;
  std::int64_t bins_with_pairs = 0;
  for (std::int64_t t = 0; t < r.num_bins; ++t) {
    int present = 0;
    for (int m = 0; m < M; ++m) present += !std::isnan(r.at(m, t));
    if (present >= 2) {
      paired[t] = 1;
      mu += mean[t];
      ++bins_with_pairs;
    }
  }
  if (bins_with_pairs < 2) return kNaN;
  mu /= static_cast<double>(bins_with_pairs);
  // Trial m's offset from the trial mean on its own bins: its mean is taken as mu + offset.
  // With every trial everywhere this is exactly trial m's own temporal mean; with
  // missing trials it does not mistake a difference between clips for a trial offset.
  std::vector<double> offset(static_cast<std::size_t>(M), 0.0);
  for (int m = 0; m < M; ++m) {
    double sum = 0.0;
    std::int64_t count = 0;
    for (std::int64_t t = 0; t < r.num_bins; ++t) {
      const float v = r.at(m, t);
      if (!paired[t] || std::isnan(v)) continue;
      sum += v - mean[t];
      ++count;
    }
    offset[m] = count > 0 ? sum / static_cast<double>(count) : 0.0;
  }
  double pair_sum = 0.0;
  for (std::int64_t t = 0; t < r.num_bins; ++t) {
    if (!paired[t]) continue;
    double s1 = 0.0, s2 = 0.0;
    int present = 0;
    for (int m = 0; m < M; ++m) {
      const float v = r.at(m, t);
      if (std::isnan(v)) continue;
      const double d = v - mu - offset[m];
      s1 += d;
      s2 += d * d;
      ++present;
    }
    // Σ_{m≠m'} d_m d_m' = (Σ d)² − Σ d², averaged over the M_t(M_t − 1) ordered pairs.
    pair_sum += (s1 * s1 - s2) / (static_cast<double>(present) * (present - 1));
  }
  return pair_sum / static_cast<double>(bins_with_pairs - 1);
}

CcNormScorer::CcNormScorer(const TrialsView& trials) {
  const std::vector<double> mean = trial_mean(trials);
  for (std::int64_t t = 0; t < trials.num_bins; ++t) {
    if (std::isnan(mean[t])) continue;
    used_bins_.push_back(t);
    mean_used_.push_back(mean[t]);
  }
  signal_power_ = signal_power(trials);
}

CcNormScorer::Result CcNormScorer::score(const float* prediction) const {
  std::vector<double> y_used(used_bins_.size());
  for (std::size_t i = 0; i < used_bins_.size(); ++i) {
    const std::int64_t t = used_bins_[i];
    if (!std::isfinite(prediction[t])) {
      throw std::invalid_argument("metrics: prediction is not finite at bin " + std::to_string(t) +
                                  " where the response is recorded");
    }
    y_used[i] = prediction[t];
  }
  Result s;
  s.num_bins = static_cast<std::int64_t>(y_used.size());
  const Moments m = moments(y_used, mean_used_);
  s.response_power = m.var_b;
  if (m.n < 2 || m.var_b == 0.0) {
    s.cc_raw = kNaN;
  } else if (m.var_a == 0.0) {
    s.cc_raw = 0.0;
  } else {
    s.cc_raw = m.cov / std::sqrt(m.var_a * m.var_b);
  }
  s.signal_power = signal_power_;
  if (std::isnan(s.signal_power)) {  // a single trial everywhere
    s.cc_max = 1.0;
    s.cc_norm = s.cc_raw;
  } else if (s.signal_power <= 0.0 || std::isnan(s.cc_raw)) {
    s.cc_max = 0.0;
    s.cc_norm = kNaN;
  } else {
    s.cc_max = std::sqrt(s.signal_power / s.response_power);
    s.cc_norm = m.var_a == 0.0 ? 0.0 : m.cov / std::sqrt(m.var_a * s.signal_power);
  }
  return s;
}

ResponseScores score_response(const float* prediction, const TrialsView& r, const ScoreOptions& options) {
  ResponseScores s;
  const CcNormScorer::Result c = CcNormScorer(r).score(prediction);
  s.num_bins = c.num_bins;
  s.cc_raw = c.cc_raw;
  s.response_power = c.response_power;
  s.signal_power = c.signal_power;
  s.cc_max = c.cc_max;
  s.cc_norm = c.cc_norm;
  std::vector<int> slots;
  for (int m = 0; m < r.num_trials; ++m) {
    for (std::int64_t t = 0; t < r.num_bins; ++t) {
      if (!std::isnan(r.at(m, t))) {
        slots.push_back(m);
        break;
      }
    }
  }
  s.num_trials = static_cast<int>(slots.size());

  // Split halves (Hsu et al. 2004): drop the last trial if M is odd; halves contain
  // slot 0 so that each complementary pair is counted once.
  std::vector<int> even_slots = slots;
  if (even_slots.size() % 2 == 1) even_slots.pop_back();
  const int M2 = static_cast<int>(even_slots.size());
  if (M2 >= 2) {
    const int half = M2 / 2;
    std::vector<std::vector<int>> halves;
    // Number of splits: C(M2 − 1, half − 1).
    double total = 1.0;
    for (int i = 1; i <= half - 1; ++i) total = total * (M2 - 1 - (half - 1) + i) / i;
    if (total <= options.max_split_halves) {
      std::vector<int> pick(half - 1);
      std::iota(pick.begin(), pick.end(), 1);
      while (true) {
        std::vector<int> h{0};
        h.insert(h.end(), pick.begin(), pick.end());
        halves.push_back(h);
        int i = half - 2;
        while (i >= 0 && pick[i] == M2 - 1 - (half - 2 - i)) --i;
        if (i < 0) break;
        ++pick[i];
        for (int j = i + 1; j < half - 1; ++j) pick[j] = pick[j - 1] + 1;
      }
    } else {
      std::mt19937_64 rng(options.split_seed);
      std::set<std::vector<int>> seen;
      std::vector<int> others(M2 - 1);
      std::iota(others.begin(), others.end(), 1);
      while (static_cast<int>(halves.size()) < options.max_split_halves) {
        std::shuffle(others.begin(), others.end(), rng);
        std::vector<int> h(others.begin(), others.begin() + (half - 1));
        std::sort(h.begin(), h.end());
        h.insert(h.begin(), 0);
        if (seen.insert(h).second) halves.push_back(h);
      }
    }
    double cc_sum = 0.0;
    int cc_count = 0;
    for (const auto& h : halves) {
      std::vector<int> a, b;
      std::vector<bool> in_a(static_cast<std::size_t>(M2), false);
      for (int i : h) in_a[i] = true;
      for (int i = 0; i < M2; ++i) (in_a[i] ? a : b).push_back(even_slots[i]);
      const auto ma = subset_mean(r, a), mb = subset_mean(r, b);
      const double cc = cc_over_finite(ma.data(), mb.data(), r.num_bins);
      if (std::isfinite(cc)) {
        cc_sum += cc;
        ++cc_count;
      }
    }
    s.cc_half = cc_count > 0 ? cc_sum / cc_count : kNaN;
    s.cc_max_split_half = (std::isfinite(s.cc_half) && s.cc_half != 0.0)
                              ? std::sqrt(2.0 / (1.0 + 1.0 / std::abs(s.cc_half)))
                              : 0.0;
    s.cc_norm_split_half = s.cc_max_split_half > 0 ? s.cc_raw / s.cc_max_split_half : kNaN;
  } else {
    s.cc_half = kNaN;
    s.cc_max_split_half = 1.0;
    s.cc_norm_split_half = s.cc_raw;
  }

  // Trial-to-trial CC and the Pennington-style corrected CC.
  std::vector<std::vector<double>> rows;
  for (int slot : slots) rows.push_back(trial_row(r, slot));
  std::vector<double> y(prediction, prediction + r.num_bins);
  if (rows.size() < 2) {
    s.ttrc = 1.0;
  } else {
    double sum = 0.0;
    int count = 0;
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = i + 1; j < rows.size(); ++j) {
        const double cc = cc_over_finite(rows[i].data(), rows[j].data(), r.num_bins);
        if (std::isfinite(cc)) {
          sum += cc;
          ++count;
        }
      }
    s.ttrc = count > 0 ? sum / count : kNaN;
  }
  double cc_trials = 0.0;
  int n_cc = 0;
  for (const auto& row : rows) {
    const double cc = cc_over_finite(y.data(), row.data(), r.num_bins);
    if (std::isfinite(cc)) {
      cc_trials += cc;
      ++n_cc;
    }
  }
  s.cc_ttrc_corrected = (n_cc > 0 && std::isfinite(s.ttrc) && s.ttrc != 0.0)
                            ? (cc_trials / n_cc) / std::sqrt(std::abs(s.ttrc))
                            : kNaN;
  return s;
}

MeanSem mean_and_sem(const std::vector<double>& v) {
  MeanSem m;
  m.mean = v.empty() ? NAN : 0.0;
  for (double x : v) m.mean += x / v.size();
  double ss = 0.0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.sem = v.size() > 1 ? std::sqrt(ss / (v.size() - 1) / v.size()) : 0.0;
  return m;
}

PopulationSummary summarise(const std::vector<ResponseScores>& units) {
  PopulationSummary p;
  p.num_units = static_cast<int>(units.size());
  double raw = 0.0, norm = 0.0;
  int n_raw = 0, n_norm = 0;
  std::vector<double> cc_max;
  for (const auto& u : units) {
    if (std::isfinite(u.cc_raw)) {
      raw += u.cc_raw;
      ++n_raw;
    }
    if (std::isfinite(u.cc_norm)) {
      norm += u.cc_norm;
      ++n_norm;
    } else {
      ++p.excluded_units;
    }
    cc_max.push_back(u.cc_max);
  }
  p.mean_cc_raw = n_raw > 0 ? raw / n_raw : kNaN;
  p.mean_cc_norm = n_norm > 0 ? norm / n_norm : kNaN;
  if (!cc_max.empty()) {
    std::sort(cc_max.begin(), cc_max.end());
    const std::size_t n = cc_max.size();
    p.median_cc_max = n % 2 ? cc_max[n / 2] : 0.5 * (cc_max[n / 2 - 1] + cc_max[n / 2]);
  }
  return p;
}

}  // namespace statenet
