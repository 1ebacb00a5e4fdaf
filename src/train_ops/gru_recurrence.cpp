#include "train_ops/gru_recurrence.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace statenet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// y[j] = b[j] + Σ_k W[j, k]·x[k], W row-major [rows, cols].
void matvec(const float* W, const float* b, const float* x, int rows, int cols, float* y) {
  for (int j = 0; j < rows; ++j) {
    const float* w = W + static_cast<std::int64_t>(j) * cols;
    float s = 0.0f;
    for (int k = 0; k < cols; ++k) s += w[k] * x[k];
    y[j] = b[j] + s;
  }
}

void check_shapes(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh, const torch::Tensor& b_hh) {
  TORCH_CHECK(gi.dim() == 3 && h0.dim() == 2 && h0.size(0) == gi.size(0) && gi.size(2) == 3 * h0.size(1) &&
                  w_hh.dim() == 2 && w_hh.size(0) == gi.size(2) && w_hh.size(1) == h0.size(1) && b_hh.dim() == 1 &&
                  b_hh.size(0) == gi.size(2) && gi.size(1) >= 1,
              "gru_recurrence: gi [B, T ≥ 1, 3H], h0 [B, H], w_hh [3H, H], b_hh [3H]; got ", gi.sizes(), ", ",
              h0.sizes(), ", ", w_hh.sizes(), ", ", b_hh.sizes());
}

// Sequences at once from which a bin's recurrent product is one matrix product over the batch
// (TBPTT's windows: B = T − K); below it, one matrix-vector product per sequence and bin.
constexpr std::int64_t kBatchedFrom = 8;

// One bin of one sequence given gh = W_hh·h_{t−1} + b_hh: h_t, and the saved r, z, n, gh_n.
inline void gates_forward(const float* g, const float* gh, const float* prev, int H, float* ht, float* sv) {
  for (int k = 0; k < H; ++k) {
    const float r = sigmoid(g[k] + gh[k]), z = sigmoid(g[H + k] + gh[H + k]);
    const float n = std::tanh(g[2 * H + k] + r * gh[2 * H + k]);
    ht[k] = (1.0f - z) * n + z * prev[k];
    sv[k] = r, sv[H + k] = z, sv[2 * H + k] = n, sv[3 * H + k] = gh[2 * H + k];
  }
}

// Its backward from d = ∂L/∂h_t (carried + this bin's): ∂L/∂gi (dg), ∂L/∂gh (dgr) and the
// direct part of ∂L/∂h_{t−1} (d ⊙ z; the W_hhᵀ·dgr part is added by the caller).
inline void gates_backward(const float* dh, const float* go, const float* sv, const float* prev, int H, float* dg,
                           float* dgr, float* dprev) {
  for (int k = 0; k < H; ++k) {
    const float d = dh[k] + go[k];
    const float r = sv[k], z = sv[H + k], n = sv[2 * H + k], ghn = sv[3 * H + k];
    const float dn = d * (1.0f - z) * (1.0f - n * n);  // through tanh
    const float dz = d * (prev[k] - n) * z * (1.0f - z);
    const float dr = dn * ghn * r * (1.0f - r);
    dg[k] = dr, dg[H + k] = dz, dg[2 * H + k] = dn;
    dgr[k] = dr, dgr[H + k] = dz, dgr[2 * H + k] = dn * r;
    dprev[k] = d * z;
  }
}

// One sequence at a time (contiguous gi, h0, w, b): h [B, T, H], and saved per bin for the
// backward the gates r, z, n and gh_n = (W_hh·h_{t−1} + b_hh)_n, [B, T, 4H].
// ∂L/∂W_hh = Σ_t ∂L/∂gh_t ⊗ h_{t−1} and ∂L/∂b_hh = Σ_t ∂L/∂gh_t, one matrix product over every
// sequence and bin. h [.., T, ..] and d_gh hold time along `time_dim` (0: [T, B, ·], 1: [B, T, ·]).
std::pair<torch::Tensor, torch::Tensor> hidden_weight_gradients(const torch::Tensor& h0, const torch::Tensor& h,
                                                                const torch::Tensor& d_gh, int time_dim) {
  const std::int64_t T = h.size(time_dim), H = h.size(2);
  const torch::Tensor h_prev = torch::cat({h0.unsqueeze(time_dim), h.narrow(time_dim, 0, T - 1)}, time_dim).reshape({-1, H});
  const torch::Tensor d = d_gh.reshape({-1, 3 * H});
  return {d.t().mm(h_prev), d.sum(0)};
}

