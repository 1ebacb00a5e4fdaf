// StateNet in the step engine: first layer (LC, FC or CONV) with its batch norm folded in,
// sigmoid, one recurrent core, linear readout, output nonlinearity (docs/models.md).

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>

#include "step/step_kernels.h"
#include "step/step_layers.h"

namespace statenet::step {
namespace {

using Shape = std::vector<std::int64_t>;

// One recurrent core: u[H] → h[H], keeping its state between calls.
class CoreStep {
 public:
  virtual ~CoreStep() = default;
  virtual void reset() noexcept = 0;
  /// Advances one step; returns the core's output (H floats, valid until the next call). [RT]
  virtual const float* step(const float* u) noexcept = 0;
};

// PyTorch GRU (gates stacked r, z, n): r = σ(W_ir u + b_ir + W_hr h + b_hr),
// z = σ(…z…), n = tanh(W_in u + b_in + r ⊙ (W_hn h + b_hn)), h ← n + z ⊙ (h − n).
class GruCore final : public CoreStep {
 public:
  GruCore(TensorTable& t, int H)
      : H_(H),
        wi_(3 * H, H, t.take("core.weight_ih_l0", {3 * H, H}).data(), t.take("core.bias_ih_l0", {3 * H}).data()),
        wh_(3 * H, H, t.take("core.weight_hh_l0", {3 * H, H}).data(), t.take("core.bias_hh_l0", {3 * H}).data()),
        gi_(wi_.padded_rows()), gh_(wh_.padded_rows()), rz_(2 * H), n_(H), h_(H) {}
  void reset() noexcept override { std::fill(h_.begin(), h_.end(), 0.0f); }
  const float* step(const float* u) noexcept override {
    const int H = H_;
    wi_.apply(u, gi_.data());
    wh_.apply(h_.data(), gh_.data());
    for (int i = 0; i < 2 * H; ++i) rz_[i] = gi_[i] + gh_[i];
    sigmoid_inplace(rz_.data(), 2 * H);
    for (int i = 0; i < H; ++i) n_[i] = gi_[2 * H + i] + rz_[i] * gh_[2 * H + i];
    tanh_inplace(n_.data(), H);
    for (int i = 0; i < H; ++i) h_[i] = n_[i] + rz_[H + i] * (h_[i] - n_[i]);
    return h_.data();
  }

 private:
  int H_;
  PanelMatrix wi_, wh_;
  std::vector<float> gi_, gh_, rz_, n_, h_;
};

// [W_ih | W_hh] as one matrix over [u; h], with b_ih + b_hh: one pass per step.
PanelMatrix fused_input_hidden(TensorTable& t, int gates, int H) {
  const auto& wi = t.take("core.weight_ih_l0", {gates * H, H});
  const auto& wh = t.take("core.weight_hh_l0", {gates * H, H});
  const auto& bi = t.take("core.bias_ih_l0", {gates * H});
  const auto& bh = t.take("core.bias_hh_l0", {gates * H});
  std::vector<float> w(static_cast<std::size_t>(gates) * H * 2 * H), b(static_cast<std::size_t>(gates) * H);
  for (int r = 0; r < gates * H; ++r) {
    std::copy_n(wi.data() + static_cast<std::size_t>(r) * H, H, w.data() + static_cast<std::size_t>(r) * 2 * H);
    std::copy_n(wh.data() + static_cast<std::size_t>(r) * H, H, w.data() + static_cast<std::size_t>(r) * 2 * H + H);
    b[r] = bi[r] + bh[r];
  }
  return PanelMatrix(gates * H, 2 * H, w.data(), b.data());
}

// Elman RNN: h ← tanh(W_ih u + b_ih + W_hh h + b_hh).
class RnnCore final : public CoreStep {
 public:
  RnnCore(TensorTable& t, int H) : H_(H), w_(fused_input_hidden(t, 1, H)), uh_(2 * H), g_(w_.padded_rows()) {}
  void reset() noexcept override { std::fill(uh_.begin(), uh_.end(), 0.0f); }
  const float* step(const float* u) noexcept override {
    std::memcpy(uh_.data(), u, sizeof(float) * H_);
    w_.apply(uh_.data(), g_.data());
    tanh_inplace(g_.data(), H_);
    std::memcpy(uh_.data() + H_, g_.data(), sizeof(float) * H_);
    return uh_.data() + H_;
  }

