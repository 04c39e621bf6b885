#include "parse_number.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "flowfit/escape.hpp"

namespace flowfit::io::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// from_chars does not take a leading '+'; allow one (but not "+-1").
std::string_view strip_plus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

// Parses the digits of an exponent, saturating far beyond any double's range:
// "e99999999999999999999" must count as huge, not wrap around or fail to parse.
int64_t saturated_exponent(std::string_view digits) {
  constexpr int64_t kCap = int64_t{1} << 40;  // |exponent| this large is over/underflow anyway
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') break;
    v = std::min(kCap, v * 10 + (c - '0'));
  }
  return negative ? -v : v;
}

// Decimal exponent of the leading significant digit of a well-formed decimal number, e.g. 2 for
// "123.4" and -3 for "0.0012e0": positive for huge values, negative for tiny ones. Only the sign
// matters, and every term is bounded (exponent by saturation, positions by the text length), so
// nothing overflows.
int64_t decimal_exponent(std::string_view s) {
  int64_t exponent = 0;
  std::size_t e = s.find_first_of("eE");
  if (e != std::string_view::npos) {
    exponent = saturated_exponent(s.substr(e + 1));
    s = s.substr(0, e);
  }
  std::size_t point = s.find('.');
  std::size_t int_digits = 0;
  for (std::size_t i = 0; i < (point == std::string_view::npos ? s.size() : point); ++i) {
    if (s[i] >= '0' && s[i] <= '9') ++int_digits;
  }
  int64_t position = static_cast<int64_t>(int_digits) - 1;  // exponent of the digit looked at
  for (char c : s) {
    if (c < '0' || c > '9') continue;
    if (c != '0') return exponent + position;
    --position;
  }
  return 0;  // all zeros: zero is never out of range, whatever the exponent
}

}  // namespace

std::string quote_text(std::string_view text) {
  return quote_for_message(text);
}

std::string check_real(double value, NumberRule rule) {
  if (rule == NumberRule::any) return {};
  if (std::isnan(value)) return "NaN is not allowed";
  if (std::isinf(value)) return "infinite value is not allowed";
  if (rule == NumberRule::non_negative && value < 0) {
    return "negative value is not allowed";
  }
  return {};
}

std::string parse_real(std::string_view text, NumberRule rule, double& out) {
  std::string_view s = strip_plus(trim(text));
  if (s.empty()) return "empty value where a number is required";
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) {
    // Overflow is an error; underflow is an ordinary tiny value that rounds to zero.
    if (decimal_exponent(s) > 0) return "value " + quote_text(text) + " overflows float64";
    out = s[0] == '-' ? -0.0 : 0.0;
    ec = std::errc{};
  }
  if (ec != std::errc{} || ptr != s.data() + s.size()) {
    return "not a number: " + quote_text(text);
  }
  std::string why = check_real(out, rule);
  if (!why.empty()) why += " (got " + quote_text(text) + ")";
  return why;
}

std::string parse_integer(std::string_view text, NumberRule rule, int64_t& out) {
  std::string_view s = strip_plus(trim(text));
  if (s.empty()) return "empty value where an integer is required";
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) return "integer " + quote_text(text) + " out of range";
  if (ec != std::errc{} || ptr != s.data() + s.size()) {
    return "not an integer: " + quote_text(text);
  }
  if (rule == NumberRule::non_negative && out < 0) {
    return "negative value is not allowed (got " + quote_text(text) + ")";
  }
  return {};
}

}  // namespace flowfit::io::detail
