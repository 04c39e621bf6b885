#include "host/targets/fips_index.hpp"

#include <charconv>

namespace flowfit::targets::detail {

std::string format_number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

}  // namespace flowfit::targets::detail