torch::Tensor forward_sequences(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w,
                                const torch::Tensor& b, torch::Tensor& gates) {
  const std::int64_t B = gi.size(0), T = gi.size(1);
  const int H = static_cast<int>(h0.size(1));
  torch::Tensor h = torch::empty({B, T, H});
  gates = torch::empty({B, T, 4 * H});
  const float *gip = gi.data_ptr<float>(), *wp = w.data_ptr<float>(), *bp = b.data_ptr<float>();
  float *hp = h.data_ptr<float>(), *gp = gates.data_ptr<float>();
  std::vector<float> gh(3 * H);
  for (std::int64_t bi = 0; bi < B; ++bi) {
    const float* prev = h0.data_ptr<float>() + bi * H;
    for (std::int64_t t = 0; t < T; ++t) {
      const std::int64_t bt = bi * T + t;
      matvec(wp, bp, prev, 3 * H, H, gh.data());
      gates_forward(gip + bt * 3 * H, gh.data(), prev, H, hp + bt * H, gp + bt * 4 * H);
      prev = hp + bt * H;
    }
  }
  return h;
}

// From kBatchedFrom sequences on: time-major buffers ([T, B, ·], so a bin's rows are adjacent)
// and one matrix product per bin for every sequence's W_hh·h_{t−1}. Returns h [B, T, H]; keeps
// h and the gates time-major for the backward.
torch::Tensor forward_batched(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w,
                              const torch::Tensor& b, torch::Tensor& h_tm, torch::Tensor& gates) {
  const std::int64_t B = gi.size(0), T = gi.size(1);
  const int H = static_cast<int>(h0.size(1));
  const torch::Tensor gi_tm = gi.transpose(0, 1).contiguous();
  h_tm = torch::empty({T, B, H}), gates = torch::empty({T, B, 4 * H});
  torch::Tensor gh = torch::empty({B, 3 * H});  // every sequence's W_hh·h_{t−1} + b_hh
  const float *gip = gi_tm.data_ptr<float>(), *ghp = gh.data_ptr<float>();
  float *hp = h_tm.data_ptr<float>(), *gp = gates.data_ptr<float>();
  for (std::int64_t t = 0; t < T; ++t) {
    const torch::Tensor prev = t == 0 ? h0 : h_tm[t - 1];
    torch::addmm_out(gh, b, prev, w.t());
    const float* pp = prev.data_ptr<float>();
    for (std::int64_t bi = 0; bi < B; ++bi) {
      const std::int64_t tb = t * B + bi;
      gates_forward(gip + tb * 3 * H, ghp + bi * 3 * H, pp + bi * H, H, hp + tb * H, gp + tb * 4 * H);
    }
  }
  return h_tm.transpose(0, 1).contiguous();
}

tensor_list backward_batched(const torch::Tensor& h0, const torch::Tensor& w, const torch::Tensor& h_tm,
                              const torch::Tensor& gates, const torch::Tensor& grad_h) {
  const std::int64_t T = h_tm.size(0), B = h_tm.size(1);
  const int H = static_cast<int>(h_tm.size(2));
  const torch::Tensor go_tm = grad_h.transpose(0, 1).contiguous();
  torch::Tensor d_gi = torch::empty({T, B, 3 * H}), d_gh = torch::empty({T, B, 3 * H});
  // ∂L/∂h_t of every sequence carried from t + 1, and ∂L/∂h_{t−1} being made.
  torch::Tensor dh = torch::zeros({B, H}), dprev = torch::empty({B, H});
  const float *hp = h_tm.data_ptr<float>(), *gp = gates.data_ptr<float>(), *go = go_tm.data_ptr<float>();
  float *dgi = d_gi.data_ptr<float>(), *dgh = d_gh.data_ptr<float>();
  for (std::int64_t t = T - 1; t >= 0; --t) {
    const float* pp = t > 0 ? hp + (t - 1) * B * H : h0.data_ptr<float>();
    const float* dhp = dh.data_ptr<float>();
    float* dpp = dprev.data_ptr<float>();
    for (std::int64_t bi = 0; bi < B; ++bi) {
      const std::int64_t tb = t * B + bi;
      gates_backward(dhp + bi * H, go + tb * H, gp + tb * 4 * H, pp + bi * H, H, dgi + tb * 3 * H, dgh + tb * 3 * H,
                     dpp + bi * H);
    }
    dprev.addmm_(d_gh[t], w);  // += ∂L/∂gh_t·W_hh
    std::swap(dh, dprev);
  }
  auto [d_w, d_b] = hidden_weight_gradients(h0, h_tm, d_gh, 0);
  return {d_gi.transpose(0, 1).contiguous(), dh, d_w, d_b};
}

