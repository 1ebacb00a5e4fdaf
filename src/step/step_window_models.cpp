// The window-based baselines in the step engine (docs/models.md): L, LN, NRF and DNet (an STRF
// convolution over the last W frames), the 2D-CNN (three causal conv layers, each with its
// own history) and the Transformer (one encoder layer over the last W frame tokens).

#include <algorithm>
#include <cmath>
#include <cstring>

#include "step/step_kernels.h"
#include "step/step_layers.h"

namespace statenet::step {
namespace {

// ---------------------------------------------------------------- L, LN, NRF, DNet

// Leaky integration of DNet, τ = 1 + d², α = 1 − 1/τ, per channel: recurrent
// y[t] = α·y[t−1] + x[t]/τ from zero, or the code's 14-tap FIR truncation whose history
// before the first frame replicates the first input.
class LeakyIntegrator {
 public:
  LeakyIntegrator(const std::vector<float>& d, bool fir14)
      : fir14_(fir14), alpha_(d.size()), inv_tau_(d.size()), state_(d.size()), history_(kTaps, static_cast<int>(d.size())) {
    for (std::size_t c = 0; c < d.size(); ++c) {
      const double tau = 1.0 + static_cast<double>(d[c]) * d[c];
      alpha_[c] = static_cast<float>(1.0 - 1.0 / tau);
      inv_tau_[c] = static_cast<float>(1.0 / tau);
    }
    if (fir14) {  // taps oldest first: α^{13−j}/τ, as the LibTorch module computes them in float
      taps_.resize(static_cast<std::size_t>(kTaps) * d.size());
      for (std::size_t c = 0; c < d.size(); ++c)
        for (int j = 0; j < kTaps; ++j) taps_[j * d.size() + c] = std::pow(alpha_[c], static_cast<float>(kTaps - 1 - j)) * inv_tau_[c];
    }
  }
  void reset() noexcept {
    std::fill(state_.begin(), state_.end(), 0.0f);
    first_ = true;
  }
  void apply(float* x) noexcept {  // in place, one frame of every channel
    const std::size_t n = state_.size();
    if (!fir14_) {
      for (std::size_t c = 0; c < n; ++c) x[c] = state_[c] = alpha_[c] * state_[c] + inv_tau_[c] * x[c];
      return;
    }
    if (first_) history_.fill(x);
    else history_.push(x);
    first_ = false;
    const float* w = history_.window();
    for (std::size_t c = 0; c < n; ++c) {
      float acc = 0.0f;
      for (int j = 0; j < kTaps; ++j) acc += taps_[j * n + c] * w[j * n + c];
      x[c] = acc;
    }
  }

