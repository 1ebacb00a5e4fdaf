#include "step/step_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "step/step_kernels.h"
#include "step/step_layers.h"

namespace statenet {
namespace step {

namespace {
std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}
float softplus(float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); }  // PyTorch's threshold 20
}  // namespace

TensorTable::TensorTable(const std::map<std::string, NamedTensor>& tensors, std::string source)
    : tensors_(tensors), source_(std::move(source)) {}

const std::vector<float>& TensorTable::take(const std::string& name, const std::vector<std::int64_t>& shape) {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::runtime_error(source_ + ": missing tensor " + name + " " + shape_text(shape));
  if (it->second.shape != shape)
    throw std::runtime_error(source_ + ": tensor " + name + " has shape " + shape_text(it->second.shape) +
                             ", the model's configuration expects " + shape_text(shape));
  taken_.insert(name);
  return it->second.data;
}

void TensorTable::expect_all_taken() const {
  for (const auto& [name, tensor] : tensors_)
    if (taken_.count(name) == 0) throw std::runtime_error(source_ + ": unexpected tensor " + name + " for this model");
}

BatchNormFold fold_batch_norm(TensorTable& t, const std::string& prefix, int channels) {
  const std::vector<std::int64_t> shape{channels};
  const auto& gamma = t.take(prefix + ".weight", shape);
  const auto& beta = t.take(prefix + ".bias", shape);
  const auto& mean = t.take(prefix + ".running_mean", shape);
  const auto& var = t.take(prefix + ".running_var", shape);
  BatchNormFold fold{std::vector<float>(channels), std::vector<float>(channels)};
  for (int c = 0; c < channels; ++c) {
    const double scale = gamma[c] / std::sqrt(static_cast<double>(var[c]) + 1e-5);
    fold.scale[c] = static_cast<float>(scale);
    fold.shift[c] = static_cast<float>(beta[c] - mean[c] * scale);
  }
  return fold;
}

OutputStage::OutputStage(TensorTable& t, const ModelConfig& config) {
  const std::vector<std::int64_t> shape{config.num_units};
  if (config.output == Nonlinearity::kDoubleExponential) {
    kind_ = Kind::kDoubleExponential;
    p0_ = t.take("output.a", shape);
    p1_ = t.take("output.b", shape);
    p2_ = t.take("output.k", shape);
    p3_ = t.take("output.s", shape);
    for (auto& a : p0_) a = softplus(a);
    for (auto& b : p1_) b = softplus(b);
  } else if (config.output == Nonlinearity::kSigmoid) {
    kind_ = Kind::kSigmoid;
    p0_ = t.take("output.b", shape);
    p1_ = t.take("output.c", shape);
    p2_ = t.take("output.d", shape);
  }
}

void OutputStage::apply(float* y, int n) const noexcept {
  switch (kind_) {
    case Kind::kIdentity:
      return;
    case Kind::kDoubleExponential:  // paper eq. 1
      for (int i = 0; i < n; ++i) y[i] = p0_[i] * exp_approx(-exp_approx(p2_[i] * y[i] - p3_[i])) + p1_[i];
      return;
    case Kind::kSigmoid:
      for (int i = 0; i < n; ++i) y[i] = p0_[i] / (1.0f + exp_approx(-(y[i] - p1_[i]) / p2_[i]));
      return;
  }
}

std::vector<float> OutputStage::packed_parameters(int n) const {
  std::vector<float> packed(static_cast<std::size_t>(4) * n, 0.0f);
  const std::vector<float>* params[4] = {&p0_, &p1_, &p2_, &p3_};
  for (int i = 0; i < 4; ++i)
    if (!params[i]->empty()) std::copy_n(params[i]->data(), n, packed.data() + static_cast<std::size_t>(i) * n);
  return packed;
}

void RowHistory::fill(const float* row) noexcept {
  for (int r = 0; r < 2 * rows_; ++r) {
    float* dst = data_.data() + static_cast<std::size_t>(r) * width_;
    if (row) std::memcpy(dst, row, sizeof(float) * width_);
    else std::memset(dst, 0, sizeof(float) * width_);
  }
  next_ = 0;
}

void RowHistory::push(const float* row) noexcept {
  std::memcpy(data_.data() + static_cast<std::size_t>(next_) * width_, row, sizeof(float) * width_);
  std::memcpy(data_.data() + static_cast<std::size_t>(next_ + rows_) * width_, row, sizeof(float) * width_);
  next_ = next_ + 1 == rows_ ? 0 : next_ + 1;
}

