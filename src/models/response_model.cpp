#include "models/response_model.h"

#include <stdexcept>

#include "train_ops/causal_conv2d.h"
#include "train_ops/gru_recurrence.h"
#include "train_ops/lstm_recurrence.h"
#include "train_ops/s4d_kernel.h"
#include "train_ops/selective_scan.h"

namespace statenet {

namespace F = torch::nn::functional;

// --------------------------------------------------------------- output nonlinearity

OutputNonlinearityImpl::OutputNonlinearityImpl(Nonlinearity kind, int N) : kind_(kind) {
  auto uniform = [N](double lo, double hi) { return torch::empty({N}).uniform_(lo, hi); };
  if (kind == Nonlinearity::kDoubleExponential) {
    // Later deepSTRF init (docs/models.md): a ∈ [0.50, 1.62], b ∈ [0.21, 0.93].
    p0_ = register_parameter("a", uniform(-0.43, 1.40));
    p1_ = register_parameter("b", uniform(-1.43, 0.43));
    p2_ = register_parameter("k", uniform(-0.5, 0.5));
    p3_ = register_parameter("s", uniform(0.5, 1.5));
  } else if (kind == Nonlinearity::kSigmoid) {
    p0_ = register_parameter("b", uniform(0.5, 1.5));
    p1_ = register_parameter("c", uniform(-0.5, 0.5));
    p2_ = register_parameter("d", uniform(0.5, 1.5));
  }
}

torch::Tensor OutputNonlinearityImpl::forward(const torch::Tensor& y) {
  auto unit = [](const torch::Tensor& p) { return p.view({1, -1, 1}); };
  if (kind_ == Nonlinearity::kDoubleExponential) {
    // paper eq. 1: f(x) = a·exp(−exp(k·x − s)) + b
    return F::softplus(unit(p0_)) * torch::exp(-torch::exp(unit(p2_) * y - unit(p3_))) + F::softplus(unit(p1_));
  }
  if (kind_ == Nonlinearity::kSigmoid) return unit(p0_) * torch::sigmoid((y - unit(p1_)) / unit(p2_));
  return y;
}

void OutputNonlinearityImpl::fit_to_responses(const torch::Tensor& low, const torch::Tensor& mean, const torch::Tensor& high) {
  if (kind_ == Nonlinearity::kIdentity) return;
  torch::NoGradGuard no_grad;
  const torch::Tensor range = torch::clamp(high - low, 1e-3);
  // Fraction of the range at which the mean sits, kept inside (0, 1).
  const torch::Tensor fraction = torch::clamp((mean - low) / range, 0.02, 0.98);
  auto inverse_softplus = [](const torch::Tensor& y) { return y + torch::log(-torch::expm1(-y)); };
  if (kind_ == Nonlinearity::kDoubleExponential) {
    // f(0) = a·exp(−exp(−s)) + b = mean  ⇒  s = −ln(−ln(fraction)).
    p0_.copy_(inverse_softplus(range));
    p1_.copy_(inverse_softplus(torch::clamp(low, 1e-4)));
    p3_.copy_(-torch::log(-torch::log(fraction)));
  } else {  // sigmoid b/(1 + exp(−(x − c)/d)) has no offset: b = highest, c so that f(0) = mean
    const torch::Tensor top = torch::clamp(high, 1e-3);
    const torch::Tensor share = torch::clamp(mean / top, 0.02, 0.98);
    p0_.copy_(top);
    p1_.copy_(p2_ * torch::log(1 / share - 1));
  }
}

ResponseModel::ResponseModel(ModelConfig config) : config_(std::move(config)) {
  config_.validate();
  output_ = register_module("output", OutputNonlinearity(config_.output, config_.num_units));
}

torch::Tensor ResponseModel::forward_tbptt(const torch::Tensor&, std::int64_t, bool) {
  throw std::invalid_argument("TBPTT applies to StateNet with an rnn, gru or lstm core, not to '" + config_.model_name() + "'");
}

std::int64_t ResponseModel::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

namespace {

// Left (past) zero padding of the time axis (last dimension).
torch::Tensor pad_past(const torch::Tensor& x, std::int64_t bins) {
  return bins > 0 ? F::pad(x, F::PadFuncOptions({bins, 0})) : x;
}


// ------------------------------------------------------------------- S4D and Mamba

// Diagonal S4 (S4D; Gu et al. 2022), one SSM per channel, 32 complex modes (state 64 as
// conjugate pairs), S4D-Lin init A = −½ + iπn, B = 1, C ~ N(0, ½) complex, log-uniform dt
// in [1e-3, 0.1], ZOH discretisation; y = K ∗ u + D·u through a causal FFT convolution with
// the kernel K[l] = 2·Re Σ_n C_n·(e^{dtA_n} − 1)/A_n·e^{dtA_n·l}; then GELU, Linear(H → 2H),
// GLU (S4D: Gu et al. 2022). Its recurrent form (h_n ← e^{dtA_n}·h_n + (e^{dtA_n} − 1)/A_n·u,
// y = 2·Re Σ C_n h_n + D·u) is the same map, for the step engine.
class S4DCoreImpl : public torch::nn::Module {
 public:
  explicit S4DCoreImpl(int H, int modes = 32) {
    log_dt_ = register_parameter("log_dt", torch::rand({H, 1}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3));
    log_neg_a_re_ = register_parameter("log_neg_a_re", torch::full({H, modes}, std::log(0.5)));
    a_im_ = register_parameter("a_im", (M_PI * torch::arange(modes, torch::kFloat32)).repeat({H, 1}));
    c_re_ = register_parameter("c_re", torch::randn({H, modes}) * std::sqrt(0.5));
    c_im_ = register_parameter("c_im", torch::randn({H, modes}) * std::sqrt(0.5));
    d_ = register_parameter("d", torch::randn({H}));
    out_ = register_module("out", torch::nn::Linear(H, 2 * H));
  }
  torch::Tensor forward(const torch::Tensor& u) {  // [B, T, H]
    const std::int64_t T = u.size(1);
    const torch::Tensor dt = torch::exp(log_dt_);                       // [H, 1]
    const torch::Tensor ar = -torch::exp(log_neg_a_re_), ai = a_im_;     // [H, n]
    const torch::Tensor decay = torch::exp(dt * ar), angle = dt * ai;   // e^{dtA} = decay·(cos + i sin)
    const torch::Tensor zr = decay * torch::cos(angle) - 1, zi = decay * torch::sin(angle);
    const torch::Tensor den = ar * ar + ai * ai;
    const torch::Tensor wr = (zr * ar + zi * ai) / den, wi = (zi * ar - zr * ai) / den;  // (e^{dtA} − 1)/A
    const torch::Tensor cwr = c_re_ * wr - c_im_ * wi, cwi = c_re_ * wi + c_im_ * wr;
    const torch::Tensor kernel = s4d_kernel(cwr, cwi, dt * ar, angle, T);  // [H, T]
    // Causal convolution over time by FFT (zero-padded to 2T).
    const torch::Tensor x = u.transpose(1, 2);  // [B, H, T]
    const torch::Tensor y = torch::fft::irfft(torch::fft::rfft(x, 2 * T) * torch::fft::rfft(kernel, 2 * T), 2 * T)
                                .narrow(2, 0, T) + d_.view({1, -1, 1}) * x;
    return F::glu(out_(F::gelu(y.transpose(1, 2))), -1);
  }