 private:
  static constexpr int kTaps = 14;
  bool fir14_, first_ = true;
  std::vector<float> alpha_, inv_tau_, state_, taps_;
  RowHistory history_;
};

class StrfStep final : public StepModel {
 public:
  StrfStep(const ModelConfig& c, TensorTable& t) : StepModel(c), history_(c.window_bins, c.input_channels() * c.num_bands) {
    const int F = c.num_bands, W = c.window_bins, Cin = c.input_channels(), row = Cin * F;
    hidden_layer_ = c.architecture == Architecture::kNrf || c.architecture == Architecture::kDnet;
    channels_ = hidden_layer_ ? c.hidden : c.num_units;
    if (c.adaptrans) {
      adaptrans_ = std::make_unique<AdapTransStep>(t, F, c.adaptrans_taps);
      prefiltered_.resize(row);
    }
    const auto& weight = t.take("strf.weight", {channels_, Cin, F, W});
    std::vector<float> bias = t.take("strf.bias", {channels_});
    const BatchNormFold bn = fold_batch_norm(t, "bn", channels_);
    // Rows per channel over the window laid out time-major (w·C_in·F + c·F + f), oldest frame first.
    std::vector<float> w(static_cast<std::size_t>(channels_) * W * row);
    for (int o = 0; o < channels_; ++o) {
      for (int ci = 0; ci < Cin; ++ci)
        for (int f = 0; f < F; ++f)
          for (int k = 0; k < W; ++k)
            w[(static_cast<std::size_t>(o) * W + k) * row + ci * F + f] =
                weight[((static_cast<std::size_t>(o) * Cin + ci) * F + f) * W + k] * bn.scale[o];
      bias[o] = bias[o] * bn.scale[o] + bn.shift[o];
    }
    strf_ = PanelMatrix(channels_, W * row, w.data(), bias.data());
    if (hidden_layer_)
      readout_ = PanelMatrix(c.num_units, c.hidden, t.take("readout.weight", {c.num_units, c.hidden, 1}).data(),
                             t.take("readout.bias", {c.num_units}).data());
    if (c.architecture == Architecture::kDnet) {
      const bool fir14 = c.dnet_decay == DnetDecay::kFir14;
      hidden_leak_ = std::make_unique<LeakyIntegrator>(t.take("hidden_decay", {c.hidden}), fir14);
      output_leak_ = std::make_unique<LeakyIntegrator>(t.take("output_decay", {c.num_units}), fir14);
    }
    output_ = std::make_unique<OutputStage>(t, c);
    hidden_.resize(strf_.padded_rows());
    y_.resize(hidden_layer_ ? readout_.padded_rows() : strf_.padded_rows());
  }

  int window_frames() const override {
    const int prefilter = config_.adaptrans ? config_.adaptrans_taps - 1 : 0;
    if (!hidden_leak_) return config_.window_bins + prefilter;
    return config_.dnet_decay == DnetDecay::kFir14 ? config_.window_bins + 26 + prefilter : 0;
  }
  void reset() noexcept override {
    history_.fill(nullptr);
    if (adaptrans_) adaptrans_->reset();
    if (hidden_leak_) hidden_leak_->reset();
    if (output_leak_) output_leak_->reset();
  }
  void step(const float* frame, float* rates) noexcept override {
    if (adaptrans_) {
      adaptrans_->step(frame, prefiltered_.data());
      frame = prefiltered_.data();
    }
    history_.push(frame);
    if (!hidden_layer_) {
      strf_.apply(history_.window(), y_.data());
    } else {
      strf_.apply(history_.window(), hidden_.data());
      sigmoid_inplace(hidden_.data(), channels_);
      if (hidden_leak_) hidden_leak_->apply(hidden_.data());
      readout_.apply(hidden_.data(), y_.data());
      if (output_leak_) output_leak_->apply(y_.data());
    }
    output_->apply(y_.data(), config_.num_units);
    std::memcpy(rates, y_.data(), sizeof(float) * config_.num_units);
  }