class GruRecurrenceFunction : public torch::autograd::Function<GruRecurrenceFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gi_in, const torch::Tensor& h0_in,
                               const torch::Tensor& w_in, const torch::Tensor& b_in) {
    const torch::Tensor gi = gi_in.contiguous(), h0 = h0_in.contiguous(), w = w_in.contiguous(), b = b_in.contiguous();
    if (gi.size(0) >= kBatchedFrom) {
      torch::Tensor h_tm, gates;
      const torch::Tensor h = forward_batched(gi, h0, w, b, h_tm, gates);
      ctx->save_for_backward({h0, w, h_tm, gates});
      return h;
    }
    torch::Tensor gates;
    const torch::Tensor h = forward_sequences(gi, h0, w, b, gates);
    ctx->save_for_backward({h0, w, h, gates});
    return h;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &h0 = saved[0], &w = saved[1], &h = saved[2], &gates = saved[3];
    if (h0.size(0) >= kBatchedFrom) return backward_batched(h0, w, h, gates, grads[0]);
    const torch::Tensor gh_out = grads[0].contiguous();
    const std::int64_t B = h.size(0), T = h.size(1);
    const int H = static_cast<int>(h.size(2));
    // ∂L/∂gi (= ∂L/∂gh for the r and z rows; the n rows of gh get r ⊙ ∂L/∂gi_n).
    torch::Tensor d_gi = torch::empty({B, T, 3 * H}), d_gh = torch::empty({B, T, 3 * H}), d_h0 = torch::empty({B, H});
    const float *wp = w.data_ptr<float>(), *hp = h.data_ptr<float>(), *gp = gates.data_ptr<float>();
    const float* go = gh_out.data_ptr<float>();
    float *dgi = d_gi.data_ptr<float>(), *dgh = d_gh.data_ptr<float>();
    std::vector<float> dh(H), dprev(H);
    for (std::int64_t bi = 0; bi < B; ++bi) {
      std::fill(dh.begin(), dh.end(), 0.0f);  // ∂L/∂h_t carried from t + 1
      for (std::int64_t t = T - 1; t >= 0; --t) {
        const std::int64_t bt = bi * T + t;
        const float* prev = t > 0 ? hp + (bt - 1) * H : h0.data_ptr<float>() + bi * H;
        float* dgr = dgh + bt * 3 * H;
        gates_backward(dh.data(), go + bt * H, gp + bt * 4 * H, prev, H, dgi + bt * 3 * H, dgr, dprev.data());
        // ∂L/∂h_{t−1} += W_hhᵀ·∂L/∂gh
        for (int j = 0; j < 3 * H; ++j) {
          const float* wj = wp + static_cast<std::int64_t>(j) * H;
          const float sj = dgr[j];
          for (int k = 0; k < H; ++k) dprev[k] += wj[k] * sj;
        }
        dh.swap(dprev);
      }
      std::copy(dh.begin(), dh.end(), d_h0.data_ptr<float>() + bi * H);
    }
    auto [d_w, d_b] = hidden_weight_gradients(h0, h, d_gh, 1);
    return {d_gi, d_h0, d_w, d_b};
  }
};

