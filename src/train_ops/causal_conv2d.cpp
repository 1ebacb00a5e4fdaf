#include "train_ops/causal_conv2d.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "cpu_kernels/conv2d_kernels.h"

namespace statenet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Padded copies live in per-thread scratch memory that is reused from call to call: fresh
// tensors of this size are returned to the OS on release and page-faulted anew on every use,
// which costs more than the arithmetic.
thread_local std::vector<float> signal_scratch;

std::atomic<bool> libtorch_only{false};

// One batch element x [C, rows, T] (contiguous) copied into zeroed scratch memory laid out as
// [C, rows + 2·row_pad, stride], at row offset row_pad and time offset t_offset.
SignalView padded(const float* x, int C, int rows, int T, int row_pad, int stride, int t_offset) {
  const int R = rows + 2 * row_pad;
  const std::size_t n = static_cast<std::size_t>(C) * R * stride;
  if (signal_scratch.size() < n) signal_scratch.resize(n);
  float* buffer = signal_scratch.data();
  std::fill_n(buffer, n, 0.0f);
  for (int c = 0; c < C; ++c)
    for (int r = 0; r < rows; ++r)
      std::copy_n(x + (static_cast<std::size_t>(c) * rows + r) * T, T,
                  buffer + (static_cast<std::size_t>(c) * R + r + row_pad) * stride + t_offset);
  return {buffer, C, R, stride};
}

int size(const torch::Tensor& t, int d) { return static_cast<int>(t.size(d)); }

// y[o][f][t] = Σ w[o][i][a][j] · signal[i][f + a][t + j] for t < T, written to y [Co, Fo, T].
void correlate(const SignalView& signal, const torch::Tensor& w, int T, float* y) {
  const int Co = size(w, 0), kf = size(w, 2), kt = size(w, 3), Fo = signal.rows - kf + 1;
  const float* wp = w.data_ptr<float>();
  at::parallel_for(0, Fo, 1, [&](std::int64_t begin, std::int64_t end) {
    correlate_valid(signal, wp, Co, kf, kt, T, static_cast<int>(begin), static_cast<int>(end), y, T);
  });
}

class CausalConv2dFunction : public torch::autograd::Function<CausalConv2dFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& w_in,
                               const torch::Tensor& bias) {
    const torch::Tensor x = x_in.contiguous(), w = w_in.contiguous();
    ctx->save_for_backward({x, w});
    const int B = size(x, 0), Ci = size(x, 1), F = size(x, 2), T = size(x, 3), kf = size(w, 2), kt = size(w, 3);
    const int stride = round_up_to_time_tile(T) + kt - 1;
    torch::Tensor y = torch::empty({B, size(w, 0), F - kf + 1, T});
    for (int b = 0; b < B; ++b)
      correlate(padded(x[b].data_ptr<float>(), Ci, F, T, 0, stride, kt - 1), w, T, y[b].data_ptr<float>());
    return y.add_(bias.view({1, -1, 1, 1}));
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &w = saved[1], g = grads[0].contiguous();
    const int B = size(x, 0), Ci = size(x, 1), F = size(x, 2), T = size(x, 3);
    const int Co = size(w, 0), kf = size(w, 2), kt = size(w, 3), Fo = F - kf + 1;
    const int stride = round_up_to_time_tile(T) + kt - 1;
    torch::Tensor gx, gw, gb;
    if (ctx->needs_input_grad(0)) {
      // ∂L/∂x[i][f][t] = Σ w[o][i][a][j] · g[o][f − a][t + kt − 1 − j]: a valid correlation of
      // g padded by kf − 1 rows on both sides and kt − 1 future bins, with w transposed and flipped.
      const torch::Tensor w_flipped = w.transpose(0, 1).flip({2, 3}).contiguous();
      gx = torch::empty_like(x);
      for (int b = 0; b < B; ++b)
        correlate(padded(g[b].data_ptr<float>(), Co, Fo, T, kf - 1, stride, 0), w_flipped, T, gx[b].data_ptr<float>());
    }
    if (ctx->needs_input_grad(1)) {
      gw = torch::empty_like(w);
      torch::Tensor part = B > 1 ? torch::empty_like(w) : gw;
      for (int b = 0; b < B; ++b) {
        const SignalView xp = padded(x[b].data_ptr<float>(), Ci, F, T, 0, stride, kt - 1);
        const SignalView gv{g[b].data_ptr<float>(), Co, Fo, T};
        float* out = (b == 0 ? gw : part).data_ptr<float>();
        at::parallel_for(0, Co, 1, [&](std::int64_t begin, std::int64_t end) {
          correlate_weight_gradient(gv, xp, kf, kt, T, static_cast<int>(begin), static_cast<int>(end), out);
        });
        if (b > 0) gw += part;
      }
    }
    if (ctx->needs_input_grad(2)) gb = g.sum({0, 2, 3});
    return {gx, gw, gb};
  }
};

}  // namespace

torch::Tensor causal_conv2d_reference(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  namespace F = torch::nn::functional;
  return F::conv2d(F::pad(x, F::PadFuncOptions({weight.size(3) - 1, 0})), weight, F::Conv2dFuncOptions().bias(bias));
}

void use_libtorch_conv2d(bool yes) { libtorch_only = yes; }

torch::Tensor causal_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && x.size(1) == weight.size(1) && x.size(2) >= weight.size(2),
              "causal_conv2d: x [B, Ci, F, T] and weight [Co, Ci, kf, kt] with F ≥ kf, got ", x.sizes(), " and ",
              weight.sizes());
  const bool ours = !libtorch_only && x.is_cpu() && x.scalar_type() == torch::kFloat32 && weight.scalar_type() == torch::kFloat32 &&
                    bias.defined() && bias.scalar_type() == torch::kFloat32;
  return ours ? CausalConv2dFunction::apply(x, weight, bias) : causal_conv2d_reference(x, weight, bias);
}

}  // namespace statenet
