#include "flowfit/escape.hpp"

#include <algorithm>
#include <cstdint>

#include "host/core/utf8.hpp"

namespace flowfit {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Appends the escaped form of the character at s[i]; returns the bytes consumed.
std::size_t append_escaped(std::string& out, std::string_view s, std::size_t i, bool keep_layout) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    if (keep_layout && (c == '\n' || c == '\t')) {
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      append_hex_byte(out, c);
    } else if (c == '\\' && !keep_layout) {
      out += "\\\\";
    } else {
      out += static_cast<char>(c);
    }
    return 1;
  }
  const std::size_t len = detail::utf8_sequence_length(s, i);
  if (len == 0) {
    append_hex_byte(out, c);
    return 1;
  }
  // C1 controls U+0080..U+009F (0xC2 0x80..0x9F): 8-bit CSI/OSC on some terminals.
  if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
    const auto cp = static_cast<unsigned char>(s[i + 1]);
    out += "\\u00";
    out += kHex[cp >> 4];
    out += kHex[cp & 0xF];
    return 2;
  }
  out.append(s.substr(i, len));
  return len;
}

std::string escape(std::string_view text, std::size_t limit, bool count_chars, bool keep_layout) {
  std::string out;
  out.reserve(std::min(text.size(), limit) + 16);
  std::size_t i = 0, shown = 0;
  while (i < text.size() && shown < limit) {
    const std::size_t before = out.size();
    i += append_escaped(out, text, i, keep_layout);
    shown += count_chars ? 1 : out.size() - before;
  }
  if (i < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace

std::string escape_for_message(std::string_view text, std::size_t max_chars) {
  return escape(text, max_chars, true, false);
}

std::string quote_for_message(std::string_view text, std::size_t max_chars) {
  return "'" + escape_for_message(text, max_chars) + "'";
}

std::string sanitize_message(std::string_view message, std::size_t max_bytes) {
  return escape(message, max_bytes, false, true);
}

}  // namespace flowfit
