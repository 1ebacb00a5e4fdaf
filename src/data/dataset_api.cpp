#include "data/dataset_api.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include "metrics/response_metrics.h"
#include "util/index_list.h"

namespace statenet {

Split random_split(const std::vector<int>& stimuli, std::uint64_t seed, double train_fraction,
                   double validation_fraction) {
  if (!(train_fraction > 0) || validation_fraction < 0 || train_fraction + validation_fraction > 1) {
    throw std::invalid_argument("split fractions must satisfy 0 < train, 0 ≤ validation, train + validation ≤ 1");
  }
  std::vector<int> order = stimuli;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  const int n = static_cast<int>(order.size());
  int n_val = static_cast<int>(std::lround(validation_fraction * n));
  int n_train = static_cast<int>(std::lround(train_fraction * n));
  if (n >= 3) {
    n_val = std::max(n_val, validation_fraction > 0 ? 1 : 0);
    n_train = std::min(n_train, n - n_val - 1);  // keep at least one test clip
  }
  n_train = std::clamp(n_train, 0, n);
  n_val = std::clamp(n_val, 0, n - n_train);
  Split s;
  s.train.assign(order.begin(), order.begin() + n_train);
  s.validation.assign(order.begin() + n_train, order.begin() + n_train + n_val);
  s.test.assign(order.begin() + n_train + n_val, order.end());
  for (auto* v : {&s.train, &s.validation, &s.test}) std::sort(v->begin(), v->end());
  return s;
}

Split random_split_beside_test(const std::vector<int>& stimuli, std::uint64_t seed, double validation_share) {
  if (!(validation_share > 0 && validation_share < 1)) throw std::invalid_argument("the validation share must lie in (0, 1)");
  std::vector<int> order = stimuli;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  const int n = static_cast<int>(order.size());
  const int n_val = std::clamp(static_cast<int>(std::lround(validation_share * n)), std::min(1, n), std::max(0, n - 1));
  Split s;
  s.validation.assign(order.begin(), order.begin() + n_val);
  s.train.assign(order.begin() + n_val, order.end());
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.validation.begin(), s.validation.end());
  return s;
}

Split random_split_counts(const std::vector<int>& stimuli, std::uint64_t seed, const std::array<int, 3>& counts) {
  if (counts[0] < 1 || counts[1] < 1 || counts[2] < 1 || counts[0] + counts[1] + counts[2] != static_cast<int>(stimuli.size()))
    throw std::invalid_argument("a split of " + std::to_string(counts[0]) + "/" + std::to_string(counts[1]) + "/" + std::to_string(counts[2]) +
                                " clips does not fit " + std::to_string(stimuli.size()) + " stimuli");
  std::vector<int> order = stimuli;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  Split s;
  s.train.assign(order.begin(), order.begin() + counts[0]);
  s.validation.assign(order.begin() + counts[0], order.begin() + counts[0] + counts[1]);
  s.test.assign(order.begin() + counts[0] + counts[1], order.end());
  for (auto* v : {&s.train, &s.validation, &s.test}) std::sort(v->begin(), v->end());
  return s;
}

std::vector<int> all_stimuli(const Dataset& d) {
  std::vector<int> v(d.stimuli.size());
  std::iota(v.begin(), v.end(), 0);
  return v;
}

std::vector<int> stimuli_heard_by(const Dataset& d, int unit) {
  std::vector<int> v;
  for (std::size_t k = 0; k < d.stimuli.size(); ++k)
    if (d.stimuli[k].heard_by(unit)) v.push_back(static_cast<int>(k));
  return v;
}

bool is_population(const Dataset& d) {
  for (const auto& s : d.stimuli)
    for (int u = 0; u < d.num_units(); ++u)
      if (!s.heard_by(u)) return false;
  return true;
}

