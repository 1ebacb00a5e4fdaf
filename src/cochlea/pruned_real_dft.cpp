#include "cochlea/pruned_real_dft.h"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cochlea/stft_cochleagram.h"  // fftw_planner_mutex
#include "util/avx2_clone.h"

namespace statenet {

namespace {
constexpr int kSplit = 32;  // n = 32q + p
constexpr double kTwoPi = 6.283185307179586476925286766559;

int largest_prime_factor(int n) {
  int largest = 1;
  for (int f = 2; f * f <= n; ++f)
    while (n % f == 0) largest = f, n /= f;
  return n > 1 ? n : largest;
}
}  // namespace

bool PrunedRealDft::worthwhile(int n, int nonzero) {
  return n % kSplit == 0 && n / kSplit > 1 && largest_prime_factor(n / kSplit) > 13 && 4 * nonzero <= n;
}

PrunedRealDft::PrunedRealDft(int n, int nonzero)
    : n_(n), m_(n / kSplit), nonzero_(nonzero), half_m_(n / kSplit / 2 + 1) {
  if (n % kSplit != 0 || nonzero < 1 || nonzero > n)
    throw std::invalid_argument("pruned DFT: n = " + std::to_string(n) + " must be a multiple of 32 and hold the " +
                                std::to_string(nonzero) + " non-zero samples");
  const int q_count = (nonzero + kSplit - 1) / kSplit;
  cos_.resize(static_cast<std::size_t>(q_count) * half_m_);
  sin_.resize(cos_.size());
  for (int q = 0; q < q_count; ++q)
    for (int m = 0; m < half_m_; ++m) {
      const double phase = kTwoPi * static_cast<double>((static_cast<long>(q) * m) % m_) / m_;
      cos_[static_cast<std::size_t>(q) * half_m_ + m] = static_cast<float>(std::cos(phase));
      sin_[static_cast<std::size_t>(q) * half_m_ + m] = static_cast<float>(std::sin(phase));
    }
  twiddle_.resize(static_cast<std::size_t>(2) * kSplit * m_);
  for (int p = 0; p < kSplit; ++p)
    for (int m = 0; m < m_; ++m) {
      const double phase = -kTwoPi * static_cast<double>((static_cast<long>(p) * m) % n) / n;
      twiddle_[2 * (static_cast<std::size_t>(p) * m_ + m)] = static_cast<float>(std::cos(phase));
      twiddle_[2 * (static_cast<std::size_t>(p) * m_ + m) + 1] = static_cast<float>(std::sin(phase));
    }
  y_re_.resize(half_m_);
  y_im_.resize(half_m_);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  t_ = reinterpret_cast<float*>(fftwf_alloc_complex(static_cast<std::size_t>(n)));
  z_ = reinterpret_cast<float*>(fftwf_alloc_complex(static_cast<std::size_t>(n)));
  // M transforms of 32 points: transform m reads t[p·M + m] and writes z[j·M + m] = X[m + M·j].
  // ESTIMATE: a deterministic plan (MEASURE's timing on a busy machine picked plans 1.3× slower).
  const int size[] = {kSplit};
  plan_ = fftwf_plan_many_dft(1, size, m_, reinterpret_cast<fftwf_complex*>(t_), nullptr, m_, 1,
                              reinterpret_cast<fftwf_complex*>(z_), nullptr, m_, 1, FFTW_FORWARD, FFTW_ESTIMATE);
  if (!plan_) throw std::runtime_error("pruned DFT: FFTW could not plan " + std::to_string(m_) + " transforms of 32 points");
}

PrunedRealDft::~PrunedRealDft() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (plan_) fftwf_destroy_plan(static_cast<fftwf_plan>(plan_));
  fftwf_free(t_);
  fftwf_free(z_);
}

STATENET_AVX2_CLONE
void PrunedRealDft::execute(const float* __restrict x, float* __restrict out) noexcept {
  const int M = m_, H = half_m_;
  float* __restrict re = y_re_.data();
  float* __restrict im = y_im_.data();
  for (int p = 0; p < kSplit; ++p) {
    // Y_p[m] for m ≤ M/2: a direct DFT over the non-zero q (W_M^{qm} = cos − i·sin).
    for (int m = 0; m < H; ++m) re[m] = 0.0f, im[m] = 0.0f;
    for (int q = 0, n = p; n < nonzero_; ++q, n += kSplit) {
      const float v = x[n];
      const float* __restrict c = cos_.data() + static_cast<std::size_t>(q) * H;
      const float* __restrict s = sin_.data() + static_cast<std::size_t>(q) * H;
      for (int m = 0; m < H; ++m) re[m] += v * c[m], im[m] -= v * s[m];
    }
    // T_p[m] = W_N^{pm}·Y_p[m], with Y_p[M − m] = conj(Y_p[m]) (real input).
    const float* tw = twiddle_.data() + 2 * static_cast<std::size_t>(p) * M;
    float* t = t_ + 2 * static_cast<std::size_t>(p) * M;
    for (int m = 0; m < M; ++m) {
      const bool mirrored = m >= H;
      const float yr = mirrored ? re[M - m] : re[m], yi = mirrored ? -im[M - m] : im[m];
      t[2 * m] = tw[2 * m] * yr - tw[2 * m + 1] * yi;
      t[2 * m + 1] = tw[2 * m] * yi + tw[2 * m + 1] * yr;
    }
  }
  fftwf_execute(static_cast<fftwf_plan>(plan_));
  for (int k = 0; k <= n_ / 2; ++k) out[2 * k] = z_[2 * k], out[2 * k + 1] = z_[2 * k + 1];
}

}  // namespace statenet
