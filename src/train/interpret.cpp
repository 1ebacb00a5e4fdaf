#include "train/interpret.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "metrics/response_metrics.h"
#include "models/model_io.h"
#include "util/usable_cores.h"

namespace statenet {
namespace {

struct Prepared {
  std::shared_ptr<ResponseModel> model;
  std::vector<int> units;
  torch::Tensor unit_index;  // [U] int64
};

Prepared prepare(const std::string& path, const InterpretOptions& o) {
  torch::set_num_threads(o.threads > 0 ? o.threads : usable_cores());
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

}  // namespace statenet
