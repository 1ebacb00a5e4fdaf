#include "train_ops/s4d_kernel.h"

#include <ATen/Parallel.h>

#include <vector>

namespace statenet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Per channel h, the modes' powers w_n = z_n^l advanced one l at a time (all modes together, so
// the inner loops run over n and vectorise).
struct ModePowers {
  std::vector<double> zr, zi, wr, wi;
  explicit ModePowers(std::int64_t n) : zr(n), zi(n), wr(n), wi(n) {}
  void start(const float* log_re, const float* log_im) {
    for (std::size_t k = 0; k < zr.size(); ++k) {
      const double m = std::exp(static_cast<double>(log_re[k]));
      zr[k] = m * std::cos(static_cast<double>(log_im[k]));
      zi[k] = m * std::sin(static_cast<double>(log_im[k]));
      wr[k] = 1.0;
      wi[k] = 0.0;
    }
  }
  void advance() {
    for (std::size_t k = 0; k < zr.size(); ++k) {
      const double r = wr[k] * zr[k] - wi[k] * zi[k];
      wi[k] = wr[k] * zi[k] + wi[k] * zr[k];
      wr[k] = r;
    }
  }
};

class S4dKernelFunction : public torch::autograd::Function<S4dKernelFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& c_re_in, const torch::Tensor& c_im_in,
                               const torch::Tensor& log_z_re_in, const torch::Tensor& log_z_im_in, std::int64_t length) {
    const torch::Tensor c_re = c_re_in.contiguous(), c_im = c_im_in.contiguous();
    const torch::Tensor log_z_re = log_z_re_in.contiguous(), log_z_im = log_z_im_in.contiguous();
    const std::int64_t H = c_re.size(0), n = c_re.size(1);
    torch::Tensor kernel = torch::empty({H, length});
    const float *a = c_re.data_ptr<float>(), *b = c_im.data_ptr<float>();
    const float *p = log_z_re.data_ptr<float>(), *q = log_z_im.data_ptr<float>();
    float* k = kernel.data_ptr<float>();
    at::parallel_for(0, H, 1, [&](std::int64_t h0, std::int64_t h1) {
      ModePowers w(n);
      for (std::int64_t h = h0; h < h1; ++h) {
        const float *ah = a + h * n, *bh = b + h * n;
        w.start(p + h * n, q + h * n);
        for (std::int64_t l = 0; l < length; ++l) {
          double sum = 0;  // Re Σ c̃ w = Σ a·Re w − b·Im w
          for (std::int64_t m = 0; m < n; ++m) sum += ah[m] * w.wr[m] - bh[m] * w.wi[m];
          k[h * length + l] = static_cast<float>(2 * sum);
          w.advance();
        }
      }
    });
    ctx->save_for_backward({c_re, c_im, log_z_re, log_z_im});
    return kernel;
  }

  // With g = ∂L/∂K and w = z^l:  ∂L/∂a = 2 Σ_l g·Re w,  ∂L/∂b = −2 Σ_l g·Im w,
  // ∂L/∂log z_re = 2 Σ_l g·l·(a Re w − b Im w),  ∂L/∂log z_im = −2 Σ_l g·l·(a Im w + b Re w).
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &c_re = saved[0], &c_im = saved[1], &log_z_re = saved[2], &log_z_im = saved[3];
    const torch::Tensor g = grads[0].contiguous();
    const std::int64_t H = c_re.size(0), n = c_re.size(1), length = g.size(1);
    torch::Tensor ga = torch::empty_like(c_re), gb = torch::empty_like(c_re);
    torch::Tensor gp = torch::empty_like(c_re), gq = torch::empty_like(c_re);
    const float *a = c_re.data_ptr<float>(), *b = c_im.data_ptr<float>(), *gk = g.data_ptr<float>();
    at::parallel_for(0, H, 1, [&](std::int64_t h0, std::int64_t h1) {
      ModePowers w(n);
      std::vector<double> s_re(n), s_im(n), l_re(n), l_im(n);  // Σ g·w and Σ g·l·w
      for (std::int64_t h = h0; h < h1; ++h) {
        w.start(log_z_re.data_ptr<float>() + h * n, log_z_im.data_ptr<float>() + h * n);
        std::fill(s_re.begin(), s_re.end(), 0.0);
        std::fill(s_im.begin(), s_im.end(), 0.0);
        std::fill(l_re.begin(), l_re.end(), 0.0);
        std::fill(l_im.begin(), l_im.end(), 0.0);
        for (std::int64_t l = 0; l < length; ++l) {
          const double gl = gk[h * length + l], gll = gl * static_cast<double>(l);
          for (std::int64_t m = 0; m < n; ++m) {
            s_re[m] += gl * w.wr[m];
            s_im[m] += gl * w.wi[m];
            l_re[m] += gll * w.wr[m];
            l_im[m] += gll * w.wi[m];
          }
          w.advance();
        }
        for (std::int64_t m = 0; m < n; ++m) {
          const std::int64_t i = h * n + m;
          ga.data_ptr<float>()[i] = static_cast<float>(2 * s_re[m]);
          gb.data_ptr<float>()[i] = static_cast<float>(-2 * s_im[m]);
          gp.data_ptr<float>()[i] = static_cast<float>(2 * (a[i] * l_re[m] - b[i] * l_im[m]));
          gq.data_ptr<float>()[i] = static_cast<float>(-2 * (a[i] * l_im[m] + b[i] * l_re[m]));
        }
      }
    });
    return {ga, gb, gp, gq, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor s4d_kernel_reference(const torch::Tensor& c_re, const torch::Tensor& c_im, const torch::Tensor& log_z_re,
                                   const torch::Tensor& log_z_im, std::int64_t length) {
  const torch::Tensor l = torch::arange(length, c_re.options()).view({1, 1, length});
  const torch::Tensor mag = torch::exp(log_z_re.unsqueeze(2) * l), phase = log_z_im.unsqueeze(2) * l;  // [H, n, L]
  return 2 * (mag * (c_re.unsqueeze(2) * torch::cos(phase) - c_im.unsqueeze(2) * torch::sin(phase))).sum(1);
}

torch::Tensor s4d_kernel(const torch::Tensor& c_re, const torch::Tensor& c_im, const torch::Tensor& log_z_re,
                         const torch::Tensor& log_z_im, std::int64_t length) {
  TORCH_CHECK(c_re.dim() == 2 && c_im.sizes() == c_re.sizes() && log_z_re.sizes() == c_re.sizes() &&
                  log_z_im.sizes() == c_re.sizes() && length >= 0,
              "s4d_kernel: c_re, c_im, log_z_re, log_z_im [H, n] and length ≥ 0; got ", c_re.sizes(), ", ",
              c_im.sizes(), ", ", log_z_re.sizes(), ", ", log_z_im.sizes(), ", ", length);
  bool ours = true;
  for (const auto* t : {&c_re, &c_im, &log_z_re, &log_z_im}) ours = ours && t->is_cpu() && t->scalar_type() == torch::kFloat32;
  return ours ? S4dKernelFunction::apply(c_re, c_im, log_z_re, log_z_im, length)
              : s4d_kernel_reference(c_re, c_im, log_z_re, log_z_im, length);
}

}  // namespace statenet