 private:
  int H_;
  PanelMatrix w_;
  std::vector<float> uh_, g_;  // uh_ = [u; h]
};

// PyTorch LSTM (gates i, f, g, o): c ← f ⊙ c + i ⊙ g, h ← o ⊙ tanh(c).
class LstmCore final : public CoreStep {
 public:
  LstmCore(TensorTable& t, int H) : H_(H), w_(fused_input_hidden(t, 4, H)), uh_(2 * H), g_(w_.padded_rows()), c_(H), tanh_c_(H) {}
  void reset() noexcept override {
    std::fill(uh_.begin(), uh_.end(), 0.0f);
    std::fill(c_.begin(), c_.end(), 0.0f);
  }
  const float* step(const float* u) noexcept override {
    const int H = H_;
    std::memcpy(uh_.data(), u, sizeof(float) * H);
    w_.apply(uh_.data(), g_.data());
    sigmoid_inplace(g_.data(), 2 * H);
    tanh_inplace(g_.data() + 2 * H, H);
    sigmoid_inplace(g_.data() + 3 * H, H);
    for (int i = 0; i < H; ++i) tanh_c_[i] = c_[i] = g_[H + i] * c_[i] + g_[i] * g_[2 * H + i];
    tanh_inplace(tanh_c_.data(), H);
    float* h = uh_.data() + H;
    for (int i = 0; i < H; ++i) h[i] = g_[3 * H + i] * tanh_c_[i];
    return h;
  }

 private:
  int H_;
  PanelMatrix w_;
  std::vector<float> uh_, g_, c_, tanh_c_;
};

// The output stage of the S4 block (S4 and S4D): y → GELU (erf form) per channel, then
// Linear(H → 2H) and GLU.
class SsmOutput {
 public:
  SsmOutput(TensorTable& t, int H)
      : H_(H), out_(2 * H, H, t.take("core.out.weight", {2 * H, H}).data(), t.take("core.out.bias", {2 * H}).data()), y_(H),
        glu_(out_.padded_rows()) {}
  void set(int h, double y) noexcept { y_[h] = static_cast<float>(0.5 * y * (1.0 + std::erf(y * M_SQRT1_2))); }
  /// After set() for every channel: the block's H outputs, valid until the next call. [RT]
  const float* apply() noexcept {
    out_.apply(y_.data(), glu_.data());
    sigmoid_inplace(glu_.data() + H_, H_);
    for (int h = 0; h < H_; ++h) y_[h] = glu_[h] * glu_[H_ + h];
    return y_.data();
  }

 private:
  int H_;
  PanelMatrix out_;
  std::vector<float> y_, glu_;
};

// S4D in its recurrent form, per channel and mode: s ← λ·s + u with λ = e^{dt·A}, and
// y = Re Σ_n q_n·s_n + D·u with q = 2·C·(e^{dt·A} − 1)/A — the same map as the LibTorch
// module's FFT convolution with K[l] = 2·Re Σ C·(e^{dtA} − 1)/A·e^{dtA·l}. The state is
// kept in double: |λ| is within 1e-3 of 1 for slow modes, where float rounding would
// accumulate over thousands of steps. Then GELU (erf form), Linear(H → 2H), GLU.
class S4dCore final : public CoreStep {
 public:
  S4dCore(TensorTable& t, int H) : H_(H), output_(t, H) {
    const auto& log_dt = t.take("core.log_dt", {H, 1});
    const Shape hn{H, kModes};
    const auto& log_neg_a_re = t.take("core.log_neg_a_re", hn);
    const auto& a_im = t.take("core.a_im", hn);
    const auto& c_re = t.take("core.c_re", hn);
    const auto& c_im = t.take("core.c_im", hn);
    d_ = t.take("core.d", {H});
    lambda_.resize(static_cast<std::size_t>(H) * kModes);
    q_.resize(lambda_.size());
    state_.resize(lambda_.size());
    for (int h = 0; h < H; ++h) {
      const double dt = std::exp(static_cast<double>(log_dt[h]));
      for (int n = 0; n < kModes; ++n) {
        const std::size_t i = static_cast<std::size_t>(h) * kModes + n;
        const std::complex<double> a(-std::exp(static_cast<double>(log_neg_a_re[i])), a_im[i]);
        const std::complex<double> lambda = std::exp(dt * a);
        lambda_[i] = lambda;
        q_[i] = 2.0 * std::complex<double>(c_re[i], c_im[i]) * (lambda - 1.0) / a;
      }
    }
  }
  void reset() noexcept override { std::fill(state_.begin(), state_.end(), std::complex<double>(0.0, 0.0)); }
  const float* step(const float* u) noexcept override {
    for (int h = 0; h < H_; ++h) {
      const std::size_t base = static_cast<std::size_t>(h) * kModes;
      double y = 0.0;
      for (int n = 0; n < kModes; ++n) {
        std::complex<double>& s = state_[base + n];
        s = std::complex<double>(lambda_[base + n].real() * s.real() - lambda_[base + n].imag() * s.imag() + u[h],
                                 lambda_[base + n].real() * s.imag() + lambda_[base + n].imag() * s.real());
        y += q_[base + n].real() * s.real() - q_[base + n].imag() * s.imag();
      }
      output_.set(h, y + static_cast<double>(d_[h]) * u[h]);
    }
    return output_.apply();
  }