 private:
  bool hidden_layer_ = false;
  int channels_ = 0;
  std::unique_ptr<AdapTransStep> adaptrans_;
  std::vector<float> prefiltered_;  // AdapTrans's ON and OFF bands of the frame
  RowHistory history_;
  PanelMatrix strf_, readout_;
  std::unique_ptr<LeakyIntegrator> hidden_leak_, output_leak_;
  std::unique_ptr<OutputStage> output_;
  std::vector<float> hidden_, y_;
};

// ------------------------------------------------------------------------- 2D-CNN

// One conv layer: valid in frequency, causal in time (zero history), batch norm folded,
// leaky ReLU 0.1. Input rows are channel-major frames: c·F_in + f.
class CausalConv2d {
 public:
  CausalConv2d(TensorTable& t, int index, int in_channels, int in_bands, const ModelConfig& c) : in_channels_(in_channels), in_bands_(in_bands) {
    const int out_channels = c.cnn_channels;
    const std::string n = std::to_string(index);
    std::vector<float> weight = t.take("conv" + n + ".weight", {out_channels, in_channels, c.cnn_kernel_f, c.cnn_kernel_t});
    std::vector<float> bias = t.take("conv" + n + ".bias", {out_channels});
    const BatchNormFold bn = fold_batch_norm(t, "bn" + n, out_channels);
    const std::size_t per_out = weight.size() / out_channels;
    for (int o = 0; o < out_channels; ++o) {
      for (std::size_t i = 0; i < per_out; ++i) weight[o * per_out + i] *= bn.scale[o];
      bias[o] = bias[o] * bn.scale[o] + bn.shift[o];
    }
    conv_ = BandConv(out_channels, in_channels, in_bands, c.cnn_kernel_f, c.cnn_kernel_t, weight.data(), bias.data());
    out_width_ = out_channels * conv_.out_bands();
    padded_.assign(conv_.input_row_width(), 0.0f);
    history_ = RowHistory(c.cnn_kernel_t, conv_.input_row_width());
  }
  int out_width() const { return out_width_; }
  void reset() noexcept { history_.fill(nullptr); }
  // in: one input row (in_channels·in_bands); out: out_channels·out_bands. [RT]
  void step(const float* in, float* out) noexcept {
    for (int c = 0; c < in_channels_; ++c)  // each channel's bands into its zero-padded run
      std::memcpy(padded_.data() + c * conv_.input_stride(), in + c * in_bands_, sizeof(float) * in_bands_);
    history_.push(padded_.data());
    conv_.apply(history_.window(), out);
    leaky_relu_inplace(out, out_width_, 0.1f);
  }

 private:
  int in_channels_, in_bands_, out_width_ = 0;
  BandConv conv_;
  std::vector<float> padded_;
  RowHistory history_{1, 1};
};

class Cnn2dStep final : public StepModel {
 public:
  Cnn2dStep(const ModelConfig& c, TensorTable& t) : StepModel(c) {
    int channels = 1, bands = c.num_bands;
    if (c.adaptrans) {
      adaptrans_ = std::make_unique<AdapTransStep>(t, c.num_bands, c.adaptrans_taps);
      prefiltered_.resize(2 * static_cast<std::size_t>(c.num_bands));
      channels = 2;
    }
    for (int i = 0; i < 3; ++i) {
      layers_.emplace_back(t, i, channels, bands, c);
      channels = c.cnn_channels;
      bands -= c.cnn_kernel_f - 1;
      buffers_.emplace_back(layers_.back().out_width());
    }
    const int flat = c.cnn_channels * bands;
    fc_ = PanelMatrix(c.cnn_hidden, flat, t.take("fc.weight", {c.cnn_hidden, flat}).data(), t.take("fc.bias", {c.cnn_hidden}).data());
    readout_ = PanelMatrix(c.num_units, c.cnn_hidden, t.take("readout.weight", {c.num_units, c.cnn_hidden}).data(),
                           t.take("readout.bias", {c.num_units}).data());
    output_ = std::make_unique<OutputStage>(t, c);
    hidden_.resize(fc_.padded_rows());
    y_.resize(readout_.padded_rows());
  }
  int window_frames() const override {
    return 3 * (config_.cnn_kernel_t - 1) + 1 + (config_.adaptrans ? config_.adaptrans_taps - 1 : 0);
  }
  void reset() noexcept override {
    if (adaptrans_) adaptrans_->reset();
    for (auto& l : layers_) l.reset();
  }
  void step(const float* frame, float* rates) noexcept override {
    const float* in = frame;
    if (adaptrans_) {
      adaptrans_->step(frame, prefiltered_.data());
      in = prefiltered_.data();
    }
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      layers_[i].step(in, buffers_[i].data());
      in = buffers_[i].data();
    }
    fc_.apply(in, hidden_.data());
    leaky_relu_inplace(hidden_.data(), config_.cnn_hidden, 0.1f);
    readout_.apply(hidden_.data(), y_.data());
    output_->apply(y_.data(), config_.num_units);
    std::memcpy(rates, y_.data(), sizeof(float) * config_.num_units);
  }