 private:
  torch::Tensor log_dt_, log_neg_a_re_, a_im_, c_re_, c_im_, d_;
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(S4DCore);

// The paper's S4 block (Gu, Goel & Ré 2022; the state-spaces S4Block without residual or norm):
// one SSM per channel with a diagonal-plus-low-rank state matrix, state 64 kept as 32 complex
// modes (the kernel is 2·Re of theirs), bilinear discretisation, then GELU, Linear(H → 2H), GLU.
// Per channel: dt (log-uniform in [1e-3, 0.1]), A = diag(w) − p·pᴴ, B, C̃, D; initialised from
// HiPPO-LegS in its normal-plus-low-rank form (the skew part diagonalised, the modes of
// positive frequency kept), C̃ ~ complex N(0, 1), D ~ N(0, 1): 2H² + 260H parameters.
//
// The kernel K[l] = 2·Re(C·Ā^l·B̄), l < L, comes from its generating function at the L-th roots
// of unity ω (S4's algorithm): with z = (2/dt)(1 − ω)/(1 + ω) and r_n = 1/(z − w_n),
//   K̂(ω) = 2/(1 + ω) · [k(C̃, B) − k(C̃, p)·k(p̄, B)/(1 + k(p̄, p))],   k(u, v) = Σ_n u_n v_n r_n,
// then an inverse FFT. C̃ = C·(I − Ā^L) is what is learnt (as in the reference code), relative to
// the kernel length L = s4_kernel_bins (odd, so that ω = −1 never occurs); a longer input gets
// C̃' = C̃·(I − Ā^L)⁻¹·(I − Ā^L') first. The step engine runs the recurrence x ← Ā·x + B̄·u,
// y = 2·Re(C·x) + D·u with C = C̃·(I − Ā^L)⁻¹.
class S4DplrCoreImpl : public torch::nn::Module {
 public:
  S4DplrCoreImpl(int H, int kernel_bins) : kernel_bins_(kernel_bins) {
    constexpr int N = 64, modes = N / 2;
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    torch::Tensor skew = torch::zeros({N, N}, f64), p = torch::empty({N}, f64), b = torch::empty({N}, f64);
    for (int n = 0; n < N; ++n) {
      p[n] = std::sqrt(n + 0.5);
      b[n] = std::sqrt(2.0 * n + 1.0);
      for (int k = 0; k < n; ++k) {
        const double v = 0.5 * std::sqrt((2.0 * n + 1.0) * (2.0 * k + 1.0));
        skew[n][k] = -v;
        skew[k][n] = v;
      }
    }
    // skew = V·diag(iθ)·Vᴴ from the Hermitian −i·skew = V·diag(θ)·Vᴴ; θ ascending, ± pairs.
    const auto [theta, v] = at::linalg_eigh(torch::complex(torch::zeros_like(skew), -skew), "L");
    const torch::Tensor keep = torch::arange(modes, N);  // θ > 0
    const torch::Tensor vh = v.conj().transpose(0, 1).index_select(0, keep);
    const torch::Tensor pv = torch::matmul(vh, torch::complex(p, torch::zeros_like(p)));
    const torch::Tensor bv = torch::matmul(vh, torch::complex(b, torch::zeros_like(b)));
    const auto per_channel = [H](const torch::Tensor& row) { return row.to(torch::kFloat32).unsqueeze(0).repeat({H, 1}).contiguous(); };
    log_dt_ = register_parameter("log_dt", torch::rand({H}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3));
    log_neg_w_re_ = register_parameter("log_neg_w_re", torch::full({H, modes}, std::log(0.5)));
    w_im_ = register_parameter("w_im", per_channel(theta.index_select(0, keep)));
    b_re_ = register_parameter("b_re", per_channel(torch::real(bv)));
    b_im_ = register_parameter("b_im", per_channel(torch::imag(bv)));
    p_re_ = register_parameter("p_re", per_channel(torch::real(pv)));
    p_im_ = register_parameter("p_im", per_channel(torch::imag(pv)));
    c_re_ = register_parameter("c_re", torch::randn({H, modes}) * std::sqrt(0.5));
    c_im_ = register_parameter("c_im", torch::randn({H, modes}) * std::sqrt(0.5));
    d_ = register_parameter("d", torch::randn({H}));
    out_ = register_module("out", torch::nn::Linear(H, 2 * H));
  }

