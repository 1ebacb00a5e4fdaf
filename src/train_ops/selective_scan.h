#pragma once
// Mamba's selective scan over a clip, as one autograd operation:
//   h_t = decay_t ⊙ h_{t−1} + drive_t   (h_{−1} = 0),   y_t[d] = Σ_s h_t[d, s] · c_t[s]
// decay, drive [B, T, D, S]; c [B, T, S] → y [B, T, D]. On the CPU in float32 the forward and
// backward are single passes of plain loops over the clip (the states are kept for the
// backward); elsewhere the same recursion in LibTorch operations, one step per bin, which on
// a 999-bin clip builds a graph of thousands of small operations. First derivatives only: the
// gradients it returns carry no graph.

#include <torch/torch.h>

namespace statenet {

torch::Tensor selective_scan(const torch::Tensor& decay, const torch::Tensor& drive, const torch::Tensor& c);

// The recursion step by step in LibTorch operations (the reference for tests, and the path
// for CUDA and double precision).
torch::Tensor selective_scan_reference(const torch::Tensor& decay, const torch::Tensor& drive, const torch::Tensor& c);

}  // namespace statenet
