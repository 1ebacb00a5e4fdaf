#pragma once
// Amplitude compression of band energies (the last stage of every front end).
// `floor` always acts on the linear input, before compressing, so that silence maps
// to a documented constant c(floor) and nothing depends on the rest of the signal
// (no relative top_db clipping, which would be non-causal).

#include <cmath>
#include <string>

namespace statenet {

enum class CompressionKind {
  kNone,      ///< y = x
  kLn,        ///< y = ln(max(x, floor))
  kLog10,     ///< y = log10(max(x, floor))
  kDecibel,   ///< y = 20·log10(max(x, floor)) for magnitudes, 10·log10 for powers
  kCubeRoot,  ///< y = cbrt(max(x, 0))                        (floor unused)
  kLog1p,     ///< y = ln(1 + max(x, 0)/floor): NEMS "dlog" with d = floor
};

struct CompressionOptions {
  CompressionKind kind = CompressionKind::kLn;
  /// Linear floor, see CompressionKind. Default 1e-4 (ln: silence → −9.21).
  double floor = 1e-4;
};

// Precomputed form of CompressionOptions for one front end. [any thread]
class Compressor {
 public:
  Compressor() = default;
  // `power_input`: the values are powers (selects 10·log10 for kDecibel).
  Compressor(const CompressionOptions& options, bool power_input);
  float operator()(float x) const noexcept {
    switch (kind_) {
      case CompressionKind::kNone: return x;
      case CompressionKind::kLn: return std::log(x > floor_ ? x : floor_);
      case CompressionKind::kLog10: return std::log10(x > floor_ ? x : floor_);
      case CompressionKind::kDecibel: return db_factor_ * std::log10(x > floor_ ? x : floor_);
      case CompressionKind::kCubeRoot: return std::cbrt(x > 0.0f ? x : 0.0f);
      case CompressionKind::kLog1p: return std::log1p((x > 0.0f ? x : 0.0f) * inv_floor_);
    }
    return x;
  }
  // The value silence (all-zero input) compresses to.
  float silence() const noexcept { return (*this)(0.0f); }

 private:
  CompressionKind kind_ = CompressionKind::kNone;
  float floor_ = 0.0f;
  float inv_floor_ = 0.0f;
  float db_factor_ = 20.0f;
};

std::string to_string(CompressionKind kind);
// Parses the names printed by to_string; throws std::invalid_argument otherwise.
CompressionKind compression_kind_from_string(const std::string& name);

}  // namespace statenet