  // K[h, l] for l < T.
  torch::Tensor kernel(std::int64_t T) {
    const std::int64_t L = T <= kernel_bins_ ? kernel_bins_ : T | 1;
    const torch::Tensor w = torch::complex(-torch::exp(log_neg_w_re_), w_im_);          // [H, n]
    const torch::Tensor b = torch::complex(b_re_, b_im_), p = torch::complex(p_re_, p_im_);
    torch::Tensor c = torch::complex(c_re_, c_im_);
    const torch::Tensor dt = torch::exp(log_dt_).unsqueeze(1);                           // [H, 1]
    if (L != kernel_bins_) c = c_tilde_for(c, w, p, b, dt, L);
    const torch::Tensor k = torch::arange(L, torch::TensorOptions().dtype(torch::kFloat64).device(w.device()));
    const torch::Tensor omega = torch::polar(torch::ones_like(k), -2.0 * M_PI * k / static_cast<double>(L)).to(torch::kComplexFloat);
    const torch::Tensor z = (2.0 / dt) * ((1 - omega) / (1 + omega)).unsqueeze(0);      // [H, L]
    const torch::Tensor r = 1.0 / (z.unsqueeze(2) - w.unsqueeze(1));                     // [H, L, n]
    const torch::Tensor pc = p.conj();
    const auto cauchy = [&](const torch::Tensor& u, const torch::Tensor& v) { return torch::matmul(r, (u * v).unsqueeze(2)).squeeze(2); };
    const torch::Tensor k00 = cauchy(c, b), k01 = cauchy(c, p), k10 = cauchy(pc, b), k11 = cauchy(pc, p);
    const torch::Tensor khat = (2.0 / (1 + omega)).unsqueeze(0) * (k00 - k01 * k10 / (1 + k11));
    return 2 * torch::real(torch::fft::ifft(khat, /*n=*/{}, 1)).narrow(1, 0, T);
  }

  torch::Tensor forward(const torch::Tensor& u) {  // [B, T, H]
    const std::int64_t T = u.size(1);
    const torch::Tensor x = u.transpose(1, 2);  // [B, H, T]
    const torch::Tensor y = torch::fft::irfft(torch::fft::rfft(x, 2 * T) * torch::fft::rfft(kernel(T), 2 * T), 2 * T)
                                .narrow(2, 0, T) + d_.view({1, -1, 1}) * x;
    return F::glu(out_(F::gelu(y.transpose(1, 2))), -1);
  }

 private:
  // C̃ relative to length L' from the C̃ learnt relative to kernel_bins_: C̃·(I − Ā^L)⁻¹·(I − Ā^L').
  // In double: Ā^L over hundreds of bins loses digits in float.
  torch::Tensor c_tilde_for(const torch::Tensor& c32, const torch::Tensor& w32, const torch::Tensor& p32, const torch::Tensor& b,
                            const torch::Tensor& dt, std::int64_t L2) {
    const torch::Tensor c = c32.to(torch::kComplexDouble), w = w32.to(torch::kComplexDouble), p = p32.to(torch::kComplexDouble);
    const std::int64_t n = w.size(1);
    const torch::Tensor eye = torch::eye(n, torch::TensorOptions().dtype(torch::kComplexDouble).device(w.device())).unsqueeze(0);
    const torch::Tensor a = torch::diag_embed(w) - p.unsqueeze(2) * p.conj().unsqueeze(1);  // [H, n, n]
    const torch::Tensor half = (dt.to(torch::kFloat64) / 2).unsqueeze(2).to(torch::kComplexDouble);
    const torch::Tensor a_bar = at::linalg_solve(eye - half * a, eye + half * a, true);
    const torch::Tensor g1 = eye - at::linalg_matrix_power(a_bar, kernel_bins_), g2 = eye - at::linalg_matrix_power(a_bar, L2);
    // Row vectors: C = C̃·g1⁻¹ ⇔ g1ᵀ·Cᵀ = C̃ᵀ.
    const torch::Tensor c_plain = at::linalg_solve(g1.transpose(1, 2), c.unsqueeze(2), true);
    return torch::matmul(g2.transpose(1, 2), c_plain).squeeze(2).to(torch::kComplexFloat);
  }

