#include "train_ops/selective_scan.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

namespace statenet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

class SelectiveScanFunction : public torch::autograd::Function<SelectiveScanFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& decay_in, const torch::Tensor& drive_in,
                               const torch::Tensor& c_in) {
    const torch::Tensor decay = decay_in.contiguous(), drive = drive_in.contiguous(), c = c_in.contiguous();
    const std::int64_t B = decay.size(0), T = decay.size(1), D = decay.size(2), S = decay.size(3);
    torch::Tensor states = torch::empty_like(decay), y = torch::empty({B, T, D});
    const float *a = decay.data_ptr<float>(), *u = drive.data_ptr<float>(), *cp = c.data_ptr<float>();
    float *h = states.data_ptr<float>(), *yp = y.data_ptr<float>();
    // Channels d are independent: threads split d; time runs outermost so that each step reads
    // contiguous memory.
    at::parallel_for(0, D, 1, [&](std::int64_t d0, std::int64_t d1) {
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t t = 0; t < T; ++t) {
          const float* ct = cp + (b * T + t) * S;
          for (std::int64_t d = d0; d < d1; ++d) {
            const std::int64_t at = ((b * T + t) * D + d) * S, prev = at - D * S;
            float out = 0.0f;
            for (std::int64_t s = 0; s < S; ++s) {
              h[at + s] = (t > 0 ? a[at + s] * h[prev + s] : 0.0f) + u[at + s];
              out += h[at + s] * ct[s];
            }
            yp[(b * T + t) * D + d] = out;
          }
        }
    });
    ctx->save_for_backward({decay, c, states});
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &decay = saved[0], &c = saved[1], &states = saved[2], gy = grads[0].contiguous();
    const std::int64_t B = decay.size(0), T = decay.size(1), D = decay.size(2), S = decay.size(3);
    torch::Tensor g_decay = torch::empty_like(decay), g_drive = torch::empty_like(decay);
    const float *a = decay.data_ptr<float>(), *cp = c.data_ptr<float>(), *h = states.data_ptr<float>();
    const float* gyp = gy.data_ptr<float>();
    float *ga = g_decay.data_ptr<float>(), *gu = g_drive.data_ptr<float>();
    at::parallel_for(0, D, 1, [&](std::int64_t d0, std::int64_t d1) {
      std::vector<float> carry((d1 - d0) * S);  // decay_{t+1} ⊙ ∂L/∂h_{t+1}, per channel
      for (std::int64_t b = 0; b < B; ++b) {
        std::fill(carry.begin(), carry.end(), 0.0f);
        for (std::int64_t t = T - 1; t >= 0; --t) {
          const float* ct = cp + (b * T + t) * S;
          for (std::int64_t d = d0; d < d1; ++d) {
            const std::int64_t at = ((b * T + t) * D + d) * S, prev = at - D * S;
            const float gyt = gyp[(b * T + t) * D + d];
            float* carry_d = carry.data() + (d - d0) * S;
            for (std::int64_t s = 0; s < S; ++s) {
              const float g = carry_d[s] + gyt * ct[s];  // ∂L/∂h_t
              gu[at + s] = g;
              ga[at + s] = t > 0 ? g * h[prev + s] : 0.0f;
              carry_d[s] = a[at + s] * g;
            }
          }
        }
      }
    });
    // ∂L/∂c_t[s] = Σ_d ∂L/∂y_t[d] · h_t[d, s]
    return {g_decay, g_drive, (gy.unsqueeze(-1) * states).sum(2)};
  }
};

}  // namespace

torch::Tensor selective_scan_reference(const torch::Tensor& decay, const torch::Tensor& drive, const torch::Tensor& c) {
  torch::Tensor h = torch::zeros({decay.size(0), decay.size(2), decay.size(3)}, decay.options());
  std::vector<torch::Tensor> ys;
  ys.reserve(decay.size(1));
  for (std::int64_t t = 0; t < decay.size(1); ++t) {
    h = decay.select(1, t) * h + drive.select(1, t);
    ys.push_back((h * c.select(1, t).unsqueeze(1)).sum(-1));  // h·c
  }
  return torch::stack(ys, 1);
}

torch::Tensor selective_scan(const torch::Tensor& decay, const torch::Tensor& drive, const torch::Tensor& c) {
  TORCH_CHECK(decay.dim() == 4 && drive.sizes() == decay.sizes() && c.dim() == 3 && c.size(0) == decay.size(0) &&
                  c.size(1) == decay.size(1) && c.size(2) == decay.size(3),
              "selective_scan: decay and drive [B, T, D, S], c [B, T, S]; got ", decay.sizes(), ", ", drive.sizes(),
              ", ", c.sizes());
  const bool ours = decay.is_cpu() && decay.scalar_type() == torch::kFloat32 &&
                    drive.scalar_type() == torch::kFloat32 && c.scalar_type() == torch::kFloat32;
  return ours ? SelectiveScanFunction::apply(decay, drive, c) : selective_scan_reference(decay, drive, c);
}

}  // namespace statenet
