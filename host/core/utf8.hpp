#pragma once
// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
#include <cstddef>
#include <string_view>

namespace flowfit::detail {

// Length of the valid UTF-8 sequence that starts at text[i] (1 for ASCII), or 0 when the bytes
// from text[i] on are not a valid sequence.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Offset of the first byte that is not part of a valid UTF-8 sequence, or npos.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace flowfit::detail