  std::int64_t kernel_bins_;
  torch::Tensor log_dt_, log_neg_w_re_, w_im_, b_re_, b_im_, p_re_, p_im_, c_re_, c_im_, d_;
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(S4DplrCore);

// Mamba's selective SSM block (Gu & Dao 2023; mamba.py's MambaBlock without its residual
// and RMSNorm; Gu & Dao 2023): d_inner 2H, d_state 16, d_conv 4, dt_rank ⌈H/16⌉.
class MambaCoreImpl : public torch::nn::Module {
 public:
  explicit MambaCoreImpl(int H) : inner_(2 * H), rank_((H + 15) / 16) {
    in_proj_ = register_module("in_proj", torch::nn::Linear(torch::nn::LinearOptions(H, 2 * inner_).bias(false)));
    conv_ = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(inner_, inner_, 4).groups(inner_).padding(3)));
    x_proj_ = register_module("x_proj", torch::nn::Linear(torch::nn::LinearOptions(inner_, rank_ + 2 * kState).bias(false)));
    dt_proj_ = register_module("dt_proj", torch::nn::Linear(rank_, inner_));
    out_proj_ = register_module("out_proj", torch::nn::Linear(torch::nn::LinearOptions(inner_, H).bias(false)));
    torch::NoGradGuard no_grad;
    dt_proj_->weight.uniform_(-1.0 / std::sqrt(rank_), 1.0 / std::sqrt(rank_));
    const torch::Tensor dt = torch::exp(torch::rand({inner_}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3));
    dt_proj_->bias.copy_(dt + torch::log(-torch::expm1(-dt)));  // softplus⁻¹(dt)
    a_log_ = register_parameter("a_log", torch::log(torch::arange(1, kState + 1, torch::kFloat32)).repeat({inner_, 1}));
    d_ = register_parameter("d", torch::ones({inner_}));
  }
  torch::Tensor forward(const torch::Tensor& u) {  // [B, T, H]
    const std::int64_t T = u.size(1);
    const auto xz = in_proj_(u).chunk(2, -1);
    torch::Tensor x = F::silu(conv_(xz[0].transpose(1, 2)).narrow(2, 0, T).transpose(1, 2));  // causal depthwise conv
    const auto parts = x_proj_(x).split({rank_, kState, kState}, -1);
    const torch::Tensor delta = F::softplus(dt_proj_(parts[0]));  // [B, T, D]
    const torch::Tensor a = -torch::exp(a_log_);                    // [D, S]
    const torch::Tensor decay = torch::exp(delta.unsqueeze(-1) * a);                    // [B, T, D, S]
    const torch::Tensor drive = (delta * x).unsqueeze(-1) * parts[1].unsqueeze(2);     // (δ ⊗ B) ⊙ x
    const torch::Tensor y = selective_scan(decay, drive, parts[2]) + d_ * x;  // h_t = decay·h_{t−1} + drive, y = h·C
    return out_proj_(y * F::silu(xz[1]));
  }

 private:
  static constexpr int kState = 16;
  int inner_, rank_;
  torch::nn::Linear in_proj_{nullptr}, x_proj_{nullptr}, dt_proj_{nullptr}, out_proj_{nullptr};
  torch::nn::Conv1d conv_{nullptr};
  torch::Tensor a_log_, d_;
};
TORCH_MODULE(MambaCore);

// ------------------------------------------------------------------------- AdapTrans

// AdapTrans (Rançon et al. 2024): per band f an ON and an OFF channel from learnt leaky
// averages of the band's past, 3 parameters per band (d_on, d_off, p):
//   a = 1/(1 + d²), w = 1/(1 + p²), C = 1/Σ_{j=0}^{K−2} a^j,
//   ON[t]  = x[t] − w·C_on·Σ_{j=1}^{K−1} a_on^(j−1)·x[t − j],
//   OFF[t] = −w·x[t] + C_off·Σ_{j=1}^{K−1} a_off^(j−1)·x[t − j],
// with replicate padding (x[t < 0] = x[0]) and K = adaptrans_taps. [B, F, T] → [B, 2, F, T].
// Any architecture may take it in front of its first layer, which then sees C_in = 2 channels.
class AdapTransImpl : public torch::nn::Module {
 public:
  AdapTransImpl(int F, int taps) : taps_(taps) {
    d_on_ = register_parameter("d_on", torch::ones({F}));
    d_off_ = register_parameter("d_off", torch::ones({F}));
    p_ = register_parameter("p", torch::full({F}, std::sqrt(1.0 / 0.75 - 1.0)));  // w = 0.75
  }
  // The authors' init: τ = 500 − 105·log10(CF) ms, a = exp(−dt/τ), d = √(1/a − 1), w = 0.75.
  void init(const std::vector<double>& freqs_hz, double dt_ms) {
    torch::NoGradGuard no_grad;
    for (std::size_t f = 0; f < freqs_hz.size() && static_cast<std::int64_t>(f) < d_on_.size(0); ++f) {
      const double a = std::exp(-dt_ms / adaptrans_tau_ms(freqs_hz[f]));
      d_on_[f] = std::sqrt(1.0 / a - 1.0);
      d_off_[f] = std::sqrt(1.0 / a - 1.0);
    }
  }
  // Per band the FIR over x[t − j], j = 0 … K − 1: [F, K] for ON and for OFF.
  std::pair<torch::Tensor, torch::Tensor> kernels() const {
    const torch::Tensor j = torch::arange(taps_ - 1, d_on_.options()).unsqueeze(0);  // powers 0 … K − 2
    const torch::Tensor w = (1.0 / (1.0 + p_ * p_)).unsqueeze(1);
    auto past = [&](const torch::Tensor& d) {
      const torch::Tensor powers = torch::pow((1.0 / (1.0 + d * d)).unsqueeze(1), j);  // a^(j−1), j = 1 … K − 1
      return powers / powers.sum(1, true);                                             // · C
    };
    const torch::Tensor on = torch::cat({torch::ones_like(w), -w * past(d_on_)}, 1);
    const torch::Tensor off = torch::cat({-w, past(d_off_)}, 1);
    return {on, off};
  }
  torch::Tensor forward(const torch::Tensor& x) {  // [B, F, T]
    const auto F_ = x.size(1);
    const torch::Tensor padded = torch::cat({x.narrow(2, 0, 1).expand({-1, -1, taps_ - 1}), x}, 2);
    const auto [on, off] = kernels();
    // conv1d is a cross-correlation: the weight runs over x[t − K + 1 … t], so flip the taps.
    const torch::Tensor weight = torch::cat({on, off}, 0).flip({1}).unsqueeze(1);  // [2F, 1, K]
    const torch::Tensor y = F::conv1d(padded.repeat({1, 2, 1}), weight, F::Conv1dFuncOptions().groups(2 * F_));
    return y.view({x.size(0), 2, F_, x.size(2)});
  }

