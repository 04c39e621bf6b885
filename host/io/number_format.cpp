#include "flowfit/io/number_format.hpp"

#include <charconv>

namespace flowfit::io {

char* format_real(char* first, double value, RealFormat format) {
  char* last = first + kRealTextMax;
  // std::to_chars with a precision is specified to match printf("%.*g").
  auto result = format == RealFormat::digits17
                    ? std::to_chars(first, last, value, std::chars_format::general, 17)
                    : std::to_chars(first, last, value);
  return result.ptr;
}

std::string real_to_string(double value, RealFormat format) {
  char buf[kRealTextMax];
  return std::string(buf, format_real(buf, value, format));
}

}  // namespace flowfit::io