 private:
  static constexpr int kModes = 32;
  int H_;
  std::vector<float> d_;
  SsmOutput output_;
  std::vector<std::complex<double>> lambda_, q_, state_;
};

// Mamba's selective SSM block (mamba.py MambaBlock without residual and norm): d_inner
// D = 2H, d_state 16, causal depthwise conv of width 4, dt_rank R = ⌈H/16⌉.
//   [x; z] = W_in u;  x ← silu(conv(x));  [δ̃; B; C] = W_x x;  δ = softplus(W_dt δ̃ + b_dt)
//   h[d, s] ← e^{δ_d·A[d, s]}·h[d, s] + δ_d·x_d·B_s;  y_d = Σ_s h[d, s]·C_s + D_d·x_d
//   out = W_out (y ⊙ silu(z))
class MambaCore final : public CoreStep {
 public:
  MambaCore(TensorTable& t, int H) : H_(H), D_(2 * H), R_((H + 15) / 16) {
    const int D = D_, R = R_;
    in_proj_ = PanelMatrix(2 * D, H, t.take("core.in_proj.weight", {2 * D, H}).data());
    conv_w_ = t.take("core.conv.weight", {D, 1, kConv});
    conv_b_ = t.take("core.conv.bias", {D});
    x_proj_ = PanelMatrix(R + 2 * kState, D, t.take("core.x_proj.weight", {R + 2 * kState, D}).data());
    dt_proj_ = PanelMatrix(D, R, t.take("core.dt_proj.weight", {D, R}).data(), t.take("core.dt_proj.bias", {D}).data());
    out_proj_ = PanelMatrix(H, D, t.take("core.out_proj.weight", {H, D}).data());
    const auto& a_log = t.take("core.a_log", {D, kState});
    a_.resize(a_log.size());
    for (std::size_t i = 0; i < a_log.size(); ++i) a_[i] = -std::exp(a_log[i]);
    skip_ = t.take("core.d", {D});
    xz_.resize(in_proj_.padded_rows());
    history_.resize(static_cast<std::size_t>(kConv - 1) * D);
    x_.resize(D);
    proj_.resize(x_proj_.padded_rows());
    delta_.resize(dt_proj_.padded_rows());
    h_.resize(static_cast<std::size_t>(D) * kState);
    y_.resize(D);
    out_.resize(out_proj_.padded_rows());
  }
  void reset() noexcept override {
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(h_.begin(), h_.end(), 0.0f);
  }
  const float* step(const float* u) noexcept override {
    const int D = D_;
    in_proj_.apply(u, xz_.data());
    // Causal depthwise conv over the last 4 inputs (history_ holds t−3, t−2, t−1 per row).
    for (int d = 0; d < D; ++d) {
      const float* w = conv_w_.data() + static_cast<std::size_t>(d) * kConv;
      x_[d] = conv_b_[d] + w[0] * history_[d] + w[1] * history_[D + d] + w[2] * history_[2 * D + d] + w[3] * xz_[d];
    }
    std::memmove(history_.data(), history_.data() + D, sizeof(float) * 2 * D);
    std::memcpy(history_.data() + 2 * D, xz_.data(), sizeof(float) * D);
    silu_inplace(x_.data(), D);
    x_proj_.apply(x_.data(), proj_.data());
    dt_proj_.apply(proj_.data(), delta_.data());
    for (int d = 0; d < D; ++d) delta_[d] = delta_[d] > 20.0f ? delta_[d] : std::log1p(exp_approx(delta_[d]));  // softplus
    const float* B = proj_.data() + R_;
    const float* C = B + kState;
    for (int d = 0; d < D; ++d) {
      float* h = h_.data() + static_cast<std::size_t>(d) * kState;
      const float* a = a_.data() + static_cast<std::size_t>(d) * kState;
      const float dx = delta_[d] * x_[d];
      float y = 0.0f;
      for (int s = 0; s < kState; ++s) {
        h[s] = exp_approx(delta_[d] * a[s]) * h[s] + dx * B[s];
        y += h[s] * C[s];
      }
      y_[d] = y + skip_[d] * x_[d];
    }
    float* z = xz_.data() + D;
    silu_inplace(z, D);
    for (int d = 0; d < D; ++d) y_[d] *= z[d];
    out_proj_.apply(y_.data(), out_.data());
    return out_.data();
  }

