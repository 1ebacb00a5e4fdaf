#include "train_ops/lstm_recurrence.h"

#include <cmath>
#include <vector>

namespace statenet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

inline float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

class LstmRecurrenceFunction : public torch::autograd::Function<LstmRecurrenceFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gi_in, const torch::Tensor& h0_in,
                               const torch::Tensor& c0_in, const torch::Tensor& w_in, const torch::Tensor& b_in) {
    const torch::Tensor gi = gi_in.contiguous(), h0 = h0_in.contiguous(), c0 = c0_in.contiguous();
    const torch::Tensor w = w_in.contiguous(), b = b_in.contiguous();
    const std::int64_t B = gi.size(0), T = gi.size(1);
    const int H = static_cast<int>(h0.size(1)), G = 4 * H;
    // Saved per bin for the backward: h_t, c_t and the activated gates i, f, g, o.
    torch::Tensor h = torch::empty({B, T, H}), c = torch::empty({B, T, H}), gates = torch::empty({B, T, G});
    const float *gip = gi.data_ptr<float>(), *wp = w.data_ptr<float>(), *bp = b.data_ptr<float>();
    float *hp = h.data_ptr<float>(), *cp = c.data_ptr<float>(), *gp = gates.data_ptr<float>();
    std::vector<float> a(G);
    for (std::int64_t bi = 0; bi < B; ++bi) {
      const float* h_prev = h0.data_ptr<float>() + bi * H;
      const float* c_prev = c0.data_ptr<float>() + bi * H;
      for (std::int64_t t = 0; t < T; ++t) {
        const std::int64_t bt = bi * T + t;
        const float* g_in = gip + bt * G;
        for (int j = 0; j < G; ++j) {  // a = gi + W_hh·h_{t−1} + b_hh
          const float* wj = wp + static_cast<std::int64_t>(j) * H;
          float s = 0.0f;
          for (int k = 0; k < H; ++k) s += wj[k] * h_prev[k];
          a[j] = g_in[j] + bp[j] + s;
        }
        float *ht = hp + bt * H, *ct = cp + bt * H, *sv = gp + bt * G;
        for (int k = 0; k < H; ++k) {
          const float i = sigmoid(a[k]), f = sigmoid(a[H + k]), g = std::tanh(a[2 * H + k]), o = sigmoid(a[3 * H + k]);
          ct[k] = f * c_prev[k] + i * g;
          ht[k] = o * std::tanh(ct[k]);
          sv[k] = i, sv[H + k] = f, sv[2 * H + k] = g, sv[3 * H + k] = o;
        }
        h_prev = ht;
        c_prev = ct;
      }
    }
    ctx->save_for_backward({h0, c0, w, h, c, gates});
    return h;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &h0 = saved[0], &c0 = saved[1], &w = saved[2], &h = saved[3], &c = saved[4], &gates = saved[5];
    const torch::Tensor go = grads[0].contiguous();
    const std::int64_t B = h.size(0), T = h.size(1);
    const int H = static_cast<int>(h.size(2)), G = 4 * H;
    // ∂L/∂a_t for every bin: the gradient of gi, and of W_hh·h_{t−1} + b_hh.
    torch::Tensor d_a = torch::empty({B, T, G}), d_h0 = torch::empty({B, H}), d_c0 = torch::empty({B, H});
    const float *wp = w.data_ptr<float>(), *hp = h.data_ptr<float>(), *cp = c.data_ptr<float>();
    const float *gp = gates.data_ptr<float>(), *gop = go.data_ptr<float>();
    float* dap = d_a.data_ptr<float>();
    std::vector<float> dh(H), dc(H), dh_prev(H);
    for (std::int64_t bi = 0; bi < B; ++bi) {
      std::fill(dh.begin(), dh.end(), 0.0f);  // ∂L/∂h_t and ∂L/∂c_t carried from t + 1
      std::fill(dc.begin(), dc.end(), 0.0f);
      for (std::int64_t t = T - 1; t >= 0; --t) {
        const std::int64_t bt = bi * T + t;
        const float* c_prev = t > 0 ? cp + (bt - 1) * H : c0.data_ptr<float>() + bi * H;
        const float *sv = gp + bt * G, *ct = cp + bt * H;
        float* da = dap + bt * G;
        for (int k = 0; k < H; ++k) {
          const float i = sv[k], f = sv[H + k], g = sv[2 * H + k], o = sv[3 * H + k];
          const float dht = dh[k] + gop[bt * H + k], tc = std::tanh(ct[k]);
          const float dct = dc[k] + dht * o * (1.0f - tc * tc);
          da[k] = dct * g * i * (1.0f - i);
          da[H + k] = dct * c_prev[k] * f * (1.0f - f);
          da[2 * H + k] = dct * i * (1.0f - g * g);
          da[3 * H + k] = dht * tc * o * (1.0f - o);
          dc[k] = dct * f;
          dh_prev[k] = 0.0f;
        }
        for (int j = 0; j < G; ++j) {  // ∂L/∂h_{t−1} = W_hhᵀ·∂L/∂a
          const float* wj = wp + static_cast<std::int64_t>(j) * H;
          const float s = da[j];
          for (int k = 0; k < H; ++k) dh_prev[k] += wj[k] * s;
        }
        dh.swap(dh_prev);
      }
      std::copy(dh.begin(), dh.end(), d_h0.data_ptr<float>() + bi * H);
      std::copy(dc.begin(), dc.end(), d_c0.data_ptr<float>() + bi * H);
    }
    const torch::Tensor h_prev = torch::cat({h0.unsqueeze(1), h.narrow(1, 0, T - 1)}, 1).reshape({B * T, H});
    const torch::Tensor d_a2 = d_a.reshape({B * T, G});
    return {d_a, d_h0, d_c0, d_a2.t().mm(h_prev), d_a2.sum(0)};
  }
};

}  // namespace

