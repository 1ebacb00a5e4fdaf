#pragma once
// Sizes that come from files (array shapes, counts): products that cannot overflow. A reader
// multiplies a file's extents only through this, and refuses what it returns nullopt for.

#include <cstdint>
#include <optional>
#include <type_traits>

namespace statenet {

// The product of `extents`, or nullopt when one is negative or the product exceeds `limit`.
template <class Range>
std::optional<std::uint64_t> checked_product(const Range& extents, std::uint64_t limit = UINT64_MAX) {
  std::uint64_t n = 1;
  bool zero = false;
  for (auto e : extents) {
    if constexpr (std::is_signed_v<decltype(e)>)
      if (e < 0) return std::nullopt;
    const auto v = static_cast<std::uint64_t>(e);
    if (v == 0) {
      zero = true;
      continue;
    }
    if (n > limit / v) return std::nullopt;
    n *= v;
  }
  return zero ? 0 : n;
}

}  // namespace statenet