 private:
  static constexpr int kState = 16, kConv = 4;
  int H_, D_, R_;
  PanelMatrix in_proj_, x_proj_, dt_proj_, out_proj_;
  std::vector<float> conv_w_, conv_b_, a_, skip_;
  std::vector<float> xz_, history_, x_, proj_, delta_, h_, y_, out_;
};

// X = M⁻¹·R for a complex n × n matrix M and n × m right-hand sides R, both row-major, by
// Gaussian elimination with partial pivoting (at load time only).
using Complex = std::complex<double>;
std::vector<Complex> solve_complex(int n, std::vector<Complex> m, std::vector<Complex> r, int cols) {
  for (int k = 0; k < n; ++k) {
    int pivot = k;
    for (int i = k + 1; i < n; ++i)
      if (std::abs(m[static_cast<std::size_t>(i) * n + k]) > std::abs(m[static_cast<std::size_t>(pivot) * n + k])) pivot = i;
    for (int j = 0; j < n; ++j) std::swap(m[static_cast<std::size_t>(k) * n + j], m[static_cast<std::size_t>(pivot) * n + j]);
    for (int j = 0; j < cols; ++j) std::swap(r[static_cast<std::size_t>(k) * cols + j], r[static_cast<std::size_t>(pivot) * cols + j]);
    const Complex inv = 1.0 / m[static_cast<std::size_t>(k) * n + k];
    for (int i = k + 1; i < n; ++i) {
      const Complex f = m[static_cast<std::size_t>(i) * n + k] * inv;
      if (f == Complex(0.0)) continue;
      for (int j = k; j < n; ++j) m[static_cast<std::size_t>(i) * n + j] -= f * m[static_cast<std::size_t>(k) * n + j];
      for (int j = 0; j < cols; ++j) r[static_cast<std::size_t>(i) * cols + j] -= f * r[static_cast<std::size_t>(k) * cols + j];
    }
  }
  for (int k = n - 1; k >= 0; --k)
    for (int j = 0; j < cols; ++j) {
      Complex s = r[static_cast<std::size_t>(k) * cols + j];
      for (int i = k + 1; i < n; ++i) s -= m[static_cast<std::size_t>(k) * n + i] * r[static_cast<std::size_t>(i) * cols + j];
      r[static_cast<std::size_t>(k) * cols + j] = s / m[static_cast<std::size_t>(k) * n + k];
    }
  return r;
}

std::vector<Complex> matmul_complex(int n, const std::vector<Complex>& a, const std::vector<Complex>& b) {
  std::vector<Complex> c(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const Complex aik = a[static_cast<std::size_t>(i) * n + k];
      for (int j = 0; j < n; ++j) c[static_cast<std::size_t>(i) * n + j] += aik * b[static_cast<std::size_t>(k) * n + j];
    }
  return c;
}

// The paper's S4 (DPLR) in its recurrent form, per channel (docs/models.md): with
// A = diag(w) − p·pᴴ and the bilinear discretisation Ā = (I − dt/2·A)⁻¹(I + dt/2·A),
// B̄ = (I − dt/2·A)⁻¹·dt·B, the 32 complex modes advance as x ← Ā·x + B̄·u and
// y = 2·Re(C·x) + D·u, with C = C̃·(I − Ā^L)⁻¹ recovered from the learnt C̃ and the kernel
// length L. Ā is dense (the low-rank term couples the modes): 32 × 32 complex per channel, in
// double like S4D's state. Then GELU (erf form), Linear(H → 2H), GLU.
class S4DplrCore final : public CoreStep {
 public:
  S4DplrCore(TensorTable& t, int H, int kernel_bins) : H_(H), output_(t, H) {
    const auto& log_dt = t.take("core.log_dt", {H});
    const Shape hn{H, kModes};
    const auto& log_neg_w_re = t.take("core.log_neg_w_re", hn);
    const auto& w_im = t.take("core.w_im", hn);
    const auto& b_re = t.take("core.b_re", hn);
    const auto& b_im = t.take("core.b_im", hn);
    const auto& p_re = t.take("core.p_re", hn);
    const auto& p_im = t.take("core.p_im", hn);
    const auto& c_re = t.take("core.c_re", hn);
    const auto& c_im = t.take("core.c_im", hn);
    d_ = t.take("core.d", {H});
    const int n = kModes;
    const std::size_t nn = static_cast<std::size_t>(n) * n;
    a_bar_.resize(static_cast<std::size_t>(H) * nn);
    b_bar_.resize(static_cast<std::size_t>(H) * n);
    c_.resize(b_bar_.size());
    state_.resize(b_bar_.size());
    next_.resize(n);
    for (int h = 0; h < H; ++h) {
      const std::size_t base = static_cast<std::size_t>(h) * n;
      const double dt = std::exp(static_cast<double>(log_dt[h]));
      std::vector<Complex> minus(nn), plus(nn), rhs(static_cast<std::size_t>(n) * (n + 1));
      for (int i = 0; i < n; ++i) {
        const Complex pi(p_re[base + i], p_im[base + i]);
        for (int j = 0; j < n; ++j) {
          const Complex a = (i == j ? Complex(-std::exp(static_cast<double>(log_neg_w_re[base + i])), w_im[base + i]) : Complex(0.0)) -
                            pi * std::conj(Complex(p_re[base + j], p_im[base + j]));
          minus[static_cast<std::size_t>(i) * n + j] = (i == j ? 1.0 : 0.0) - 0.5 * dt * a;
          rhs[static_cast<std::size_t>(i) * (n + 1) + j] = (i == j ? 1.0 : 0.0) + 0.5 * dt * a;
        }
        rhs[static_cast<std::size_t>(i) * (n + 1) + n] = dt * Complex(b_re[base + i], b_im[base + i]);
      }
      const std::vector<Complex> x = solve_complex(n, minus, rhs, n + 1);  // [Ā | B̄]
      std::vector<Complex> a_bar(nn), power(nn), result(nn);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) a_bar[static_cast<std::size_t>(i) * n + j] = x[static_cast<std::size_t>(i) * (n + 1) + j];
        b_bar_[base + i] = x[static_cast<std::size_t>(i) * (n + 1) + n];
        result[static_cast<std::size_t>(i) * n + i] = 1.0;
      }
      power = a_bar;  // Ā^L by squaring
      for (int e = kernel_bins; e > 0; e >>= 1) {
        if (e & 1) result = matmul_complex(n, result, power);
        if (e > 1) power = matmul_complex(n, power, power);
      }
      // C·(I − Ā^L) = C̃  ⇔  (I − Ā^L)ᵀ·Cᵀ = C̃ᵀ.
      std::vector<Complex> g(nn), c_tilde(n);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) g[static_cast<std::size_t>(j) * n + i] = (i == j ? 1.0 : 0.0) - result[static_cast<std::size_t>(i) * n + j];
        c_tilde[i] = Complex(c_re[base + i], c_im[base + i]);
      }
      const std::vector<Complex> c = solve_complex(n, g, c_tilde, 1);
      const auto finite = [](const std::vector<Complex>& v) {
        return std::all_of(v.begin(), v.end(), [](const Complex& z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); });
      };
      if (!finite(x) || !finite(c))
        throw std::runtime_error("core: channel " + std::to_string(h) +
                                 " of the S4 core has no finite recurrent form (I − dt/2·A or I − Ā^L is singular)");
      std::copy(c.begin(), c.end(), c_.begin() + static_cast<std::ptrdiff_t>(base));
      std::copy(a_bar.begin(), a_bar.end(), a_bar_.begin() + static_cast<std::ptrdiff_t>(h * nn));
    }
  }
  void reset() noexcept override { std::fill(state_.begin(), state_.end(), Complex(0.0, 0.0)); }
  const float* step(const float* u) noexcept override {
    const int n = kModes;
    for (int h = 0; h < H_; ++h) {
      const std::size_t base = static_cast<std::size_t>(h) * n;
      const Complex* a = a_bar_.data() + base * n;
      Complex* x = state_.data() + base;
      double y = 0.0;
      for (int i = 0; i < n; ++i) {
        double re = b_bar_[base + i].real() * u[h], im = b_bar_[base + i].imag() * u[h];
        for (int j = 0; j < n; ++j) {
          const Complex& aij = a[static_cast<std::size_t>(i) * n + j];
          re += aij.real() * x[j].real() - aij.imag() * x[j].imag();
          im += aij.real() * x[j].imag() + aij.imag() * x[j].real();
        }
        next_[i] = Complex(re, im);
      }
      for (int i = 0; i < n; ++i) {
        x[i] = next_[i];
        y += c_[base + i].real() * x[i].real() - c_[base + i].imag() * x[i].imag();
      }
      output_.set(h, 2.0 * y + static_cast<double>(d_[h]) * u[h]);
    }
    return output_.apply();
  }

 private:
  static constexpr int kModes = 32;
  int H_;
  std::vector<float> d_;
  SsmOutput output_;
  std::vector<Complex> a_bar_, b_bar_, c_, state_, next_;
};