DatasetProtocol dataset_protocol(const Dataset& d) {
  DatasetProtocol p;
  const auto attribute = [&](const char* key) {
    const auto it = d.attributes.find(key);
    return it == d.attributes.end() ? std::string() : it->second;
  };
  const auto bad = [&](const char* key, const std::string& what) {
    return std::runtime_error("dataset '" + d.name + "': attribute '" + key + "' = '" + attribute(key) + "': " + what);
  };
  p.kind = attribute("kind");
  p.area = attribute("area");
  const std::string fitting = attribute("fitting");
  if (fitting.rfind("population", 0) == 0) {
    p.population = true, p.fitting_from = "the dataset";
  } else if (fitting.rfind("unit-by-unit", 0) == 0) {
    p.population = false, p.fitting_from = "the dataset";
  } else if (fitting.empty()) {
    p.population = is_population(d);
    p.fitting_from = p.population ? "inferred: every unit heard every stimulus" : "inferred: some units miss some stimuli";
  } else {
    throw bad("fitting", "expected 'population' or 'unit-by-unit'");
  }
  if (const std::string test = attribute("test_stimuli"); !test.empty()) {
    try {
      p.test_stimuli = parse_index_list(test, "test_stimuli");
    } catch (const std::invalid_argument& e) {
      throw bad("test_stimuli", e.what());
    }
    for (int k : p.test_stimuli)
      if (k < 0 || k >= static_cast<int>(d.stimuli.size()))
        throw bad("test_stimuli", "stimulus " + std::to_string(k) + " of " + std::to_string(d.stimuli.size()));
  }
  const auto number = [&](const char* key, double lo, double hi) {
    const std::string text = attribute(key);
    if (text.empty()) return 0.0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || !(v >= lo && v <= hi)) throw bad(key, "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  };
  p.validation_share = number("validation_share", 0.0, 0.9);
  const double batch = number("batch_size", 0.0, 1 << 20);
  if (batch != std::floor(batch)) throw bad("batch_size", "expected a whole number");
  p.batch_size = static_cast<int>(batch);
  if (const std::string splits = attribute("unit_splits"); !splits.empty()) {
    std::istringstream in(splits);
    std::string item;
    while (in >> item) {
      std::array<int, 3> n{};
      if (item == "-") {  // this unit: the random 70/10/20 split
        p.unit_splits.push_back(n);
        continue;
      }
      char slash1 = 0, slash2 = 0, rest = 0;
      if (std::sscanf(item.c_str(), "%d%c%d%c%d%c", &n[0], &slash1, &n[1], &slash2, &n[2], &rest) != 5 || slash1 != '/' || slash2 != '/' ||
          n[0] < 1 || n[1] < 1 || n[2] < 1 || n[0] > (1 << 20) || n[1] > (1 << 20) || n[2] > (1 << 20))
        throw bad("unit_splits", "'" + item + "' is not train/validation/test clip counts");
      p.unit_splits.push_back(n);
    }
    if (static_cast<int>(p.unit_splits.size()) != d.num_units())
      throw bad("unit_splits", std::to_string(p.unit_splits.size()) + " splits for " + std::to_string(d.num_units()) + " units");
  }
  return p;
}

ConcatenatedTrials concatenate_trials(const Dataset& d, const std::vector<int>& stimuli, int unit) {
  ConcatenatedTrials c;
  for (int k : stimuli) {
    c.num_trials = std::max(c.num_trials, d.stimuli.at(k).num_trials);
    c.num_bins += d.stimuli[k].num_frames;
  }
  c.values.assign(static_cast<std::size_t>(c.num_trials) * c.num_bins, std::numeric_limits<float>::quiet_NaN());
  std::int64_t offset = 0;
  for (int k : stimuli) {
    const Stimulus& s = d.stimuli[k];
    const float* r = s.unit_trials(unit);
    for (int m = 0; m < s.num_trials; ++m)
      std::copy(r + static_cast<std::size_t>(m) * s.num_frames, r + static_cast<std::size_t>(m + 1) * s.num_frames,
                c.values.begin() + static_cast<std::ptrdiff_t>(m * c.num_bins + offset));
    offset += s.num_frames;
  }
  return c;
}

std::vector<float> concatenate_cochleagrams(const Dataset& d, const std::vector<int>& stimuli) {
  std::int64_t total = 0;
  for (int k : stimuli) total += d.stimuli.at(k).num_frames;
  const int F = d.num_bands();
  std::vector<float> out(static_cast<std::size_t>(F) * total);
  std::int64_t offset = 0;
  for (int k : stimuli) {
    const Stimulus& s = d.stimuli[k];
    for (int f = 0; f < F; ++f)
      std::copy(s.cochleagram.begin() + f * s.num_frames, s.cochleagram.begin() + (f + 1) * s.num_frames,
                out.begin() + f * total + offset);
    offset += s.num_frames;
  }
  return out;
}

std::vector<double> unit_cc_max(const Dataset& d, const std::vector<int>& stimuli) {
  std::vector<double> out;
  for (int u = 0; u < d.num_units(); ++u) {
    const ConcatenatedTrials c = concatenate_trials(d, stimuli, u);
    const TrialsView view{c.values.data(), c.num_trials, c.num_bins};
    const double sp = signal_power(view);
    const std::vector<double> mean = trial_mean(view);
    std::vector<double> used;
    for (double v : mean)
      if (!std::isnan(v)) used.push_back(v);
    double mu = 0, var = 0;
    for (double v : used) mu += v;
    mu /= std::max<std::size_t>(used.size(), 1);
    for (double v : used) var += (v - mu) * (v - mu);
    var /= std::max<std::size_t>(used.size(), 2) - 1;
    if (std::isnan(sp)) out.push_back(std::numeric_limits<double>::quiet_NaN());
    else if (sp <= 0 || var <= 0) out.push_back(0.0);
    else out.push_back(std::sqrt(sp / var));
  }
  return out;
}

}  // namespace statenet
