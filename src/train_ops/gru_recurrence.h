#pragma once
// The GRU's recurrence over a clip, as one autograd operation (PyTorch's gate order r, z, n):
//   gh = W_hh·h_{t−1} + b_hh
//   r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
// gi [B, T, 3H] is the input projection W_ih·x_t + b_ih (one matrix product, left to LibTorch),
// h0 [B, H], w_hh [3H, H], b_hh [3H] → h [B, T, H]. On the CPU in float32 the forward and
// backward are plain loops over the clip (LibTorch's CPU GRU runs a handful of small operations
// per bin, each with its own dispatch and allocation); from 8 sequences on (TBPTT's windows)
// each bin's W_hh product is one matrix product over the batch; the recurrent weight's gradient
// is one matrix product over the clip. Elsewhere LibTorch's GRU cell, step by step. First derivatives
// only: the gradients it returns carry no graph.

#include <torch/torch.h>

namespace statenet {

torch::Tensor gru_recurrence(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                             const torch::Tensor& b_hh);

// TBPTT(1, K) with warm-up on the same recurrence: the forward is gru_recurrence's (the true
// states); in the backward, bin t's gradient reaches back through bins t − K + 1 … t only (the
// start state of its window gets none; for t < K the window starts at h0, which gets it). The
// same gradients as running each bin's window of K bins from its true start state and
// backpropagating through it, without the K-fold forward: a ring of K adjoints, one
// [K, H]×[H, H] product per bin. CPU float32 only; k ≥ 1.
torch::Tensor gru_recurrence_truncated(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                                       const torch::Tensor& b_hh, std::int64_t k);

// The same map with LibTorch's gru_cell, one call per bin (the reference for tests).
torch::Tensor gru_recurrence_reference(const torch::Tensor& gi, const torch::Tensor& h0, const torch::Tensor& w_hh,
                                       const torch::Tensor& b_hh);

}  // namespace statenet