// A dense layer, row-major [rows, cols] and [rows].
struct DenseLayer {
  std::vector<float> weight, bias;
};

// The first layer (LC, FC or CONV) with its batch norm folded in, as a dense H × C_in·F
// matrix (row o·L + l, column c·F + f; C_in = 2 behind AdapTrans). LC has independent K-tap
// kernels per position at offset l·S; CONV one kernel per channel shared by every position;
// the zeros cost less than a gather (2.4 k MACs).
DenseLayer dense_first_layer(const ModelConfig& c, TensorTable& t) {
  const int F = c.num_bands, K = c.lc_kernel, S = c.lc_stride, C = c.lc_channels, L = c.lc_positions(), H = C * L;
  const int Cin = c.input_channels(), row = Cin * F;
  std::vector<float> w(static_cast<std::size_t>(H) * row, 0.0f), b(H);
  if (c.first_layer == FirstLayer::kFullyConnected) {
    w = t.take("fc.weight", {H, row});
    b = t.take("fc.bias", {H});
  } else {
    // LC: W[o, c·K + k, l]; CONV: W[o, c, k].
    const bool lc = c.first_layer == FirstLayer::kLocallyConnected;
    const auto& weight = lc ? t.take("lc_weight", {C, Cin * K, L}) : t.take("conv.weight", {C, Cin, K});
    const auto& bias = lc ? t.take("lc_bias", {C, L}) : t.take("conv.bias", {C});
    for (int o = 0; o < C; ++o)
      for (int l = 0; l < L; ++l) {
        for (int ci = 0; ci < Cin; ++ci)
          for (int k = 0; k < K; ++k)
            w[static_cast<std::size_t>(o * L + l) * row + ci * F + l * S + k] =
                lc ? weight[(static_cast<std::size_t>(o) * Cin * K + ci * K + k) * L + l] : weight[(o * Cin + ci) * K + k];
        b[o * L + l] = lc ? bias[o * L + l] : bias[o];
      }
  }
  const BatchNormFold bn = fold_batch_norm(t, "bn", C);
  for (int r = 0; r < H; ++r) {
    const int o = r / L;
    for (int f = 0; f < row; ++f) w[static_cast<std::size_t>(r) * row + f] *= bn.scale[o];
    b[r] = b[r] * bn.scale[o] + bn.shift[o];
  }
  return {std::move(w), std::move(b)};
}

