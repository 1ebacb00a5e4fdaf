#include "train/clips.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "data/dataset_api.h"

namespace statenet {

Clip make_clip(const Dataset& d, int k, const std::vector<int>& units) {
  // Indices come from the command line (--stimuli, --test-stimuli): checked here, where every
  // clip is made.
  if (k < 0 || k >= static_cast<int>(d.stimuli.size()))
    throw std::invalid_argument("stimulus " + std::to_string(k) + ": dataset '" + d.name + "' has " + std::to_string(d.stimuli.size()) +
                                " stimuli (0–" + std::to_string(static_cast<int>(d.stimuli.size()) - 1) + ")");
  for (int u : units)
    if (u < 0 || u >= d.num_units())
      throw std::invalid_argument("unit " + std::to_string(u) + ": dataset '" + d.name + "' has " + std::to_string(d.num_units()) + " units");
  const Stimulus& s = d.stimuli[k];
  const int F = d.num_bands(), N = static_cast<int>(units.size());
  const std::int64_t T = s.num_frames;
  Clip c;
  c.stimulus = k;
  c.x = torch::from_blob(const_cast<float*>(s.cochleagram.data()), {1, F, T}, torch::kFloat32).clone();
  c.target = torch::zeros({1, N, T});
  c.mask = torch::zeros({1, N, T});
  auto target = c.target.accessor<float, 3>();
  auto mask = c.mask.accessor<float, 3>();
  for (int i = 0; i < N; ++i) {
    for (std::int64_t t = 0; t < T; ++t) {
      double sum = 0;
      int n = 0;
      for (int m = 0; m < s.num_trials; ++m) {
        const float v = s.response(units[i], m, t);
        if (!std::isnan(v)) sum += v, ++n;
      }
      if (n) target[0][i][t] = static_cast<float>(sum / n), mask[0][i][t] = 1.0f;
    }
  }
  return c;
}

torch::Tensor masked_mse(const torch::Tensor& prediction, const Clip& c) {
  return (prediction * c.mask - c.target).pow(2).mean();
}

Clip stack(const std::vector<const Clip*>& clips) {
  Clip b;
  std::vector<torch::Tensor> x, y, m;
  for (const Clip* c : clips) x.push_back(c->x), y.push_back(c->target), m.push_back(c->mask);
  b.x = torch::cat(x), b.target = torch::cat(y), b.mask = torch::cat(m);
  return b;
}

std::vector<torch::Tensor> predict(ResponseModel& model, const std::vector<Clip>& clips) {
  torch::NoGradGuard no_grad;
  model.eval();
  const torch::Device device = model.parameters().front().device();
  std::vector<torch::Tensor> out;
  for (const Clip& c : clips) out.push_back(model.forward(c.x.to(device))[0].to(torch::kCPU).contiguous());
  return out;
}

double mean_loss(const std::vector<Clip>& clips, const std::vector<torch::Tensor>& predictions) {
  double sum = 0;
  for (std::size_t i = 0; i < clips.size(); ++i) sum += masked_mse(predictions[i].unsqueeze(0), clips[i]).item<double>();
  return clips.empty() ? NAN : sum / clips.size();
}

std::vector<float> concatenated_prediction(const std::vector<torch::Tensor>& predictions, std::size_t i) {
  std::vector<float> y;
  for (const torch::Tensor& p : predictions) {
    const float* row = p[static_cast<std::int64_t>(i)].data_ptr<float>();
    y.insert(y.end(), row, row + p.size(1));
  }
  return y;
}

std::vector<ResponseScores> score(const Dataset& d, const std::vector<Clip>& clips, const std::vector<torch::Tensor>& predictions,
                                  const std::vector<int>& units) {
  std::vector<int> stimuli;
  for (const Clip& c : clips) stimuli.push_back(c.stimulus);
  std::vector<ResponseScores> out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const ConcatenatedTrials trials = concatenate_trials(d, stimuli, units[i]);
    out.push_back(score_response(concatenated_prediction(predictions, i).data(),
                                 TrialsView{trials.values.data(), trials.num_trials, trials.num_bins}));
  }
  return out;
}

void check_data(const Dataset& d, const ModelConfig& c) {
  if (c.num_bands != d.num_bands()) {
    throw std::invalid_argument("the model expects " + std::to_string(c.num_bands) + " frequency bands, the dataset '" + d.name +
                                "' has " + std::to_string(d.num_bands()));
  }
  for (std::size_t k = 0; k < d.stimuli.size(); ++k)
    for (float v : d.stimuli[k].cochleagram)
      if (!std::isfinite(v)) throw std::invalid_argument("dataset '" + d.name + "': stimulus " + std::to_string(k) + " has a non-finite cochleagram value");
}

}  // namespace statenet