 private:
  std::unique_ptr<AdapTransStep> adaptrans_;
  std::vector<float> prefiltered_;
  std::vector<CausalConv2d> layers_;
  std::vector<std::vector<float>> buffers_;
  PanelMatrix fc_, readout_;
  std::unique_ptr<OutputStage> output_;
  std::vector<float> hidden_, y_;
};

// --------------------------------------------------------------------- Transformer

// LayerNorm over n features (eps 1e-5), in place.
void layer_norm(float* x, int n, const float* gamma, const float* beta) noexcept {
  float mean = 0.0f;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<float>(n);
  float var = 0.0f;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  const float inv = 1.0f / std::sqrt(var / static_cast<float>(n) + 1e-5f);
  for (int i = 0; i < n; ++i) x[i] = (x[i] - mean) * inv * gamma[i] + beta[i];
}

// Tokens are the last W frames' embeddings W_tok·x + b_tok plus a learnt position; frames
// before the signal start are zero, so their tokens are b_tok + position. One post-norm
// encoder layer (multi-head self-attention, ReLU feed-forward), mean over the W tokens,
// linear readout (docs/models.md). The attention input projection is linear, so
// W_in·(token + position) + b_in is kept as two parts: W_in·token once per frame (a history
// like the tokens') and W_in·position + b_in per window slot, computed once. The other
// per-token layers run over all W tokens at once (PanelMatrix::apply_many).
class TransformerStep final : public StepModel {
 public:
  TransformerStep(const ModelConfig& c, TensorTable& t)
      : StepModel(c), E_(c.embed), W_(c.window_bins), history_(c.window_bins, c.embed),
        projection_history_(c.window_bins, 3 * c.embed) {
    const int E = E_, F = c.num_bands, row = c.input_channels() * F;
    std::vector<float> token_weight = t.take("token.weight", {E, row});
    token_bias_ = t.take("token.bias", {E});
    if (c.adaptrans) {
      // AdapTrans sits between the standardisation and the token layer: each frame is
      // standardised, then filtered (no fold), and the padding is its zero output.
      input_mean_ = t.take("input_mean", {F});
      input_scale_ = t.take("input_scale", {F});
      adaptrans_ = std::make_unique<AdapTransStep>(t, F, c.adaptrans_taps);
      standardised_.resize(F);
      prefiltered_.resize(row);
    } else if (t.has("input_mean")) {
      // The model's fixed input standardisation (x − μ)·s, folded into the token layer:
      // W' = W·diag(s), b' = b − W'·μ (files from before it was added have neither tensor).
      const std::vector<float>& mean = t.take("input_mean", {F});
      const std::vector<float>& scale = t.take("input_scale", {F});
      for (int e = 0; e < E; ++e) {
        double shift = 0;
        for (int f = 0; f < F; ++f) {
          token_weight[e * F + f] *= scale[f];
          shift += static_cast<double>(token_weight[e * F + f]) * mean[f];
        }
        token_bias_[e] -= static_cast<float>(shift);
      }
    }
    token_ = PanelMatrix(E, row, token_weight.data(), token_bias_.data());
    position_ = t.take("position", {W_, E});
    const std::vector<float> in_weight = t.take("encoder.self_attn.in_proj_weight", {3 * E, E});
    const std::vector<float> in_bias = t.take("encoder.self_attn.in_proj_bias", {3 * E});
    in_proj_ = PanelMatrix(3 * E, E, in_weight.data());  // W_in·token, no bias
    const PanelMatrix position_proj(3 * E, E, in_weight.data(), in_bias.data());
    P_ = in_proj_.padded_rows();
    position_qkv_.resize(static_cast<std::size_t>(W_) * P_);
    position_proj.apply_many(position_.data(), E, W_, position_qkv_.data(), P_);
    padding_projection_.resize(P_);
    in_proj_.apply(token_bias_.data(), padding_projection_.data());
    out_proj_ = PanelMatrix(E, E, t.take("encoder.self_attn.out_proj.weight", {E, E}).data(),
                            t.take("encoder.self_attn.out_proj.bias", {E}).data());
    linear1_ = PanelMatrix(c.ff, E, t.take("encoder.linear1.weight", {c.ff, E}).data(), t.take("encoder.linear1.bias", {c.ff}).data());
    linear2_ = PanelMatrix(E, c.ff, t.take("encoder.linear2.weight", {E, c.ff}).data(), t.take("encoder.linear2.bias", {E}).data());
    norm1_g_ = t.take("encoder.norm1.weight", {E});
    norm1_b_ = t.take("encoder.norm1.bias", {E});
    norm2_g_ = t.take("encoder.norm2.weight", {E});
    norm2_b_ = t.take("encoder.norm2.bias", {E});
    readout_ = PanelMatrix(c.num_units, E, t.take("readout.weight", {c.num_units, E}).data(), t.take("readout.bias", {c.num_units}).data());
    output_ = std::make_unique<OutputStage>(t, c);
    stride_ = std::max({token_.padded_rows(), out_proj_.padded_rows(), linear2_.padded_rows()});
    embedded_.resize(token_.padded_rows());
    projection_.resize(P_);
    x_.resize(static_cast<std::size_t>(W_) * stride_);
    sublayer_.resize(static_cast<std::size_t>(W_) * stride_);
    qkv_.resize(static_cast<std::size_t>(W_) * P_);
    context_.resize(static_cast<std::size_t>(W_) * E);
    scores_.resize(W_);
    ff_.resize(static_cast<std::size_t>(W_) * linear1_.padded_rows());
    pooled_.resize(E);
    y_.resize(readout_.padded_rows());
  }
  int window_frames() const override { return W_ + (adaptrans_ ? config_.adaptrans_taps - 1 : 0); }
  void reset() noexcept override {
    if (adaptrans_) adaptrans_->reset();
    history_.fill(token_bias_.data());
    projection_history_.fill(padding_projection_.data());
  }