class StateNetStep final : public StepModel {
 public:
  StateNetStep(const ModelConfig& c, TensorTable& t) : StepModel(c) {
    const int H = c.statenet_hidden();
    if (c.adaptrans) {
      adaptrans_ = std::make_unique<AdapTransStep>(t, c.num_bands, c.adaptrans_taps);
      prefiltered_.resize(2 * static_cast<std::size_t>(c.num_bands));
    }
    const DenseLayer first = dense_first_layer(c, t);
    first_ = PanelMatrix(H, c.input_channels() * c.num_bands, first.weight.data(), first.bias.data());
    if (c.core == RecurrentCore::kGru) core_ = std::make_unique<GruCore>(t, H);
    else if (c.core == RecurrentCore::kLstm) core_ = std::make_unique<LstmCore>(t, H);
    else if (c.core == RecurrentCore::kRnn) core_ = std::make_unique<RnnCore>(t, H);
    else if (c.core == RecurrentCore::kS4d) core_ = std::make_unique<S4dCore>(t, H);
    else if (c.core == RecurrentCore::kS4) core_ = std::make_unique<S4DplrCore>(t, H, c.s4_kernel_bins);
    else core_ = std::make_unique<MambaCore>(t, H);
    readout_ = PanelMatrix(c.num_units, H, t.take("readout.weight", {c.num_units, H}).data(), t.take("readout.bias", {c.num_units}).data());
    output_ = std::make_unique<OutputStage>(t, c);
    u_.resize(first_.padded_rows());
    y_.resize(readout_.padded_rows());
    hidden_ = H;
  }

