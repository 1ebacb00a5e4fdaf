#include "interpret/interpret_maps.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/response_metrics.h"

namespace statenet {

std::vector<double> gradmap_similarity(const std::vector<InterpretMaps>& models) {
  const std::size_t M = models.size();
  if (M == 0) throw std::invalid_argument("similarity needs at least one model");
  const InterpretMaps& first = models.front();
  for (const auto& m : models) {
    if (m.units != first.units || m.num_bands != first.num_bands || m.length_bins != first.length_bins ||
        (!m.config.unit_ids.empty() && !first.config.unit_ids.empty() && m.config.unit_ids != first.config.unit_ids)) {
      throw std::invalid_argument("similarity: the models must predict the same units from the same bands over the same length");
    }
  }
  const std::size_t per_unit = static_cast<std::size_t>(first.num_bands) * first.length_bins;
  std::vector<double> out(M * M, 0.0);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < M; ++j) {
      double sum = 0;
      int n = 0;
      for (std::size_t u = 0; u < first.units.size(); ++u) {
        const std::vector<double> a(models[i].maps.begin() + u * per_unit, models[i].maps.begin() + (u + 1) * per_unit);
        const std::vector<double> b(models[j].maps.begin() + u * per_unit, models[j].maps.begin() + (u + 1) * per_unit);
        const double cc = pearson_cc(a.data(), b.data(), static_cast<std::int64_t>(per_unit));
        if (std::isfinite(cc)) sum += cc, ++n;
      }
      out[i * M + j] = n ? sum / n : NAN;
    }
  return out;
}

std::vector<double> strf_correlation(const InterpretMaps& m, const std::vector<float>& strf, int num_units, int lags) {
  const int F = m.num_bands, T = m.length_bins;
  if (lags < 1 || lags > T)
    throw std::invalid_argument("STRF of " + std::to_string(lags) + " lags against GradMaps of " + std::to_string(T) + " bins: need 1 ≤ lags ≤ T");
  if (strf.size() != static_cast<std::size_t>(num_units) * F * lags)
    throw std::invalid_argument("STRF array of " + std::to_string(strf.size()) + " values, expected " + std::to_string(num_units) + " × " +
                                std::to_string(F) + " × " + std::to_string(lags));
  std::vector<double> out;
  std::vector<double> a(static_cast<std::size_t>(F) * lags), b(a.size());
  for (std::size_t u = 0; u < m.units.size(); ++u) {
    const int n = m.units[u];
    if (n < 0 || n >= num_units) throw std::invalid_argument("unit " + std::to_string(n) + " has no reference STRF");
    for (int f = 0; f < F; ++f)
      for (int l = 0; l < lags; ++l) {
        a[static_cast<std::size_t>(f) * lags + l] = -m.map(static_cast<int>(u), f, T - 1 - l);
        b[static_cast<std::size_t>(f) * lags + l] = strf[(static_cast<std::size_t>(n) * F + f) * lags + l];
      }
    out.push_back(pearson_cc(a.data(), b.data(), static_cast<std::int64_t>(a.size())));
  }
  return out;
}

std::vector<int> memory_length_bins(const InterpretMaps& m, double fraction) {
  std::vector<int> out;
  for (std::size_t u = 0; u < m.units.size(); ++u) {
    const float* e = m.energy.data() + u * m.length_bins;
    double total = 0;
    for (int l = 0; l < m.length_bins; ++l) total += e[l];
    double acc = 0;
    int length = m.length_bins;
    for (int l = 0; l < m.length_bins; ++l) {
      acc += e[l];
      if (acc >= fraction * total) {
        length = l + 1;
        break;
      }
    }
    out.push_back(total > 0 ? length : 0);
  }
  return out;
}

std::vector<int> energy_extent_bins(const InterpretMaps& m, double relative) {
  std::vector<int> out;
  for (std::size_t u = 0; u < m.units.size(); ++u) {
    const float* e = m.energy.data() + u * m.length_bins;
    const float peak = *std::max_element(e, e + m.length_bins);
    int extent = 0;
    for (int l = m.length_bins - 1; l >= 0 && peak > 0; --l)
      if (e[l] >= relative * peak) {
        extent = l + 1;
        break;
      }
    out.push_back(extent);
  }
  return out;
}

}  // namespace statenet