  void step(const float* frame, float* rates) noexcept override {
    const int E = E_, W = W_, P = P_, heads = config_.heads, dh = E / heads, FP = linear1_.padded_rows();
    if (adaptrans_) {
      for (int f = 0; f < config_.num_bands; ++f) standardised_[f] = (frame[f] - input_mean_[f]) * input_scale_[f];
      adaptrans_->step(standardised_.data(), prefiltered_.data());
      frame = prefiltered_.data();
    }
    token_.apply(frame, embedded_.data());
    history_.push(embedded_.data());
    in_proj_.apply(embedded_.data(), projection_.data());
    projection_history_.push(projection_.data());
    const float* tokens = history_.window();
    const float* projections = projection_history_.window();
    for (int w = 0; w < W; ++w) {
      float* x = x_.data() + static_cast<std::size_t>(w) * stride_;
      for (int e = 0; e < E; ++e) x[e] = tokens[w * E + e] + position_[w * E + e];
      float* qkv = qkv_.data() + static_cast<std::size_t>(w) * P;
      const float* slot = position_qkv_.data() + static_cast<std::size_t>(w) * P;
      for (int i = 0; i < 3 * E; ++i) qkv[i] = projections[w * 3 * E + i] + slot[i];
    }
    // Scaled dot-product attention per head; q, k, v of token w at qkv[w·P + {0, E, 2E}].
    const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
    for (int h = 0; h < heads; ++h)
      for (int q = 0; q < W; ++q) {
        const float* qv = qkv_.data() + static_cast<std::size_t>(q) * P + h * dh;
        float top = -INFINITY;
        for (int k = 0; k < W; ++k) {
          const float* kv = qkv_.data() + static_cast<std::size_t>(k) * P + E + h * dh;
          float s = 0.0f;
          for (int i = 0; i < dh; ++i) s += qv[i] * kv[i];
          scores_[k] = s * scale;
          top = std::max(top, scores_[k]);
        }
        float sum = 0.0f;
        for (int k = 0; k < W; ++k) sum += scores_[k] = exp_approx(scores_[k] - top);
        float* ctx = context_.data() + static_cast<std::size_t>(q) * E + h * dh;
        for (int i = 0; i < dh; ++i) ctx[i] = 0.0f;
        for (int k = 0; k < W; ++k) {
          const float p = scores_[k] / sum;
          const float* vv = qkv_.data() + static_cast<std::size_t>(k) * P + 2 * E + h * dh;
          for (int i = 0; i < dh; ++i) ctx[i] += p * vv[i];
        }
      }
    // x ← LN1(x + out_proj(context)); x ← LN2(x + linear2(relu(linear1(x)))), all W tokens at once.
    out_proj_.apply_many(context_.data(), E, W, sublayer_.data(), stride_);
    for (int w = 0; w < W; ++w) {
      float* x = x_.data() + static_cast<std::size_t>(w) * stride_;
      const float* a = sublayer_.data() + static_cast<std::size_t>(w) * stride_;
      for (int e = 0; e < E; ++e) x[e] += a[e];
      layer_norm(x, E, norm1_g_.data(), norm1_b_.data());
    }
    linear1_.apply_many(x_.data(), stride_, W, ff_.data(), FP);
    for (float& v : ff_) v = v > 0.0f ? v : 0.0f;
    linear2_.apply_many(ff_.data(), FP, W, sublayer_.data(), stride_);
    std::fill(pooled_.begin(), pooled_.end(), 0.0f);
    for (int w = 0; w < W; ++w) {
      float* x = x_.data() + static_cast<std::size_t>(w) * stride_;
      const float* f = sublayer_.data() + static_cast<std::size_t>(w) * stride_;
      for (int e = 0; e < E; ++e) x[e] += f[e];
      layer_norm(x, E, norm2_g_.data(), norm2_b_.data());
      for (int e = 0; e < E; ++e) pooled_[e] += x[e];
    }
    for (int e = 0; e < E; ++e) pooled_[e] /= static_cast<float>(W);
    readout_.apply(pooled_.data(), y_.data());
    output_->apply(y_.data(), config_.num_units);
    std::memcpy(rates, y_.data(), sizeof(float) * config_.num_units);
  }

