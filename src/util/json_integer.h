#pragma once
// Whether a JSON value is a whole number that fits T (a float such as 1e20 or 7.5 must never
// reach a cast to an integer). Header-only; the including target links nlohmann_json.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace statenet {

enum class JsonInteger { kFits, kNotInteger, kOutOfRange };

template <class T>
JsonInteger json_integer_fit(const nlohmann::json& v) {
  static_assert(std::is_signed_v<T> && sizeof(T) <= sizeof(std::int64_t), "the range test is for signed types");
  if (!v.is_number_integer()) return JsonInteger::kNotInteger;
  const bool fits = v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                                           : v.get<std::int64_t>() >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                                 v.get<std::int64_t>() <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  return fits ? JsonInteger::kFits : JsonInteger::kOutOfRange;
}

}  // namespace statenet
