#pragma once

// Direct 2-D correlation kernels on plain float arrays (no LibTorch), for training the 2D-CNN:
// the forward pass and the input gradient are one "valid" correlation, the weight gradient
// another. Register-blocked for AVX2 (8 accumulators of 8 floats), with a portable fallback.
//
// Layouts, all row-major and dense except for the row stride of the time axis:
//   signal  [channels][rows][stride]   a channel's (frequency) rows, each `stride` floats long
//   weights [out][in][kf][kt]
// Outputs have T values per row. Inputs of correlate_valid are read in tiles of kTimeTile
// outputs: every input row must be readable (and finite) up to round_up(T, kTimeTile) + kt − 1;
// the caller pads with zeros.

namespace statenet {

constexpr int kTimeTile = 16;

constexpr int round_up_to_time_tile(int n) { return (n + kTimeTile - 1) / kTimeTile * kTimeTile; }

struct SignalView {
  const float* data;
  int channels, rows, stride;
  const float* row(int c, int r) const { return data + (static_cast<long>(c) * rows + r) * stride; }
};

// out[o][f][t] = Σ_{i, a < kf, j < kt} w[o][i][a][j] · in[i][f + a][t + j]
// for o < out_channels, f_begin ≤ f < f_end (≤ in.rows − kf + 1), t < T. out has in.rows − kf + 1
// rows of out_stride ≥ T floats per channel; rows outside [f_begin, f_end) are not touched, so
// threads may split f.
void correlate_valid(const SignalView& in, const float* w, int out_channels, int kf, int kt, int T, int f_begin,
                     int f_end, float* out, int out_stride) noexcept;

// gw[o][i][a][j] = Σ_{f < g.rows, t < T} g[o][f][t] · in[i][f + a][t + j] (in's rows readable
// up to T + kt − 1). Writes (does not add to) gw for o_begin ≤ o < o_end, every i, a, j;
// threads may split o.
void correlate_weight_gradient(const SignalView& g, const SignalView& in, int kf, int kt, int T, int o_begin,
                               int o_end, float* gw) noexcept;

}  // namespace statenet