 private:
  std::int64_t taps_;
  torch::Tensor d_on_, d_off_, p_;
};
TORCH_MODULE(AdapTrans);

// The first layer's input [B, C_in, F, T]: AdapTrans's ON and OFF channels when the model has
// one, else the cochleagram as one channel.
torch::Tensor input_channels(AdapTrans adaptrans, const torch::Tensor& x) { return adaptrans ? adaptrans(x) : x.unsqueeze(1); }
AdapTrans register_adaptrans(torch::nn::Module& model, const ModelConfig& c) {
  return c.adaptrans ? model.register_module("adaptrans", AdapTrans(c.num_bands, c.adaptrans_taps)) : AdapTrans(nullptr);
}

// ------------------------------------------------------------------------- StateNet

class StateNet final : public ResponseModel {
 public:
  explicit StateNet(const ModelConfig& c) : ResponseModel(c) {
    const int K = c.lc_kernel, S = c.lc_stride, C = c.lc_channels, L = c.lc_positions(), H = C * L, Cin = c.input_channels();
    adaptrans_ = register_adaptrans(*this, c);
    if (c.first_layer == FirstLayer::kLocallyConnected) {
      // Independent weights per frequency position, U[0, 1) init (the paper's Methods);
      // W[o, c·K + k, l] (the reference code's layout).
      lc_weight_ = register_parameter("lc_weight", torch::rand({C, Cin * K, L}));
      lc_bias_ = register_parameter("lc_bias", torch::rand({C, L}));
    } else if (c.first_layer == FirstLayer::kFullyConnected) {
      fc_ = register_module("fc", torch::nn::Linear(Cin * c.num_bands, H));  // input c·F + f
    } else {
      conv_ = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(Cin, C, K).stride(S)));
    }
    bn_ = register_module("bn", torch::nn::BatchNorm1d(C));
    if (c.core == RecurrentCore::kGru) gru_ = register_module("core", torch::nn::GRU(torch::nn::GRUOptions(H, H).batch_first(true)));
    if (c.core == RecurrentCore::kLstm) lstm_ = register_module("core", torch::nn::LSTM(torch::nn::LSTMOptions(H, H).batch_first(true)));
    if (c.core == RecurrentCore::kRnn) rnn_ = register_module("core", torch::nn::RNN(torch::nn::RNNOptions(H, H).batch_first(true)));
    if (c.core == RecurrentCore::kS4d) s4_ = register_module("core", S4DCore(H));
    if (c.core == RecurrentCore::kS4) s4_dplr_ = register_module("core", S4DplrCore(H, c.s4_kernel_bins));
    if (c.core == RecurrentCore::kMamba) mamba_ = register_module("core", MambaCore(H));
    readout_ = register_module("readout", torch::nn::Linear(H, c.num_units));
  }

  void fit_to_bands(const std::vector<double>& freqs_hz, double dt_ms) override {
    if (adaptrans_) adaptrans_->init(freqs_hz, dt_ms);
  }

  torch::Tensor forward(const torch::Tensor& x) override {
    const torch::Tensor u = features(x);
    torch::Tensor h;
    if (gru_ || lstm_ || rnn_) h = run_core(u, {}, {});
    if (s4_) h = s4_(u);
    if (s4_dplr_) h = s4_dplr_(u);
    if (mamba_) h = mamba_(u);
    return output_(readout_(h).transpose(1, 2));  // [B, N, T]
  }

