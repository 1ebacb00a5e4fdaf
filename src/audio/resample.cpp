#include "audio/resample.h"

#include <soxr.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace statenet {

std::vector<float> resample(const float* input, std::size_t n, double input_rate_hz,
                            double output_rate_hz) {
  if (!(input_rate_hz > 0) || !(output_rate_hz > 0)) {
    throw std::invalid_argument("resample: rates must be positive (got " +
                                std::to_string(input_rate_hz) + " → " +
                                std::to_string(output_rate_hz) + " Hz)");
  }
  const auto out_len =
      static_cast<std::size_t>(std::llround(static_cast<double>(n) * output_rate_hz / input_rate_hz));
  std::vector<float> out(out_len);
  if (n == 0 || out_len == 0) return out;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
  std::size_t done = 0;
  soxr_error_t err = soxr_oneshot(input_rate_hz, output_rate_hz, 1, input, n, nullptr,
                                  out.data(), out_len, &done, &io, &quality, nullptr);
  if (err) throw std::runtime_error(std::string("resample: soxr failed: ") + err);
  out.resize(done);
  out.resize(out_len, 0.0f);  // soxr may deliver a sample fewer at the very end
  return out;
}

}  // namespace statenet
