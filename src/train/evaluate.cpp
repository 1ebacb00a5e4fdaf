#include "train/evaluate.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "data/dataset_api.h"
#include "models/model_io.h"
#include "train/clips.h"
#include "util/usable_cores.h"

namespace statenet {

std::vector<float> predict_responses(const std::string& model_path, const std::vector<float>& cochleagram,
                                     std::int64_t T, ModelConfig* config) {
  std::shared_ptr<ResponseModel> model = load_model(model_path);
  const int F = model->config().num_bands;
  if (static_cast<std::int64_t>(cochleagram.size()) != F * T) {
    throw std::invalid_argument(model_path + ": the model expects " + std::to_string(F) + " bands, the cochleagram has " +
                                std::to_string(T > 0 ? cochleagram.size() / T : 0));
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::from_blob(const_cast<float*>(cochleagram.data()), {1, F, T}, torch::kFloat32);
  const torch::Tensor y = model->forward(x)[0].contiguous();
  if (config) *config = model->config();
  return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

EvalReport evaluate_model(const std::string& model_path, const Dataset& d, const std::vector<int>& stimuli_in, int threads) {
  torch::set_num_threads(threads > 0 ? threads : usable_cores());
  std::shared_ptr<ResponseModel> model = load_model(model_path);
  const ModelConfig& c = model->config();
  check_data(d, c);
  // Units: by id when the model names them, else all (a population model) or the first.
  std::vector<int> units;
  if (!c.unit_ids.empty()) {
    for (const auto& id : c.unit_ids) {
      auto it = std::find(d.unit_ids.begin(), d.unit_ids.end(), id);
      if (it == d.unit_ids.end()) throw std::invalid_argument(model_path + ": unit " + id + " is not in dataset '" + d.name + "'");
      units.push_back(static_cast<int>(it - d.unit_ids.begin()));
    }
  } else {
    if (c.num_units != d.num_units()) throw std::invalid_argument(model_path + ": the model predicts " + std::to_string(c.num_units) + " units, the dataset has " + std::to_string(d.num_units()));
    units.resize(d.num_units());
    std::iota(units.begin(), units.end(), 0);
  }
  const std::vector<int> stimuli = stimuli_in.empty() ? all_stimuli(d) : stimuli_in;
  std::vector<Clip> clips;
  for (int k : stimuli) clips.push_back(make_clip(d, k, units));
  EvalReport e;
  e.units = score(d, clips, predict(*model, clips), units);
  const PopulationSummary summary = summarise(e.units);
  e.mean_cc_raw = summary.mean_cc_raw;
  e.mean_cc_norm = summary.mean_cc_norm;
  e.excluded_units = summary.excluded_units;
  return e;
}

}  // namespace statenet