  torch::Tensor forward_tbptt(const torch::Tensor& x, std::int64_t K, bool warmup) override {
    if (!gru_ && !lstm_ && !rnn_) return ResponseModel::forward_tbptt(x, K, warmup);
    if (K < 1) throw std::invalid_argument("TBPTT needs K ≥ 1");
    const torch::Tensor u = features(x);  // [B, T, H], with its graph
    if (warmup && gru_ && u.is_cpu() && u.scalar_type() == torch::kFloat32) {
      // The same gradients without the windows' K-fold forward (gru_recurrence.h).
      const auto p = gru_->named_parameters();
      const torch::Tensor gi = F::linear(u, p["weight_ih_l0"], p["bias_ih_l0"]);
      const torch::Tensor h0 = torch::zeros({u.size(0), p["weight_hh_l0"].size(1)}, u.options());
      return output_(readout_(gru_recurrence_truncated(gi, h0, p["weight_hh_l0"], p["bias_hh_l0"], K)).transpose(1, 2));
    }
    const std::int64_t B = u.size(0), T = u.size(1), H = u.size(2);
    K = std::min(K, T);
    // Bins t < K: one run from the clip start (their histories are shorter than K).
    std::vector<torch::Tensor> parts{run_core(u.narrow(1, 0, K), {}, {})};
    if (K < T) {
      // Bins t ≥ K: window [t − K + 1, t] of every such bin, batched: [B·(T − K), K, H].
      const std::int64_t W = T - K;
      const torch::Tensor windows = u.unfold(1, K, 1).narrow(1, 1, W).permute({0, 1, 3, 2}).reshape({B * W, K, H});
      torch::Tensor h0 = torch::zeros({1, B * W, H}, u.options()), c0 = h0;
      if (warmup) {
        // The state at bin s − 1 for the window starting at s = t − K + 1 (1 … T − K).
        torch::NoGradGuard no_grad;
        const auto [hs, cs] = states(u.detach());  // [B, T, H] each
        h0 = hs.narrow(1, 0, W).reshape({1, B * W, H}).contiguous();
        if (cs.defined()) c0 = cs.narrow(1, 0, W).reshape({1, B * W, H}).contiguous();
      }
      parts.push_back(run_core(windows, h0, c0).select(1, K - 1).reshape({B, W, H}));
    }
    return output_(readout_(torch::cat(parts, 1)).transpose(1, 2));
  }

 private:
  // [AdapTrans →] LC (or FC / CONV) → BN → sigmoid → flatten channel-major:
  // [B, F, T] → [B, T, C·L].
  torch::Tensor features(const torch::Tensor& x) {
    const auto B = x.size(0), T = x.size(2);
    const int C = config_.lc_channels, L = config_.lc_positions(), Cin = config_.input_channels(), K = config_.lc_kernel;
    const torch::Tensor xt = input_channels(adaptrans_, x).permute({0, 3, 1, 2});  // [B, T, C_in, F]
    torch::Tensor y;
    if (config_.first_layer == FirstLayer::kLocallyConnected) {
      // y[b,t,o,l] = β[o,l] + Σ_{c,k} W[o, c·K + k, l]·x[b, t, c, l·S + k]
      const torch::Tensor patches =
          xt.unfold(3, K, config_.lc_stride).permute({0, 1, 3, 2, 4}).reshape({B, T, L, Cin * K});  // [B, T, L, C_in·K]
      y = torch::einsum("btlk,okl->btol", {patches, lc_weight_}) + lc_bias_;
    } else if (config_.first_layer == FirstLayer::kFullyConnected) {
      y = fc_(xt.reshape({B, T, Cin * config_.num_bands})).view({B, T, C, L});
    } else {
      y = conv_(xt.reshape({B * T, Cin, config_.num_bands})).view({B, T, C, L});
    }
    return torch::sigmoid(bn_(y.reshape({B * T, C, L}))).reshape({B, T, C * L});
  }

  // The recurrent core over u [B', T', H] from (h0, c0) (undefined = zero state).
  torch::Tensor run_core(const torch::Tensor& u, const torch::Tensor& h0, const torch::Tensor& c0) {
    if (gru_ && u.is_cpu() && u.scalar_type() == torch::kFloat32) {
      // Our recurrence (gru_recurrence.h) on LibTorch's GRU parameters: same map, same file.
      // LibTorch's module stays for CUDA (cuDNN) and double precision.
      const auto p = gru_->named_parameters();
      const torch::Tensor gi = F::linear(u, p["weight_ih_l0"], p["bias_ih_l0"]);
      const torch::Tensor start = h0.defined() ? h0[0] : torch::zeros({u.size(0), p["weight_hh_l0"].size(1)}, u.options());
      return gru_recurrence(gi, start, p["weight_hh_l0"], p["bias_hh_l0"]);
    }
    if (gru_) return std::get<0>(h0.defined() ? gru_->forward(u, h0) : gru_->forward(u));
    if (rnn_) return std::get<0>(h0.defined() ? rnn_->forward(u, h0) : rnn_->forward(u));
    if (u.is_cpu() && u.scalar_type() == torch::kFloat32) {  // ours (lstm_recurrence.h), as the GRU's
      const auto p = lstm_->named_parameters();
      const torch::Tensor gi = F::linear(u, p["weight_ih_l0"], p["bias_ih_l0"]);
      const torch::Tensor zero = torch::zeros({u.size(0), p["weight_hh_l0"].size(1)}, u.options());
      return lstm_recurrence(gi, h0.defined() ? h0[0] : zero, c0.defined() ? c0[0] : zero, p["weight_hh_l0"],
                             p["bias_hh_l0"]);
    }
    if (h0.defined()) return std::get<0>(lstm_->forward(u, std::make_tuple(h0, c0)));
    return std::get<0>(lstm_->forward(u));
  }

  // Every state of a zero-start run: h_t (and the LSTM's c_t) for t = 0 … T − 1.
  std::pair<torch::Tensor, torch::Tensor> states(const torch::Tensor& u) {
    if (!lstm_) return {run_core(u, {}, {}), {}};
    const auto B = u.size(0), H = u.size(2);
    std::tuple<torch::Tensor, torch::Tensor> hc{torch::zeros({1, B, H}, u.options()), torch::zeros({1, B, H}, u.options())};
    std::vector<torch::Tensor> hs, cs;
    for (std::int64_t t = 0; t < u.size(1); ++t) {
      hc = std::get<1>(lstm_->forward(u.narrow(1, t, 1), hc));
      hs.push_back(std::get<0>(hc)[0]);
      cs.push_back(std::get<1>(hc)[0]);
    }
    return {torch::stack(hs, 1), torch::stack(cs, 1)};
  }

