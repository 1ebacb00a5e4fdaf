#pragma once
// The 2D-CNN's convolution: valid in frequency, causal in time (kt − 1 bins of past zero
// padding, no future). x [B, Ci, F, T], weight [Co, Ci, kf, kt], bias [Co] →
// [B, Co, F − kf + 1, T]. On the CPU in float32 the forward pass and both gradients run our
// direct kernels (conv2d_kernels.h), which are several times faster than LibTorch's CPU
// convolution backward at the 2D-CNN's sizes; anywhere else it is torch's conv2d. First
// derivatives only (training, GradMaps, Dreams): the gradients it returns carry no graph.

#include <torch/torch.h>

namespace statenet {

torch::Tensor causal_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

// Process-wide: make causal_conv2d use LibTorch's conv2d everywhere (for benchmarks whose peer
// must be the usual PyTorch way). Default false.
void use_libtorch_conv2d(bool yes);

// The same map by LibTorch's conv2d on the left-padded input (the reference for tests).
torch::Tensor causal_conv2d_reference(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace statenet
