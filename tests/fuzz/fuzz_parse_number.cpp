// libFuzzer harness: number parsing, checked against strtod. Whenever parse_real accepts a text
// as a decimal number, the value must be the correctly rounded one strtod gives; an overflow
// must be reported, never read as 0.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "host/io/parse_number.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flowfit::io;
  const std::string text(reinterpret_cast<const char*>(data), size);
  double v = 0;
  const std::string why = detail::parse_real(text, NumberRule::any, v);
  int64_t i = 0;
  (void)detail::parse_integer(text, NumberRule::any, i);
  if (text.find_first_not_of("0123456789+-.eE \t") != std::string::npos) return 0;
  if (text.find('\0') != std::string::npos) return 0;
  errno = 0;
  char* end = nullptr;
  const double ref = std::strtod(text.c_str(), &end);
  const bool whole =
      end != text.c_str() && std::string(end).find_first_not_of(" \t") == std::string::npos;
  if (why.empty() && whole) {
    if (!(v == ref && std::signbit(v) == std::signbit(ref)) &&
        !(std::isnan(v) && std::isnan(ref))) {
      std::abort();
    }
  }
  if (why.empty() && std::isinf(v) && !std::isinf(ref)) std::abort();
  if (whole && std::isinf(ref) && text.find_first_of("iI") == std::string::npos && why.empty()) {
    std::abort();  // an overflow accepted silently
  }
  return 0;
}
