#pragma once
// The real DFT of a zero-padded frame, X[k] = Σ_{n<L} x[n]·e^{−2πikn/N}, k = 0 … N/2, for
// N = 32·M where M has a prime factor FFTW handles slowly — recipe C's N = 1952 = 32·61 with
// L = 488 takes 8.3 µs in FFTW. Decimation in time by 32 (n = 32q + p):
//   Y_p[m] = Σ_q x[32q + p]·W_M^{qm}         32 inner M-point DFTs of ⌈L/32⌉ non-zero inputs,
//                                             computed directly (m ≤ M/2; the rest by symmetry)
//   X[m + M·j] = Σ_p (W_N^{pm}·Y_p[m])·W_32^{pj}   M outer 32-point FFTs, one batched FFTW plan.
// [construction: main thread; execute: real-time, noexcept, allocation-free]

#include <vector>

namespace statenet {

class PrunedRealDft {
 public:
  /// n: transform size (a multiple of 32); nonzero: samples that can be non-zero (≤ n).
  PrunedRealDft(int n, int nonzero);
  ~PrunedRealDft();
  PrunedRealDft(const PrunedRealDft&) = delete;
  PrunedRealDft& operator=(const PrunedRealDft&) = delete;

  /// True where this beats FFTW's real transform: n = 32·M with a prime factor of M above 13
  /// (FFTW's hard-coded kernels stop at 13) and at most a quarter of the input non-zero.
  static bool worthwhile(int n, int nonzero);

  /// x: `nonzero` samples; out: n/2 + 1 complex values, interleaved (re, im) as FFTW's r2c. [RT]
  void execute(const float* x, float* out) noexcept;

 private:
  int n_, m_, nonzero_, half_m_;
  std::vector<float> cos_, sin_;        // [q][m ≤ M/2]: cos, sin of 2π·q·m/M
  std::vector<float> twiddle_;          // [p][m]: W_N^{pm} interleaved (re, im)
  std::vector<float> y_re_, y_im_;      // [m ≤ M/2] accumulators
  float* t_ = nullptr;                  // fftwf complex [32][M]: W_N^{pm}·Y_p[m]
  float* z_ = nullptr;                  // fftwf complex [N]: X in natural order
  void* plan_ = nullptr;                // fftwf_plan: M 32-point transforms
};

}  // namespace statenet
