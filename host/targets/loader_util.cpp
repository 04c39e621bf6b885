#include "host/targets/loader_util.hpp"

#include <algorithm>

namespace flowfit::targets::detail {

std::string fips(const io::CsvTable& table, int64_t row, int col, int digits) {
  const std::string_view text = table.field(row, col);
  const bool ok =
      static_cast<int>(text.size()) == digits &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok)
    table.fail(row, col,
               "expected a zero-padded code of " + std::to_string(digits) + " digits, got '" +
                   std::string(text) + "'");
  return std::string(text);
}

}  // namespace flowfit::targets::detail