  AdapTrans adaptrans_{nullptr};
  torch::Tensor lc_weight_, lc_bias_;
  torch::nn::Linear fc_{nullptr};
  torch::nn::Conv1d conv_{nullptr};
  torch::nn::BatchNorm1d bn_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  S4DCore s4_{nullptr};
  S4DplrCore s4_dplr_{nullptr};
  MambaCore mamba_{nullptr};
  torch::nn::Linear readout_{nullptr};
};

// --------------------------------------------------------------------- L, LN, NRF, DNet

// [AdapTrans →] L / LN: Conv2d(C_in → N, F × T_w) + BN; NRF / DNet: Conv2d(C_in → H, F × T_w)
// → BN → sigmoid → [DNet: leaky integration] → Conv 1×1 (H → N) → [DNet: leaky integration].
class Strf final : public ResponseModel {
 public:
  explicit Strf(const ModelConfig& c) : ResponseModel(c) {
    hidden_layer_ = c.architecture == Architecture::kNrf || c.architecture == Architecture::kDnet;
    const int out = hidden_layer_ ? c.hidden : c.num_units;
    adaptrans_ = register_adaptrans(*this, c);
    strf_ = register_module("strf", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.input_channels(), out, {c.num_bands, c.window_bins})));
    bn_ = register_module("bn", torch::nn::BatchNorm1d(out));
    if (hidden_layer_) readout_ = register_module("readout", torch::nn::Conv1d(c.hidden, c.num_units, 1));
    if (c.architecture == Architecture::kDnet) {
      // d_c ~ Exp(rate 1/√(τ₀ − 1)) with τ₀ = 2, one per hidden channel and per unit.
      hidden_decay_ = register_parameter("hidden_decay", torch::empty({c.hidden}).exponential_(1.0));
      output_decay_ = register_parameter("output_decay", torch::empty({c.num_units}).exponential_(1.0));
    }
  }

  void fit_to_bands(const std::vector<double>& freqs_hz, double dt_ms) override {
    if (adaptrans_) adaptrans_->init(freqs_hz, dt_ms);
  }

  torch::Tensor forward(const torch::Tensor& x) override {
    torch::Tensor y = causal_conv2d(input_channels(adaptrans_, x), strf_->weight, strf_->bias).squeeze(2);  // [B, out, T]
    y = bn_(y);
    if (hidden_layer_) {
      y = torch::sigmoid(y);
      if (hidden_decay_.defined()) y = leaky(y, hidden_decay_);
      y = readout_(y);
      if (output_decay_.defined()) y = leaky(y, output_decay_);
    }
    return output_(y);
  }

 private:
  // τ = 1 + d², α = 1 − 1/τ; recurrent: y[t] = α·y[t−1] + x[t]/τ from a zero state, or the
  // code's 14-tap FIR truncation with replicate padding (docs/models.md, "DNet's decay").
  torch::Tensor leaky(const torch::Tensor& x, const torch::Tensor& d) {
    const torch::Tensor tau = (1 + d * d).view({1, -1, 1});
    const torch::Tensor alpha = 1 - 1 / tau;
    if (config_.dnet_decay == DnetDecay::kFir14) {
      const torch::Tensor j = torch::arange(13, -1, -1, x.options()).view({1, 1, -1});  // oldest tap first
      const torch::Tensor kernel = (alpha.pow(j) / tau).squeeze(0).unsqueeze(1);         // [C, 1, 14]
      const torch::Tensor padded = F::pad(x, F::PadFuncOptions({13, 0}).mode(torch::kReplicate));
      return F::conv1d(padded, kernel, F::Conv1dFuncOptions().groups(x.size(1)));
    }
    // The recurrence is a selective scan with one state per channel: decay α, drive x/τ, c = 1.
    const auto B = x.size(0), C = x.size(1), T = x.size(2);
    const torch::Tensor decay = alpha.view({1, 1, C, 1}).expand({B, T, C, 1});
    const torch::Tensor drive = (x / tau).transpose(1, 2).unsqueeze(3);  // [B, T, C, 1]
    return selective_scan(decay, drive, torch::ones({B, T, 1}, x.options())).transpose(1, 2);
  }

  bool hidden_layer_ = false;
  AdapTrans adaptrans_{nullptr};
  torch::nn::Conv2d strf_{nullptr};
  torch::nn::BatchNorm1d bn_{nullptr};
  torch::nn::Conv1d readout_{nullptr};
  torch::Tensor hidden_decay_, output_decay_;
};

// --------------------------------------------------------------------------- 2D-CNN

