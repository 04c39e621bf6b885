#pragma once
// Strict number parsing shared by every reader: the whole text must be one number (surrounding
// spaces/tabs allowed, a leading '+' allowed), parsed with correctly rounded std::from_chars.
// Functions return an empty string on success and the reason for the error otherwise.
#include <cstdint>
#include <string>
#include <string_view>

#include "flowfit/io/csv_options.hpp"

namespace flowfit::io::detail {

std::string parse_real(std::string_view text, NumberRule rule, double& out);
std::string parse_integer(std::string_view text, NumberRule rule, int64_t& out);
// Reason for rejecting an already parsed value under `rule`, or "".
std::string check_real(double value, NumberRule rule);
// Quoted, escaped and shortened for messages (flowfit::quote_for_message).
std::string quote_text(std::string_view text);

}  // namespace flowfit::io::detail