 private:
  int E_, W_, P_ = 0, stride_ = 0;
  RowHistory history_;             // embedded frames, oldest first
  RowHistory projection_history_;  // W_in·embedded frame (3E), oldest first
  std::vector<float> token_bias_, position_, position_qkv_, padding_projection_, norm1_g_, norm1_b_, norm2_g_, norm2_b_;
  PanelMatrix token_, in_proj_, out_proj_, linear1_, linear2_, readout_;
  std::unique_ptr<OutputStage> output_;
  std::unique_ptr<AdapTransStep> adaptrans_;
  std::vector<float> input_mean_, input_scale_, standardised_, prefiltered_;  // with AdapTrans only
  std::vector<float> embedded_, projection_, x_, sublayer_, qkv_, context_, scores_, ff_, pooled_, y_;
};

}  // namespace

std::unique_ptr<StepModel> make_strf_step(const ModelConfig& config, TensorTable& t) {
  return std::make_unique<StrfStep>(config, t);
}
std::unique_ptr<StepModel> make_cnn2d_step(const ModelConfig& config, TensorTable& t) {
  return std::make_unique<Cnn2dStep>(config, t);
}
std::unique_ptr<StepModel> make_transformer_step(const ModelConfig& config, TensorTable& t) {
  return std::make_unique<TransformerStep>(config, t);
}

}  // namespace statenet::step