class Cnn2d final : public ResponseModel {
 public:
  explicit Cnn2d(const ModelConfig& c) : ResponseModel(c) {
    adaptrans_ = register_adaptrans(*this, c);
    int in = c.input_channels();
    for (int i = 0; i < 3; ++i) {
      convs_.push_back(register_module("conv" + std::to_string(i),
                                       torch::nn::Conv2d(torch::nn::Conv2dOptions(in, c.cnn_channels, {c.cnn_kernel_f, c.cnn_kernel_t}))));
      bns_.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(c.cnn_channels)));
      in = c.cnn_channels;
    }
    const int Fd = c.num_bands - 3 * (c.cnn_kernel_f - 1);
    fc_ = register_module("fc", torch::nn::Linear(c.cnn_channels * Fd, c.cnn_hidden));
    readout_ = register_module("readout", torch::nn::Linear(c.cnn_hidden, c.num_units));
  }

  void fit_to_bands(const std::vector<double>& freqs_hz, double dt_ms) override {
    if (adaptrans_) adaptrans_->init(freqs_hz, dt_ms);
  }

  torch::Tensor forward(const torch::Tensor& x) override {
    torch::Tensor y = input_channels(adaptrans_, x);  // [B, C_in, F, T]
    for (int i = 0; i < 3; ++i)        // valid in frequency, causal in time
      y = F::leaky_relu(bns_[i](causal_conv2d(y, convs_[i]->weight, convs_[i]->bias)),
                        F::LeakyReLUFuncOptions().negative_slope(0.1));
    const auto B = y.size(0), T = y.size(3);
    y = y.permute({0, 3, 1, 2}).reshape({B, T, -1});  // flatten c·F_d + f per bin
    y = readout_(F::leaky_relu(fc_(y), F::LeakyReLUFuncOptions().negative_slope(0.1)));
    return output_(y.transpose(1, 2));
  }

 private:
  AdapTrans adaptrans_{nullptr};
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  torch::nn::Linear fc_{nullptr}, readout_{nullptr};
};

// ------------------------------------------------------------------------ Transformer

class Transformer final : public ResponseModel {
 public:
  explicit Transformer(const ModelConfig& c) : ResponseModel(c) {
    adaptrans_ = register_adaptrans(*this, c);
    token_ = register_module("token", torch::nn::Linear(c.input_channels() * c.num_bands, c.embed));  // input c·F + f
    position_ = register_parameter("position", torch::rand({c.window_bins, c.embed}));  // U[0, 1)
    encoder_ = register_module("encoder", torch::nn::TransformerEncoderLayer(
                                              torch::nn::TransformerEncoderLayerOptions(c.embed, c.heads)
                                                  .dim_feedforward(c.ff)
                                                  .dropout(0.0)));  // the paper: no dropout
    readout_ = register_module("readout", torch::nn::Linear(c.embed, c.num_units));
    input_mean_ = register_buffer("input_mean", torch::zeros({c.num_bands}));
    input_scale_ = register_buffer("input_scale", torch::ones({c.num_bands}));
  }

  // On NS1's dB cochleagram (s.d. 13.5) the token layer's default init gives tokens of s.d. 11
  // against positions in [0, 1) and attention logits of s.d. 66 (each query attends to one
  // token); folding a rescale into the token weights fixes the start but leaves Adam's steps
  // (≈ lr per weight) large against weights divided by σ, and training oscillated. A fixed
  // standardisation keeps the default init and parameterisation on a unit-scale input.
  void fit_to_stimuli(const torch::Tensor& band_mean, const torch::Tensor& band_std) override {
    torch::NoGradGuard no_grad;
    input_mean_.copy_(band_mean);
    input_scale_.copy_(1.0 / band_std.clamp_min(1e-6));
  }

  void fit_to_bands(const std::vector<double>& freqs_hz, double dt_ms) override {
    if (adaptrans_) adaptrans_->init(freqs_hz, dt_ms);
  }

  torch::Tensor forward(const torch::Tensor& x) override {
    const std::int64_t B = x.size(0), T = x.size(2), W = config_.window_bins;
    const torch::Tensor mean = input_mean_.view({1, -1, 1}), scale = input_scale_.view({1, -1, 1});
    // Window of the last W bins for every output bin: [B, C_in·F, T, W] → tokens [W, B·T, E].
    // Without AdapTrans the zero padding is standardised with the frames; with it, the
    // standardised frames go through AdapTrans and its ON/OFF output is padded with zeros.
    const torch::Tensor xn = adaptrans_ ? pad_past(adaptrans_((x - mean) * scale).flatten(1, 2), W - 1) : (pad_past(x, W - 1) - mean) * scale;
    const torch::Tensor windows = xn.unfold(2, W, 1);
    torch::Tensor tokens = token_(windows.permute({0, 2, 3, 1})) + position_;  // [B, T, W, E]
    tokens = tokens.reshape({B * T, W, config_.embed}).transpose(0, 1);
    const torch::Tensor encoded = encoder_(tokens).mean(0);  // [B·T, E]
    return output_(readout_(encoded).view({B, T, -1}).transpose(1, 2));
  }

 private:
  AdapTrans adaptrans_{nullptr};
  torch::nn::Linear token_{nullptr}, readout_{nullptr};
  torch::Tensor position_, input_mean_, input_scale_;
  torch::nn::TransformerEncoderLayer encoder_{nullptr};
};

}  // namespace

std::shared_ptr<ResponseModel> make_response_model(const ModelConfig& c) {
  c.validate();
  if (c.architecture == Architecture::kStateNet) return std::make_shared<StateNet>(c);
  if (c.architecture == Architecture::kCnn2d) return std::make_shared<Cnn2d>(c);
  if (c.architecture == Architecture::kTransformer) return std::make_shared<Transformer>(c);
  return std::make_shared<Strf>(c);  // l, ln, nrf, dnet
}

}  // namespace statenet
