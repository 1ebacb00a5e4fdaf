#pragma once
// The LSTM's recurrence over a clip, as one autograd operation (PyTorch's gate order i, f, g, o):
//   a = gi_t + W_hh·h_{t−1} + b_hh,   i, f, o = σ(a_i), σ(a_f), σ(a_o),   g = tanh(a_g)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
// gi [B, T, 4H] is the input projection W_ih·x_t + b_ih (left to LibTorch), h0 and c0 [B, H],
// w_hh [4H, H], b_hh [4H] → h [B, T, H]. On the CPU in float32 the forward and backward are
// plain loops over the clip (as gru_recurrence.h); elsewhere LibTorch's LSTM cell, step by
// step. First derivatives only: the gradients it returns carry no graph.

#include <torch/torch.h>

namespace statenet {

torch::Tensor lstm_recurrence(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& c0,
                              const torch::Tensor& w_hh, const torch::Tensor& b_hh);

// The same map in LibTorch operations, one step per bin (the reference for tests).
torch::Tensor lstm_recurrence_reference(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& c0,
                                        const torch::Tensor& w_hh, const torch::Tensor& b_hh);

}  // namespace statenet
