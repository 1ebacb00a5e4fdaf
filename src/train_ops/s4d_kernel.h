#pragma once
// The S4D convolution kernel over a clip, as one autograd operation:
//   K[h, l] = 2·Re Σ_n c̃[h, n] · z[h, n]^l,   l = 0 … length − 1,
// with c̃ = c_re + i·c_im and z = exp(log_z_re + i·log_z_im) (S4D: c̃ = C·(e^{dtA} − 1)/A,
// log z = dt·A). Inputs [H, n], output [H, length]. On the CPU in float32 the forward and
// backward are single passes over l per channel, the powers z^l kept by a complex recurrence in
// double precision (LibTorch's version materialises [H, n, length] tensors for every factor and
// its gradient). First derivatives only: the gradients it returns carry no graph.

#include <torch/torch.h>

namespace statenet {

torch::Tensor s4d_kernel(const torch::Tensor& c_re, const torch::Tensor& c_im, const torch::Tensor& log_z_re,
                         const torch::Tensor& log_z_im, std::int64_t length);

// The same map in LibTorch operations (the reference for tests, and the path for CUDA and
// double precision).
torch::Tensor s4d_kernel_reference(const torch::Tensor& c_re, const torch::Tensor& c_im, const torch::Tensor& log_z_re,
                                   const torch::Tensor& log_z_im, std::int64_t length);

}  // namespace statenet
