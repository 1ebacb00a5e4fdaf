#include "cochlea/compression.h"

#include <stdexcept>

namespace statenet {

Compressor::Compressor(const CompressionOptions& o, bool power_input)
    : kind_(o.kind),
      floor_(static_cast<float>(o.floor)),
      inv_floor_(o.floor > 0 ? static_cast<float>(1.0 / o.floor) : 0.0f),
      db_factor_(power_input ? 10.0f : 20.0f) {
  const bool needs_floor = o.kind == CompressionKind::kLn || o.kind == CompressionKind::kLog10 ||
                           o.kind == CompressionKind::kDecibel || o.kind == CompressionKind::kLog1p;
  if (needs_floor && !(o.floor > 0)) {
    throw std::invalid_argument("compression '" + to_string(o.kind) +
                                "' needs a positive floor, got " + std::to_string(o.floor));
  }
}

std::string to_string(CompressionKind kind) {
  switch (kind) {
    case CompressionKind::kNone: return "none";
    case CompressionKind::kLn: return "ln";
    case CompressionKind::kLog10: return "log10";
    case CompressionKind::kDecibel: return "db";
    case CompressionKind::kCubeRoot: return "cube-root";
    case CompressionKind::kLog1p: return "log1p";
  }
  return "?";
}

CompressionKind compression_kind_from_string(const std::string& name) {
  for (auto k : {CompressionKind::kNone, CompressionKind::kLn, CompressionKind::kLog10,
                 CompressionKind::kDecibel, CompressionKind::kCubeRoot, CompressionKind::kLog1p}) {
    if (to_string(k) == name) return k;
  }
  throw std::invalid_argument("unknown compression '" + name +
                              "' (expected none, ln, log10, db, cube-root or log1p)");
}

}  // namespace statenet