AdapTransStep::AdapTransStep(TensorTable& t, int F, int K)
    : F_(F), K_(K), on_(static_cast<std::size_t>(F) * K), off_(on_.size()), history_(2 * on_.size()) {
  const auto& d_on = t.take("adaptrans.d_on", {F});
  const auto& d_off = t.take("adaptrans.d_off", {F});
  const auto& p = t.take("adaptrans.p", {F});
  for (int f = 0; f < F; ++f) {
    // a = 1/(1 + d²), w = 1/(1 + p²), C = 1/Σ_{j<K−1} a^j (in double, then rounded once).
    const double w = 1.0 / (1.0 + static_cast<double>(p[f]) * p[f]);
    const double a_on = 1.0 / (1.0 + static_cast<double>(d_on[f]) * d_on[f]), a_off = 1.0 / (1.0 + static_cast<double>(d_off[f]) * d_off[f]);
    double sum_on = 0.0, sum_off = 0.0;
    for (int j = 0; j < K - 1; ++j) sum_on += std::pow(a_on, j), sum_off += std::pow(a_off, j);
    // Stored oldest first: index i weighs x[t − (K − 1 − i)].
    float* on = on_.data() + static_cast<std::size_t>(f) * K;
    float* off = off_.data() + static_cast<std::size_t>(f) * K;
    on[K - 1] = 1.0f;
    off[K - 1] = static_cast<float>(-w);
    for (int j = 1; j < K; ++j) {
      on[K - 1 - j] = static_cast<float>(-w * std::pow(a_on, j - 1) / sum_on);
      off[K - 1 - j] = static_cast<float>(std::pow(a_off, j - 1) / sum_off);
    }
  }
}

void AdapTransStep::step(const float* frame, float* out) noexcept {
  const std::size_t K = static_cast<std::size_t>(K_);
  if (fresh_) {
    for (int f = 0; f < F_; ++f) std::fill_n(history_.data() + f * 2 * K, 2 * K, frame[f]);
    position_ = K - 1;
    fresh_ = false;
  } else {
    position_ = position_ + 1 == K ? 0 : position_ + 1;
    for (int f = 0; f < F_; ++f) history_[f * 2 * K + position_] = history_[f * 2 * K + position_ + K] = frame[f];
  }
  for (int f = 0; f < F_; ++f) {
    const float* window = history_.data() + f * 2 * K + position_ + 1;  // x[t − K + 1] … x[t]
    const float* on = on_.data() + f * K;
    const float* off = off_.data() + f * K;
    float sum_on = 0.0f, sum_off = 0.0f;
    for (std::size_t i = 0; i < K; ++i) sum_on += on[i] * window[i], sum_off += off[i] * window[i];
    out[f] = sum_on;
    out[F_ + f] = sum_off;
  }
}


}  // namespace step

std::unique_ptr<StepModel> make_step_model(const ModelConfig& config, const std::map<std::string, NamedTensor>& tensors,
                                           const std::string& source) {
  try {
    config.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  step::TensorTable table(tensors, source);
  std::unique_ptr<StepModel> model;
  switch (config.architecture) {
    case Architecture::kStateNet: model = step::make_statenet_step(config, table); break;
    case Architecture::kCnn2d: model = step::make_cnn2d_step(config, table); break;
    case Architecture::kTransformer: model = step::make_transformer_step(config, table); break;
    case Architecture::kL:
    case Architecture::kLn:
    case Architecture::kNrf:
    case Architecture::kDnet: model = step::make_strf_step(config, table); break;
  }
  table.expect_all_taken();
  model->reset();
  return model;
}

namespace {

// The file's tensors and its validated configuration.
struct ModelFile {
  SafetensorsFile file;
  ModelConfig config;
};

ModelFile read_model_file(const std::string& path) {
  ModelFile m{read_safetensors(path), {}};
  const auto field = [&](const char* key) -> const std::string& {
    const auto it = m.file.metadata.find(key);
    if (it == m.file.metadata.end()) throw std::runtime_error(path + ": not a statenet model (its __metadata__ has no " + key + ")");
    return it->second;
  };
  if (field("format") != "statenet-model") throw std::runtime_error(path + ": not a statenet model (format is '" + field("format") + "')");
  if (field("format_version") != "1")
    throw std::runtime_error(path + ": statenet model format version " + field("format_version") + ", this build reads 1");
  try {
    m.config = ModelConfig::from_json(field("config"));
    m.config.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return m;
}

}  // namespace

std::unique_ptr<StepModel> load_step_model(const std::string& path) {
  const ModelFile m = read_model_file(path);
  return make_step_model(m.config, m.file.tensors, path);
}

GruStepWeights read_gru_step_weights(const std::string& path) {
  const ModelFile m = read_model_file(path);
  step::TensorTable table(m.file.tensors, path);
  GruStepWeights w = step::make_gru_step_weights(m.config, table);
  table.expect_all_taken();
  return w;
}

}  // namespace statenet
