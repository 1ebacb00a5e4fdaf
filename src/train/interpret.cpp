#include "train/interpret.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "metrics/response_metrics.h"
#include "models/model_io.h"

namespace statenet {
namespace {

struct Prepared {
  std::shared_ptr<ResponseModel> model;
  std::vector<int> units;
  torch::Tensor unit_index;  // [U] int64
};

Prepared prepare(const std::string& path, const InterpretOptions& o) {
  torch::set_num_threads(o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency()));
  if (o.length_bins < 1) throw std::invalid_argument("interpretation length must be at least 1 bin, got " + std::to_string(o.length_bins));
  Prepared p;
  p.model = load_model(path);  // eval mode
  const int N = p.model->config().num_units;
  p.units = o.units;
  if (p.units.empty())
    for (int u = 0; u < N; ++u) p.units.push_back(u);
  for (int u : p.units)
    if (u < 0 || u >= N)
      throw std::invalid_argument(path + ": unit " + std::to_string(u) + " does not exist (the model has units 0–" +
                                  std::to_string(N - 1) + ")");
  p.unit_index = torch::tensor(std::vector<std::int64_t>(p.units.begin(), p.units.end()), torch::kInt64);
  for (auto& param : p.model->parameters()) param.set_requires_grad(false);
  return p;
}

// −Σ_i r̂_{unit_i}[T − 1] of batch element i: each element's loss is its own unit's.
torch::Tensor loss_of(ResponseModel& model, const torch::Tensor& x, const torch::Tensor& unit_index) {
  const torch::Tensor last = model.forward(x).select(2, x.size(2) - 1);  // [U, N]
  return -last.gather(1, unit_index.unsqueeze(1)).sum();
}

InterpretMaps finish(const Prepared& p, const torch::Tensor& maps, int T) {
  InterpretMaps m;
  m.config = p.model->config();
  m.units = p.units;
  m.num_bands = m.config.num_bands;
  m.length_bins = T;
  const torch::Tensor c = maps.detach().contiguous();
  m.maps.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  // Energy by latency: column T − 1 − ℓ.
  const torch::Tensor energy = c.pow(2).mean(1).flip({1}).contiguous();  // [U, T]
  m.energy.assign(energy.data_ptr<float>(), energy.data_ptr<float>() + energy.numel());
  return m;
}

}  // namespace

InterpretMaps compute_gradmaps(const std::string& path, const InterpretOptions& o) {
  Prepared p = prepare(path, o);
  const std::int64_t U = static_cast<std::int64_t>(p.units.size()), F = p.model->config().num_bands;
  const torch::Tensor x = torch::full({U, F, o.length_bins}, o.null_level, torch::requires_grad());
  loss_of(*p.model, x, p.unit_index).backward();
  InterpretMaps m = finish(p, x.grad(), o.length_bins);
  m.null_level = o.null_level;
  return m;
}

InterpretMaps compute_dreams(const std::string& path, const InterpretOptions& o) {
  Prepared p = prepare(path, o);
  if (o.dream_iterations < 1) throw std::invalid_argument("dreams need at least one iteration");
  const std::int64_t U = static_cast<std::int64_t>(p.units.size()), F = p.model->config().num_bands;
  torch::Tensor x = torch::full({U, F, o.length_bins}, o.null_level, torch::requires_grad());
  torch::optim::Adam opt({x}, torch::optim::AdamOptions(o.dream_learning_rate));
  std::vector<float> curve(static_cast<std::size_t>(U) * o.dream_iterations);
  for (int it = 0; it < o.dream_iterations; ++it) {
    opt.zero_grad();
    const torch::Tensor last = p.model->forward(x).select(2, o.length_bins - 1).gather(1, p.unit_index.unsqueeze(1));
    (-last.sum()).backward();
    opt.step();
    const torch::Tensor l = (-last).detach().view({U}).contiguous();
    for (std::int64_t u = 0; u < U; ++u) curve[u * o.dream_iterations + it] = l[u].item<float>();
  }
  InterpretMaps m = finish(p, x, o.length_bins);
  m.null_level = o.null_level;
  m.loss_curve = std::move(curve);
  return m;
}

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
