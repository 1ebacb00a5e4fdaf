#pragma once
// Whether a JSON value is a whole number that fits T (a float such as 1e20 or 7.5 must never
// reach a cast to an integer). Header-only; the including target links nlohmann_json.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace statenet {

enum class JsonInteger { kFits, kNotInteger, kOutOfRange };

template <class T>
JsonInteger json_integer_fit(const nlohmann::json& v) {
  if (!v.is_number_integer()) return JsonInteger::kNotInteger;
  const bool fits = v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                                           : v.get<std::int64_t>() >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                                 v.get<std::int64_t>() <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  return fits ? JsonInteger::kFits : JsonInteger::kOutOfRange;
}

}  // namespace statenet