  int window_frames() const override { return 0; }
  void reset() noexcept override {
    if (adaptrans_) adaptrans_->reset();
    core_->reset();
  }

  void step(const float* frame, float* rates) noexcept override {
    if (adaptrans_) {
      adaptrans_->step(frame, prefiltered_.data());
      frame = prefiltered_.data();
    }
    first_.apply(frame, u_.data());
    sigmoid_inplace(u_.data(), hidden_);
    readout_.apply(core_->step(u_.data()), y_.data());
    output_->apply(y_.data(), config_.num_units);
    std::memcpy(rates, y_.data(), sizeof(float) * config_.num_units);
  }

 private:
  int hidden_ = 0;
  std::unique_ptr<AdapTransStep> adaptrans_;
  std::vector<float> prefiltered_;  // AdapTrans's ON and OFF bands of the frame
  PanelMatrix first_;  // LC, FC or CONV, batch norm folded
  std::unique_ptr<CoreStep> core_;
  PanelMatrix readout_;
  std::unique_ptr<OutputStage> output_;
  std::vector<float> u_, y_;
};

}  // namespace

std::unique_ptr<StepModel> make_statenet_step(const ModelConfig& config, TensorTable& t) {
  return std::make_unique<StateNetStep>(config, t);
}

GruStepWeights make_gru_step_weights(const ModelConfig& c, TensorTable& t) {
  if (!c.is_statenet() || c.core != RecurrentCore::kGru || c.adaptrans)
    throw std::runtime_error(t.source() + ": the batched GRU step needs a StateNet-GRU model without AdapTrans, this one is " +
                             c.model_name());
  const int H = c.statenet_hidden(), N = c.num_units;
  GruStepWeights w;
  w.num_bands = c.num_bands;
  w.hidden = H;
  w.num_units = N;
  DenseLayer first = dense_first_layer(c, t);
  w.first_weight = std::move(first.weight);
  w.first_bias = std::move(first.bias);
  w.weight_ih = t.take("core.weight_ih_l0", {3 * H, H});
  w.bias_ih = t.take("core.bias_ih_l0", {3 * H});
  w.weight_hh = t.take("core.weight_hh_l0", {3 * H, H});
  w.bias_hh = t.take("core.bias_hh_l0", {3 * H});
  w.readout_weight = t.take("readout.weight", {N, H});
  w.readout_bias = t.take("readout.bias", {N});
  const OutputStage output(t, c);
  w.output = c.output;
  w.output_params = output.packed_parameters(N);
  return w;
}

}  // namespace statenet::step