torch::Tensor lstm_recurrence_reference(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& c0,
                                        const torch::Tensor& w_hh, const torch::Tensor& b_hh) {
  const std::int64_t T = gi.size(1), H = h0.size(1);
  torch::Tensor h = h0, c = c0;
  std::vector<torch::Tensor> hs;
  hs.reserve(T);
  for (std::int64_t t = 0; t < T; ++t) {
    const auto a = (gi.select(1, t) + torch::nn::functional::linear(h, w_hh, b_hh)).split(H, 1);
    c = torch::sigmoid(a[1]) * c + torch::sigmoid(a[0]) * torch::tanh(a[2]);
    h = torch::sigmoid(a[3]) * torch::tanh(c);
    hs.push_back(h);
  }
  return torch::stack(hs, 1);
}

torch::Tensor lstm_recurrence(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& c0,
                              const torch::Tensor& w_hh, const torch::Tensor& b_hh) {
  TORCH_CHECK(gi.dim() == 3 && h0.dim() == 2 && c0.sizes() == h0.sizes() && h0.size(0) == gi.size(0) &&
                  gi.size(2) == 4 * h0.size(1) && w_hh.dim() == 2 && w_hh.size(0) == gi.size(2) &&
                  w_hh.size(1) == h0.size(1) && b_hh.dim() == 1 && b_hh.size(0) == gi.size(2) && gi.size(1) >= 1,
              "lstm_recurrence: gi [B, T ≥ 1, 4H], h0 and c0 [B, H], w_hh [4H, H], b_hh [4H]; got ", gi.sizes(), ", ",
              h0.sizes(), ", ", c0.sizes(), ", ", w_hh.sizes(), ", ", b_hh.sizes());
  bool ours = true;
  for (const auto* t : {&gi, &h0, &c0, &w_hh, &b_hh}) ours = ours && t->is_cpu() && t->scalar_type() == torch::kFloat32;
  return ours ? LstmRecurrenceFunction::apply(gi, h0, c0, w_hh, b_hh) : lstm_recurrence_reference(gi, h0, c0, w_hh, b_hh);
}

}  // namespace statenet
