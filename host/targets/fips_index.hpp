#pragma once
// Internal helpers shared by the target builders: sorted FIPS lookup and number formatting.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowfit::targets::detail {

inline std::optional<int32_t> find_sorted(const std::vector<std::string>& sorted,
                                          std::string_view key) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), key,
                             [](const std::string& a, std::string_view b) { return a < b; });
  if (it == sorted.end() || *it != key) return std::nullopt;
  return static_cast<int32_t>(it - sorted.begin());
}

// Shortest round-trip decimal form (%.17g trimmed).
std::string format_number(double v);

}  // namespace flowfit::targets::detail