// TBPTT(1, K) with warm-up (header). Backward, per sequence, from the last bin down: slot
// t mod K of a ring holds λ_s^(t) = ∂L_t/∂h_s for the K windows t ∈ [s, s + K − 1] that contain
// bin s. Bin s's gate gradients come from their sum (they are linear in ∂L/∂h_s); then every
// slot steps back through the transposed Jacobian, λ_{s−1} = λ_s·J_s with
//   J_s[i][k] = z_i·δ_ik + a_i·c_i·W_r[i][k] + b_i·W_z[i][k] + a_i·r_i·W_n[i][k],
//   a = (1 − z)(1 − n²), b = (h_{s−1} − n)·z(1 − z), c = gh_n·r(1 − r),
// one [K, H]×[H, H] product. The slot of window s + K − 1 (its first bin was s) is then
// overwritten by bin s − 1's own gradient: that window's start state gets nothing.
class GruTruncatedFunction : public torch::autograd::Function<GruTruncatedFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gi_in, const torch::Tensor& h0_in,
                               const torch::Tensor& w_in, const torch::Tensor& b_in, std::int64_t k) {
    const torch::Tensor gi = gi_in.contiguous(), h0 = h0_in.contiguous(), w = w_in.contiguous(), b = b_in.contiguous();
    torch::Tensor gates;
    const torch::Tensor h = forward_sequences(gi, h0, w, b, gates);
    ctx->save_for_backward({h0, w, h, gates});
    ctx->saved_data["k"] = std::min(k, gi.size(1));  // a window longer than the clip is the clip
    return h;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &h0 = saved[0], &w = saved[1], &h = saved[2], &gates = saved[3];
    const std::int64_t B = h.size(0), T = h.size(1), K = ctx->saved_data["k"].toInt();
    const int H = static_cast<int>(h.size(2));
    const torch::Tensor gh_out = grads[0].contiguous();
    torch::Tensor d_gi = torch::empty({B, T, 3 * H}), d_gh = torch::empty({B, T, 3 * H}), d_h0 = torch::empty({B, H});
    torch::Tensor ring = torch::empty({K, H}), stepped = torch::empty({K, H}), jac = torch::empty({H, H});
    const float *wp = w.data_ptr<float>(), *hp = h.data_ptr<float>(), *gp = gates.data_ptr<float>();
    const float* go = gh_out.data_ptr<float>();
    float *dgi = d_gi.data_ptr<float>(), *dgh = d_gh.data_ptr<float>();
    std::vector<float> sum(H), zero(H, 0.0f), unused(H);
    for (std::int64_t bi = 0; bi < B; ++bi) {
      ring.zero_();
      for (std::int64_t s = T - 1; s >= 0; --s) {
        const std::int64_t bt = bi * T + s;
        float* rp = ring.data_ptr<float>();
        std::copy(go + bt * H, go + (bt + 1) * H, rp + (s % K) * H);
        std::fill(sum.begin(), sum.end(), 0.0f);
        for (std::int64_t slot = 0; slot < K; ++slot)
          for (int i = 0; i < H; ++i) sum[i] += rp[slot * H + i];
        const float* prev = s > 0 ? hp + (bt - 1) * H : h0.data_ptr<float>() + bi * H;
        const float* sv = gp + bt * 4 * H;
        gates_backward(sum.data(), zero.data(), sv, prev, H, dgi + bt * 3 * H, dgh + bt * 3 * H, unused.data());
        float* jp = jac.data_ptr<float>();
        for (int i = 0; i < H; ++i) {
          const float r = sv[i], z = sv[H + i], n = sv[2 * H + i], ghn = sv[3 * H + i];
          const float a = (1.0f - z) * (1.0f - n * n), bz = (prev[i] - n) * z * (1.0f - z);
          const float cr = a * ghn * r * (1.0f - r), cn = a * r;
          const float *wr = wp + static_cast<std::int64_t>(i) * H, *wz = wr + static_cast<std::int64_t>(H) * H,
                      *wn = wz + static_cast<std::int64_t>(H) * H;
          float* row = jp + static_cast<std::int64_t>(i) * H;
          for (int c = 0; c < H; ++c) row[c] = cr * wr[c] + bz * wz[c] + cn * wn[c];
          row[i] += z;
        }
        torch::mm_out(stepped, ring, jac);
        std::swap(ring, stepped);
      }
      // After bin 0's step the ring holds the windows that start at h0 (bins t < K).
      const torch::Tensor start = ring.sum(0);
      d_h0[bi].copy_(start);
    }
    auto [d_w, d_b] = hidden_weight_gradients(h0, h, d_gh, 1);
    return {d_gi, d_h0, d_w, d_b, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gru_recurrence_reference(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                                       const torch::Tensor& b_hh) {
  const std::int64_t T = gi.size(1), H = h0.size(1);
  torch::Tensor h = h0;
  std::vector<torch::Tensor> hs;
  hs.reserve(T);
  for (std::int64_t t = 0; t < T; ++t) {
    const torch::Tensor gh = torch::nn::functional::linear(h, w_hh, b_hh);
    const auto gir = gi.select(1, t).split(H, 1), ghr = gh.split(H, 1);
    const torch::Tensor r = torch::sigmoid(gir[0] + ghr[0]), z = torch::sigmoid(gir[1] + ghr[1]);
    const torch::Tensor n = torch::tanh(gir[2] + r * ghr[2]);
    h = (1 - z) * n + z * h;
    hs.push_back(h);
  }
  return torch::stack(hs, 1);
}

torch::Tensor gru_recurrence(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                             const torch::Tensor& b_hh) {
  check_shapes(gi, h0, w_hh, b_hh);
  bool ours = true;
  for (const auto* t : {&gi, &h0, &w_hh, &b_hh}) ours = ours && t->is_cpu() && t->scalar_type() == torch::kFloat32;
  return ours ? GruRecurrenceFunction::apply(gi, h0, w_hh, b_hh) : gru_recurrence_reference(gi, h0, w_hh, b_hh);
}

torch::Tensor gru_recurrence_truncated(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                                       const torch::Tensor& b_hh, std::int64_t k) {
  TORCH_CHECK(k >= 1, "gru_recurrence_truncated: K ≥ 1, got ", k);
  bool ours = true;
  for (const auto* t : {&gi, &h0, &w_hh, &b_hh}) ours = ours && t->is_cpu() && t->scalar_type() == torch::kFloat32;
  TORCH_CHECK(ours, "gru_recurrence_truncated: CPU float32 tensors only");
  check_shapes(gi, h0, w_hh, b_hh);
  return GruTruncatedFunction::apply(gi, h0, w_hh, b_hh, k);
}

}  // namespace statenet
